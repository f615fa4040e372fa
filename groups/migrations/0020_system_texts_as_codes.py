"""Texts the system wrote before message codes (issue 8): policy-check results, notifications and
the reasons in every audit history are mapped to their code where one matches (the old text kept
as `fallback`), so they show in the reader's language; what matches nothing (typed text) stays.
Each distinct text is mapped once and written with one UPDATE."""

from django.db import migrations


def _labels():
    # The names the workflows wrote as default reasons (the actions' labels) and the end reasons.
    from groups.applications.workflows import Action, ConsentAction
    from groups.cards.workflows import CardAction
    from groups.enrollment.workflows import EnrollmentAction
    from groups.filings.workflows import FilingAction
    from groups.registry.models import Membership

    enums = (Action, ConsentAction, CardAction, EnrollmentAction, FilingAction)
    labels = [member.label for enum in enums for member in enum]
    return tuple(labels + [r.label for r in Membership.EndReason])


def _map_column(model, field: str, labels) -> None:
    from qingdao_groups.core.messages import legacy_message

    texts = (
        model.objects.exclude(**{f"{field}__isnull": True})
        .exclude(**{field: ""})
        .values_list(field, flat=True)
        .distinct()
    )
    for text in list(texts):
        coded = legacy_message(text, labels=labels)
        if coded is not None:
            model.objects.filter(**{field: text}).update(**{field: coded})


def forwards(apps, schema_editor):
    labels = _labels()
    _map_column(apps.get_model("groups", "CheckResult"), "message", ())
    _map_column(apps.get_model("qingdao_groups", "Notification"), "message", ())
    for model in apps.get_models():
        names = {f.name for f in model._meta.get_fields()}
        if model._meta.object_name.startswith("Historical") and "history_change_reason" in names:
            _map_column(model, "history_change_reason", labels)


def backwards(apps, schema_editor):
    """Back to plain text: each coded row shows its text in the site's language."""
    from qingdao_groups.core.messages import decode, render_in

    def plain(model, field):
        for text in list(
            model.objects.filter(**{f"{field}__startswith": '{"'})
            .values_list(field, flat=True)
            .distinct()
        ):
            if decode(text) is not None:
                model.objects.filter(**{field: text}).update(**{field: render_in("zh-hans", text)})

    plain(apps.get_model("groups", "CheckResult"), "message")
    plain(apps.get_model("qingdao_groups", "Notification"), "message")
    for model in apps.get_models():
        names = {f.name for f in model._meta.get_fields()}
        if model._meta.object_name.startswith("Historical") and "history_change_reason" in names:
            plain(model, "history_change_reason")


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0019_checkresult_url"),
        ("qingdao_groups", "0009_notification_message_code"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
