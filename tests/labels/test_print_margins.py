"""Labels that print right the first time: every code on every preset decodes at 300 dpi,
at 200 dpi with a 1 mm printer shift, and (stocks with margins) under a 4.2 mm
unprintable border; every PDF asks viewers not to scale it."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from benchmarks.print_margins import (
    PRINTER_MARGIN_MM,
    SHIFT_MM,
    decoded_count,
    printed,
    sheet_labels,
)
from labels import (
    DEFAULT_PRESET,
    PRESETS,
    PrintOptions,
    render_calibration_pdf,
    render_roll_pdf,
    render_sheet_pdf,
)
from tests.labels.conftest import make_labels

#: Stock whose labels start at the page edge: a printer's border cuts into them.
EDGE_TO_EDGE = {"a4-24"}


def _sheet(name: str):
    layout = PRESETS[name]
    labels = sheet_labels(layout.labels_per_sheet)
    return layout, render_sheet_pdf(labels, layout), {label.code for label in labels}


@pytest.mark.parametrize("name", list(PRESETS))
@pytest.mark.parametrize("shift", [SHIFT_MM, -SHIFT_MM], ids=["right-down", "left-up"])
def test_every_code_decodes_at_200_dpi_with_a_1_mm_shift(name: str, shift: float) -> None:
    layout, pdf, codes = _sheet(name)
    image = printed(pdf, layout, 200, (shift, shift))
    assert decoded_count(image, codes) == layout.labels_per_sheet


@pytest.mark.parametrize("name", sorted(set(PRESETS) - EDGE_TO_EDGE))
def test_stock_with_margins_keeps_every_code_inside_a_4_2_mm_printer_border(name: str) -> None:
    layout, pdf, codes = _sheet(name)
    for shift in (SHIFT_MM, -SHIFT_MM):
        image = printed(pdf, layout, 300, (shift, shift), PRINTER_MARGIN_MM)
        assert decoded_count(image, codes) == layout.labels_per_sheet


def test_the_default_stock_is_one_that_survives_an_office_printer() -> None:
    assert DEFAULT_PRESET not in EDGE_TO_EDGE
    layout = PRESETS[DEFAULT_PRESET]
    assert layout.margin_left_mm >= PRINTER_MARGIN_MM
    assert layout.margin_top_mm >= PRINTER_MARGIN_MM


@pytest.mark.parametrize("name", sorted(EDGE_TO_EDGE))
def test_edge_to_edge_stock_loses_codes_under_a_printer_border(name: str) -> None:
    # The measurement can fail: it does for stock that leaves no room at the edge.
    layout, pdf, codes = _sheet(name)
    image = printed(pdf, layout, 300, (SHIFT_MM, SHIFT_MM), PRINTER_MARGIN_MM)
    assert decoded_count(image, codes) < layout.labels_per_sheet


def _print_scaling(pdf: bytes) -> str:
    return PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/ViewerPreferences"]["/PrintScaling"]


def test_every_pdf_asks_viewers_not_to_scale() -> None:
    layout = PRESETS[DEFAULT_PRESET]
    assert _print_scaling(render_sheet_pdf(make_labels(2), layout)) == "/None"
    assert _print_scaling(render_roll_pdf(make_labels(2), 50, 40)) == "/None"
    assert _print_scaling(render_calibration_pdf(layout, PrintOptions())) == "/None"
