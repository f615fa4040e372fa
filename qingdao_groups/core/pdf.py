"""PDF rendering of official documents: the one module that imports WeasyPrint (STYLE.md).

A document template is a self-contained HTML page (its own CSS, `<html lang="zh-CN">`, fonts
named explicitly: Noto Serif CJK SC / Noto Sans CJK SC from Debian's fonts-noto-cjk, which the
set-up installs; without a CJK font WeasyPrint would silently draw empty boxes). The QR code is
an inline SVG made by segno, so rendering fetches nothing."""

import datetime
import io
import shutil
import subprocess

import segno
from django.template.loader import render_to_string
from django.utils import translation

# The families the document templates name; fc-match must find them (tests check pdffonts).
CJK_FONTS = ("Noto Serif CJK SC", "Noto Sans CJK SC")


def chinese_date(day: datetime.date) -> str:
    """The date as official documents write it: 2026年12月2日."""
    return f"{day.year}年{day.month}月{day.day}日"


def qr_svg(text: str, *, scale: int = 2) -> str:
    """A QR code of `text` as an inline <svg> element (medium error correction: it survives a
    photocopy)."""
    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(
        buffer, kind="svg", scale=scale, border=2, xmldecl=False, nl=False, svgclass=None
    )
    return buffer.getvalue().decode("ascii")


def render_pdf(template: str, context: dict) -> bytes:
    """Render `template` with `context` to PDF bytes. Documents are written in Chinese whatever
    the reader's language."""
    from weasyprint import HTML  # slow to import: only where a document is rendered

    with translation.override("zh-hans"):
        html = render_to_string(template, context)
    return HTML(string=html).write_pdf()


def missing_cjk_fonts() -> list[str]:
    """The document fonts fontconfig cannot find (empty when all are installed, or when
    fc-match itself is missing and nothing can be said)."""
    exe = shutil.which("fc-match")
    if exe is None:
        return []
    missing = []
    for family in CJK_FONTS:
        found = subprocess.run(  # noqa: S603 - fixed arguments
            [exe, "--format=%{family}", f"{family}:lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
        if family not in found:
            missing.append(family)
    return missing
