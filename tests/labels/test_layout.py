"""Label layout: text is shrunk then wrapped and never leaves the label box."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reportlab.pdfbase.pdfmetrics import stringWidth

from labels import MIN_MODULE_MM, PRESETS, LayoutError, layout_label
from labels.layout import (
    MAX_FONT_PT,
    MIN_FONT_PT,
    PT_TO_MM,
    SAFE_ZONE_MM,
    LabelLayout,
    fit_text,
)
from labels.qr import encode
from labels.typefaces import resolve_fonts
from tests.labels.conftest import make_label

# 67 characters: a long but real cooperative name.
LONG_COOPERATIVE = "Hợp tác xã Nông nghiệp và Dịch vụ Chăn nuôi Gia cầm Hữu cơ Bảo Hưng"
VERY_LONG_COOPERATIVE = LONG_COOPERATIVE + " xã Trường Hà huyện Hà Quảng"
VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
)
SIZES = [(p.label_width_mm, p.label_height_mm) for p in PRESETS.values()] + [
    (50, 40),
    (60, 30),
    (50, 70),
    (50, 50),
    (100, 150),
]


def assert_inside(layout: LabelLayout) -> None:
    """No ink within the safe zone; every text line's glyph box outside the QR quiet zone."""
    safe = SAFE_ZONE_MM - 1e-6
    qr_left, qr_top = layout.qr_x_mm, layout.qr_y_mm
    qr_right, qr_bottom = qr_left + layout.qr_size_mm, qr_top + layout.qr_size_mm
    assert qr_left >= 0 and qr_top >= 0
    assert qr_right <= layout.width_mm + 1e-6 and qr_bottom <= layout.height_mm + 1e-6
    symbol_x, symbol_y = layout.symbol_origin_mm
    symbol = layout.modules * layout.module_mm
    assert symbol_x >= safe and symbol_y >= safe
    assert symbol_x + symbol <= layout.width_mm - safe
    assert symbol_y + symbol <= layout.height_mm - safe
    for line in (*layout.text_lines, *layout.serial_lines):
        assert line.x_mm >= safe, line
        assert line.x_mm + line.width_mm <= layout.width_mm - safe, line
        assert line.top_mm >= safe, line
        assert line.bottom_mm <= layout.height_mm - safe, line
        overlaps_qr = (
            line.x_mm < qr_right - 1e-6
            and line.x_mm + line.width_mm > qr_left + 1e-6
            and line.top_mm < qr_bottom - 1e-6
            and line.bottom_mm > qr_top + 1e-6
        )
        assert not overlaps_qr, f"{line.text!r} overlaps the QR code or its quiet zone"
        assert line.size_pt >= MIN_FONT_PT
    for line in layout.text_lines:
        box_x, _, box_w, _ = layout.text_box_mm
        assert line.x_mm + line.width_mm <= box_x + box_w + 1e-6


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_standard_label_fits_every_size(width: float, height: float) -> None:
    label = make_label()
    layout = layout_label(label, width, height, encode(label.code).size, resolve_fonts())
    assert_inside(layout)
    assert layout.module_mm >= MIN_MODULE_MM
    texts = " ".join(line.text for line in layout.text_lines)
    assert "Hợp tác xã" in texts and "31/12/2026" in texts and "VietGAP" in texts
    assert "Liên minh" in texts and "Quét để kiểm tra" in texts
    # The serial is on one line: under the QR code, or first in the text block.
    serial_lines = [line.text for line in (*layout.serial_lines, *layout.text_lines)]
    assert label.serial in serial_lines


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_long_cooperative_name_stays_within_the_label(width: float, height: float) -> None:
    label = make_label(cooperative=LONG_COOPERATIVE)
    try:
        layout = layout_label(label, width, height, encode(label.code).size, resolve_fonts())
    except LayoutError as exc:
        # Only labels about 25-30 mm tall are too short for it at 6.5 pt.
        assert height <= 30 and "allowed" in str(exc)
        return
    assert_inside(layout)
    words = " ".join(line.text for line in layout.text_lines if line.bold).split()
    assert " ".join(LONG_COOPERATIVE.split()) in " ".join(words)  # wrapped, nothing dropped


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_very_long_name_fits_or_is_refused_never_clipped(width: float, height: float) -> None:
    label = make_label(cooperative=VERY_LONG_COOPERATIVE)
    try:
        layout = layout_label(label, width, height, encode(label.code).size, resolve_fonts())
    except LayoutError as exc:
        assert "allowed" in str(exc)
        return
    assert_inside(layout)


def test_text_is_shrunk_before_it_is_wrapped() -> None:
    fonts = resolve_fonts()
    text = "Hợp tác xã Bảo Hưng"
    natural = stringWidth(text, fonts.bold_name, MAX_FONT_PT) * PT_TO_MM
    # 10 % too narrow: the paragraph shrinks and stays on one line.
    block = fit_text(((text, True),), natural * 0.9, 20.0, fonts)
    assert len(block.lines) == 1
    assert block.lines[0].size_pt < MAX_FONT_PT
    assert block.lines[0].width_mm <= natural * 0.9
    # Half as wide: shrinking alone would go below the limit, so it wraps.
    block = fit_text(((text, True),), natural * 0.5, 20.0, fonts)
    assert len(block.lines) > 1
    assert all(line.width_mm <= natural * 0.5 for line in block.lines)
    assert " ".join(line.text for line in block.lines) == text


def test_text_wraps_at_the_minimum_size_when_shrinking_is_not_enough() -> None:
    block = fit_text(((LONG_COOPERATIVE, True),), 15.0, 30.0, resolve_fonts())
    assert len(block.lines) > 1
    assert all(line.width_mm <= 15.0 + 1e-6 for line in block.lines)


def test_text_that_cannot_fit_raises_instead_of_clipping() -> None:
    with pytest.raises(LayoutError, match="does not fit.*allowed"):
        fit_text(((LONG_COOPERATIVE * 3, True),), 15.0, 5.0, resolve_fonts())


def test_label_too_small_for_the_qr_code_raises() -> None:
    label = make_label()
    with pytest.raises(LayoutError, match=f"allowed: at least {MIN_MODULE_MM} mm modules"):
        layout_label(label, 30, 15, encode(label.code).size, resolve_fonts())


def test_decomposed_vietnamese_is_normalised() -> None:
    import unicodedata

    label = make_label(cooperative=unicodedata.normalize("NFD", "Hợp tác xã Bảo Hưng"))
    layout = layout_label(label, 70, 37, encode(label.code).size, resolve_fonts())
    assert any(line.text.startswith("Hợp tác xã") for line in layout.text_lines)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cooperative=st.lists(
        st.text(VIETNAMESE.upper() + VIETNAMESE, min_size=1, max_size=14), min_size=1, max_size=8
    ).map(" ".join),
    product=st.lists(st.text(VIETNAMESE, min_size=1, max_size=12), min_size=1, max_size=5).map(
        " ".join
    ),
    size=st.sampled_from(SIZES),
)
def test_any_vietnamese_text_fits_or_is_refused(cooperative: str, product: str, size) -> None:
    label = make_label(cooperative=cooperative, product=product)
    try:
        layout = layout_label(label, *size, encode(label.code).size, resolve_fonts())
    except LayoutError as exc:
        assert "allowed" in str(exc)
        return
    assert_inside(layout)
