"""Sheet PDFs: every QR code decodes, in reading order, at 300 dpi; fonts and text."""

from __future__ import annotations

import io
import math

import pytest
from pypdf import PdfReader

from labels import (
    MIN_MODULE_MM,
    PRESETS,
    LayoutError,
    PrintOptions,
    SheetLayout,
    get_preset,
    layout_label,
    page_count,
    render_sheet_pdf,
)
from labels.qr import encode
from labels.typefaces import resolve_fonts
from tests.labels.conftest import code_for, decode_sheet, make_label, make_labels


def expected_pages(count: int, layout: SheetLayout, start: int) -> list[list[tuple[int, str]]]:
    pages: list[list[tuple[int, str]]] = []
    for i in range(count):
        slot = start - 1 + i
        page, position = divmod(slot, layout.labels_per_sheet)
        while len(pages) <= page:
            pages.append([])
        pages[page].append((position, code_for(i)))
    return pages


@pytest.mark.parametrize("name", list(PRESETS))
def test_full_sheet_of_every_preset_decodes_in_reading_order(name: str) -> None:
    layout = PRESETS[name]
    count = layout.labels_per_sheet
    pdf = render_sheet_pdf(make_labels(count), layout)
    assert decode_sheet(pdf, layout) == expected_pages(count, layout, 1)


def test_start_offset_and_second_page_decode() -> None:
    layout = PRESETS["letter-30"]
    options = PrintOptions(start_position=25)
    pdf = render_sheet_pdf(make_labels(10), layout, options)
    pages = decode_sheet(pdf, layout)
    assert pages == expected_pages(10, layout, 25)
    assert [p for p, _ in pages[0]] == [24, 25, 26, 27, 28, 29]
    assert [p for p, _ in pages[1]] == [0, 1, 2, 3]


def test_calibration_offsets_move_the_labels() -> None:
    layout = PRESETS["a4-21"]
    options = PrintOptions(start_position=2, offset_x_mm=-1.5, offset_y_mm=2.0, cut_outlines=True)
    pdf = render_sheet_pdf(make_labels(5), layout, options)
    assert decode_sheet(pdf, layout, options) == expected_pages(5, layout, 2)


def smallest_module_layout() -> SheetLayout:
    """Tall 90 mm labels, just wide enough for MIN_MODULE_MM modules (text goes below)."""
    label = make_label()
    modules = encode(label.code).size
    width = 30.0
    while True:  # narrow the label until the next step would go below the minimum
        try:
            layout_label(label, round(width - 0.05, 2), 90, modules, resolve_fonts())
        except LayoutError:
            break
        width = round(width - 0.05, 2)
    return SheetLayout(210, 297, 5, 10, width, 90, 2, 0, 8, 3, name="smallest")


def test_smallest_supported_module_size_decodes() -> None:
    layout = smallest_module_layout()
    label = make_label()
    module = layout_label(
        label,
        layout.label_width_mm,
        layout.label_height_mm,
        encode(label.code).size,
        resolve_fonts(),
    ).module_mm
    assert MIN_MODULE_MM - 1e-9 <= module < MIN_MODULE_MM + 0.005
    pdf = render_sheet_pdf(make_labels(layout.labels_per_sheet), layout)
    assert decode_sheet(pdf, layout) == expected_pages(layout.labels_per_sheet, layout, 1)


def test_avery_l7651_stock_is_refused_as_too_small_for_the_label() -> None:
    # 38.1 x 21.2 mm cannot hold the code at 0.30 mm modules and 6.5 pt text in a 1.5 mm
    # safe zone: the renderer says so instead of printing unreadable labels.
    with pytest.raises(LayoutError, match="too small.*allowed"):
        render_sheet_pdf(make_labels(1), get_preset("Avery L7651"))


@pytest.mark.parametrize(
    ("count", "start"), [(1, 1), (30, 1), (31, 1), (10, 25), (60, 1), (1, 30), (61, 30)]
)
def test_page_count_formula(count: int, start: int) -> None:
    layout = PRESETS["letter-30"]
    pdf = render_sheet_pdf(make_labels(count), layout, PrintOptions(start_position=start))
    expected = math.ceil((count + start - 1) / layout.labels_per_sheet)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == expected == page_count(count, layout, start)


def test_pdf_is_valid_with_embedded_truetype_fonts_and_vietnamese_text() -> None:
    pdf = render_sheet_pdf(make_labels(3), PRESETS["a4-24"])
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf), strict=True)
    fonts = []
    for page in reader.pages:
        resources = page["/Resources"]
        xobjects = resources.get("/XObject", {})
        candidates = [resources.get("/Font", {})] + [
            x.get_object()["/Resources"].get("/Font", {}) for x in xobjects.values()
        ]
        for font_dict in candidates:
            for font in font_dict.values():
                fonts.append(font.get_object())
    assert fonts
    for font in fonts:
        descriptor = font["/FontDescriptor"]
        assert "/FontFile2" in descriptor, font
    text = " ".join(reader.pages[0].extract_text().split())  # lines may wrap
    assert "Hợp tác xã" in text
    assert "Trứng gà ăn thảo dược" in text
    assert "31/12/2026" in text
    assert make_label(0).serial in text


def test_no_labels_is_an_error() -> None:
    with pytest.raises(ValueError, match="no labels"):
        render_sheet_pdf([], PRESETS["a4-21"])


def test_labels_are_consumed_lazily_one_at_a_time() -> None:
    seen: list[int] = []

    def generate():
        for i in range(70):
            seen.append(i)
            yield make_label(i)

    labels = generate()
    render_sheet_pdf(labels, PRESETS["a4-21"])
    assert seen == list(range(70))


def test_label_too_small_for_a_code_is_refused() -> None:
    layout = SheetLayout(210, 297, 0, 0, 30, 14, 0, 0, 7, 21, name="tiny")
    with pytest.raises(LayoutError, match="too small"):
        render_sheet_pdf(make_labels(1), layout)


def test_cut_outlines_add_drawing_operations() -> None:
    layout = PRESETS["a4-21"]
    plain = render_sheet_pdf(make_labels(2), layout)
    outlined = render_sheet_pdf(make_labels(2), layout, PrintOptions(cut_outlines=True))
    assert plain != outlined


def test_page_content_is_flate_compressed_once() -> None:
    reader = PdfReader(io.BytesIO(render_sheet_pdf(make_labels(70), PRESETS["a4-21"])))
    for page in reader.pages:
        contents = page["/Contents"].get_object()
        assert list(contents["/Filter"]) == ["/FlateDecode"]
        assert b" re " in contents.get_data()  # decodes to the QR rectangles
