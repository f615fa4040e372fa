"""A group's dossier (案卷) as one ZIP (policy A-1; issue 10): what an auditor takes away.

    README.txt                      what the dossier is, for whom, when, how many files
    目录.csv                         every other file: kind, title, 文号, date, SHA-256
    评估报告/                          every archived version of the group's assessment reports
    正式文件/                          批复, 备案回执, ledger statements (the archive's PDFs as issued)
    申请材料/<application>/            the founding and admission applications' uploads, every version
    集团文件/                          the group's charter, rules, plan and agreements, every version
    决定及理由/申请审批.csv, 征求意见.csv, 黄红牌.csv
    台账/台账明细.csv                  every line of every ledger of the group
    历史/审计日志.csv                  the audit UNION of the group's history rows (core.timeline.AuditLog);
                                     for a core principal, who may not read the audit log, the story
                                     (集团历程) instead: 历史/集团历程.csv

The ZIP is written into the file it is given (a temporary file of the job), each member streamed
in with its SHA-256 computed on the way, so memory holds one chunk of a file (archived PDFs: a
few at a time through one cursor). Names are Chinese, stored with the ZIP's UTF-8 flag. Every
CSV goes through the shared tabular writer (UTF-8 with a BOM, formulas neutralised). Queries: a
fixed number per kind of content, none per file."""

from __future__ import annotations

import datetime
import hashlib
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.dossier import selectors
from funding.ledgers.models import Ledger, LedgerLine
from groups.applications.models import Application
from groups.registry.models import EducationGroup
from groups.registry.permissions import can_view_group_audit
from members.models import User
from qingdao_groups.core.exports import local_date, spec_of
from qingdao_groups.core.tabular import TableSpec
from qingdao_groups.core.tabular.writing import iter_csv
from qingdao_groups.core.timeline import AuditLog, story_for
from qingdao_groups.models import Attachment, OfficialDocument

FILE_CHUNK = 64 * 1024
Progress = Callable[[int, int], None]

# Folders (the dossier is an archive: its paths are Chinese whatever the reader's language).
REPORTS, OFFICIAL, APPLICATIONS, GROUP_DOCS = "评估报告", "正式文件", "申请材料", "集团文件"
DECISIONS, LEDGERS, HISTORY = "决定及理由", "台账", "历史"
INDEX, README = "目录.csv", "README.txt"

_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def safe_name(text: str, limit: int = 80) -> str:
    """A file or folder name from a title: no separators or characters Windows refuses."""
    name = _UNSAFE.sub("_", text).strip(" ._") or "_"
    return name[:limit]


@dataclass
class Entry:
    """One file of the dossier: where, what kind, its title, 文号 and date, and how to read it."""

    path: str
    kind: str
    title: str
    number: str = ""
    day: datetime.date | None = None
    # exactly one of: an archived document's id (bytes read in bulk), a stored file, a CSV
    document_id: int | None = None
    stored: Any = None  # a FieldFile
    chunks: Callable[[], Iterator[bytes]] | None = None
    sha256: str = field(default="")
    size: int = 0


class _Names:
    """Paths unique within the ZIP (a repeated title gets " (2)", " (3)" …)."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def __call__(self, folder: str, stem: str, ext: str) -> str:
        base = f"{folder}/{safe_name(stem)}" if folder else safe_name(stem)
        path, n = f"{base}.{ext}", 1
        while path in self.seen:
            n += 1
            path = f"{base} ({n}).{ext}"
        self.seen.add(path)
        return path


def _ext(name: str, default: str = "bin") -> str:
    _stem, dot, ext = name.rpartition(".")
    return ext.lower()[:8] if dot and ext.isalnum() else default


def _doc_entry(names: _Names, folder: str, kind: str, doc: OfficialDocument) -> Entry:
    return Entry(
        path=names(folder, f"{doc.issued_on:%Y%m%d} {doc.number} {doc.title}", "pdf"),
        kind=kind,
        title=doc.title,
        number=doc.number,
        day=doc.issued_on,
        document_id=doc.pk,
    )


def _bytes_once(data: bytes) -> Callable[[], Iterator[bytes]]:
    return lambda: iter((data,))


def _csv(spec: TableSpec, rows: Callable[[], Iterable[Sequence[Any]]]):
    return lambda: iter_csv(spec, rows())


def _user_name(user: User | None) -> str:
    if user is None:
        return ""
    return f"{user.last_name}{user.first_name}".strip() or user.username


def _when(value: datetime.datetime | None) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


# --- the CSVs ------------------------------------------------------------------------------------

DECISIONS_SPEC = spec_of(
    "decisions",
    (gettext_lazy("申请类别"), 10),
    (gettext_lazy("申请"), 30),
    (gettext_lazy("申请学校"), 24),
    (gettext_lazy("状态"), 12),
    (gettext_lazy("审批部门"), 24),
    (gettext_lazy("审批意见"), 40),
    (gettext_lazy("附加条件"), 30),
    (gettext_lazy("预警事项说明"), 30),
    (gettext_lazy("审批人"), 12),
    (gettext_lazy("审批时间"), 16),
)
CONSENTS_SPEC = spec_of(
    "consents",
    (gettext_lazy("申请"), 30),
    (gettext_lazy("征求意见部门"), 24),
    (gettext_lazy("状态"), 12),
    (gettext_lazy("理由"), 40),
    (gettext_lazy("表态人"), 12),
    (gettext_lazy("表态时间"), 16),
)
CARDS_SPEC = spec_of(
    "cards",
    (gettext_lazy("级别"), 8),
    (gettext_lazy("成员校"), 24),
    (gettext_lazy("事由"), 24),
    (gettext_lazy("情况说明"), 40),
    (gettext_lazy("状态"), 12),
    (gettext_lazy("发出人"), 12),
    (gettext_lazy("发出时间"), 16),
    (gettext_lazy("整改期限"), 12),
    (gettext_lazy("整改情况"), 30),
    (gettext_lazy("审核意见"), 30),
    (gettext_lazy("结束时间"), 16),
)
LEDGER_SPEC = spec_of(
    "ledger-lines",
    (gettext_lazy("财政年度"), 8),
    (gettext_lazy("付款部门"), 24),
    (gettext_lazy("序号"), 6),
    (gettext_lazy("台账状态"), 10),
    (gettext_lazy("行号"), 6),
    (gettext_lazy("规则"), 8),
    (gettext_lazy("规则名称"), 20),
    (gettext_lazy("付款方"), 24),
    (gettext_lazy("收款方"), 24),
    (gettext_lazy("期间起"), 12),
    (gettext_lazy("期间止"), 12),
    (gettext_lazy("金额（元）"), 12),
    (gettext_lazy("适用"), 6),
    (gettext_lazy("调整行"), 6),
    (gettext_lazy("计算过程"), 60),
)
AUDIT_SPEC = spec_of(
    "history",
    (gettext_lazy("时间"), 16),
    (gettext_lazy("操作人"), 12),
    (gettext_lazy("操作"), 8),
    (gettext_lazy("对象"), 30),
    (gettext_lazy("原因"), 30),
    (gettext_lazy("字段"), 16),
    (gettext_lazy("原值"), 24),
    (gettext_lazy("新值"), 24),
)
STORY_SPEC = spec_of(
    "story",
    (gettext_lazy("日期"), 12),
    (gettext_lazy("事项"), 40),
    (gettext_lazy("操作人"), 12),
    (gettext_lazy("说明"), 30),
    (gettext_lazy("状态"), 10),
)
INDEX_SPEC = spec_of(
    "index",
    (gettext_lazy("文件"), 50),
    (gettext_lazy("类别"), 12),
    (gettext_lazy("标题"), 40),
    (gettext_lazy("文号"), 24),
    (gettext_lazy("日期"), 12),
    (gettext_lazy("大小（字节）"), 10),
    ("SHA-256", 64),
)


def _decision_rows(applications: Iterable[Application]) -> Iterator[list]:
    for a in applications:
        yield [
            a.get_kind_display(),
            a.title,
            a.applicant_school.name,
            a.get_status_display(),
            a.deciding_authority.name,
            a.decision_reason,
            a.conditions,
            a.justification,
            _user_name(a.decided_by),
            _when(a.decided_at),
        ]


def _consent_rows(group_id: int, titles: dict[int, str]) -> Iterator[list]:
    for c in selectors.consents(group_id):
        yield [
            titles.get(c.application_id, ""),
            c.authority.name,
            c.get_status_display(),
            c.reason,
            _user_name(c.decided_by),
            _when(c.decided_at),
        ]


def _card_rows(group_id: int) -> Iterator[list]:
    for c in selectors.cards(group_id):
        yield [
            c.get_level_display(),
            c.membership.school.name,
            c.get_ground_display(),
            c.description,
            c.get_status_display(),
            _user_name(c.issued_by),
            _when(c.issued_at),
            c.deadline,
            c.rectification,
            c.review_note,
            _when(c.closed_at),
        ]


def _ledger_rows(group_id: int) -> Iterator[list]:
    statuses = dict(Ledger._meta.get_field("status").flatchoices)
    rules = dict(LedgerLine.Rule.choices)
    for (
        year,
        authority,
        sequence,
        status,
        position,
        rule,
        payer,
        payee,
        start,
        end,
        amount,
        applicable,
        adjustment,
        formula,
    ) in selectors.ledger_lines(group_id):
        yield [
            year,
            authority,
            sequence,
            str(statuses.get(status, status)),
            position,
            rule,
            str(rules.get(rule, rule)),
            payer,
            payee,
            start,
            end,
            amount,
            applicable,
            adjustment,
            formula,
        ]


def _audit_rows(group_id: int, user: User) -> Iterator[list]:
    """The audit log, newest first: one row per changed field (one row for a creation)."""
    log = AuditLog(group_id=group_id, user=user)
    total = len(log)
    for entry in log[0:total] if total else []:
        head = [_when(entry.when), entry.who, entry.what, entry.subject, entry.reason]
        if not entry.changes:
            yield [*head, "", "", ""]
        for change in entry.changes:
            yield [*head, change.field, change.before, change.after]


def _story_rows(group_id: int, user: User, today: datetime.date) -> Iterator[list]:
    for event in story_for(group_id=group_id, user=user, today=today):
        yield [event.day, event.text, event.who, event.note, event.pending]


# --- the plan and the ZIP ------------------------------------------------------------------------


def dossier_entries(*, group: EducationGroup, user: User, now: datetime.datetime) -> list[Entry]:
    """Every file of the dossier but README.txt and 目录.csv, in order (a fixed number of
    queries: one per kind of content)."""
    names = _Names()
    entries: list[Entry] = []
    gid = group.pk
    for doc in selectors.report_documents(gid):
        entries.append(_doc_entry(names, REPORTS, _("评估报告"), doc))
    for doc in selectors.official_documents(gid):
        entries.append(_doc_entry(names, OFFICIAL, _("正式文件"), doc))

    applications = selectors.applications_by_id(gid)
    kinds = dict(Attachment.Kind.choices)
    for att in selectors.application_attachments(gid):
        application = applications.get(att.owner_id)
        title = application.title if application else f"#{att.owner_id}"
        folder = f"{APPLICATIONS}/{safe_name(f'{att.owner_id} {title}')}"
        label = str(kinds.get(att.kind, att.kind))
        stem = f"{label} v{att.version} {att.original_name.rpartition('.')[0] or att.original_name}"
        entries.append(
            Entry(
                path=names(folder, stem, _ext(att.original_name)),
                kind=_("申请材料"),
                title=f"{title} · {label} v{att.version}",
                day=local_date(att.uploaded_at),
                stored=att.file,
            )
        )
    for gdoc in selectors.group_documents(gid):
        stem = f"{gdoc.get_kind_display()} v{gdoc.version} {gdoc.title}"
        if gdoc.file:
            path = names(GROUP_DOCS, stem, _ext(gdoc.original_name or gdoc.file.name))
            stored, chunks = gdoc.file, None
        else:  # a document kept as text only
            path = names(GROUP_DOCS, stem, "txt")
            stored, chunks = None, _bytes_once(gdoc.text.encode("utf-8"))
        entries.append(
            Entry(
                path=path,
                kind=_("集团文件"),
                title=f"{gdoc.title} v{gdoc.version}",
                day=gdoc.adopted_on,
                stored=stored,
                chunks=chunks,
            )
        )

    titles = {pk: a.title for pk, a in applications.items()}
    decided = list(applications.values())
    csvs: list[tuple[str, str, str, Callable[[], Iterator[bytes]]]] = [
        (
            DECISIONS,
            "申请审批",
            _("申请审批决定及理由"),
            _csv(DECISIONS_SPEC, lambda: _decision_rows(decided)),
        ),
        (
            DECISIONS,
            "征求意见",
            _("征求意见"),
            _csv(CONSENTS_SPEC, lambda: _consent_rows(gid, titles)),
        ),
        (DECISIONS, "黄红牌", _("黄牌、红牌"), _csv(CARDS_SPEC, lambda: _card_rows(gid))),
        (LEDGERS, "台账明细", _("经费台账明细"), _csv(LEDGER_SPEC, lambda: _ledger_rows(gid))),
    ]
    if can_view_group_audit(user, group):
        csvs.append(
            (HISTORY, "审计日志", _("审计日志"), _csv(AUDIT_SPEC, lambda: _audit_rows(gid, user)))
        )
    else:
        today = timezone.localdate(now)
        csvs.append(
            (
                HISTORY,
                "集团历程",
                _("集团历程"),
                _csv(STORY_SPEC, lambda: _story_rows(gid, user, today)),
            )
        )
    for folder, stem, title, chunks in csvs:
        entries.append(
            Entry(
                path=names(folder, stem, "csv"),
                kind="CSV",
                title=title,
                day=timezone.localdate(now),
                chunks=chunks,
            )
        )
    return entries


def _zip_info(path: str, now: datetime.datetime) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=timezone.localtime(now).timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    # zipfile sets the UTF-8 flag (0x800) itself for any name that is not ASCII.
    return info


def _write(zf: zipfile.ZipFile, path: str, now: datetime.datetime, chunks: Iterable[bytes]):
    digest, size = hashlib.sha256(), 0
    with zf.open(_zip_info(path, now), "w", force_zip64=True) as out:
        for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return digest.hexdigest(), size


def _stored_chunks(stored) -> Iterator[bytes]:
    with stored.open("rb") as file:
        while block := file.read(FILE_CHUNK):
            yield block


def _readme(group: EducationGroup, user: User, now: datetime.datetime, entries) -> bytes:
    counts: dict[str, int] = {}
    for e in entries:
        counts[e.kind] = counts.get(e.kind, 0) + 1
    lines = [
        _("教育集团案卷"),
        "",
        _("集团：%(name)s（%(code)s）") % {"name": group.name, "code": group.code},
        _("核心校：%(school)s") % {"school": group.core_school.name},
        _("审批部门：%(authority)s") % {"authority": group.authority.name},
        _("导出人：%(who)s") % {"who": _user_name(user)},
        _("导出时间：%(when)s") % {"when": _when(now)},
        "",
        _("内容（文件数）："),
        *[f"  {kind}: {n}" for kind, n in counts.items()],
        "",
        _(
            "目录.csv 列出本案卷中的每个文件及其类别、标题、文号、日期和 SHA-256 校验值；"
            "正式文件可在系统的核验页面按核验码核对。"
        ),
        "",
    ]
    return "\r\n".join(lines).encode("utf-8-sig")


def dossier_write(
    *,
    group_id: int,
    user: User,
    file: IO[bytes],
    progress: Progress | None = None,
    now: datetime.datetime | None = None,
) -> str:
    """Write the dossier of group `group_id`, as `user` may read it, as a ZIP into `file`;
    `progress(done, total)` is told after every file. Returns the download name. The caller
    has checked that `user` may export this group's dossier (permissions.py, policy A-1)."""
    now = now or timezone.now()
    report = progress or (lambda done, total: None)
    group = selectors.dossier_group(group_id)
    entries = dossier_entries(group=group, user=user, now=now)
    total = len(entries) + 2  # README.txt and 目录.csv
    done = 0
    report(done, total)
    pdfs = selectors.pdf_chunks(sorted(e.document_id for e in entries if e.document_id))
    by_document = {e.document_id: e for e in entries if e.document_id}
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        readme = _readme(group, user, now, entries)
        readme_hash, readme_size = _write(zf, README, now, (readme,))
        done += 1
        report(done, total)
        for document_id, pdf in pdfs:  # archived PDFs first, in the cursor's order
            entry = by_document[document_id]
            entry.sha256, entry.size = _write(zf, entry.path, now, (pdf,))
            done += 1
            report(done, total)
        for entry in entries:
            if entry.document_id:
                continue
            chunks = _stored_chunks(entry.stored) if entry.stored else entry.chunks()  # type: ignore[misc]
            entry.sha256, entry.size = _write(zf, entry.path, now, chunks)
            done += 1
            report(done, total)
        index_rows = [
            [
                README,
                _("说明"),
                _("案卷说明"),
                "",
                timezone.localdate(now),
                readme_size,
                readme_hash,
            ],
            *[[e.path, e.kind, e.title, e.number, e.day, e.size, e.sha256] for e in entries],
        ]
        _write(zf, INDEX, now, iter_csv(INDEX_SPEC, index_rows))
        done += 1
        report(done, total)
    return f"{safe_name(group.name)}-案卷-{timezone.localdate(now):%Y%m%d}.zip"


# --- the job ---------------------------------------------------------------------------------------

JOB_KEY = "dossier"


def dossier_job_start(
    *, actor: User, group: EducationGroup, language: str, now: datetime.datetime | None = None
):
    """Record the dossier `actor` asked for and queue it once the transaction commits (the view
    has checked the person and found the group in their scope)."""
    from qingdao_groups.core.exports.jobs import job_kind_start

    return job_kind_start(
        actor=actor,
        key=JOB_KEY,
        params={"group": group.pk},
        fmt="zip",
        language=language,
        now=now,
    )
