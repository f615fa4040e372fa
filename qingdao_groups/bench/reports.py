"""Assessment reports in the benchmark (issue 10).

- `pdf20_s`: a 20-page group report rendered by WeasyPrint on one core, from the same template
  as the archived reports (`reports/pdf/group.html`) and a synthetic report's data (no database):
  a child process pinned to one CPU renders it once to warm up (fonts, imports) and then once
  timed; pages per second and the child's peak memory (max RSS) beside it.
- `cycle_s`: the city's cycle produced from nothing — every covered group's report (rendered,
  numbered, archived) and the summaries — with 1 and then 2 worker processes. The workers are a
  multiprocessing pool (fork) calling the same service the Celery task calls
  (`services.report_generate`), not `celery worker` subprocesses: the figure is the work
  itself, without the broker. Each run uses its own published cycle over the same groups
  (framework, scores and results written by the services); the first data set keeps the 1-worker
  cycle so the report pages have reports to show, the other cycles are removed afterwards."""

from __future__ import annotations

import contextlib
import datetime
import math
import multiprocessing
import os
import resource
import sys
import time
from decimal import Decimal

CYCLE_NAME = "基准测试集团化办学督导评估"
LOREM = (
    "集团围绕发展规划推进课程共建、教研共享和干部教师交流，成员校在教学管理、课堂质量和"
    "学生发展方面均有明显提升；本学年组织联合教研活动二十余次，派驻骨干教师参与成员校"
    "课程建设，建立了统一的质量监测与反馈机制。"
)


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# --- pdf20_s --------------------------------------------------------------------------------


def long_report_data(indicators: int) -> dict:
    """A group report's data (the shape of `data.group_report_data`) with many indicators and
    long notes, for a report of the wanted length."""
    dims = []
    per_dim = max(1, math.ceil(indicators / 5))
    codes = ("Q", "M", "R", "C", "W")
    names = ("办学质量", "成员校发展", "社会声誉", "核心校办学质量", "薄弱学校带动")
    clauses = ("A-1", "A-1", "A-1", "A-3", "A-4")
    n = 0
    for code, name, clause in zip(codes, names, clauses, strict=True):
        rows = []
        for i in range(per_dim):
            if n >= indicators:
                break
            n += 1
            rows.append(
                {
                    "code": f"{code}{i + 1}",
                    "name": f"{name}分项指标第{i + 1}项",
                    "clause": clause,
                    "kind": "scored",
                    "kind_label": "评分类",
                    "source_label": "督导评分",
                    "derived": False,
                    "scale_max": "10",
                    "self": "8 / 10",
                    "self_note": LOREM,
                    "score": "7.5 / 10",
                    "failed": False,
                    "inspector_note": LOREM + "建议进一步加强成员校之间的常态化交流。",
                    "derived_value": "",
                    "derived_inputs": "",
                    "guidance": "",
                    "flags": [],
                }
            )
        dims.append(
            {
                "code": code,
                "name": name,
                "clause": clause,
                "weight": "20",
                "score": "15.5",
                "percent": "77.5",
                "indicators": rows,
            }
        )
    members = [
        {
            "name": f"青岛市基准成员学校{i}",
            "role": "成员校",
            "core": False,
            "type": "紧密型",
            "stage": "小学",
            "weak": i % 4 == 0,
            "joined_on": "2020-09-01",
        }
        for i in range(12)
    ]
    return {
        "scope": "group",
        "cycle": {
            "id": 0,
            "name": CYCLE_NAME,
            "authority": "青岛市教育局",
            "period_start": "2024-09-01",
            "period_end": "2025-08-31",
            "published_at": "2025-11-20",
            "framework": {
                "id": 0,
                "code": "QD-JTHBX",
                "name": "青岛市集团化办学督导评估指标体系",
                "revision": 1,
            },
        },
        "group": {
            "id": 0,
            "name": "青岛市基准测试教育集团",
            "code": "QD2019999",
            "core_school": "青岛市基准核心学校",
            "authority": "市南区教育和体育局",
            "founded_on": "2019-09-01",
            "members_on": "2025-08-31",
        },
        "members": members,
        "member_count": len(members),
        "result": {
            "total": "77.50",
            "grade": "good",
            "grade_label": "良好",
            "band_grade_label": "良好",
            "capped": False,
            "bonus": "2.00",
            "trend": {"previous": "72.00", "change": "5.50", "direction": "up"},
            "missing": [],
        },
        "dimensions": dims,
        "flags": [],
        "general_flags": [],
        "a3": {"indicators": [], "score": "8", "percent": "80", "passed": True},
        "a4": {
            "value": "25",
            "inputs": "截至2025-08-31在册成员校12所，其中薄弱学校3所",
            "score": "8.33 / 10",
        },
        "trend": [
            {"cycle": "2023学年", "year": 2023, "total": "68.00"},
            {"cycle": "2024学年", "year": 2024, "total": "72.00"},
            {"cycle": CYCLE_NAME, "year": 2025, "total": "77.50"},
        ],
        "self_summary": LOREM * 3,
    }


def _render(indicators: int) -> tuple[bytes, int]:
    from django.template.loader import render_to_string
    from django.utils import translation
    from weasyprint import HTML

    from qingdao_groups.core.pdf import chinese_date, qr_svg

    url = "https://example.invalid/verify/0123456789"
    context = {
        "report": long_report_data(indicators),
        "version": 1,
        "identity_line": "集团编号 QD2019999 · 第 1 版",
        "doc": {
            "number": "",
            "code": "0123456789",
            "title": f"青岛市基准测试教育集团{CYCLE_NAME}报告",
            "authority": "青岛市教育局",
            "date": chinese_date(datetime.date(2025, 11, 20)),
            "verify_url": url,
            "qr_svg": qr_svg(url),
        },
    }
    with translation.override("zh-hans"):
        html = render_to_string("reports/pdf/group.html", context)
    document = HTML(string=html).render()
    return document.write_pdf(), len(document.pages)


def indicators_for(pages: int) -> int:
    """How many indicators fill `pages` pages (measured once, then scaled)."""
    probe = 40
    _pdf, got = _render(probe)
    return max(probe, math.ceil(probe * pages / max(got, 1) * 1.05))


def long_report_pdf(pages: int = 20) -> tuple[bytes, int]:
    n = indicators_for(pages)
    pdf, got = _render(n)
    while got < pages:
        n = math.ceil(n * 1.15)
        pdf, got = _render(n)
    return pdf, got


def _pdf20_child(queue, pages: int) -> None:
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    n = indicators_for(pages)
    _pdf, got = _render(n)  # warm: fonts, templates; and at least `pages` pages
    while got < pages:
        n = math.ceil(n * 1.15)
        _pdf, got = _render(n)
    started = time.perf_counter()
    pdf, got = _render(n)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
    queue.put({"seconds": seconds, "pages": got, "bytes": len(pdf), "peak_rss_mb": peak})


def measure_pdf20(pages: int = 20) -> dict:
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    from django.db import connections

    connections.close_all()
    child = ctx.Process(target=_pdf20_child, args=(queue, pages))
    load = os.getloadavg()[0]
    child.start()
    row = queue.get(timeout=600)
    child.join()
    log(
        f"pdf20_s {row['seconds']:.2f} s for {row['pages']} pages "
        f"({row['pages'] / row['seconds']:.1f} pages/s), peak RSS {row['peak_rss_mb']:.0f} MB"
    )
    return {
        "pdf20_s": round(row["seconds"], 3),
        "pdf20": {
            "seconds": round(row["seconds"], 3),
            "pages": row["pages"],
            "pages_per_s": round(row["pages"] / row["seconds"], 2),
            "peak_rss_mb": round(row["peak_rss_mb"], 1),
            "bytes": row["bytes"],
            "cores": 1,
            "load_average": [round(load, 2), round(os.getloadavg()[0], 2)],
        },
    }


# --- cycle_s --------------------------------------------------------------------------------


def _bench_cycle(framework, group_ids: list[int], label: str):
    """A published cycle over the groups, scored by the services' own paths (derived metrics
    from the data set, an inspector's 8/10 on the manual ones), results stored."""
    from simple_history.utils import bulk_create_with_history

    from assessments.cycles import results
    from assessments.cycles.models import Cycle, CycleGroup, Score
    from assessments.frameworks.models import Indicator
    from members.models import Authority

    city = Authority.objects.filter(kind=Authority.Kind.CITY).order_by("pk").first()
    cycle = Cycle.objects.create(
        name=f"{CYCLE_NAME}（{label}）",
        authority=city,
        framework=framework,
        period_start=datetime.date(2024, 9, 1),
        period_end=datetime.date(2025, 8, 31),
        status=Cycle.Status.INSPECTION,
        self_assessment_due=datetime.date(2025, 9, 30),
        inspection_due=datetime.date(2025, 10, 31),
        factual_check_due=datetime.date(2025, 11, 15),
    )
    bulk_create_with_history([CycleGroup(cycle=cycle, group_id=g) for g in group_ids], CycleGroup)
    results.derive_scores(cycle)
    manual = list(Indicator.objects.filter(dimension__framework=framework, source="manual"))
    entries = list(CycleGroup.objects.filter(cycle=cycle))
    Score.objects.bulk_create(
        [
            Score(
                entry=e,
                indicator=i,
                passed=True if i.kind == "pass_fail" else None,
                score=None if i.kind == "pass_fail" else Decimal("0.8") * i.scale_max,
                self_score=None if i.kind == "pass_fail" else Decimal("0.85") * i.scale_max,
                self_note=LOREM,
                inspector_note=LOREM,
            )
            for e in entries
            for i in manual
        ]
    )
    results.store_results(cycle)
    Cycle.objects.filter(pk=cycle.pk).update(
        status=Cycle.Status.PUBLISHED, published_at=datetime.datetime.now(datetime.UTC)
    )
    cycle.refresh_from_db()
    return cycle


def _remove_cycle(cycle) -> None:
    """Raw deletes (archived documents refuse the ORM's delete): the bench's own cycle only.
    Its history rows too, which the audit triggers let go only inside `retention_deletes`."""
    from django.contrib.contenttypes.models import ContentType

    from assessments.cycles.models import Cycle, CycleGroup, Score
    from assessments.reports.models import Report
    from qingdao_groups.core.append_only import retention_deletes
    from qingdao_groups.models import OfficialDocument

    with retention_deletes():
        report_ids = list(Report.objects.filter(cycle=cycle).values_list("pk", flat=True))
        for qs in (
            OfficialDocument.objects.filter(
                owner_type=ContentType.objects.get_for_model(Report), owner_id__in=report_ids
            ),
            Report.history.filter(cycle_id=cycle.pk),
            Report.objects.filter(cycle=cycle),
            Score.history.filter(entry_id__in=CycleGroup.objects.filter(cycle=cycle).values("pk")),
            Score.objects.filter(entry__cycle=cycle),
            CycleGroup.history.filter(cycle_id=cycle.pk),
            CycleGroup.objects.filter(cycle=cycle),
            Cycle.history.filter(id=cycle.pk),
            Cycle.objects.filter(pk=cycle.pk),
        ):
            qs._raw_delete(qs.db)


def _worker_generate(args) -> int:
    cycle_id, group_id = args
    from assessments.reports.services import report_generate

    return report_generate(cycle_id, group_id).pk


def _worker_init() -> None:
    from django.db import connections

    # The parent closed its connections before forking: each worker opens its own.
    connections.close_all()


def _produce_with(cycle, workers: int) -> float:
    from django.db import connections

    from assessments.cycles.models import CycleGroup
    from assessments.reports.services import summary_scopes

    group_ids = list(CycleGroup.objects.filter(cycle=cycle).values_list("group_id", flat=True))
    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    started = time.perf_counter()
    with ctx.Pool(workers, initializer=_worker_init, maxtasksperchild=None) as pool:
        pool.map(_worker_generate, [(cycle.pk, g) for g in group_ids], chunksize=1)
        pool.map(_worker_summary, [(cycle.pk, s, a) for s, a in summary_scopes(cycle)], chunksize=1)
    seconds = time.perf_counter() - started
    return seconds


def _worker_summary(args) -> int:
    cycle_id, scope, authority_id = args
    from assessments.reports.services import summary_generate

    return summary_generate(cycle_id, scope, authority_id).pk


def measure_cycle(worker_counts=(1, 2), limit: int | None = None) -> dict:
    """`cycle_s`: the city's cycle with 1 and 2 worker processes (see the module's note)."""
    from assessments.frameworks.defaults import build_framework
    from assessments.frameworks.models import Framework
    from assessments.reports.models import Report
    from groups.registry.models import EducationGroup

    limit = limit or int(os.environ.get("BENCH_CYCLE_GROUPS") or 250)
    today = datetime.date(2025, 8, 31)
    group_ids = list(
        EducationGroup.objects.active_on(today)
        .order_by("code")
        .values_list("pk", flat=True)[:limit]
    )
    framework = Framework.objects.filter(code="QD-BENCH").first() or build_framework(
        code="QD-BENCH", name="基准测试指标体系"
    )
    keep_first = not Report.objects.filter(cycle__name__startswith=CYCLE_NAME).exists()
    rows = {}
    load = os.getloadavg()[0]
    for workers in worker_counts:
        cycle = _bench_cycle(framework, group_ids, f"{workers} 进程")
        seconds = _produce_with(cycle, workers)
        made = Report.objects.filter(cycle=cycle).count()
        log(f"cycle_s with {workers} worker(s): {seconds:.1f} s for {made} reports")
        rows[str(workers)] = {"seconds": round(seconds, 2), "reports": made}
        if not (keep_first and workers == worker_counts[0]):
            _remove_cycle(cycle)
    return {
        "cycle_s": {k: v["seconds"] for k, v in rows.items()},
        "cycle": {
            "groups": len(group_ids),
            "workers": rows,
            "how": "multiprocessing pool (fork) calling services.report_generate; no broker",
            "date": datetime.date.today().isoformat(),
            "load_average": [round(load, 2), round(os.getloadavg()[0], 2)],
        },
    }


def measure_reports() -> dict:
    return {**measure_pdf20(), **measure_cycle()}
