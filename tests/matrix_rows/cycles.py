"""Permission-matrix rows for assessment cycles (policy A-1 … A-4).

"own": the world's group's part of a city cycle (its core principal is `principal`, its
approving authority 市南 is `district`); "other": the 崂山 group's part, or a 崂山 district
cycle. The organiser (the city bureau for a city cycle) moves, scores and resolves; the city
reads district cycles without scoring them; district staff read their groups' parts; the core
principal fills in and flags its own group's part; readers read everything."""

from assessments.cycles.models import Cycle, CycleGroup, FactualFlag
from assessments.cycles.workflows import CycleStatus
from tests.assessments.builders import make_cycle


def _row(**statuses) -> dict:
    return {"anon": 302} | statuses


LIST = _row(city=200, district=200, principal=200, member=403, auditor=200, admin=200)
CREATE = _row(city=200, district=200, principal=403, member=403, auditor=403, admin=403)
CYCLE_OWN = _row(city=200, district=200, principal=200, member=404, auditor=200, admin=200)
CYCLE_OTHER = _row(city=200, district=404, principal=404, member=404, auditor=200, admin=200)
EDIT_OWN = _row(city=200, district=403, principal=404, member=404, auditor=403, admin=403)
EDIT_OTHER = _row(city=403, district=404, principal=404, member=404, auditor=403, admin=403)
MOVE_OWN = EDIT_OWN | {"city": 302}
PART_OWN = CYCLE_OWN
PART_OTHER = CYCLE_OTHER
SELF_OWN = _row(city=403, district=403, principal=200, member=404, auditor=403, admin=403)
SELF_OTHER = _row(city=403, district=404, principal=404, member=404, auditor=403, admin=403)
SELF_POST_OWN = SELF_OWN | {"principal": 302}
SCORE_OWN = _row(city=200, district=403, principal=403, member=404, auditor=403, admin=403)
SCORE_OTHER = _row(city=200, district=404, principal=404, member=404, auditor=403, admin=403)
RESOLVE_OWN = SCORE_OWN | {"city": 302}
RESOLVE_OTHER = SCORE_OTHER | {"city": 302}
LATEST_OWN = _row(city=302, district=302, principal=302, member=404, auditor=302, admin=302)
LATEST_OTHER = _row(city=302, district=404, principal=404, member=404, auditor=302, admin=302)


def _cycle_in(world, which: str, status: str) -> Cycle:
    if which == "own":
        return make_cycle(world, status=status)
    return make_cycle(world, status=status, authority=world.laoshan, groups=[world.other_group])


def _cycle(status):
    return lambda world, which: {"cycle_id": _cycle_in(world, which, status).pk}


def _move(status):
    return lambda world, which: {
        "cycle_id": _cycle_in(world, which, status).pk,
        "action": "start",
    }


def _part_of(world, which: str, status: str) -> CycleGroup:
    cycle = make_cycle(world, status=status)
    group = world.group if which == "own" else world.other_group
    return CycleGroup.objects.get(cycle=cycle, group=group)


def _part(status):
    return lambda world, which: {"entry_id": _part_of(world, which, status).pk}


def _flag(status):
    def build(world, which):
        entry = _part_of(world, which, status)
        flag = FactualFlag.objects.create(entry=entry, text="成员校数量有误")
        if status == CycleStatus.PUBLISHED:
            flag.status = FactualFlag.Status.REJECTED
            flag.save()
        return {"flag_id": flag.pk}

    return build


def _latest(world, which: str) -> dict:
    make_cycle(world, status=CycleStatus.PUBLISHED)
    return {"group_id": (world.group if which == "own" else world.other_group).pk}


S = CycleStatus
ROWS = [
    ("cycles:cycle-list", None, "get", LIST, None),
    ("cycles:cycle-create", None, "get", CREATE, None),
    ("cycles:cycle-detail", "own", "get", CYCLE_OWN, _cycle(S.SELF_ASSESSMENT)),
    ("cycles:cycle-detail", "other", "get", CYCLE_OTHER, _cycle(S.SELF_ASSESSMENT)),
    ("cycles:cycle-edit", "own", "get", EDIT_OWN, _cycle(S.OPEN)),
    ("cycles:cycle-edit", "other", "get", EDIT_OTHER, _cycle(S.OPEN)),
    ("cycles:cycle-move", "own", "post", MOVE_OWN, _move(S.OPEN)),
    ("cycles:cycle-move", "other", "post", EDIT_OTHER, _move(S.OPEN)),
    ("cycles:entry-detail", "own", "get", PART_OWN, _part(S.SELF_ASSESSMENT)),
    ("cycles:entry-detail", "other", "get", PART_OTHER, _part(S.SELF_ASSESSMENT)),
    ("cycles:entry-self", "own", "get", SELF_OWN, _part(S.SELF_ASSESSMENT)),
    ("cycles:entry-self", "other", "get", SELF_OTHER, _part(S.SELF_ASSESSMENT)),
    ("cycles:entry-submit", "own", "post", SELF_POST_OWN, _part(S.SELF_ASSESSMENT)),
    ("cycles:entry-submit", "other", "post", SELF_OTHER, _part(S.SELF_ASSESSMENT)),
    ("cycles:evidence-add", "own", "post", SELF_POST_OWN, _part(S.SELF_ASSESSMENT)),
    ("cycles:evidence-add", "other", "post", SELF_OTHER, _part(S.SELF_ASSESSMENT)),
    ("cycles:entry-score", "own", "get", SCORE_OWN, _part(S.INSPECTION)),
    ("cycles:entry-score", "other", "get", SCORE_OTHER, _part(S.INSPECTION)),
    ("cycles:flag-create", "own", "post", SELF_POST_OWN, _part(S.FACTUAL_CHECK)),
    ("cycles:flag-create", "other", "post", SELF_OTHER, _part(S.FACTUAL_CHECK)),
    ("cycles:flag-resolve", "own", "post", RESOLVE_OWN, _flag(S.FACTUAL_CHECK)),
    ("cycles:flag-resolve", "other", "post", RESOLVE_OTHER, _flag(S.FACTUAL_CHECK)),
    ("cycles:group-latest", "own", "get", LATEST_OWN, _latest),
    ("cycles:group-latest", "other", "get", LATEST_OTHER, _latest),
]

# Posts in a state where the action is not allowed at all: a person who may not act still
# gets 403 before the state is read.
WRONG_STATE = {
    "cycles:cycle-move": _move(S.PUBLISHED),
    "cycles:entry-submit": _part(S.PUBLISHED),
    "cycles:evidence-add": _part(S.PUBLISHED),
    "cycles:flag-create": _part(S.PUBLISHED),
    "cycles:flag-resolve": _flag(S.PUBLISHED),
    "cycles:cycle-edit": _cycle(S.PUBLISHED),
    "cycles:entry-self": _part(S.PUBLISHED),
    "cycles:entry-score": _part(S.PUBLISHED),
}
POST_WITHOUT_STATE = {"cycles:cycle-create"}
READ_ONLY = {
    "cycles:cycle-list",
    "cycles:cycle-detail",
    "cycles:entry-detail",
    "cycles:group-latest",
}
