"""Print options validation: every error names the allowed values."""

from __future__ import annotations

import pytest

from labels import PRESETS, LayoutError, PrintOptions, render_sheet_pdf
from tests.labels.conftest import make_labels


@pytest.mark.parametrize("start", [0, -3, 1.5, True, "2"])
def test_bad_start_position(start: object) -> None:
    with pytest.raises(LayoutError, match="start_position must be a whole number >= 1"):
        PrintOptions(start_position=start)  # type: ignore[arg-type]


def test_start_position_beyond_the_sheet_lists_allowed_range() -> None:
    with pytest.raises(LayoutError, match=r"allowed: 1\.\.21"):
        render_sheet_pdf(make_labels(1), PRESETS["a4-21"], PrintOptions(start_position=22))


@pytest.mark.parametrize("key", ["offset_x_mm", "offset_y_mm"])
@pytest.mark.parametrize("value", [10.5, -11, float("inf"), float("nan"), "1"])
def test_offsets_are_bounded(key: str, value: object) -> None:
    with pytest.raises(LayoutError, match=f"{key} must be a number of mm between -10 and 10"):
        PrintOptions(**{key: value})  # type: ignore[arg-type]


def test_negative_offsets_within_bounds_are_allowed() -> None:
    options = PrintOptions(offset_x_mm=-2.5, offset_y_mm=-10)
    assert options.offset_y_mm == -10


def test_unknown_option_keys_list_allowed_keys() -> None:
    with pytest.raises(LayoutError) as excinfo:
        PrintOptions.from_mapping({"start": 3, "offset_x_mm": 1})
    message = str(excinfo.value)
    assert "start" in message
    for key in ("start_position", "offset_x_mm", "offset_y_mm", "cut_outlines", "font_path"):
        assert key in message


def test_from_mapping_builds_options() -> None:
    options = PrintOptions.from_mapping({"start_position": 4, "cut_outlines": True})
    assert options == PrintOptions(start_position=4, cut_outlines=True)


def test_cut_outlines_must_be_boolean() -> None:
    with pytest.raises(LayoutError, match="cut_outlines must be true or false"):
        PrintOptions(cut_outlines="yes")  # type: ignore[arg-type]


def test_layout_error_is_a_value_error() -> None:
    assert issubclass(LayoutError, ValueError)
