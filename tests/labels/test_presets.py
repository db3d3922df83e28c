"""Sheet presets, grid validation and custom grid files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labels import PRESETS, LayoutError, SheetLayout, get_preset, load_layout

EXPECTED = {
    # name: (page w, page h, columns, rows, label w, label h)
    "a4-24": (210, 297, 3, 8, 70, 37),
    "a4-21": (210, 297, 3, 7, 63.5, 38.1),
    "letter-30": (215.9, 279.4, 3, 10, 66.675, 25.4),
    "letter-20": (215.9, 279.4, 2, 10, 101.6, 25.4),
    "letter-10": (215.9, 279.4, 2, 5, 101.6, 50.8),
}


@pytest.mark.parametrize("name", EXPECTED)
def test_preset_dimensions_are_real_stock(name: str) -> None:
    layout = PRESETS[name]
    page_w, page_h, cols, rows, w, h = EXPECTED[name]
    assert (layout.page_width_mm, layout.page_height_mm) == (page_w, page_h)
    assert (layout.columns, layout.rows) == (cols, rows)
    assert (layout.label_width_mm, layout.label_height_mm) == pytest.approx((w, h))
    # The grid is centred on the sheet as on the manufacturers' templates.
    right = page_w - layout.margin_left_mm - cols * w - (cols - 1) * layout.gap_x_mm
    bottom = page_h - layout.margin_top_mm - rows * h - (rows - 1) * layout.gap_y_mm
    assert right == pytest.approx(layout.margin_left_mm, abs=0.05)
    assert bottom == pytest.approx(layout.margin_top_mm, abs=0.05)


def test_get_preset_accepts_aliases_and_case() -> None:
    assert get_preset("A4-21") is PRESETS["a4-21"]
    assert get_preset("L7160") is PRESETS["a4-21"]
    assert get_preset("avery-5160") is PRESETS["letter-30"]
    assert get_preset("Avery-5163") is PRESETS["letter-10"]


def test_the_presets_product_numbers_find_the_preset() -> None:
    assert get_preset("Avery L7160") is PRESETS["a4-21"]
    assert get_preset("avery  j8160") is PRESETS["a4-21"]


def test_glabels_stocks_are_found_by_name() -> None:
    layout = get_preset("Herma 4677")
    assert (layout.columns, layout.rows) == (3, 7)
    assert layout.label_width_mm == pytest.approx(63.5, abs=0.1)
    assert layout.name == "Herma 4677"


def test_glabels_roll_stock_is_not_a_sheet() -> None:
    with pytest.raises(LayoutError, match="is a roll"):
        get_preset("Dymo 11352")


def test_stock_search_puts_the_recommended_presets_first() -> None:
    from labels.stocks import find_stocks

    found = find_stocks("7160")
    assert found[0].name == "a4-21" and found[0].recommended
    assert any(s.name == "Avery L7160" and not s.recommended for s in found)
    assert find_stocks("no such stock anywhere") == []


def test_every_glabels_sheet_stock_loads_as_a_valid_grid() -> None:
    from labels.stocks import glabels_stocks

    stocks = glabels_stocks()
    sheets = [s for s in stocks if s.layout is not None]
    assert len(sheets) > 1000 and len(stocks) - len(sheets) >= 20  # A4/Letter sheets and rolls
    assert {round(s.layout.page_width_mm, 1) for s in sheets} == {210.0, 215.9}


def test_unknown_preset_lists_allowed_names() -> None:
    with pytest.raises(LayoutError) as excinfo:
        get_preset("a4-99")
    message = str(excinfo.value)
    assert "a4-99" in message
    for name in PRESETS:
        assert name in message


def test_labels_that_do_not_fit_the_page_width() -> None:
    with pytest.raises(LayoutError, match="page width") as excinfo:
        SheetLayout(210, 297, 5, 5, 70, 37, 2, 0, 3, 7)
    assert "allowed" in str(excinfo.value)
    assert "page_width_mm" in str(excinfo.value)


def test_labels_that_do_not_fit_the_page_height() -> None:
    with pytest.raises(LayoutError, match="page height"):
        SheetLayout(210, 297, 0, 10, 52.5, 29.7, 0, 0, 4, 10)


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"columns": 0}, "columns must be a whole number >= 1"),
        ({"rows": 2.5}, "rows must be a whole number >= 1"),
        ({"label_width_mm": -3}, "label_width_mm must be > 0"),
        ({"gap_x_mm": -1}, "gap_x_mm must be >= 0"),
        ({"margin_top_mm": float("nan")}, "finite"),
        ({"page_width_mm": "210"}, "must be a number"),
    ],
)
def test_invalid_grid_values(changes: dict, fragment: str) -> None:
    values = dict(
        page_width_mm=210,
        page_height_mm=297,
        margin_left_mm=0,
        margin_top_mm=0,
        label_width_mm=70,
        label_height_mm=37,
        gap_x_mm=0,
        gap_y_mm=0,
        columns=3,
        rows=8,
    )
    values.update(changes)
    with pytest.raises(LayoutError, match=fragment):
        SheetLayout(**values)


def test_load_layout_toml(tmp_path: Path) -> None:
    path = tmp_path / "herma-4677.toml"
    path.write_text(
        'page = "A4"\nlabel_width_mm = 48.3\nlabel_height_mm = 25.4\ncolumns = 4\nrows = 10\n'
        "margin_left_mm = 8.4\nmargin_top_mm = 21.5\ngap_x_mm = 0\n"
    )
    layout = load_layout(path)
    assert layout.name == "herma-4677"
    assert layout.labels_per_sheet == 40
    assert layout.page_width_mm == 210
    assert layout.label_origin_mm(5) == pytest.approx((8.4 + 48.3, 21.5 + 25.4))


def test_load_layout_json(tmp_path: Path) -> None:
    path = tmp_path / "grid.json"
    data = dict(PRESETS["a4-21"].__dict__, name="my stock")
    path.write_text(json.dumps(data))
    layout = load_layout(path)
    assert layout.name == "my stock"
    assert layout == SheetLayout(**data)


def test_custom_grid_unknown_key_lists_allowed_keys(tmp_path: Path) -> None:
    path = tmp_path / "grid.toml"
    path.write_text('page = "A4"\nlabel_w = 40\n')
    with pytest.raises(LayoutError) as excinfo:
        load_layout(path)
    message = str(excinfo.value)
    assert "label_w" in message
    assert "allowed keys" in message
    assert "label_width_mm" in message and "gap_y_mm" in message


def test_custom_grid_missing_keys(tmp_path: Path) -> None:
    path = tmp_path / "grid.json"
    path.write_text('{"page": "letter", "columns": 2}')
    with pytest.raises(LayoutError, match="missing key.*label_width_mm"):
        load_layout(path)


def test_custom_grid_unknown_page(tmp_path: Path) -> None:
    path = tmp_path / "grid.toml"
    path.write_text('page = "A5"\n')
    with pytest.raises(LayoutError, match="allowed pages: a4, letter"):
        load_layout(path)


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("grid.toml", "columns = [", "not valid TOML"),
        ("grid.json", "{columns: 3", "not valid JSON"),
        ("grid.yaml", "columns: 3", "allowed: .json, .toml"),
        ("grid.json", "[1, 2]", "expected a table"),
    ],
)
def test_bad_custom_grid_files(tmp_path: Path, name: str, content: str, fragment: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(LayoutError, match=fragment):
        load_layout(path)


def test_custom_grid_that_does_not_fit(tmp_path: Path) -> None:
    path = tmp_path / "grid.toml"
    path.write_text(
        'page = "letter"\nlabel_width_mm = 70\nlabel_height_mm = 30\ncolumns = 3\nrows = 10\n'
    )
    with pytest.raises(LayoutError, match="page height.*allowed"):
        load_layout(path)


def test_missing_grid_file(tmp_path: Path) -> None:
    with pytest.raises(LayoutError, match="cannot read"):
        load_layout(tmp_path / "nope.toml")
