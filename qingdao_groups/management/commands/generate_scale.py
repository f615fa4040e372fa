"""`python manage.py generate_scale --scale city|province|nation [--seed N] [--reset]`."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from qingdao_groups.scale.generate import (
    BENCH_PASSWORD,
    BENCH_USERNAMES,
    SCALES,
    Generator,
    data_exists,
    reset_data,
)


class Command(BaseCommand):
    help = "Fill PostgreSQL with a generated registry at city, province or nation scale."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--reset", action="store_true", help="empty every table first (all data is lost)"
        )
        parser.add_argument(
            "--force", action="store_true", help="run even under the production settings"
        )

    def handle(self, *args, scale, seed, reset, force, **options):
        if connection.vendor != "postgresql":
            raise CommandError("generate_scale needs PostgreSQL (set DATABASE_URL).")
        if (settings.SETTINGS_MODULE or "").endswith(".production") and not force:
            raise CommandError("Refusing to generate data under the production settings (--force).")
        started = time.perf_counter()
        if reset:
            reset_data()
            self.stdout.write(f"  {'reset':<28} {time.perf_counter() - started:7.1f} s")
        elif data_exists():
            raise CommandError("The database already holds data; use --reset to replace it.")
        self.stdout.write(f"Generating the {scale} scale (seed {seed}) …")
        generator = Generator(SCALES[scale], seed=seed, say=self.stdout.write)
        generator.run()
        total = time.perf_counter() - started
        rows = sum(generator.counts.rows.values())
        for label, n in sorted(generator.counts.rows.items()):
            self.stdout.write(f"    {label:<40} {n:>9,}")
        self.stdout.write(f"Done: {rows:,} rows in {total:.1f} s.")
        self.stdout.write(f"Users {', '.join(BENCH_USERNAMES)}: password {BENCH_PASSWORD}")
