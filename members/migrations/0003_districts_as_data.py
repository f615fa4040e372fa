"""Districts become data (issue 7): a District table holding Qingdao's ten districts (the codes the
`district` columns already hold, so every row stays valid), and School.district /
Authority.district foreign keys to it by code on the same columns. A city bureau's empty district
becomes NULL."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

# Qingdao's seven districts and three county-level cities, as the old District choices had them.
QINGDAO = [
    ("shinan", "市南区"),
    ("shibei", "市北区"),
    ("licang", "李沧区"),
    ("laoshan", "崂山区"),
    ("chengyang", "城阳区"),
    ("huangdao", "黄岛区（西海岸新区）"),
    ("jimo", "即墨区"),
    ("jiaozhou", "胶州市"),
    ("pingdu", "平度市"),
    ("laixi", "莱西市"),
]


def create_districts(apps, schema_editor):
    District = apps.get_model("members", "District")
    School = apps.get_model("members", "School")
    Authority = apps.get_model("members", "Authority")
    city = Authority.objects.filter(kind="city").order_by("id").first()
    for order, (code, name) in enumerate(QINGDAO, start=1):
        District.objects.get_or_create(
            code=code, defaults={"name": name, "sort_order": order, "city": city}
        )
    # Any other code already in use (none is expected) becomes a district of its own name.
    used = set(School.objects.values_list("district", flat=True))
    used |= set(Authority.objects.values_list("district", flat=True))
    for code in sorted(used - {"", None} - {c for c, _n in QINGDAO}):
        District.objects.get_or_create(code=code, defaults={"name": code, "sort_order": 100})


def blank_to_null(apps, schema_editor):
    for model in ("Authority", "HistoricalAuthority"):
        apps.get_model("members", model).objects.filter(district="").update(district=None)


def null_to_blank(apps, schema_editor):
    for model in ("Authority", "HistoricalAuthority"):
        apps.get_model("members", model).objects.filter(district=None).update(district="")


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0002_history_change_reason_text"),
    ]

    operations = [
        migrations.CreateModel(
            name="District",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.SlugField(max_length=20, unique=True, verbose_name="代码")),
                ("name", models.CharField(max_length=50, verbose_name="名称")),
                ("sort_order", models.PositiveIntegerField(default=0, verbose_name="排序")),
            ],
            options={
                "verbose_name": "区（市）",
                "verbose_name_plural": "区（市）",
                "ordering": ["sort_order", "code"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalDistrict",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("code", models.SlugField(max_length=20, verbose_name="代码")),
                ("name", models.CharField(max_length=50, verbose_name="名称")),
                ("sort_order", models.PositiveIntegerField(default=0, verbose_name="排序")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
            ],
            options={
                "verbose_name": "historical 区（市）",
                "verbose_name_plural": "historical 区（市）",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RemoveConstraint(
            model_name="authority",
            name="authority_district_has_district",
        ),
        migrations.RemoveIndex(
            model_name="school",
            name="members_sch_distric_b1228b_idx",
        ),
        migrations.AddField(
            model_name="district",
            name="city",
            field=models.ForeignKey(
                blank=True,
                limit_choices_to={"kind": "city"},
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="city_districts",
                to="members.authority",
                verbose_name="所属市教育局",
            ),
        ),
        migrations.RunPython(create_districts, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="authority",
            name="district",
            field=models.CharField(blank=True, max_length=20, null=True),
        ),
        migrations.AlterField(
            model_name="historicalauthority",
            name="district",
            field=models.CharField(blank=True, max_length=20, null=True),
        ),
        migrations.RunPython(blank_to_null, null_to_blank),
        migrations.AlterField(
            model_name="authority",
            name="district",
            field=models.ForeignKey(
                blank=True,
                db_column="district",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="bureaus",
                to="members.district",
                to_field="code",
                verbose_name="所辖区（市）",
            ),
        ),
        migrations.AlterField(
            model_name="historicalauthority",
            name="district",
            field=models.ForeignKey(
                blank=True,
                db_column="district",
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="members.district",
                to_field="code",
                verbose_name="所辖区（市）",
            ),
        ),
        migrations.AlterField(
            model_name="historicalschool",
            name="district",
            field=models.ForeignKey(
                blank=True,
                db_column="district",
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="members.district",
                to_field="code",
                verbose_name="所在区（市）",
            ),
        ),
        migrations.AlterField(
            model_name="school",
            name="district",
            field=models.ForeignKey(
                db_column="district",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="schools",
                to="members.district",
                to_field="code",
                verbose_name="所在区（市）",
            ),
        ),
        migrations.AddConstraint(
            model_name="authority",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "district"), _negated=True),
                    ("district__isnull", False),
                    _connector="OR",
                ),
                name="authority_district_has_district",
            ),
        ),
        migrations.AddField(
            model_name="historicaldistrict",
            name="city",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                limit_choices_to={"kind": "city"},
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="members.authority",
                verbose_name="所属市教育局",
            ),
        ),
        migrations.AddField(
            model_name="historicaldistrict",
            name="history_user",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
