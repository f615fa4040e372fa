"""PDF rendering of official documents: the one module that imports WeasyPrint (STYLE.md).

A document template is a self-contained HTML page (its own CSS, `<html lang="zh-CN">`, fonts
named explicitly: Noto Serif CJK SC / Noto Sans CJK SC from Debian's fonts-noto-cjk, which the
set-up installs; without a CJK font WeasyPrint would silently draw empty boxes). Where the system
has no such font (no apt: `make system-packages` says so), the same family names are declared by
`@font-face` on the Noto Sans SC / Noto Serif SC files of the Python package
pylopdf-fonts-zh-cn, a dependency of the project (`cjk_font_source`). The QR code is an inline
SVG made by segno, so rendering fetches nothing."""

import datetime
import functools
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
    from weasyprint import CSS, HTML  # slow to import: only where a document is rendered
    from weasyprint.text.fonts import FontConfiguration

    with translation.override("zh-hans"):
        html = render_to_string(template, context)
    if cjk_font_source() == "system":
        return HTML(string=html).write_pdf()
    font_config = FontConfiguration()
    fonts = CSS(string=package_font_faces(), font_config=font_config)
    return HTML(string=html).write_pdf(stylesheets=[fonts], font_config=font_config)


def package_font_faces() -> str:
    """@font-face rules giving the templates' family names the packaged Noto SC files."""
    import pylopdf_fonts_zh_cn as packaged

    serif, sans = packaged.serif_path().as_uri(), packaged.sans_path().as_uri()
    # The package has the regular weights only: bold text is drawn from them too.
    return "".join(
        f'@font-face {{ font-family: "{family}"; src: url("{uri}"); font-weight: {weight}; }}\n'
        for family, uri in ((CJK_FONTS[0], serif), (CJK_FONTS[1], sans))
        for weight in ("normal", "bold")
    )


def cjk_font_source() -> str:
    """ "system" when fontconfig finds the templates' CJK fonts (Debian's fonts-noto-cjk), else
    "package" (pylopdf-fonts-zh-cn). The setting PDF_CJK_FONT_SOURCE forces one (tests)."""
    from django.conf import settings

    forced = getattr(settings, "PDF_CJK_FONT_SOURCE", "")
    if forced in ("system", "package"):
        return forced
    return "system" if _system_has_cjk_fonts() else "package"


@functools.cache
def _system_has_cjk_fonts() -> bool:
    """Asked once per process (fc-match takes a few milliseconds)."""
    return shutil.which("fc-match") is not None and not missing_cjk_fonts()


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
