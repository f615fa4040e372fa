# Attachment now belongs to qingdao_groups (the shared parts); its tables stay (issue 6).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0012_attachment_generic_owner"),
        ("qingdao_groups", "0004_attachment_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="HistoricalAttachment"),
                migrations.DeleteModel(name="Attachment"),
            ],
            database_operations=[],
        ),
    ]
