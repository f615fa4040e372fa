"""Uploaded images are decoded and re-encoded (issue 12, "Uploads"): what is stored is a fresh
PNG, JPEG or GIF drawn from the decoded pixels, in the format that came, without metadata (EXIF,
text chunks, comments) and without whatever followed the image's end, so an image that is also an
HTML page, a zip or a jar (a polyglot) is stored as an image only. The pixel count is checked from
the header before anything is decoded (decompression bombs: a tiny file that claims to be 100,000
× 100,000 pixels), against settings.UPLOAD_IMAGE_MAX_PIXELS."""

from __future__ import annotations

import contextlib
import io
import struct
import warnings

from django.conf import settings

DEFAULT_MAX_PIXELS = 40_000_000
MAX_FRAMES = 200
JPEG_QUALITY = 90

_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF"}


class ImageRefused(Exception):
    """`reason` is "too_large" (pixels, all frames counted), "frames" (an animation of more
    than MAX_FRAMES frames) or "damaged"."""

    def __init__(self, reason: str, pixels: int = 0):
        super().__init__(reason)
        self.reason = reason
        self.pixels = pixels


def max_pixels() -> int:
    return int(getattr(settings, "UPLOAD_IMAGE_MAX_PIXELS", DEFAULT_MAX_PIXELS))


@contextlib.contextmanager
def _strict_decoding():
    """Truncated data is an error while we decode. WeasyPrint sets Pillow's process-wide
    LOAD_TRUNCATED_IMAGES when it is imported (to draw what it can of a broken picture), which
    would let a truncated or corrupt upload through padded with grey; the flag is restored after.
    (A worker process decodes one upload at a time; even if another thread drew a PDF meanwhile,
    what is stored here is a fresh image either way.)"""
    from PIL import ImageFile

    before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before


def image_reencode(data: bytes, content_type: str) -> bytes:
    """The image in `data` decoded and encoded again in the same format; raises ImageRefused."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    fmt = _FORMATS[content_type]
    limit = max_pixels()
    try:
        with warnings.catch_warnings(), _strict_decoding():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[fmt])
            width, height = image.size
            if width * height > limit:
                raise ImageRefused("too_large", width * height)
            frames = getattr(image, "n_frames", 1) if fmt == "GIF" else 1
            if frames > MAX_FRAMES:
                raise ImageRefused("frames", frames)
            if frames * width * height > limit:
                raise ImageRefused("too_large", frames * width * height)
            image.load()
            out = io.BytesIO()
            if fmt == "JPEG":
                upright: Image.Image = ImageOps.exif_transpose(image)
                if upright.mode not in ("L", "RGB", "CMYK"):
                    upright = upright.convert("RGB")
                upright.save(out, format="JPEG", quality=JPEG_QUALITY)
            elif fmt == "PNG":
                image.save(out, format="PNG")
            else:
                image.save(out, format="GIF", save_all=frames > 1)
    except ImageRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRefused("too_large") from exc
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
        TypeError,
        struct.error,
        MemoryError,
    ) as exc:
        raise ImageRefused("damaged") from exc
    return out.getvalue()
