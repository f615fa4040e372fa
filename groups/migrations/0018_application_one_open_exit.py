# One open exit per membership (policy L-5, issue 8).

from django.conf import settings
from django.db import migrations, models

OPEN = ["awaiting_consents", "awaiting_opinion", "draft", "returned", "under_decision"]


def withdraw_duplicate_exits(apps, schema_editor):
    """Before the index: where a membership has several open exits (the bug this closes), keep
    the one furthest along (submitted before drafts, then the newest) and mark the others
    withdrawn, so the index can be built. Nothing is deleted."""
    Application = apps.get_model("groups", "Application")
    rank = {"under_decision": 0, "awaiting_opinion": 1, "returned": 2, "draft": 3}
    seen: dict[int, int] = {}
    rows = Application.objects.filter(kind="exit", status__in=OPEN).values_list(
        "pk", "membership_id", "status", "created_at"
    )
    ordered = sorted(rows, key=lambda r: (rank.get(r[2], 4), -r[3].timestamp(), -r[0]))
    duplicates = []
    for pk, membership_id, _status, _created in ordered:
        if membership_id in seen:
            duplicates.append(pk)
        else:
            seen[membership_id] = pk
    if duplicates:
        Application.objects.filter(pk__in=duplicates).update(
            status="withdrawn", version=models.F("version") + 1
        )


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0017_search_trigram_indexes"),
        ("members", "0005_search_trigram_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(withdraw_duplicate_exits, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "exit"), ("status__in", OPEN)),
                fields=("membership",),
                name="application_one_open_exit_per_membership",
                violation_error_message="该成员关系已有一份未办结的退出申请（政策 L-5）。",
            ),
        ),
    ]
