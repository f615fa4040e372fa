"""What the benchmark logs in as, and how long it measures: one small table to align with the
data generator (``manage.py generate_scale``)."""

from __future__ import annotations

import os
from dataclasses import dataclass

ROLES = ("city", "district", "principal", "member", "auditor")

SCALES = ("city", "province", "nation")

# The users generate_scale creates, one per role, wired to real objects. The password is the
# generator's; BENCH_PASSWORD overrides it.
GENERATED_USERNAMES = {role: f"bench_{role}" for role in ROLES}
GENERATED_PASSWORD = "bench-pass-2025"  # noqa: S105 - a generated data set's published login

# Seconds per page per round; the larger data sets get longer so a slow page still completes
# a few requests. BENCH_DURATION overrides.
DURATION = {"city": 3, "province": 4, "nation": 5}
ROUNDS = 3
CONNECTIONS = 8
WORKERS = 2
# A request that takes longer than this is counted as a timeout error; the bench's gunicorn gets
# the same worker timeout as the Dockerfile's (60 s), which also bounds an export's download (a
# sync worker busy with one request longer than this is killed).
REQUEST_TIMEOUT_S = 60


@dataclass(frozen=True)
class Logins:
    """Which user acts for each role, and their shared password."""

    usernames: dict[str, str]
    password: str
    source: str  # "generate_scale" or "seed_demo"


def generated_logins() -> Logins:
    """The generator's users and password, taken from the generator itself when it says
    (qingdao_groups.scale.generate); the table above otherwise. Call after django.setup()."""
    usernames, password = dict(GENERATED_USERNAMES), GENERATED_PASSWORD
    try:
        from qingdao_groups.scale import generate
    except ImportError:
        pass
    else:
        password = getattr(generate, "BENCH_PASSWORD", password)
        names = set(getattr(generate, "BENCH_USERNAMES", ()))
        usernames = {role: name for role, name in usernames.items() if name in names} or usernames
    return Logins(usernames, os.environ.get("BENCH_PASSWORD", password), "generate_scale")


def demo_logins() -> Logins:
    """The demo's users (seed_demo), used only while generate_scale does not exist (after
    django.setup(): the demo data module imports the models)."""
    from qingdao_groups.demo.data import DEMO_PASSWORD

    return Logins({role: role for role in ROLES}, DEMO_PASSWORD, "seed_demo")


def database_url(scale: str, source: str) -> str:
    """Each data set in its own database; BENCH_DATABASE_URL overrides."""
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    name = f"qg_bench_{scale}" if source == "generate_scale" else "qg_bench_demo"
    return f"postgres://postgres@127.0.0.1:5432/{name}"
