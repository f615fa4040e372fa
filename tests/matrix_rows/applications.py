"""Permission-matrix rows of the application pages (policy L-1 … L-5).

"own": an admission application of the world's group (applicant: its core school, decided by
the 市南 bureau = `district`), waiting on the consent of the 市北 bureau (the candidate's).
"other": a draft admission of the 崂山 group, whose principal is none of the acting users."""

import datetime

from groups.applications.models import Application, Consent, ProposedMember
from members.models import User
from tests.factories import SchoolFactory, UserFactory

ROLES = ["anon", "city", "district", "principal", "member", "auditor", "admin"]


def _application(world, which):
    cache = getattr(world, "_matrix_applications", None)
    if cache is None:
        cache = world._matrix_applications = {}
    if which in cache:
        return cache[which]
    if which == "own":
        candidate = SchoolFactory(authority=world.shibei)
        app = Application.objects.create(
            kind=Application.Kind.ADMISSION,
            status=Application.Status.AWAITING_CONSENTS,
            applicant_school=world.core,
            group=world.group,
            deciding_authority=world.shinan,
            admission_mode="own_choice",
            start_on=datetime.date(2025, 9, 1),
            created_by=world.users["principal"],
        )
        consent = Consent.objects.create(application=app, authority=world.shibei)
    else:
        other_principal = UserFactory(role=User.Role.CORE_PRINCIPAL, school=world.other_core)
        candidate = SchoolFactory(authority=world.laoshan)
        app = Application.objects.create(
            kind=Application.Kind.ADMISSION,
            applicant_school=world.other_core,
            group=world.other_group,
            deciding_authority=world.laoshan,
            created_by=other_principal,
        )
        consent = Consent.objects.create(application=app, authority=world.shibei)
    member = ProposedMember.objects.create(
        application=app, school=candidate, relation_type="T-2", relation_subtype="T-2a"
    )
    cache[which] = (app, consent, member)
    return cache[which]


def app_id(world, which):
    return {"application_id": _application(world, which)[0].pk}


def consent_ids(world, which):
    app, consent, _ = _application(world, which)
    return {"application_id": app.pk, "consent_id": consent.pk}


def member_ids(world, which):
    app, _, member = _application(world, which)
    return {"application_id": app.pk, "member_id": member.pk}


def no_args(world, which):
    return {}


def group_args(world, which):
    return {"group_id": (world.group if which == "own" else world.other_group).pk}


def membership_args(world, which):
    membership = (
        world.membership if which == "own" else world.other_group.memberships.get(role="member")
    )
    return {"membership_id": membership.pk}


def row(**statuses):
    return dict(zip(ROLES, [statuses[r] for r in ROLES], strict=True))


ALL_OK = row(anon=302, city=200, district=200, principal=200, member=200, auditor=200, admin=200)
PRINCIPALS_ONLY = row(
    anon=302, city=403, district=403, principal=200, member=200, auditor=403, admin=403
)
DETAIL_OWN = row(
    anon=302, city=200, district=200, principal=200, member=404, auditor=200, admin=200
)
DETAIL_OTHER = row(
    anon=302, city=200, district=404, principal=404, member=404, auditor=200, admin=200
)
# Applicant-only actions on the own application: the core principal is let through to the
# service (302 back with its message: the application is not editable in this state).
APPLICANT_OWN = row(
    anon=302, city=403, district=403, principal=302, member=404, auditor=403, admin=403
)
ACT_OTHER = row(anon=302, city=403, district=404, principal=404, member=404, auditor=403, admin=403)
CONSENT_OWN = row(
    anon=302, city=403, district=403, principal=403, member=404, auditor=403, admin=403
)
OPINION_OWN = row(
    anon=302, city=403, district=403, principal=302, member=404, auditor=403, admin=403
)
DECIDE_OWN = row(
    anon=302, city=403, district=302, principal=403, member=404, auditor=403, admin=403
)

ROWS = [
    ("applications:inbox", None, "get", ALL_OK, no_args),
    ("applications:list", None, "get", ALL_OK, no_args),
    ("applications:new-founding", None, "get", PRINCIPALS_ONLY, no_args),
    (
        "applications:new-admission",
        "own",
        "get",
        row(anon=302, city=403, district=403, principal=200, member=403, auditor=403, admin=403),
        group_args,
    ),
    (
        "applications:new-admission",
        "other",
        "get",
        row(anon=302, city=403, district=404, principal=404, member=404, auditor=403, admin=403),
        group_args,
    ),
    (
        "applications:new-exit",
        "own",
        "get",
        row(anon=302, city=404, district=404, principal=404, member=200, auditor=404, admin=404),
        membership_args,
    ),
    (
        "applications:new-exit",
        "other",
        "get",
        row(anon=302, city=404, district=404, principal=404, member=404, auditor=404, admin=404),
        membership_args,
    ),
    ("applications:notifications-read", None, "post", dict.fromkeys(ROLES, 302), no_args),
    ("applications:detail", "own", "get", DETAIL_OWN, app_id),
    ("applications:detail", "other", "get", DETAIL_OTHER, app_id),
    ("applications:consent", "own", "post", CONSENT_OWN, consent_ids),
    ("applications:consent", "other", "post", ACT_OTHER, consent_ids),
    ("applications:opinion", "own", "post", OPINION_OWN, app_id),
    ("applications:opinion", "other", "post", ACT_OTHER, app_id),
    ("applications:decide", "own", "post", DECIDE_OWN, app_id),
    ("applications:decide", "other", "post", ACT_OTHER, app_id),
    ("applications:member-remove", "own", "post", APPLICANT_OWN, member_ids),
    ("applications:member-remove", "other", "post", ACT_OTHER, member_ids),
] + [
    (f"applications:{name}", which, "post", APPLICANT_OWN if which == "own" else ACT_OTHER, app_id)
    for name in ("edit", "member-add", "partner-add", "upload", "evaluation", "submit", "withdraw")
    for which in ("own", "other")
]


# --- POST in a state where the action is not allowed (tests/test_permission_matrix.py) -------


def _decided(world, which):
    """An admission already approved: nothing on it can be done any more (policy L-3)."""
    if which == "own":
        group, core, authority, by = world.group, world.core, world.shinan, world.users["principal"]
    else:
        group, core, authority = world.other_group, world.other_core, world.laoshan
        by = UserFactory(role=User.Role.CORE_PRINCIPAL, school=core)
    app = Application.objects.create(
        kind=Application.Kind.ADMISSION,
        status=Application.Status.APPROVED,
        applicant_school=core,
        group=group,
        deciding_authority=authority,
        admission_mode="own_choice",
        created_by=by,
        decided_at=datetime.datetime(2025, 6, 1, 9, 0, tzinfo=datetime.UTC),
        decision_reason="同意",
    )
    consent = Consent.objects.create(application=app, authority=world.shibei, status="given")
    member = ProposedMember.objects.create(
        application=app,
        school=SchoolFactory(authority=world.shibei),
        relation_type="T-2",
        relation_subtype="T-2a",
    )
    return app, consent, member


def decided_app(world, which):
    return {"application_id": _decided(world, which)[0].pk}


def decided_consent(world, which):
    app, consent, _ = _decided(world, which)
    return {"application_id": app.pk, "consent_id": consent.pk}


def decided_member(world, which):
    app, _, member = _decided(world, which)
    return {"application_id": app.pk, "member_id": member.pk}


def ended_membership(world, which):
    from groups.registry.models import Membership
    from tests.factories import MembershipFactory

    membership = MembershipFactory(
        group=world.group if which == "own" else world.other_group,
        school=SchoolFactory(authority=world.shibei),
        left_on=datetime.date(2024, 9, 1),
        end_reason=Membership.EndReason.EXIT,
    )
    return {"membership_id": membership.pk}


WRONG_STATE = {
    "applications:consent": decided_consent,
    "applications:member-remove": decided_member,
    "applications:new-exit": ended_membership,
} | {
    f"applications:{name}": decided_app
    for name in (
        "opinion",
        "decide",
        "edit",
        "member-add",
        "partner-add",
        "upload",
        "evaluation",
        "submit",
        "withdraw",
    )
}
POST_WITHOUT_STATE = {
    "applications:new-founding",
    "applications:new-admission",
    "applications:notifications-read",
}
READ_ONLY = {"applications:inbox", "applications:list", "applications:detail"}
