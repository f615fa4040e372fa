"""The application state machines (groups/workflows.py), read as plain data: no database.

The expected tables are written out here literally, as the policy describes the steps, so that a
change to groups/workflows.py that adds, drops or redirects a move fails a test (policy L-1 founding
with prior consents, L-3 admission, L-5 exit with the core school's opinion)."""

import itertools

import pytest

from groups.applications.workflows import (
    APPLICATION_TRANSITIONS,
    DECISION_ACTIONS,
    EDITABLE_STATUSES,
    OPEN_STATUSES,
    Action,
    ApplicationKind,
    ApplicationStatus,
)
from qingdao_groups.core.workflow import TransitionRefused, allowed_actions, next_status

# (from status, action) -> to status, per kind, in plain strings (what the database holds).
DECISIONS = {
    ("under_decision", "approve"): "approved",
    ("under_decision", "approve_with_conditions"): "approved_with_conditions",
    ("under_decision", "return"): "returned",
    ("under_decision", "reject"): "rejected",
}
WITHDRAW_EDITABLE = {
    ("draft", "withdraw"): "withdrawn",
    ("returned", "withdraw"): "withdrawn",
    # the applicant edits only while the application is with it (policy L-1, L-3, L-5)
    ("draft", "edit"): "draft",
    ("returned", "edit"): "returned",
}
CONSENTS = {
    ("draft", "submit"): "awaiting_consents",
    ("returned", "submit"): "awaiting_consents",
    ("awaiting_consents", "consents_complete"): "under_decision",
    ("awaiting_consents", "consent_refused"): "returned",
}
EXPECTED = {
    # policy L-1: every proposed member's authority consents before the core's authority decides
    "founding": CONSENTS | DECISIONS | WITHDRAW_EDITABLE,
    # policy L-3: the candidate's authority consents (when it is not the core's), then decision
    "admission": CONSENTS | DECISIONS | WITHDRAW_EDITABLE,
    # policy L-5: the member applies, the core school gives its opinion, the authority decides
    "exit": {
        ("draft", "submit"): "awaiting_opinion",
        ("returned", "submit"): "awaiting_opinion",
        ("awaiting_opinion", "opinion_given"): "under_decision",
        ("awaiting_opinion", "withdraw"): "withdrawn",
        # the member may change its mind at every step before the decision (issue 8)
        ("under_decision", "withdraw"): "withdrawn",
    }
    | DECISIONS
    | WITHDRAW_EDITABLE,
}

ALLOWED_MOVES = [
    (kind, current, action, target)
    for kind, table in EXPECTED.items()
    for (current, action), target in table.items()
]
ALL_MOVES = [
    (kind, status, action)
    for kind in ApplicationKind.values
    for status, action in itertools.product(ApplicationStatus.values, Action.values)
]
REFUSED_MOVES = [m for m in ALL_MOVES if (m[1], m[2]) not in EXPECTED[m[0]]]
TERMINAL = ["approved", "approved_with_conditions", "rejected", "withdrawn"]


def test_every_kind_has_a_table():
    assert set(APPLICATION_TRANSITIONS) == set(ApplicationKind.values) == set(EXPECTED)


@pytest.mark.parametrize("kind", ApplicationKind.values)
def test_table_is_exactly_the_expected_one(kind):
    # Compared as plain strings: the database gives the service plain strings, not enum members.
    actual = {(str(s), str(a)): str(t) for (s, a), t in APPLICATION_TRANSITIONS[kind].items()}
    assert actual == EXPECTED[kind]


@pytest.mark.parametrize(("kind", "current", "action", "target"), ALLOWED_MOVES)
def test_allowed_move(kind, current, action, target):
    assert next_status(APPLICATION_TRANSITIONS[kind], current, action) == target


@pytest.mark.parametrize(
    ("kind", "current", "action"),
    [
        # a sample of refusals that matter: skipping a step, deciding twice, reopening
        ("founding", "draft", "approve"),  # L-1: no decision before the consents
        ("founding", "awaiting_consents", "approve"),
        ("founding", "draft", "consents_complete"),
        ("founding", "approved", "reject"),  # a decision is final
        ("founding", "rejected", "submit"),
        ("founding", "withdrawn", "submit"),
        ("founding", "under_decision", "withdraw"),  # the authority has it now
        ("founding", "awaiting_consents", "withdraw"),
        ("founding", "awaiting_opinion", "opinion_given"),  # founding has no opinion step
        ("admission", "draft", "opinion_given"),
        ("admission", "approved_with_conditions", "approve"),
        ("admission", "returned", "approve"),
        ("exit", "draft", "approve"),  # L-5: not without the core school's opinion
        ("exit", "awaiting_opinion", "approve"),
        ("exit", "awaiting_consents", "consents_complete"),  # exit has no consents step
        ("exit", "approved", "withdraw"),  # after the decision, too late
        ("exit", "approved", "return"),
    ],
)
def test_refused_move_sample(kind, current, action):
    with pytest.raises(TransitionRefused) as exc:
        next_status(APPLICATION_TRANSITIONS[kind], current, action)
    assert exc.value.current == current
    assert exc.value.action == action
    assert action in str(exc.value) and current in str(exc.value)


def test_every_move_outside_the_table_is_refused():
    # All kind × status × action combinations not listed above (the complement, exhaustively).
    assert len(REFUSED_MOVES) == len(ALL_MOVES) - len(ALLOWED_MOVES)
    for kind, current, action in REFUSED_MOVES:
        with pytest.raises(TransitionRefused):
            next_status(APPLICATION_TRANSITIONS[kind], current, action)


def test_exit_has_no_consents_step():
    # policy L-5: the member applies to the core school; no other authority's consent
    table = APPLICATION_TRANSITIONS["exit"]
    statuses = {s for s, _a in table} | set(table.values())
    actions = {a for _s, a in table}
    assert "awaiting_consents" not in statuses
    assert not actions & {"consents_complete", "consent_refused"}
    assert next_status(table, "draft", "submit") == "awaiting_opinion"


@pytest.mark.parametrize("kind", ["founding", "admission"])
def test_founding_and_admission_have_no_opinion_step(kind):
    table = APPLICATION_TRANSITIONS[kind]
    assert "awaiting_opinion" not in {s for s, _a in table} | set(table.values())


@pytest.mark.parametrize("kind", ApplicationKind.values)
def test_withdraw_only_before_the_authority_has_it(kind):
    # A founding or admission only while it is with the applicant; an exit (policy L-5: the
    # member's own choice) at every step before the decision.
    from_statuses = {s for (s, a) in APPLICATION_TRANSITIONS[kind] if a == "withdraw"}
    before_decision = {"awaiting_opinion", "under_decision"}
    expected = {"draft", "returned"} | (before_decision if kind == "exit" else set())
    assert from_statuses == expected
    assert {APPLICATION_TRANSITIONS[kind][(s, "withdraw")] for s in from_statuses} == {"withdrawn"}


@pytest.mark.parametrize("kind", ApplicationKind.values)
def test_decisions_only_from_under_decision(kind):
    table = APPLICATION_TRANSITIONS[kind]
    for action in DECISION_ACTIONS:
        assert {s for (s, a) in table if a == action} == {"under_decision"}
    assert set(DECISION_ACTIONS) == {"approve", "approve_with_conditions", "return", "reject"}


@pytest.mark.parametrize(
    ("kind", "status"), list(itertools.product(ApplicationKind.values, TERMINAL))
)
def test_terminal_statuses_have_no_way_out(kind, status):
    assert allowed_actions(APPLICATION_TRANSITIONS[kind], status) == []


@pytest.mark.parametrize("kind", ApplicationKind.values)
def test_every_open_status_is_reachable_from_draft_and_can_end(kind):
    table = APPLICATION_TRANSITIONS[kind]
    reachable, frontier = {"draft"}, ["draft"]
    while frontier:
        current = frontier.pop()
        for action in allowed_actions(table, current):
            target = next_status(table, current, action)
            if target not in reachable:
                reachable.add(target)
                frontier.append(target)
    assert set(TERMINAL) <= reachable
    for status in reachable - set(TERMINAL):
        assert allowed_actions(table, status), status  # no open status is a dead end
        assert status in OPEN_STATUSES


def test_editable_statuses_are_exactly_where_submit_starts():
    for kind in ApplicationKind.values:
        submit_from = {s for (s, a) in APPLICATION_TRANSITIONS[kind] if a == "submit"}
        assert submit_from == set(EDITABLE_STATUSES) == {"draft", "returned"}


def test_allowed_actions_lists_the_moves_of_one_status():
    table = APPLICATION_TRANSITIONS["founding"]
    assert sorted(allowed_actions(table, "under_decision")) == sorted(
        ["approve", "approve_with_conditions", "return", "reject"]
    )
    assert sorted(allowed_actions(table, "awaiting_consents")) == [
        "consent_refused",
        "consents_complete",
    ]
    assert sorted(allowed_actions(APPLICATION_TRANSITIONS["exit"], "awaiting_opinion")) == [
        "opinion_given",
        "withdraw",
    ]
