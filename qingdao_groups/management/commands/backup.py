"""`python manage.py backup --out DIR [--keep N]` (`make backup`): the database and the uploaded
files, with a signed manifest of hashes (qingdao_groups/core/backup.py; README "备份与恢复")."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qingdao_groups.core.backup import BackupError, backup_create, backups_prune, read_manifest


class Command(BaseCommand):
    help = "Back up the database (pg_dump custom format, or SQLite's backup API) and MEDIA_ROOT."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="Folder the backup directory goes in.")
        parser.add_argument(
            "--media-root", default=None, help="Back up these files instead of MEDIA_ROOT."
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=0,
            help="After a successful backup, remove all but the newest N backups in --out.",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            path = backup_create(Path(options["out"]), media_root=options["media_root"])
            body = read_manifest(path)  # what was written reads back and verifies
        except BackupError as error:
            raise CommandError(str(error)) from error
        database = body["database"]
        self.stdout.write(
            f"backup {path}: {database['vendor']} {len(database['tables'])} tables, "
            f"{sum(database['tables'].values())} rows, {body['media_files']} files, "
            f"{sum(f['size'] for f in body['files'].values()) / 1e6:.1f} MB "
            f"in {time.monotonic() - started:.1f} s"
        )
        if options["keep"] > 0:
            for removed in backups_prune(Path(options["out"]), options["keep"]):
                self.stdout.write(f"removed old backup {removed}")
