"""Every write leaves a history row (issue 12), the ones that used to be `.update()`s or plain
bulk inserts too: an application's version bump, its stored policy-check results, a cycle's
derivation stamp. Each row names who acted."""

from assessments.cycles import results
from assessments.cycles.models import Cycle, CycleGroup
from groups.applications import checks
from groups.applications.models import Application, CheckResult
from groups.applications.services import proposed_partner_add
from tests.assessments.builders import make_cycle
from tests.factories import PartnerFactory
from tests.groups import workflow_helpers as h


def test_a_version_bump_leaves_a_history_row_naming_who(world):
    built = h.founding_draft(world)
    app = built.refresh()
    before = Application.history.filter(id=app.pk).count()
    proposed_partner_add(
        application=app, partner=PartnerFactory(), projects="教研", actor=built.principal
    )
    app.refresh_from_db()
    rows = list(Application.history.filter(id=app.pk).order_by("-history_id"))
    assert len(rows) == before + 1
    assert rows[0].version == app.version == rows[1].version + 1
    assert rows[0].history_user == built.principal


def test_stored_check_results_leave_history_rows_when_written_and_replaced(world):
    built = h.founding_draft(world)
    h.submit(built)
    app = built.refresh()
    stored = list(CheckResult.objects.filter(application=app))
    assert stored
    made = CheckResult.history.filter(application_id=app.pk, history_type="+")
    assert sorted(made.values_list("id", flat=True)) == sorted(r.pk for r in stored)
    assert {r.history_user_id for r in made} == {built.principal.pk}
    # run again, the stage's results are replaced: the old ones leave "-" rows
    checks.record_checks(
        app,
        CheckResult.Stage.SUBMISSION,
        checks.run_checks(app, h.START_ON),
        actor=built.principal,
    )
    gone = CheckResult.history.filter(application_id=app.pk, history_type="-")
    assert sorted(gone.values_list("id", flat=True)) == sorted(r.pk for r in stored)
    assert {r.history_user_id for r in gone} == {built.principal.pk}


def test_deriving_a_cycles_scores_stamps_each_entry_with_a_history_row(world):
    cycle = make_cycle(world, status=Cycle.Status.INSPECTION)
    actor = world.users["city"]
    entries = list(CycleGroup.objects.filter(cycle=cycle))
    before = CycleGroup.history.filter(cycle_id=cycle.pk).count()
    results.derive_scores(cycle, actor=actor)
    stamped = CycleGroup.history.filter(cycle_id=cycle.pk).order_by("-history_id")
    assert stamped.count() == before + len(entries)
    latest = stamped.first()
    assert latest.derived_at is not None and latest.history_user == actor
