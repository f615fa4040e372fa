"""Archive, then remove, the access and login records past their retention period now (what
the nightly beat task does; qingdao_groups.core.retention). --dry-run only counts them."""

from django.conf import settings
from django.core.management.base import BaseCommand

from qingdao_groups.core.retention import audit_logs_archive_and_prune


class Command(BaseCommand):
    help = (
        "Archive access and login records older than AUDIT_LOG_RETENTION_DAYS to "
        "AUDIT_ARCHIVE_DIR, then remove them from the database (--dry-run: only count them)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the rows that would go; change nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        counts = audit_logs_archive_and_prune(dry_run=dry_run)
        verb = "would archive" if dry_run else "archived"
        for table, rows in counts.items():
            self.stdout.write(f"{table}: {verb} {rows}")
        self.stdout.write(
            f"retention {settings.AUDIT_LOG_RETENTION_DAYS} days; "
            f"archive {settings.AUDIT_ARCHIVE_DIR}; total {sum(counts.values())}"
        )
