"""Product pictures: checked, resized and re-encoded once on upload, stored with the product.

A stored image is a baseline JPEG of at most MAX_SIDE pixels a side and MAX_BYTES bytes,
so the public page can show it within its weight budget (docs/passport.md).
"""

from __future__ import annotations

import hashlib
import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy.orm import Session

from traceapp.domain import audit_log
from traceapp.errors import InvalidInput
from traceapp.models import Product, ProductImage
from traceapp.models._columns import utcnow

MAX_SIDE = 480
MAX_BYTES = 30_000
# How large the public pages draw a picture: its longer side, in CSS pixels (a stored
# picture has twice as many pixels, for sharp phone screens).
DISPLAY_SIDE = 240
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
# Refuse pictures that would take hundreds of megabytes to decode.
MAX_SOURCE_PIXELS = 40_000_000
MEDIA_TYPE = "image/jpeg"
# What the form asks for, and all Pillow is let to parse: not its dozens of other
# decoders (nor EPS, which it hands to Ghostscript).
UPLOAD_FORMATS = ("JPEG", "PNG", "WEBP")
_QUALITIES = (82, 72, 62, 52, 42, 34)


def store_product_image(
    session: Session, product: Product, upload: bytes, actor: str
) -> ProductImage:
    """Resize `upload` (JPEG, PNG or WebP) and keep it as the product's picture."""
    data, width, height = prepare_image(upload)
    digest = hashlib.sha256(data).hexdigest()
    image = session.get(ProductImage, product.id)
    if image is None:
        image = ProductImage(product_id=product.id)
        session.add(image)
    image.media_type, image.digest, image.data = MEDIA_TYPE, digest, data
    image.width, image.height, image.updated_at = width, height, utcnow()
    session.flush()
    audit_log.record(
        session,
        actor,
        "product.image_set",
        "product",
        product.id,
        {"digest": digest, "bytes": len(data), "width": width, "height": height},
    )
    return image


def product_image_path(image: ProductImage) -> str:
    """Where the web serves a stored image: its digest in the name, so it never changes."""
    return f"/media/products/{image.product_id}/{image.digest[:16]}.jpg"


def display_size(image: ProductImage) -> tuple[int, int]:
    """(width, height) to draw `image` at on the public pages: its own proportions,
    the longer side DISPLAY_SIDE at most."""
    scale = min(1.0, DISPLAY_SIDE / max(image.width, image.height))
    return max(1, round(image.width * scale)), max(1, round(image.height * scale))


def image_of(session: Session, product_id: int) -> ProductImage | None:
    return session.get(ProductImage, product_id)


def prepare_image(upload: bytes) -> tuple[bytes, int, int]:
    """(JPEG bytes, width, height) of `upload` fitted in MAX_SIDE and MAX_BYTES."""
    if not upload:
        raise InvalidInput("choose a picture to upload", field="image")
    if len(upload) > MAX_UPLOAD_BYTES:
        raise InvalidInput("the picture is larger than 8 MB", field="image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            source = Image.open(io.BytesIO(upload), formats=UPLOAD_FORMATS)
            if source.width * source.height > MAX_SOURCE_PIXELS:
                raise InvalidInput("the picture has too many pixels", field="image")
            source.load()
    except InvalidInput:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise InvalidInput("the file is not a picture (JPEG, PNG or WebP)", field="image") from exc
    picture = ImageOps.exif_transpose(source)
    if picture.mode in ("RGBA", "LA", "P"):
        picture = picture.convert("RGBA")
        flat = Image.new("RGB", picture.size, "white")
        flat.paste(picture, mask=picture.getchannel("A"))
        picture = flat
    else:
        picture = picture.convert("RGB")
    side = MAX_SIDE
    while True:
        fitted = picture.copy()
        fitted.thumbnail((side, side), Image.Resampling.LANCZOS)
        for quality in _QUALITIES:
            buffer = io.BytesIO()
            fitted.save(buffer, "JPEG", quality=quality, optimize=True)
            if buffer.tell() <= MAX_BYTES:
                return buffer.getvalue(), fitted.width, fitted.height
        side = int(side * 0.75)
