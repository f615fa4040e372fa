"""poppler's pdftotext and pdffonts on PDF bytes, for the tests of official documents."""

import subprocess
import tempfile


def _run(tool: str, data: bytes, *args: str) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(data)
        fh.flush()
        return subprocess.run(
            [tool, *args, fh.name, *(["-"] if tool == "pdftotext" else [])],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout


def pdf_text(data: bytes) -> str:
    return _run("pdftotext", data, "-enc", "UTF-8")


def pdf_fonts(data: bytes) -> list[dict]:
    """pdffonts' table as rows: name, type, emb (the type may hold spaces: "CID Type 0C (OT)")."""
    lines = _run("pdffonts", data).splitlines()
    rows = []
    for line in lines[2:]:
        parts = line.split()
        # name, type words…, encoding, emb, sub, uni, object, generation
        rows.append(
            {
                "name": parts[0],
                "type": " ".join(parts[1:-6]),
                "emb": parts[-5],
                "uni": parts[-3],
            }
        )
    return rows


def assert_cjk_pdf(data: bytes, *must_contain: str) -> str:
    """The PDF's text holds every character of each `must_contain` (none drawn as a box: a
    missing glyph comes out as U+FFFD or a white square, or not at all), and its fonts are
    embedded CJK fonts, none a Type 3 fallback. Returns the text."""
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for wanted in must_contain:
        assert wanted in text, (wanted, text)
        missing = {ch for ch in wanted if ch not in text}
        assert not missing, missing
    assert "\ufffd" not in text and "□" not in text
    fonts = pdf_fonts(data)
    assert fonts, "no fonts in the PDF"
    for font in fonts:
        assert font["emb"] == "yes", font
        assert "Type 3" not in font["type"], font
    # Debian's Noto … CJK SC, or the packaged Noto Serif SC / Noto Sans SC (core/pdf.py)
    assert any(
        "CJK" in font["name"] or "NotoSerifSC" in font["name"] or "NotoSansSC" in font["name"]
        for font in fonts
    ), fonts
    return text
