"""`python manage.py prepare`: everything `make run` needs before it serves, in one process.

Migrate, compile the translations that changed, load the demo data and register the beat
schedules. Each of these is idempotent, and each used to be its own `manage.py` process (about
1.4 s of start-up apiece); run together, a start that has nothing to redo takes about 2 s
(issue 8, developer comfort)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


def stale_catalogues() -> list[Path]:
    """The project's .po files whose compiled .mo is missing or older."""
    stale = []
    for root in settings.LOCALE_PATHS:
        for po in Path(root).glob("*/LC_MESSAGES/*.po"):
            mo = po.with_suffix(".mo")
            if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
                stale.append(po)
    return stale


class Command(BaseCommand):
    help = "Migrate, compile changed translations, seed the demo data and the schedules."

    def handle(self, *args, **options):
        started = time.monotonic()
        verbosity = options["verbosity"]
        call_command("migrate", interactive=False, verbosity=verbosity)
        stale = stale_catalogues()
        if stale and shutil.which("msgfmt"):
            locales = sorted({po.parent.parent.name for po in stale})
            call_command("compilemessages", locale=locales, verbosity=0)
            self.stdout.write(f"compiled translations: {', '.join(locales)}")
        elif stale:
            self.stdout.write("msgfmt not found: using the committed .mo files")
        call_command("seed_demo", verbosity=verbosity)
        call_command("setup_schedules", verbosity=verbosity)
        self.stdout.write(f"prepared in {time.monotonic() - started:.1f} s")
