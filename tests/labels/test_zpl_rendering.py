"""ZPL checked by a renderer, not only by its structure: zplkit draws every label
offline as a Zebra printer would, and zxing-cpp reads every code back."""

from __future__ import annotations

import io

import pytest
import zplkit
import zxingcpp
from PIL import Image
from zplkit.rendering import Limits as RenderLimits

from labels import DEFAULT_ROLL_MM, render_zpl
from tests.labels.conftest import make_label, make_labels


def _rendered(zpl: bytes, width_mm: float, height_mm: float, dpi: int) -> list[Image.Image]:
    options = zplkit.Options(
        dpi=dpi, width=round(width_mm / 25.4 * dpi), height=round(height_mm / 25.4 * dpi)
    )
    # The renderer's default graphic limit is its own, smaller than a printer's memory.
    document = zplkit.render(zpl, options, limits=RenderLimits(graphic_bytes=1 << 20))
    assert document.warnings == []
    return [Image.open(io.BytesIO(label.png())).convert("L") for label in document.labels]


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("size", [DEFAULT_ROLL_MM, (60, 40), (100, 50)], ids=str)
def test_every_zpl_label_renders_and_its_code_decodes(dpi: int, size) -> None:
    labels = list(make_labels(4))
    images = _rendered(render_zpl(labels, *size, dpi=dpi), *size, dpi)
    assert len(images) == len(labels)
    for image, label in zip(images, labels, strict=True):
        found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        assert [result.text for result in found] == [label.code]


def test_zpl_text_graphic_is_drawn_beside_the_code() -> None:
    # The text block (a ~DG graphic recalled with ^XG) must print: dark pixels right of the code.
    label = make_label(0)
    (image,) = _rendered(render_zpl([label], *DEFAULT_ROLL_MM, dpi=203), *DEFAULT_ROLL_MM, 203)
    (found,) = zxingcpp.read_barcodes(image)
    right_of_code = max(p.x for p in (found.position.top_right, found.position.bottom_right))
    text_area = image.crop((int(right_of_code) + 10, 0, image.width, image.height))
    assert text_area.getextrema()[0] == 0  # some black
    assert text_area.histogram()[0] > 2000  # black pixels of the text
