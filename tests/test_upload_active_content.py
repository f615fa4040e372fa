"""Active content in PDFs and images (issue 12, "Uploads"): what is refused, what is re-encoded,
and the ordinary files that must still pass."""

import io

import pytest
from PIL import Image

from qingdao_groups.core.pdf_safety import pdf_active_content, raw_active_names
from qingdao_groups.core.uploads import UploadRejected, validate_upload
from tests.hostile_files import _page_pdf, jpeg_with_exif_payload, noisy_png
from tests.test_uploads import make_gif, make_pdf, upload

LIMIT = 20 * 1024 * 1024


def test_a_weasyprint_pdf_with_links_images_and_cjk_passes():
    from weasyprint import HTML

    pdf = HTML(
        string="<h1>集团章程</h1><p><a href='https://example.org/JavaScript/Launch'>链接</a></p>"
        "<img src='data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4"
        "2mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='>"
    ).write_pdf()
    info = validate_upload(upload(pdf, "章程.pdf"), max_bytes=LIMIT)
    assert info.content is None and info.size == len(pdf)  # PDFs are stored as they came


def test_names_are_matched_whole_and_with_hex_escapes_decoded():
    assert raw_active_names(b"<< /S /J#61vaScript /J#53 (x) >>") == {"JavaScript"}
    assert raw_active_names(b"<< /JSON 1 /JavaScripts 2 /Launcher 3 >>") == set()


def test_a_name_inside_a_string_is_text_not_a_name():
    page_text = make_pdf("see /JavaScript and /Launch")
    in_a_dictionary = _page_pdf(catalog_extra=b"/Lang (see /JavaScript \\(and\\) /Launch) ")
    assert pdf_active_content(io.BytesIO(page_text)) == set()
    assert pdf_active_content(io.BytesIO(in_a_dictionary)) == set()


def test_jpeg_is_reencoded_upright_without_exif():
    data = jpeg_with_exif_payload()  # 4 × 2 with orientation 6 (rotate on display)
    info = validate_upload(upload(data, "照片.jpg"), max_bytes=LIMIT)
    image = Image.open(io.BytesIO(info.content))
    assert image.format == "JPEG" and image.size == (2, 4)
    assert not image.getexif() and b"<script" not in info.content


def test_png_keeps_its_pixels_and_loses_what_followed():
    data = noisy_png(16)
    info = validate_upload(upload(data + b"<html>trailer</html>", "a.png"), max_bytes=LIMIT)
    before = Image.open(io.BytesIO(data)).convert("RGB")
    after = Image.open(io.BytesIO(info.content))
    assert after.format == "PNG" and after.convert("RGB").tobytes() == before.tobytes()
    assert b"trailer" not in info.content


def test_an_animated_gif_keeps_its_frames():
    frames = [Image.new("RGB", (8, 8), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    info = validate_upload(upload(out.getvalue(), "动图.gif"), max_bytes=LIMIT)
    assert Image.open(io.BytesIO(info.content)).n_frames == 3


def test_the_pixel_limit_is_a_setting(settings):
    settings.UPLOAD_IMAGE_MAX_PIXELS = 100
    with pytest.raises(UploadRejected, match="像素"):
        validate_upload(upload(noisy_png(11), "a.png"), max_bytes=LIMIT)
    assert validate_upload(upload(make_gif((10, 10)), "a.gif"), max_bytes=LIMIT).content


def test_an_animation_of_too_many_frames_is_refused(monkeypatch):
    from qingdao_groups.core import image_safety

    monkeypatch.setattr(image_safety, "MAX_FRAMES", 2)
    frames = [Image.new("RGB", (8, 8), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    with pytest.raises(UploadRejected, match="帧数过多"):
        validate_upload(upload(out.getvalue(), "动图.gif"), max_bytes=LIMIT)


def test_truncated_images_are_refused_even_after_weasyprint_relaxed_pillow(monkeypatch):
    """WeasyPrint sets ImageFile.LOAD_TRUNCATED_IMAGES when imported; uploads stay strict."""
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    png = noisy_png()
    for data in (
        png[: len(png) // 2],
        png[:-20] + bytes(b ^ 0xFF for b in png[-20:-12]) + png[-12:],
    ):
        with pytest.raises(UploadRejected, match="损坏"):
            validate_upload(upload(data, "a.png"), max_bytes=LIMIT)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # restored for WeasyPrint
