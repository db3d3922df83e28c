"""QR encoders, the bundled fonts and the package's independence from the web app."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import zxingcpp

from labels import LayoutError, PrintOptions, get_preset, layout_label, render_sheet_pdf
from labels.qr import (
    ENCODERS,
    QUIET_ZONE_MODULES,
    dark_rects,
    encode,
    matrix_to_image,
    selected_encoder,
)
from labels.typefaces import DEFAULT_BOLD, DEFAULT_REGULAR, FONT_DIR, resolve_fonts
from tests.labels.conftest import code_for, decode, make_label, make_labels

ROOT = Path(__file__).resolve().parents[2]


def test_fastest_encoder_is_selected() -> None:
    assert selected_encoder() == "zxing-cpp"


@pytest.mark.parametrize("name", list(ENCODERS))
@pytest.mark.parametrize("index", [0, 1, 2])
def test_every_encoder_gives_a_decodable_ec_m_symbol(name: str, index: int) -> None:
    code = code_for(index)
    assert 160 <= len(code) <= 180
    matrix = ENCODERS[name](code)
    assert matrix.size == 53  # version 9: ~170 bytes at level M
    found = zxingcpp.read_barcodes(matrix_to_image(matrix, scale=4))
    assert [(r.text, r.ec_level) for r in found] == [(code, "M")]


def test_dark_rects_cover_exactly_the_dark_modules() -> None:
    matrix = encode(code_for(7))
    covered = set()
    for x, y, w, h in dark_rects(matrix):
        for yy in range(y, y + h):
            for xx in range(x, x + w):
                assert (xx, yy) not in covered
                covered.add((xx, yy))
    dark = {(x, y) for y, row in enumerate(matrix.rows) for x, v in enumerate(row) if v}
    assert covered == dark
    assert matrix.size_with_quiet_zone == matrix.size + 2 * QUIET_ZONE_MODULES


def test_bundled_fonts_and_license_are_vendored() -> None:
    assert DEFAULT_REGULAR.is_file() and DEFAULT_BOLD.is_file()
    license_text = (FONT_DIR / "LICENSE.txt").read_text()
    assert "Bitstream" in license_text and "DejaVu" in license_text
    fonts = resolve_fonts()
    assert fonts.missing_glyphs("Hợp tác xã Bảo Hưng Trứng gà ăn thảo dược ★ ỵ Ữ") == ""


def test_font_path_options_choose_the_faces(tmp_path) -> None:
    copy = tmp_path / "MyFont.ttf"
    copy.write_bytes(DEFAULT_REGULAR.read_bytes())
    fonts = resolve_fonts(copy)
    assert fonts.regular_path == copy.resolve() and fonts.bold_path == copy.resolve()
    assert resolve_fonts(copy, DEFAULT_BOLD).bold_path == DEFAULT_BOLD
    options = PrintOptions(font_path=copy)
    assert render_sheet_pdf(make_labels(1), get_preset("a4-21"), options).startswith(b"%PDF")


def test_labels_read_no_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("TRACEAPP_LABEL_FONT", str(tmp_path / "missing.ttf"))
    assert resolve_fonts().regular_path == DEFAULT_REGULAR


def test_missing_font_file_is_a_layout_error(tmp_path) -> None:
    with pytest.raises(LayoutError, match="nope.ttf.*not found"):
        render_sheet_pdf(
            make_labels(1), get_preset("a4-21"), PrintOptions(font_path=tmp_path / "nope.ttf")
        )


def test_not_a_font_is_a_layout_error(tmp_path) -> None:
    bogus = tmp_path / "bogus.ttf"
    bogus.write_bytes(b"not a font")
    with pytest.raises(LayoutError, match="not a usable TrueType font"):
        resolve_fonts(bogus)


def test_characters_the_font_lacks_are_refused() -> None:
    label = make_label(marks=("VietGAP", "\U0001f95a"))  # an egg emoji: not in DejaVu Sans
    with pytest.raises(LayoutError, match="no glyphs.*allowed"):
        layout_label(label, 70, 37, 53, resolve_fonts())


def test_labels_imports_no_web_stack() -> None:
    script = (
        "import sys, labels; labels.render_sheet_pdf; "
        "bad = [m for m in ('flask', 'sqlalchemy', 'traceapp') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True)


def test_decoding_helper_sees_all_codes() -> None:
    image = matrix_to_image(encode(code_for(1)), scale=5)
    assert [t for _, _, t in decode(image)] == [code_for(1)]
