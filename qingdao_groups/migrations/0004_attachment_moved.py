# Attachment (and its history) moves from the groups app to the shared parts (issue 6): any
# model can own documents. Tables, rows and history stay as they are (groups_attachment,
# groups_historicalattachment); only Django's record of which app owns them changes, and the
# content type rows follow so that permissions granted on attachments are kept.

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

MODELS = ("attachment", "historicalattachment")


def move_content_types(apps, schema_editor, source="groups", target="qingdao_groups"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    manager = ContentType.objects.db_manager(schema_editor.connection.alias)
    for model in MODELS:
        if not manager.filter(app_label=target, model=model).exists():
            manager.filter(app_label=source, model=model).update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="qingdao_groups", target="groups")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("groups", "0012_attachment_generic_owner"),
        ("qingdao_groups", "0003_outbox"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='HistoricalAttachment',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('owner_id', models.PositiveBigIntegerField()),
                        ('kind', models.CharField(choices=[('plan', '集团化办学方案'), ('agreement', '合作办学协议'), ('charter', '集团章程'), ('evidence', '证明材料'), ('rectification', '整改材料'), ('policy', '政策文件'), ('other', '其他')], max_length=20, verbose_name='类别')),
                        ('version', models.PositiveIntegerField(default=1, verbose_name='版本')),
                        ('file', models.TextField(max_length=100, verbose_name='文件')),
                        ('original_name', models.CharField(max_length=255, verbose_name='原文件名')),
                        ('content_type', models.CharField(max_length=100, verbose_name='文件类型')),
                        ('size', models.PositiveBigIntegerField(verbose_name='大小')),
                        ('sha256', models.CharField(max_length=64)),
                        ('text', models.TextField(blank=True, verbose_name='提取的文本')),
                        ('uploaded_at', models.DateTimeField(blank=True, editable=False)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.TextField(null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('owner_type', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='contenttypes.contenttype')),
                        ('uploaded_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical 附件',
                        'verbose_name_plural': 'historical 附件',
                        'db_table': 'groups_historicalattachment',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='Attachment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('owner_id', models.PositiveBigIntegerField()),
                        ('kind', models.CharField(choices=[('plan', '集团化办学方案'), ('agreement', '合作办学协议'), ('charter', '集团章程'), ('evidence', '证明材料'), ('rectification', '整改材料'), ('policy', '政策文件'), ('other', '其他')], max_length=20, verbose_name='类别')),
                        ('version', models.PositiveIntegerField(default=1, verbose_name='版本')),
                        ('file', models.FileField(upload_to='attachments/%Y/%m/', verbose_name='文件')),
                        ('original_name', models.CharField(max_length=255, verbose_name='原文件名')),
                        ('content_type', models.CharField(max_length=100, verbose_name='文件类型')),
                        ('size', models.PositiveBigIntegerField(verbose_name='大小')),
                        ('sha256', models.CharField(max_length=64)),
                        ('text', models.TextField(blank=True, verbose_name='提取的文本')),
                        ('uploaded_at', models.DateTimeField(auto_now_add=True)),
                        ('owner_type', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype')),
                        ('uploaded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': '附件',
                        'verbose_name_plural': '附件',
                        'db_table': 'groups_attachment',
                        'ordering': ['kind', '-version', '-id'],
                        'indexes': [models.Index(fields=['owner_type', 'owner_id', 'kind'], name='attachment_owner_kind')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
