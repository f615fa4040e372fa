# Notification now belongs to qingdao_groups (the shared parts); the table stays (issue 6).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0008_filing_first_filed_on"),
        ("qingdao_groups", "0001_notification_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Notification")],
            database_operations=[],
        ),
    ]
