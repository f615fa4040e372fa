# An attachment names its owner as (owner_type, owner_id) instead of one nullable foreign key
# per owner type, so any model can own documents (issue 6, shared parts). The rows and their
# history stay; the owner columns are filled from the old foreign keys before those go. Reversible
# for the three owners that existed before.

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F

OWNER_FIELDS = ("application", "card", "filing")
TABLES = ("Attachment", "HistoricalAttachment")


def _types(apps, alias):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return {field: ContentType.objects.db_manager(alias).get_or_create(
        app_label="groups", model=field)[0] for field in OWNER_FIELDS}


def fill_owner(apps, schema_editor):
    alias = schema_editor.connection.alias
    types = _types(apps, alias)
    for table in TABLES:
        model = apps.get_model("groups", table)
        for field, owner_type in types.items():
            model.objects.using(alias).filter(**{f"{field}__isnull": False}).update(
                owner_type=owner_type, owner_id=F(f"{field}_id"))


def fill_foreign_keys(apps, schema_editor):
    alias = schema_editor.connection.alias
    types = _types(apps, alias)
    for table in TABLES:
        model = apps.get_model("groups", table)
        if table == "Attachment":
            unknown = model.objects.using(alias).exclude(
                owner_type__in=list(types.values()))
            if unknown.exists():
                raise RuntimeError("attachments of other owners cannot be migrated back")
        for field, owner_type in types.items():
            model.objects.using(alias).filter(owner_type=owner_type).update(
                **{f"{field}_id": F("owner_id")})


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("groups", "0011_membership_note_admission_comment_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="attachment",
            name="owner_type",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="contenttypes.contenttype"),
        ),
        migrations.AddField(
            model_name="attachment",
            name="owner_id",
            field=models.PositiveBigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="historicalattachment",
            name="owner_type",
            field=models.ForeignKey(blank=True, db_constraint=False, null=True,
                                    on_delete=django.db.models.deletion.DO_NOTHING,
                                    related_name="+", to="contenttypes.contenttype"),
        ),
        migrations.AddField(
            model_name="historicalattachment",
            name="owner_id",
            field=models.PositiveBigIntegerField(null=True),
        ),
        migrations.RemoveConstraint(model_name="attachment", name="attachment_has_one_owner"),
        migrations.RunPython(fill_owner, fill_foreign_keys),
        *[migrations.RemoveField(model_name=model_name, name=field)
          for model_name in ("attachment", "historicalattachment") for field in OWNER_FIELDS],
        migrations.AlterField(
            model_name="attachment",
            name="owner_type",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="contenttypes.contenttype"),
        ),
        migrations.AlterField(
            model_name="attachment",
            name="owner_id",
            field=models.PositiveBigIntegerField(),
        ),
        migrations.AlterField(
            model_name="historicalattachment",
            name="owner_id",
            field=models.PositiveBigIntegerField(),
        ),
        migrations.AddIndex(
            model_name="attachment",
            index=models.Index(fields=["owner_type", "owner_id", "kind"],
                               name="attachment_owner_kind"),
        ),
    ]
