"""`make bench` (issue 7): the pure parts of the driver (wrk's output, results.json, the
tables, the exports phase's counting, memory and download) and the two pieces inside the application (the floor page, the query-count header
behind DJANGO_BENCH). Timing itself is never tested."""

import codecs
import json
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from django.test import RequestFactory

from qingdao_groups.bench import exports as bench_exports
from qingdao_groups.bench import report
from qingdao_groups.bench.exports import (
    ExportTarget,
    RssSampler,
    count_csv_rows,
    count_rows,
    download,
    parent_pid,
    parse_status,
    peak_kb,
)
from qingdao_groups.bench.middleware import QueryCountMiddleware
from qingdao_groups.bench.runner import aggregate, round_ratio
from qingdao_groups.bench.wrk import Measure, parse_wrk_output, wrk_command
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]

WRK_OUTPUT = """Running 2s test @ http://127.0.0.1:40000/groups/
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    80.12ms   20.01ms 200.00ms   70.00%
    Req/Sec   100.00     10.00   120.00     80.00%
  200 requests in 2.00s, 1.00MB read
Requests/sec:    100.00
Transfer/sec:      0.50MB
BENCH_JSON {"duration_us": 2000000, "requests": 200, "bytes": 1048576, "p50_us": 75000, "p95_us": 150000, "p99_us": 190500, "max_us": 200000, "connect": 0, "read": 1, "write": 0, "status": 2, "timeout": 1, "unexpected": 3}
"""


def test_parse_wrk_output():
    m = parse_wrk_output(WRK_OUTPUT)
    assert m.requests == 200
    assert m.rps == 100
    assert (m.p50_ms, m.p95_ms, m.p99_ms) == (75, 150, 190.5)
    # socket errors (read 1, timeout 1) plus every unexpected status (which includes wrk's
    # own count of statuses >= 400)
    assert m.errors == 5


def test_parse_wrk_output_without_the_line_says_so():
    with pytest.raises(ValueError, match="BENCH_JSON"):
        parse_wrk_output("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_wrk_command_uses_the_script_and_fixed_concurrency():
    command = wrk_command("http://127.0.0.1:1/", seconds=2, connections=8, timeout_s=60)
    assert command[0] == "wrk"
    assert "--connections=8" in command and "--duration=2s" in command
    script = next(arg for arg in command if arg.startswith("--script="))
    assert Path(script.removeprefix("--script=")).name == "bench.lua"
    assert Path(script.removeprefix("--script=")).exists()


def _m(rps, p95=10.0, errors=0):
    return Measure(int(rps * 2), 2.0, p95 / 2, p95, p95 * 2, errors)


def test_aggregate_takes_medians_and_sums_errors():
    row = aggregate([_m(10, 30), _m(20, 10, errors=1), _m(30, 20)])
    assert row["rps"] == 20 and row["p95_ms"] == 20 and row["errors"] == 1
    assert row["requests"] == 120


def test_ratio_is_against_the_floor_around_each_round():
    # F falls from 100 to 50 while the page keeps half of it: the ratio stays 0.5 throughout.
    floors = [_m(100), _m(80), _m(60), _m(40)]
    page = [_m(45), _m(35), _m(25)]
    assert round_ratio(page, floors) == 0.5


def _figures(**pages):
    return {
        "date": "2026-12-02",
        "cores": 2,
        "data": "seed_demo",
        "floor_rps": 100.0,
        "worker_rss_mb": [80.0, 90.5],
        "pages": {
            key: {"page": key.split(":")[0], "role": key.split(":")[1], **row}
            for key, row in pages.items()
        },
    }


def test_merge_keeps_other_scales_and_orders_them():
    nation = _figures()
    existing = {"nation": nation, "city": _figures(), "custom": {"floor_rps": 1, "pages": {}}}
    new_city = _figures(**{"home:city": {"kind": "home", "rps": 50, "ratio": 0.5, "p95_ms": 9}})
    merged = report.merge_results(existing, "city", new_city)
    assert list(merged) == ["city", "nation", "custom"]
    assert merged["city"] is new_city and merged["nation"] is nation
    assert json.loads(report.dump_results(merged)) == merged


def test_load_results_of_a_missing_file(tmp_path):
    assert report.load_results(tmp_path / "results.json") == {}


def test_table_rows_and_targets():
    figures = _figures(
        **{
            "group list:district": {
                "kind": "list",
                "rps": 30.0,
                "ratio": 0.3,
                "p50_ms": 100.0,
                "p95_ms": 200.0,
                "p99_ms": 250.0,
                "errors": 0,
                "queries": 9,
            },
            "group detail:city": {
                "kind": "detail",
                "rps": 20.0,
                "ratio": 0.2,  # under the 30 % for details
                "p50_ms": 100.0,
                "p95_ms": 200.0,
                "p99_ms": 250.0,
                "errors": 0,
                "queries": 9,
            },
            "decision POST:city": {
                "kind": "post",
                "rps": 20.0,
                "ratio": 0.2,
                "p95_ms": 200.0,
                "errors": 0,
                "queries": 16,  # over 15 queries
            },
        }
    )
    figures["floor"] = {"role": "city", "rps": 100.0, "p95_ms": 20.0, "errors": 0, "queries": 3}
    figures["pages"]["decision POST:city"]["note"] = "refused as stale"
    table = report.scale_table("city", figures)
    assert "| F (floor) | city | 100.0 | – | 20.0 | – | 0 | 3 | 100 % | |" in table
    assert table.startswith("## city\n")
    assert "2026-12-02 · 2 cores · data: seed_demo" in table
    assert "80 MB / 90 MB" in table or "80 MB / 91 MB" in table
    assert (
        "| group list | district | 30.0 | 100.0 | 200.0 | 250.0 | 0 | 9 | 30.0 % | ✓ ≥ 25 % |"
        in table
    )
    assert "| group detail | city | 20.0 |" in table and "| 20.0 % | ✗ ≥ 30 % |" in table
    assert "| decision POST (refused as stale) | city | 20.0 | – |" in table
    assert "Targets met: 1 of 3 pages." in table
    line = report.summary_line("city", figures)
    assert line.startswith("bench city: F 100 rps; 3 pages, 1 meet their targets, 0 errors")
    figures["notes"] = ["- inbox:district skipped: status 500 for /applications/inbox/"]
    assert "1 not measured (see notes)" in report.summary_line("city", figures)
    assert "- inbox:district skipped: status 500" in report.scale_table("city", figures)


def test_benchmarks_md_keeps_notes_outside_the_markers():
    results = {"city": _figures()}
    first = report.render_benchmarks_md(results, None)
    assert first.startswith("# Benchmarks") and "## city" in first
    edited = first.replace("# Benchmarks\n", "# Benchmarks\n\nA note by hand.\n") + "\nAfter.\n"
    results["nation"] = _figures()
    second = report.render_benchmarks_md(results, edited)
    assert "A note by hand." in second and second.endswith("\nAfter.\n")
    assert second.index("## city") < second.index("## nation")
    assert second.count(report.BEGIN) == 1


# --- inside the application ------------------------------------------------------------------


@pytest.mark.django_db
def test_floor_page_answers_a_logged_in_user_only(client):
    assert client.get("/bench/floor/").status_code == 302
    client.force_login(UserFactory())
    response = client.get("/bench/floor/")
    assert response.status_code == 200 and response.content == b"ok"


@pytest.mark.django_db
def test_query_count_middleware_counts_the_queries_of_the_request():
    from members.models import User

    def view(request):
        list(User.objects.all())
        list(User.objects.all())
        from django.http import HttpResponse

        return HttpResponse("ok")

    response = QueryCountMiddleware(view)(RequestFactory().get("/"))
    assert response["X-Query-Count"] == "2"


def _production(**env):
    code = (
        "from django.conf import settings; import json; print(json.dumps({"
        "'bench': settings.BENCH, 'redirect': settings.SECURE_SSL_REDIRECT, "
        "'session': settings.SESSION_COOKIE_SECURE, 'csrf': settings.CSRF_COOKIE_SECURE, "
        "'counting': 'qingdao_groups.bench.middleware.QueryCountMiddleware' in settings.MIDDLEWARE}))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "qingdao_groups.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "groups.example.cn",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_bench_switch_is_off_by_default_and_relaxes_only_https():
    assert _production() == {
        "bench": False,
        "redirect": True,
        "session": True,
        "csrf": True,
        "counting": False,
    }
    assert _production(DJANGO_BENCH="1") == {
        "bench": True,
        "redirect": False,
        "session": False,
        "csrf": False,
        "counting": True,
    }


# --- the exports phase (no gunicorn: counting, /proc, the peak, the tables) ------------------


def test_csv_rows_are_records_not_line_ends():
    body = (
        codecs.BOM_UTF8
        + '学校名称,地址\r\n一中,"市南区\r\n香港中路 1 号"\r\n二中,"他说""好"""\r\n三中,x'.encode()
    )
    # fed in awkward pieces: a quote and a line end split between chunks
    chunks = [body[i : i + 7] for i in range(0, len(body), 7)]
    assert count_csv_rows(chunks) == 3
    assert count_csv_rows([body + b"\r\n"]) == 3
    assert count_csv_rows([b"name\r\n"]) == 0
    assert count_csv_rows([]) == 0


def test_exported_files_are_counted_from_the_file_in_chunks(monkeypatch):
    from members.imports.spec import SCHOOL_SPEC
    from qingdao_groups.core.tabular.writing import stream_table

    width = len(SCHOOL_SPEC.columns)
    rows = [[f"学校{i}"] + [""] * (width - 1) for i in range(1200)]
    # small reads, so a <row tag falls across two of them
    monkeypatch.setattr(bench_exports, "CHUNK", 13)
    for fmt in ("xlsx", "csv"):
        export = stream_table(SCHOOL_SPEC, iter(rows), fmt=fmt, stem="t")
        with tempfile.TemporaryFile() as file:
            for chunk in export.chunks():
                file.write(chunk)
            assert count_rows(fmt, file) == 1200, fmt


def test_proc_status_and_stat_parsing():
    status = "Name:\tgunicorn\nVmPeak:\t  300000 kB\nVmHWM:\t   81234 kB\nVmRSS:\t   70000 kB\n"
    assert parse_status(status) == {"VmHWM": 81234, "VmRSS": 70000}
    assert parse_status("Name:\tkthreadd\n") == {}
    assert parent_pid("4321 (gunicorn: worker [a) b]) S 4000 4321 4000 0 -1") == 4000


def test_peak_is_the_high_water_mark_only_when_it_rose_during_the_download():
    # worker 1's mark was set earlier by a page (300 MB), and did not move: the samples count
    assert peak_kb({1: 300_000, 2: 90_000}, {1: 300_000, 2: 90_000}, {1: 80_000, 2: 85_000}) == (
        85_000
    )
    # worker 2's mark rose to 150 MB between two samples: exact, the samples missed it
    assert peak_kb({1: 300_000, 2: 90_000}, {1: 300_000, 2: 150_000}, {2: 120_000}) == 150_000
    assert peak_kb({}, {}, {}) == 0


def test_rss_sampler_sees_memory_taken_while_it_runs():
    import os

    with RssSampler([os.getpid()], every_s=0.005) as sampler:
        before = sampler.rss_kb()[os.getpid()]
        ballast = bytearray(64 * 1024 * 1024)
        ballast[::4096] = b"x" * len(ballast[::4096])  # touch every page
        time.sleep(0.05)
        del ballast
    assert sampler.peak_mb * 1024 >= before + 60 * 1024


def test_download_writes_the_body_to_the_sink_and_times_it():
    body = b"a,b\r\n" + b"1,2\r\n" * 50_000

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            assert self.headers["Cookie"] == "sessionid=s"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.handle_request)
    thread.start()
    try:
        with tempfile.TemporaryFile() as sink:
            got = download(server.server_port, "sessionid=s", "/x", sink, timeout_s=10)
            assert count_rows("csv", sink) == 50_000
    finally:
        thread.join()
        server.server_close()
    assert (got.status, got.bytes, got.content_length, got.error) == (200, len(body), len(body), "")
    assert 0 <= got.first_byte_s <= got.seconds


def test_download_cut_half_way_is_an_error():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            self.wfile.write(b"x" * 1000)  # then the connection closes, as a killed worker's

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.handle_request)
    thread.start()
    try:
        with tempfile.TemporaryFile() as sink:
            got = download(server.server_port, "", "/x", sink, timeout_s=10)
    finally:
        thread.join()
        server.server_close()
    assert got.bytes == 1000 and got.error


def test_export_target_paths():
    assert ExportTarget("city", "xlsx", 10).path == "/schools/export/?format=xlsx"
    assert ExportTarget("district", "csv", 10).key == "csv:district"
    groups = ExportTarget("city", "xlsx", 10, list="groups")
    assert groups.path == "/exports/groups/?format=xlsx"
    assert groups.key == "groups-xlsx:city"


@pytest.mark.django_db
def test_pick_exports_counts_the_members_of_today(world):
    """The exports phase downloads the group-with-members export too (issue 8), expecting the
    memberships of today in the role's groups: the core's and the member's for 市南."""
    from qingdao_groups.bench.targets import pick_exports

    targets = {t.key: t for t in pick_exports({"city": "t-city", "district": "t-district"})}
    assert targets["groups-xlsx:district"].expected_rows == 2
    assert targets["groups-csv:city"].expected_rows == 4
    assert targets["groups-csv:city"].path == "/exports/groups/?format=csv"


def _export(role, fmt, seconds, rows=1000, expected=1000, peak=80.0, **extra):
    return {
        "role": role,
        "format": fmt,
        "path": f"/schools/export/?format={fmt}",
        "seconds": seconds,
        "first_byte_s": seconds / 2,
        "bytes": 123_456,
        "rows": rows,
        "expected_rows": expected,
        "peak_rss_mb": peak,
        **extra,
    }


def _export_figures():
    return {
        "exports": {
            "xlsx:city": _export("city", "xlsx", 48.0, 200_000, 200_000),  # over 20 s
            "csv:city": _export("city", "csv", 12.5, 200_000, 200_000, peak=210.0),  # memory
            "xlsx:district": _export("district", "xlsx", 0.3, 71, 71),
            "csv:district": _export("district", "csv", 0.2, 70, 71),  # a row missing
        },
        "exports_run": {
            "date": "2026-12-03",
            "commit": "abc1234",
            "load_average": [0.5, 0.7],
            "timeout_s": 60,
        },
    }


def test_exports_table_marks_time_memory_and_completeness():
    figures = {**_figures(), **_export_figures()}
    table = report.scale_table("nation", figures)
    assert table.index("Targets met:") < table.index("### Exports")
    assert (
        "2026-12-03 · commit abc1234 · load average 0.5 → 0.7 · gunicorn worker timeout 60 s"
        in (table)
    )
    assert (
        "| XLSX | city | 200,000 | 123,456 | 24.00 | 48.00 | 80.0 | ✗ < 20 s, < 200 MB |" in table
    )
    assert "| CSV | city | 200,000 | 123,456 | 6.25 | 12.50 | 210.0 | ✗ < 200 MB |" in table
    assert "| XLSX | district | 71 | 123,456 | 0.15 | 0.30 | 80.0 | ✓ < 200 MB |" in table
    assert "| CSV | district | 70 |" in table and "- csv:district: 70 rows of 71" in table
    assert "Export targets met: 1 of 4." in table
    # 48 s of gunicorn's 60: said, since a longer one is cut
    assert "- xlsx:city took 48.0 s against gunicorn's 60 s worker timeout" in table
    line = report.summary_line("nation", figures)
    assert line.endswith(
        "; exports 1 of 4 meet their targets (XLSX of 200,000 schools 48.0 s ✗ < 20 s), "
        "worker peak 210 MB"
    )


def test_a_cut_export_is_a_failure_with_its_reason():
    row = _export("city", "xlsx", 60.2, rows=None, error="RemoteDisconnected: closed")
    assert not report.export_meets_target("xlsx:city", row)
    notes = report.export_notes({"xlsx:city": row}, 60)
    assert notes[0] == "- xlsx:city: RemoteDisconnected: closed after 60.2 s"
    assert "worker timeout" in notes[1]
    assert report.export_meets_target("xlsx:city", _export("city", "xlsx", 19.9))


def test_exports_alone_replace_only_their_figures():
    full = {**_figures(**{"home:city": {"kind": "home", "rps": 50, "ratio": 0.5, "p95_ms": 9}})}
    existing = {"city": full, "nation": _figures()}
    merged = report.merge_results(existing, "city", _export_figures(), partial=True)
    assert merged["city"]["pages"] == full["pages"]
    assert merged["city"]["exports"] == _export_figures()["exports"]
    assert merged["nation"] is existing["nation"]
    # a scale with only exports renders, and its summary speaks of the exports only
    alone = report.merge_results({}, "province", _export_figures(), partial=True)
    assert "### Exports" in report.render_benchmarks_md(alone, None)
    assert report.summary_line("province", alone["province"]).startswith(
        "bench province: exports 1 of 4"
    )


def test_ledger_s_is_reported_against_its_target():
    """Issue 9: ledger_s (a fiscal year for the whole data set) well under a second for Qingdao
    (the city scale), under 60 s for the nation; the second, idempotent run shown beside it."""
    figures = {
        "ledger_s": 0.42,
        "ledger": {
            "year": 2025,
            "seconds": 0.42,
            "second_run_s": 0.05,
            "ledgers": 233,
            "lines": 670,
            "date": "2026-12-02",
            "commit": "abc",
            "load_average": [1.0, 1.2],
        },
    }
    table = report.scale_table("city", figures)
    assert "### ledger_s" in table and "| 2025 | 233 | 670 | 0.42 | 0.05 | ✓ < 1 s |" in table
    assert report.summary_line("city", figures) == (
        "bench city: ledger_s 0.42 s for 670 lines ✓ < 1 s (again 0.05 s)"
    )
    slow = {**figures, "ledger_s": 75.0, "ledger": {**figures["ledger"], "seconds": 75.0}}
    assert "✗ < 60 s" in report.scale_table("nation", slow)
    assert "| – |" in report.scale_table("province", figures)  # no target set for it
    merged = report.merge_results(
        {"city": {"pages": {}, "floor_rps": 1}}, "city", figures, partial=True
    )
    assert merged["city"]["pages"] == {} and merged["city"]["ledger_s"] == 0.42


def test_api_pages_send_their_headers_through_wrk_and_have_their_own_target():
    """Issue 11: an API page carries its key in `headers` (bench.lua reads BENCH_HEADERS, one
    "Name: value" a line); the API lists' target is 40 % of F; --pages picks pages by key or
    path."""
    from qingdao_groups.bench.runner import select_pages
    from qingdao_groups.bench.targets import Page
    from qingdao_groups.bench.wrk import LUA_SCRIPT, headers_env

    assert headers_env({"Authorization": "Bearer qg_x", "Accept-Language": "en"}) == (
        "Authorization: Bearer qg_x\nAccept-Language: en"
    )
    with pytest.raises(ValueError):
        headers_env({"X-Bad": "a\nb"})
    assert "BENCH_HEADERS" in LUA_SCRIPT.read_text(encoding="utf-8")
    assert report.TARGET_RATIO["api"] == 0.40
    row = {"kind": "api", "ratio": 0.39, "p95_ms": 10.0, "queries": 3, "errors": 0}
    assert not report.meets_target(row) and report.meets_target(row | {"ratio": 0.4})
    pages = [
        Page("api group list", "district", "api", "/api/v1/groups/", headers={"A": "b"}),
        Page("group list", "district", "list", "/groups/"),
    ]
    assert select_pages(pages, None) == pages
    assert [p.key for p in select_pages(pages, ["api "])] == ["api group list:district"]
    assert [p.key for p in select_pages(pages, ["/groups/"])] == [
        "api group list:district",
        "group list:district",
    ]


def test_the_bench_api_client_is_registered_once_and_its_key_rotated(world):
    from api.models import ApiClient, ApiKey
    from qingdao_groups.bench.targets import BENCH_API_CLIENT, bench_api_token
    from tests.api.helpers import Api

    district, city = world.users["district"], world.users["city"]
    first = bench_api_token(district, city)
    second = bench_api_token(district, city)
    client = ApiClient.objects.get(name=BENCH_API_CLIENT)
    assert client.authority == world.shinan and client.scopes == ["registry:read"]
    assert ApiKey.objects.filter(client=client).count() == 2  # the first one revoked
    assert Api(first).get("/api/v1/groups/").status_code == 401
    assert Api(second).get("/api/v1/groups/").status_code == 200
