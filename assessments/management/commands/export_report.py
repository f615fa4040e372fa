"""`python manage.py export_report <group-code> --out FILE.pdf` (issue 10): writes the archived PDF
of the group's latest published assessment report — the bytes as archived, so their SHA-256 is
the one /verify/<code> shows. When the group's latest published cycle has no report yet, it is
produced first (with the cycle's other reports: idempotent)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.reports.services import export_latest_report
from qingdao_groups.core.rules import RuleRefusal


class Command(BaseCommand):
    help = "Write the latest published assessment report of a group as PDF."

    def add_arguments(self, parser):
        parser.add_argument("group_code", help="the group's code, e.g. QD2019001")
        parser.add_argument("--out", required=True, help="the PDF file to write")

    def handle(self, *args, group_code: str, out: str, **options):
        try:
            report, document, pdf = export_latest_report(group_code)
        except RuleRefusal as refusal:
            raise CommandError(str(refusal.message)) from None
        path = Path(out)
        if path.parent and not path.parent.exists():
            raise CommandError(f"目录不存在：{path.parent}")
        path.write_bytes(pdf)
        self.stdout.write(
            f"{path}: {document.title}（第 {report.number} 版，{document.number}，"
            f"核验码 {document.code}，{len(pdf)} 字节，SHA-256 {document.sha256}）"
        )
