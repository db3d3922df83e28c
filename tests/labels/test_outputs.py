"""Single labels (PNG, SVG), thermal roll PDFs, ZPL and the calibration page."""

from __future__ import annotations

import base64
import io
import re
import xml.etree.ElementTree as ET

import pytest
from PIL import Image
from pypdf import PdfReader

from labels import (
    PRESETS,
    LayoutError,
    PrintOptions,
    render_calibration_pdf,
    render_label_png,
    render_label_svg,
    render_roll_pdf,
    render_zpl,
)
from labels.layout import layout_label
from labels.qr import QRMatrix, encode, matrix_to_image
from labels.typefaces import resolve_fonts
from tests.labels.conftest import code_for, decode, make_label, make_labels, pdf_pages, png_image

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("size", [(50, 30), (50, 40), (50, 70)])
def test_png_label_decodes(size: tuple[float, float]) -> None:
    label = make_label(3)
    data = render_label_png(label, size_mm=size, dpi=300)
    image = Image.open(io.BytesIO(data))
    assert image.info["dpi"] == pytest.approx((300, 300), abs=0.01)
    assert image.size == (round(size[0] / 25.4 * 300), round(size[1] / 25.4 * 300))
    assert [text for _, _, text in decode(png_image(data))] == [label.code]


def test_png_rejects_silly_dpi() -> None:
    with pytest.raises(LayoutError, match="dpi must be"):
        render_label_png(make_label(), dpi=10)


def svg_matrix(path_data: str, size: int) -> QRMatrix:
    """Rebuild a module matrix from the SVG path (one ``M x y h w v 1 h -w z`` per run)."""
    rows = [bytearray(size) for _ in range(size)]
    for x, y, w, h in re.findall(r"M(\d+) (\d+)h(\d+)v(\d+)h-\d+z", path_data):
        for yy in range(int(y), int(y) + int(h)):
            rows[yy][int(x) : int(x) + int(w)] = b"\x01" * int(w)
    return QRMatrix(size, tuple(bytes(r) for r in rows))


def test_svg_label_is_well_formed_with_the_exact_modules() -> None:
    label = make_label(4)
    root = ET.fromstring(render_label_svg(label, size_mm=(50, 30)))
    assert root.tag == f"{SVG}svg"
    assert root.get("width") == "50mm" and root.get("viewBox") == "0 0 50 30"
    (path,) = [p for p in root.iter(f"{SVG}path") if p.get("data-modules")]
    expected = encode(label.code)
    assert int(path.get("data-modules")) == expected.size
    rebuilt = svg_matrix(path.get("d"), expected.size)
    assert rebuilt == expected
    assert rebuilt.dark_count() == expected.dark_count()
    # Rasterising the path's modules gives a scannable code.
    found = decode(matrix_to_image(rebuilt, scale=6))
    assert [text for _, _, text in found] == [label.code]
    texts = " ".join(p.get("data-text") for p in root.iter(f"{SVG}path") if p.get("data-text"))
    assert "Hợp tác xã" in texts and label.serial in texts
    assert "Hợp tác xã" in root.find(f"{SVG}desc").text


def path_bounds(path_data: str) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of the points of absolute SVG path data
    (M, L, H, V, Q, C and Z commands, as fontTools writes them)."""
    xs, ys = [], []
    for command, arguments in re.findall(r"([MLHVQCZ])([^MLHVQCZ]*)", path_data):
        numbers = [float(n) for n in re.findall(r"-?[\d.]+", arguments)]
        if command == "H":
            xs += numbers
        elif command == "V":
            ys += numbers
        else:
            xs += numbers[0::2]
            ys += numbers[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def test_svg_text_is_outlined_where_the_layout_set_it() -> None:
    label = make_label(4)
    root = ET.fromstring(render_label_svg(label, size_mm=(50, 30)))
    assert list(root.iter(f"{SVG}text")) == []  # nothing left for a viewer's fonts
    layout = layout_label(label, 50, 30, encode(label.code).size, resolve_fonts(None))
    outlines = {
        p.get("data-text"): p.get("d") for p in root.iter(f"{SVG}path") if p.get("data-text")
    }
    for line in (*layout.serial_lines, *layout.text_lines):
        left, top, right, bottom = path_bounds(outlines[line.text])
        # Inked glyphs sit inside the advance widths reportlab measured the line with.
        assert line.x_mm - 0.2 <= left < right <= line.x_mm + line.width_mm + 0.2, line.text
        assert line.baseline_mm - line.ascent_mm - 0.5 <= top, line.text
        assert bottom <= line.baseline_mm + line.descent_mm + 0.5, line.text


@pytest.mark.browser
def test_svg_label_renders_scannable_in_a_real_browser(chromium) -> None:
    label = make_label(4)
    page = chromium.new_page(viewport={"width": 1000, "height": 600})
    page.set_content(
        '<body style="margin:0;background:#fff">'
        '<img id="label" style="width:1000px;height:600px"></body>'
    )
    page.eval_on_selector(
        "#label",
        "(img, svg) => img.src = 'data:image/svg+xml;base64,' + svg",
        base64.b64encode(render_label_svg(label, size_mm=(50, 30))).decode(),
    )
    page.wait_for_function("document.getElementById('label').complete")
    shot = Image.open(io.BytesIO(page.screenshot())).convert("L")
    page.close()
    assert [text for _, _, text in decode(shot)] == [label.code]
    # The text column, right of the code, is inked.
    text_column = shot.crop((620, 20, 990, 580))
    assert sum(text_column.histogram()[:128]) > 0.05 * 370 * 560


def test_roll_pdf_one_page_per_label_of_the_label_size() -> None:
    pdf = render_roll_pdf(make_labels(4), 50, 30, PrintOptions(cut_outlines=True))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 4
    for page in reader.pages:
        box = page.mediabox
        assert float(box.width) == pytest.approx(50 / 25.4 * 72)
        assert float(box.height) == pytest.approx(30 / 25.4 * 72)
    decoded = [[text for _, _, text in decode(image)] for image in pdf_pages(pdf)]
    assert decoded == [[code_for(i)] for i in range(4)]


def test_roll_pdf_rejects_start_position_and_bad_sizes() -> None:
    with pytest.raises(LayoutError, match="allowed: 1"):
        render_roll_pdf(make_labels(1), 50, 30, PrintOptions(start_position=2))
    with pytest.raises(LayoutError, match=r"width_mm must be a number of mm in \(0, 120\]"):
        render_roll_pdf(make_labels(1), -50, 30)


def test_zpl_one_format_per_label_with_the_data() -> None:
    labels = list(make_labels(3))
    zpl = render_zpl(labels, 50, 40, dpi=203).decode("ascii")
    formats = re.findall(r"\^XA.*?\^XZ", zpl, flags=re.S)
    assert len(formats) == 3 == zpl.count("^XA") == zpl.count("^XZ")
    for label, fmt in zip(labels, formats, strict=True):
        assert f"^FDMA,{label.code}^FS" in fmt
        assert "^BQN,2," in fmt and "^CI28" in fmt
        assert "^PW400" in fmt and "^LL320" in fmt  # 50 x 40 mm at 8 dots/mm
        (gf,) = re.findall(r"\^GFA,(\d+),(\d+),(\d+),([0-9A-F]+)\^FS", fmt)
        assert int(gf[0]) * 2 == len(gf[3]) and int(gf[0]) % int(gf[2]) == 0
        assert "^XGR:TXT0.GRF,1,1^FS" in fmt
    # The shared text block is downloaded once, before the first label.
    assert zpl.count("~DGR:TXT0.GRF,") == 1 and zpl.index("~DG") < zpl.index("^XA")
    magnification = int(re.search(r"\^BQN,2,(\d+)", zpl).group(1))
    assert magnification / 8 >= 0.30  # whole-dot modules of at least MIN_MODULE_MM


def test_zpl_escapes_control_characters_in_the_data() -> None:
    zpl = render_zpl([make_label(code="https://x.vn/01/1?a=^b~c")], 50, 40).decode()
    assert "^FDMA,https://x.vn/01/1?a=\\5Eb\\7Ec^FS" in zpl


def test_zpl_rejects_unknown_dpi() -> None:
    with pytest.raises(LayoutError, match="allowed: 152, 203, 300, 600"):
        render_zpl(make_labels(1), 50, 30, dpi=250)


def test_calibration_page() -> None:
    layout = PRESETS["a4-24"]
    pdf = render_calibration_pdf(layout, PrintOptions(start_position=3, offset_x_mm=1))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "10 mm" in text and "a4-24" in text and "+1 mm" in text
    numbers = set(re.findall(r"\b\d+\b", text))
    assert {str(n) for n in range(1, 25)} <= numbers


def test_calibration_rejects_start_beyond_sheet() -> None:
    with pytest.raises(LayoutError, match=r"allowed: 1\.\.10"):
        render_calibration_pdf(PRESETS["letter-10"], PrintOptions(start_position=11))


def test_optional_fields_may_be_empty_in_every_output() -> None:
    label = make_label(5, best_before=None, marks=())
    pdf = render_roll_pdf([label], 50, 30)
    assert [t for _, _, t in decode(pdf_pages(pdf)[0])] == [label.code]
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "HSD:" not in text and "Lô: BH-2026-11" in text
    assert decode(png_image(render_label_png(label)))[0][2] == label.code
    ET.fromstring(render_label_svg(label))
    assert render_zpl([label], 50, 40).count(b"^XA") == 1
