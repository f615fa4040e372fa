"""The benchmark run: data set, gunicorn, logins, probes, rounds of wrk, exports, results."""

from __future__ import annotations

import datetime
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

from qingdao_groups.bench import config, report
from qingdao_groups.bench.exports import (
    ExportTarget,
    measure_export,
    read_status,
    worker_pids,
)
from qingdao_groups.bench.http import Session, login
from qingdao_groups.bench.wrk import Measure, run_wrk

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results.json"
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"
LOG_DIR = ROOT / "var" / "bench"
FLOOR = "/bench/floor/"


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# --- the data set ------------------------------------------------------------------------------


def generator_exists() -> bool:
    return any(ROOT.glob("*/management/commands/generate_scale.py"))


def ensure_database_exists(url: str) -> None:
    import psycopg2
    from psycopg2 import sql
    from psycopg2.extensions import parse_dsn

    dsn = parse_dsn(url)
    name = dsn.pop("dbname")
    conn = psycopg2.connect(**dsn, dbname="postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                log(f"creating database {name}")
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()


def prepare_data(scale: str) -> tuple[config.Logins, str]:
    """Set up Django on the scale's database, migrate it and fill it when its users are
    missing (generate_scale, or the demo while the generator does not exist)."""
    source = "generate_scale" if generator_exists() else "seed_demo"
    url = config.database_url(scale, source)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingdao_groups.settings.local")
    os.environ["DJANGO_DEBUG"] = "0"
    ensure_database_exists(url)

    import django

    django.setup()
    from django.core.management import call_command

    from members.models import User

    logins = config.generated_logins() if source == "generate_scale" else config.demo_logins()
    call_command("migrate", verbosity=0, interactive=False)
    wanted = set(logins.usernames.values())
    if User.objects.filter(username__in=wanted).count() < len(wanted):
        started = time.monotonic()
        if logins.source == "generate_scale":
            log(f"generating the {scale} data set (manage.py generate_scale --scale {scale})")
            # The bench's own database is emptied first (a run that stopped half way leaves
            # rows but no users); a database named by BENCH_DATABASE_URL never is.
            reset = [] if os.environ.get("BENCH_DATABASE_URL") else ["--reset"]
            call_command("generate_scale", "--scale", scale, *reset)
        else:
            log("generate_scale does not exist yet: using seed_demo data")
            call_command("seed_demo", verbosity=0)
        log(f"data set ready in {time.monotonic() - started:.0f} s")
    return logins, url


# --- ledger_s: a fiscal year for the whole data set (issue 9) ---------------------------------


def ledger_year() -> int:
    """The fiscal year measured: the last complete one (the generator writes rates, agreements,
    dispatches and spending for it)."""
    return datetime.date.today().year - 1


def _clear_year(year: int) -> None:
    """The year's ledgers, lines and receivables gone (raw deletes, inside the caller's
    transaction), so the first computation is measured from nothing."""
    from funding.agreements.models import Receivable
    from funding.ledgers.models import Ledger, LedgerLine

    for queryset in (
        LedgerLine.objects.filter(ledger__fiscal_year=year),
        Receivable.objects.filter(fiscal_year=year),
        Ledger.objects.filter(fiscal_year=year),
    ):
        queryset._raw_delete(queryset.db)


def measure_ledgers(year: int | None = None) -> dict:
    """`ledgers_compute(year=…)` for the whole data set, twice: the first computation from no
    ledgers at all, then the second, idempotent one (nothing to write). The first data set of a
    scale keeps the ledgers computed (the ledger pages show them); when the year was computed
    before, both runs happen in a transaction rolled back after the year's ledgers were cleared
    in it, so the figure is always the computation from nothing and the data set is unchanged."""
    from django.db import transaction

    from funding.ledgers.models import Ledger, LedgerLine
    from funding.ledgers.services import ledgers_compute

    year = year or ledger_year()
    load_before = os.getloadavg()[0]
    fresh = not Ledger.objects.filter(fiscal_year=year).exists()
    with transaction.atomic():
        if not fresh:
            _clear_year(year)
        started = time.perf_counter()
        first = ledgers_compute(year=year)
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        second = ledgers_compute(year=year)
        second_s = time.perf_counter() - started
        lines = LedgerLine.objects.filter(ledger__fiscal_year=year).count()
        if not fresh:
            transaction.set_rollback(True)
    log(
        f"ledger_s {year}: {first_s:.2f} s ({first.created:,} ledgers, {lines:,} lines), "
        f"again {second_s:.2f} s ({second.unchanged:,} unchanged)"
    )
    return {
        "ledger_s": round(first_s, 3),
        "ledger": {
            "year": year,
            "seconds": round(first_s, 3),
            "second_run_s": round(second_s, 3),
            "ledgers": first.created,
            "lines": lines,
            "second_run_unchanged": second.unchanged,
            "second_run_written": second.created + second.rewritten,
            "kept": fresh,
            "date": datetime.date.today().isoformat(),
            "commit": _git_commit(),
            "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        },
    }


def measure_reports() -> dict:
    from qingdao_groups.bench.reports import measure_reports as measure

    return measure()


def run_only_reports(scale: str) -> dict:
    """`--only reports`: pdf20_s and cycle_s alone (issue 10)."""
    prepare_data(scale)
    return measure_reports()


def run_only_ledgers(scale: str) -> dict:
    """`--only ledgers`: the ledger_s phase alone (no gunicorn, no wrk)."""
    prepare_data(scale)
    return measure_ledgers()


# --- gunicorn ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, port: int):
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith("BENCH_")}
    env.pop("DJANGO_DEBUG", None)
    env.update(
        DJANGO_SETTINGS_MODULE="qingdao_groups.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_BENCH="1",
        DJANGO_LOG_LEVEL="WARNING",
        DATABASE_URL=database_url,
        # No request of the benchmark publishes a task; nothing must reach a real broker.
        CELERY_BROKER_URL="memory://",
        # Every export is measured as one download, never handed to a (absent) worker.
        EXPORT_ASYNC_THRESHOLD=str(10**9),
        # The API's per-client limit (issue 11) is counted on every call as in production, but
        # set out of reach: the bench's one client asks far more than 600 a minute.
        API_RATE_READ="100000000/min",
    )
    errors = open(LOG_DIR / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "qingdao_groups.wsgi:application",
        f"--workers={config.WORKERS}",
        f"--bind=127.0.0.1:{port}",
        f"--timeout={config.REQUEST_TIMEOUT_S}",
    ]
    process = subprocess.Popen(  # noqa: S603 - our own command line
        command, cwd=ROOT, env=env, stdout=errors, stderr=errors
    )
    try:
        _wait_until_up(process, port)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        errors.close()


def _wait_until_up(process: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"gunicorn exited ({process.returncode}); see {LOG_DIR}/gunicorn.log"
            )
        try:
            if Session(port).request("GET", "/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def worker_rss_mb(master_pid: int) -> list[float]:
    """Resident memory of each gunicorn worker (the master's children)."""
    rss = (read_status(pid).get("VmRSS") for pid in worker_pids(master_pid))
    return sorted(round(kb / 1024, 1) for kb in rss if kb)


# --- measuring ---------------------------------------------------------------------------------


def probe(session: Session, page) -> tuple[int, int | None, int]:
    """Three requests: the status (the expected one, or the first that is not), the fewest
    queries (warm caches) and the size."""
    counts = []
    for _ in range(3):
        reply = (
            session.request("POST", page.path, page.form, headers=page.headers)
            if page.method == "POST"
            else session.request("GET", page.path, headers=page.headers)
        )
        if reply.status != page.expect:
            return reply.status, None, len(reply.body)
        counts.append(int(reply.headers.get("X-Query-Count", "-1")))
    return page.expect, min(counts), len(reply.body)


def measure(port: int, session: Session, page, seconds: float) -> Measure:
    return run_wrk(
        f"http://127.0.0.1:{port}{page.path}",
        cookie=session.cookie_header,
        seconds=seconds,
        connections=config.CONNECTIONS,
        timeout_s=config.REQUEST_TIMEOUT_S,
        method=page.method,
        body=urlencode(page.form) if page.method == "POST" else "",
        csrf=session.csrf,
        expect=page.expect,
        headers=page.headers,
    )


def aggregate(measures: list[Measure]) -> dict:
    return {
        "rps": round(statistics.median(m.rps for m in measures), 1),
        "p50_ms": round(statistics.median(m.p50_ms for m in measures), 1),
        "p95_ms": round(statistics.median(m.p95_ms for m in measures), 1),
        "p99_ms": round(statistics.median(m.p99_ms for m in measures), 1),
        "errors": sum(m.errors for m in measures),
        "requests": sum(m.requests for m in measures),
    }


def round_ratio(page_rounds: list[Measure], floors: list[Measure]) -> float:
    """The page's ratio to F: in each round, its rps over the mean of the F measured just
    before and just after that round (F opens every round and closes the last), so a change in
    the machine's load between rounds cancels out; then the median over the rounds."""
    ratios = []
    for i, measure_ in enumerate(page_rounds):
        floor = (floors[i].rps + floors[i + 1].rps) / 2
        ratios.append(measure_.rps / floor if floor else 0.0)
    return round(statistics.median(ratios), 3)


def run_exports(
    port: int, sessions: dict[str, Session], exports: list[ExportTarget], master_pid: int
) -> dict:
    """The exports phase: each export downloaded once, one after the other, nothing else
    running; the rows and the machine's load for results.json."""
    load_before = os.getloadavg()[0]
    rows = {}
    for target in exports:
        log(f"export {target.key}: {target.expected_rows:,} schools")
        rows[target.key] = measure_export(
            port,
            sessions[target.role].cookie_header,
            target,
            master_pid,
            timeout_s=config.REQUEST_TIMEOUT_S + 30,
        )
        row = rows[target.key]
        log(
            f"export {target.key}: {row['seconds']:.1f} s, {row['bytes']:,} bytes, "
            f"peak RSS {row['peak_rss_mb']:.0f} MB{' — ' + row['error'] if 'error' in row else ''}"
        )
    return {
        "exports": rows,
        "exports_run": {
            "date": datetime.date.today().isoformat(),
            "commit": _git_commit(),
            "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            "timeout_s": config.REQUEST_TIMEOUT_S,
        },
    }


def run_only_exports(scale: str) -> dict:
    """`--only exports`: the exports phase alone (gunicorn started for it)."""
    logins, url = prepare_data(scale)
    from django.db import connections

    from qingdao_groups.bench.targets import pick_exports

    exports = pick_exports(logins.usernames)
    key = bench_second_factors(logins.usernames.values())
    connections.close_all()
    port = free_port()
    with gunicorn(url, port) as server:
        roles = {target.role for target in exports}
        sessions = {
            role: login(port, logins.usernames[role], logins.password, key)
            for role in sorted(roles)
        }
        return run_exports(port, sessions, exports, server.pid)


def bench_second_factors(usernames) -> str:
    """A fresh authenticator for each bench login (issue 12: staff sign in with a code), with the
    demo's published key, so http.login can answer the code; returns the key (hex)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from members.models import User
    from qingdao_groups.demo.two_factor import DEMO_TOTP_KEY_HEX

    for user in User.objects.filter(username__in=list(usernames)):
        TOTPDevice.objects.filter(user=user).delete()
        TOTPDevice.objects.create(user=user, name="bench", key=DEMO_TOTP_KEY_HEX, confirmed=True)
    return DEMO_TOTP_KEY_HEX


def select_pages(pages: list, only: list[str] | None) -> list:
    """The pages whose key ("name:role") or path contains one of `only` (all when None)."""
    if not only:
        return pages
    return [p for p in pages if any(part in p.key or part in p.path for part in only)]


def run(scale: str, only_pages: list[str] | None = None) -> dict:
    """The whole run; with `only_pages` (`--pages`), just those pages against F: no ledgers,
    reports or exports."""
    logins, url = prepare_data(scale)
    from django.db import connections

    from qingdao_groups.bench.targets import pick_exports, pick_pages

    ledger_figures, report_figures = {}, {}
    if not only_pages:
        ledger_figures = measure_ledgers()  # before the pages: they show the year's ledgers
        report_figures = measure_reports()  # issue 10: pdf20_s, cycle_s (keeps one cycle's)
    pages = select_pages(pick_pages(logins.usernames), only_pages)
    if only_pages and not pages:
        raise SystemExit(f"no page matches {only_pages}")
    exports = [] if only_pages else pick_exports(logins.usernames)
    key = bench_second_factors(logins.usernames.values())
    connections.close_all()  # the driver holds no connection while it measures
    seconds = float(os.environ.get("BENCH_DURATION") or config.DURATION.get(scale, 3))
    port = free_port()
    notes = []
    with gunicorn(url, port) as server:
        sessions = {
            role: login(port, username, logins.password, key)
            for role, username in logins.usernames.items()
        }
        floor_session = sessions["city"]
        # A page with its own headers (an API key) is requested without the session's cookies.
        session_of = lambda page: Session(port) if page.headers else sessions[page.role]  # noqa: E731
        probes = {}
        for page in pages:
            status, queries, size = probe(session_of(page), page)
            if status != page.expect:
                notes.append(f"- {page.key} skipped: status {status} for {page.path}")
                log(f"skip {page.key}: status {status}")
                continue
            probes[page.key] = (queries, size)
        floor_queries = probe(floor_session, _floor_page())[1]
        measured = [p for p in pages if p.key in probes]
        total = (config.ROUNDS * (len(measured) + 1) + 1) * seconds
        log(f"{len(measured)} pages x {config.ROUNDS} rounds x {seconds:g} s, about {total:.0f} s")
        run_wrk_floor = lambda: measure(port, floor_session, _floor_page(), seconds)  # noqa: E731
        run_wrk_floor()  # warm-up
        load_before = os.getloadavg()[0]
        floors: list[Measure] = []
        results: dict[str, list[Measure]] = {p.key: [] for p in measured}
        for round_no in range(1, config.ROUNDS + 1):
            floors.append(run_wrk_floor())
            log(f"round {round_no}: F {floors[-1].rps:.0f} rps")
            for page in measured:
                results[page.key].append(measure(port, session_of(page), page, seconds))
        floors.append(run_wrk_floor())
        load_after = os.getloadavg()[0]
        # After the pages, before the workers' memory is read: "after the whole benchmark"
        # includes the largest downloads.
        export_figures = run_exports(port, sessions, exports, server.pid) if exports else {}
        rss = worker_rss_mb(server.pid)

    floor_rps = round(statistics.median(m.rps for m in floors), 1)
    figures_pages = {}
    for page in measured:
        row = aggregate(results[page.key])
        row["ratio"] = round_ratio(results[page.key], floors)
        queries, size = probes[page.key]
        figures_pages[page.key] = {
            "page": page.name,
            "role": page.role,
            "kind": page.kind,
            "path": page.path,
            **({"note": page.note} if page.note else {}),
            **row,
            "queries": queries,
            "bytes": size,
        }
    return {
        "date": datetime.date.today().isoformat(),
        "commit": _git_commit(),
        "cores": os.cpu_count(),
        "data": logins.source,
        "workers": config.WORKERS,
        "connections": config.CONNECTIONS,
        "rounds": config.ROUNDS,
        "seconds_per_page": seconds,
        "floor_rps": floor_rps,
        "floor": {**aggregate(floors), "role": "city", "queries": floor_queries},
        "floor_rounds_rps": [round(m.rps, 1) for m in floors],
        "floor_queries": floor_queries,
        # The machine's 1-minute load average when the measuring began and ended: other work on
        # the machine lowers F and the pages alike, but makes the figures noisier.
        "load_average": [round(load_before, 2), round(load_after, 2)],
        "worker_rss_mb": rss,
        "pages": figures_pages,
        **({"notes": notes} if notes else {}),
        **export_figures,
        **ledger_figures,
        **report_figures,
    }


def _floor_page():
    from qingdao_groups.bench.targets import Page

    return Page("F", "city", "floor", FLOOR)


def _git_commit() -> str:
    try:
        return subprocess.run(  # noqa: S603
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def write(scale: str, figures: dict, *, partial: bool = False) -> None:
    results = report.merge_results(report.load_results(RESULTS), scale, figures, partial=partial)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(report.dump_results(results), encoding="utf-8")
    existing = BENCHMARKS_MD.read_text(encoding="utf-8") if BENCHMARKS_MD.exists() else None
    BENCHMARKS_MD.write_text(report.render_benchmarks_md(results, existing), encoding="utf-8")
