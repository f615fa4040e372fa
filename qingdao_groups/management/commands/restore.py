"""`python manage.py restore DIR [--database-url URL] [--media-root DIR] [--force]`
(`make restore FROM=DIR`): verify a backup against its manifest, then restore it into an empty
database and an empty MEDIA_ROOT (qingdao_groups/core/backup.py)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import environ
from django.core.management.base import BaseCommand, CommandError

from qingdao_groups.core.backup import BackupError, backup_restore, read_manifest


class Command(BaseCommand):
    help = "Verify a backup's hashes and restore it into an empty database and MEDIA_ROOT."

    def add_arguments(self, parser):
        parser.add_argument("backup", help="The backup directory (qingdao-groups-…).")
        parser.add_argument(
            "--database-url",
            default=os.environ.get("RESTORE_DATABASE_URL"),
            help="Target database (created when missing on PostgreSQL); default "
            "$RESTORE_DATABASE_URL, else this installation's DATABASE_URL.",
        )
        parser.add_argument(
            "--media-root", default=None, help="Target folder for the files (default MEDIA_ROOT)."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a target database that holds tables and write over a non-empty "
            "MEDIA_ROOT.",
        )
        parser.add_argument(
            "--verify-only", action="store_true", help="Check the manifest and hashes only."
        )
        parser.add_argument(
            "--skip-signature",
            action="store_true",
            help="Accept a manifest signed with another key (the file hashes are still checked).",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        backup = Path(options["backup"])
        check_signature = not options["skip_signature"]
        try:
            if options["verify_only"]:
                body = read_manifest(backup, check_signature=check_signature)
                self.stdout.write(
                    f"{backup}: verified ({len(body['files'])} files, made {body['created_at']})"
                )
                return
            database = None
            if options["database_url"]:
                database = environ.Env.db_url_config(options["database_url"])
            result = backup_restore(
                backup,
                database=database,
                media_root=Path(options["media_root"]) if options["media_root"] else None,
                force=options["force"],
                check_signature=check_signature,
                progress=self.stdout.write,
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"restored into {result.database}: {result.tables} tables, {result.rows} rows "
            f"(every count as in the manifest), {result.files} files, "
            f"in {time.monotonic() - started:.1f} s"
        )
