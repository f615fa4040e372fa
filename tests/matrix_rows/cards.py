"""Yellow and red cards (policy L-6): who may see a card, issue one, respond and review.

"own": a card of the world's member school (市北) in the 市南-led group; "other": a card in the
崂山 group nobody acts for; "sibling": a card of another member school of the world's group (its
principals are not the world's `member`). Action URLs are POSTed without data: an allowed user gets
the detail page back with the form's errors (200), a refused one 403, one who may not see the
card 404. Only the 市南 bureau (`district`) acts for the group's authority; the city does not."""

from django.utils import timezone

from groups.cards.models import Card
from tests.factories import MembershipFactory, SchoolFactory

SEE_OWN = {
    "anon": 302,
    "city": 200,
    "district": 200,
    "principal": 200,
    "member": 200,
    "auditor": 200,
    "admin": 200,
}
SEE_OTHER = {
    "anon": 302,
    "city": 200,
    "district": 404,
    "principal": 404,
    "member": 404,
    "auditor": 200,
    "admin": 200,
}
SEE_SIBLING = SEE_OWN | {"member": 404}
BUREAU_ACTS = {
    "anon": 302,
    "city": 403,
    "district": 200,
    "principal": 403,
    "member": 403,
    "auditor": 403,
    "admin": 403,
}
BUREAU_OTHER = {
    "anon": 302,
    "city": 403,
    "district": 404,
    "principal": 404,
    "member": 404,
    "auditor": 403,
    "admin": 403,
}
MEMBER_RESPONDS = {
    "anon": 302,
    "city": 403,
    "district": 403,
    "principal": 403,
    "member": 200,
    "auditor": 403,
    "admin": 403,
}
SIBLING_RESPONDS = MEMBER_RESPONDS | {"member": 404}
# Uploads (policy L-6): the issuing bureau adds evidence, the warned member's principal adds
# rectification material; an empty POST gives the page back with the form's error (200). A state
# that does not allow the uploader's kind redirects to the card with a message (302).
UPLOAD = BUREAU_ACTS | {"member": 200}
UPLOAD_SIBLING = BUREAU_ACTS | {"member": 404}
UPLOAD_UNDER_REVIEW = BUREAU_ACTS | {"member": 302}
UPLOAD_CLOSED = BUREAU_ACTS | {"district": 302, "member": 302}


def _membership(world, which):
    if which == "own":
        return world.membership
    if which == "sibling":
        return MembershipFactory(group=world.group, school=SchoolFactory(authority=world.shibei))
    return world.other_group.memberships.get(role="member")


def _card(status: str, closed: bool = False):
    def build(world, which):
        membership = _membership(world, which)
        card = Card.objects.create(
            membership=membership,
            group=membership.group,
            level=Card.Level.YELLOW,
            status=status,
            ground=Card.Ground.AGREEMENT,
            description="未履行协议",
            deadline="2099-01-01",
            issued_by=world.users["district"],
            closed_at=timezone.now() if closed else None,
        )
        return {"card_id": card.pk}

    return build


def _issue(world, which):
    return {"membership_id": _membership(world, which).pk}


def _none(world, which):
    return {}


ROWS = [
    ("cards:list", None, "get", SEE_OWN, _none),
    ("cards:detail", "own", "get", SEE_OWN, _card("yellow_issued")),
    ("cards:detail", "other", "get", SEE_OTHER, _card("yellow_issued")),
    ("cards:detail", "sibling", "get", SEE_SIBLING, _card("yellow_issued")),
    ("cards:issue", "own", "get", BUREAU_ACTS, _issue),
    ("cards:issue", "other", "get", BUREAU_OTHER, _issue),
    ("cards:respond", "own", "post", MEMBER_RESPONDS, _card("yellow_issued")),
    ("cards:respond", "other", "post", BUREAU_OTHER, _card("yellow_issued")),
    ("cards:respond", "sibling", "post", SIBLING_RESPONDS, _card("overdue")),
    ("cards:lift", "own", "post", BUREAU_ACTS, _card("under_review")),
    ("cards:lift", "other", "post", BUREAU_OTHER, _card("under_review")),
    ("cards:reject", "own", "post", BUREAU_ACTS, _card("under_review")),
    ("cards:reject", "other", "post", BUREAU_OTHER, _card("under_review")),
    ("cards:escalate", "own", "post", BUREAU_ACTS, _card("overdue")),
    ("cards:escalate", "other", "post", BUREAU_OTHER, _card("yellow_issued")),
    ("cards:upload", "own", "post", UPLOAD, _card("yellow_issued")),
    ("cards:upload", "other", "post", BUREAU_OTHER, _card("yellow_issued")),
    ("cards:upload", "sibling", "post", UPLOAD_SIBLING, _card("overdue")),
    ("cards:upload", "own", "post", UPLOAD_UNDER_REVIEW, _card("under_review")),
    ("cards:upload", "own", "post", UPLOAD_CLOSED, _card("lifted", closed=True)),
]


# --- POST in a state where the action is not allowed (tests/test_permission_matrix.py) -------


def _ended(world, which):
    import datetime

    from groups.registry.models import Membership

    group = world.group if which == "own" else world.other_group
    membership = MembershipFactory(
        group=group,
        school=SchoolFactory(authority=world.shibei),
        left_on=datetime.date(2024, 9, 1),
        end_reason=Membership.EndReason.EXIT,
    )
    return {"membership_id": membership.pk}


WRONG_STATE = {
    "cards:respond": _card("lifted", closed=True),
    "cards:lift": _card("yellow_issued"),
    "cards:reject": _card("yellow_issued"),
    "cards:escalate": _card("lifted", closed=True),
    "cards:upload": _card("lifted", closed=True),
    "cards:issue": _ended,
}
POST_WITHOUT_STATE: set[str] = set()
READ_ONLY = {"cards:list", "cards:detail"}
