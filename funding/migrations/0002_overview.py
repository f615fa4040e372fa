"""The ledger list's order as an index (funding/overview, issue 9): newest year first, then
group, paying authority and sequence, so a page of every ledger is cut on the index."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ledger",
            index=models.Index(
                fields=["-fiscal_year", "group", "authority", "sequence", "id"],
                name="ledger_list_order_idx",
            ),
        ),
    ]
