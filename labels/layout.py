"""Where things go on one label: QR box, serial under it, and the fitted text block.

All positions are in millimetres from the label's top-left corner, y downwards.
Text is measured with reportlab's ``stringWidth`` against the actual TrueType
font, shrunk down to ``MIN_FONT_PT`` and then wrapped, so it is never clipped;
if it cannot fit even then, :class:`LayoutError` is raised instead of printing
a truncated label.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from reportlab.pdfbase import pdfmetrics

from labels.data import LabelData, format_date
from labels.errors import LayoutError
from labels.qr import QUIET_ZONE_MODULES
from labels.typefaces import FontPair, line_metrics

PT_TO_MM = 25.4 / 72
#: Smallest QR module (X-dimension) we print; smaller labels raise LayoutError.
MIN_MODULE_MM = 0.30
#: Readable minimum and comfortable maximum text sizes.
MIN_FONT_PT = 6.5
MAX_FONT_PT = 9.0
MAX_SERIAL_PT = 8.0
#: No ink (QR modules or text) closer than this to the die-cut edge: die-cutting
#: and printers are off by up to a millimetre or so. The QR code's quiet zone
#: may lie in it, but always stays on the label.
SAFE_ZONE_MM = 1.5
#: Labels at least this much wider than tall put the text beside the QR code.
SIDE_BY_SIDE_RATIO = 1.3
#: Widths of the QR column (share of the label width, side by side) tried in
#: turn, until the text fits at ``MIN_FONT_PT`` beside it.
QR_SHARES = (0.5, 0.44, 0.38, 0.32)
_SIZE_STEP_PT = 0.25
#: Shrinking to keep lines whole is preferred unless wrapping allows text this
#: much larger (shrunk size < SHRINK_LIMIT x wrapped size).
SHRINK_LIMIT = 0.7

NBSP = "\u00a0"
MARK_SEPARATOR = NBSP + "· "


@dataclass(frozen=True)
class TextLine:
    """One line of text: left edge ``x_mm``, ``baseline_mm`` and measured ``width_mm``."""

    text: str
    x_mm: float
    baseline_mm: float
    size_pt: float
    bold: bool
    width_mm: float
    ascent_mm: float
    descent_mm: float

    @property
    def top_mm(self) -> float:
        """Top of the line's glyph box (ascender)."""
        return self.baseline_mm - self.ascent_mm

    @property
    def bottom_mm(self) -> float:
        """Bottom of the line's glyph box (descender)."""
        return self.baseline_mm + self.descent_mm


@dataclass(frozen=True)
class TextBlock:
    """Wrapped lines positioned relative to the block's top-left corner."""

    lines: tuple[TextLine, ...]
    size_pt: float
    height_mm: float

    def moved(self, dx_mm: float, dy_mm: float) -> tuple[TextLine, ...]:
        """The lines shifted by ``(dx_mm, dy_mm)``."""
        return tuple(
            TextLine(
                line.text,
                line.x_mm + dx_mm,
                line.baseline_mm + dy_mm,
                line.size_pt,
                line.bold,
                line.width_mm,
                line.ascent_mm,
                line.descent_mm,
            )
            for line in self.lines
        )


@dataclass(frozen=True)
class LabelLayout:
    """Geometry of one label of ``width_mm`` x ``height_mm``.

    ``qr_x_mm``/``qr_y_mm``/``qr_size_mm`` is the QR box *including* its 4-module
    quiet zone; ``module_mm`` the module size. ``serial_lines`` sit under the QR
    code, ``text_lines`` hold cooperative, product, lot, best-before and marks.
    """

    width_mm: float
    height_mm: float
    modules: int
    qr_x_mm: float
    qr_y_mm: float
    qr_size_mm: float
    module_mm: float
    serial_lines: tuple[TextLine, ...]
    text_lines: tuple[TextLine, ...]
    text_box_mm: tuple[float, float, float, float]

    @property
    def symbol_origin_mm(self) -> tuple[float, float]:
        """Top-left corner of the first module (inside the quiet zone)."""
        quiet = QUIET_ZONE_MODULES * self.module_mm
        return self.qr_x_mm + quiet, self.qr_y_mm + quiet


def normalize_text(text: str) -> str:
    """NFC-normalise and collapse whitespace (decomposed Vietnamese would misrender)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def label_paragraphs(label: LabelData) -> tuple[tuple[str, bool], ...]:
    """The text block's paragraphs as ``(text, bold)``, in printing order."""
    wording = label.wording
    paragraphs = [
        (normalize_text(label.cooperative), True),
        (normalize_text(label.product), False),
    ]
    # Lot and best-before share a paragraph: on one line where it is wide enough.
    lot = normalize_text(wording.lot_prefix) + NBSP + normalize_text(label.lot)
    if label.best_before is not None:
        best_before = normalize_text(wording.best_before_prefix) + NBSP
        lot += MARK_SEPARATOR + best_before + format_date(label.best_before)
    paragraphs.append((lot, False))
    # Keep each mark on one line where possible: no break inside a mark or before a dot.
    marks = [normalize_text(m).replace(" ", NBSP) for m in label.marks if normalize_text(m)]
    if marks:
        paragraphs.append((MARK_SEPARATOR.join(marks), False))
    paragraphs.append((normalize_text(label.issuer), False))
    paragraphs.append((normalize_text(wording.scan_prompt), True))
    return tuple((text, bold) for text, bold in paragraphs if text.strip())


def _width_pt(text: str, font: str, size: float) -> float:
    width: float = pdfmetrics.stringWidth(text, font, size)
    return width


def wrap_text(text: str, font: str, size_pt: float, width_pt: float) -> list[str]:
    """Greedy word wrap of ``text`` to ``width_pt``.

    Words joined by no-break spaces stay together where they fit on a line;
    a group too long for any line is split at its no-break spaces first, and
    only a single over-long word breaks between characters.
    """
    lines: list[str] = []
    current = ""
    words = text.split(" ")
    while words:
        word = words.pop(0)
        candidate = f"{current} {word}" if current else word
        if _width_pt(candidate, font, size_pt) <= width_pt:
            current = candidate
            continue
        if _width_pt(word, font, size_pt) > width_pt and NBSP in word.strip(NBSP):
            head, _, tail = word.strip(NBSP).partition(NBSP)
            words[:0] = [head, tail]
            continue
        if current:
            lines.append(current)
        current = ""
        while _width_pt(word, font, size_pt) > width_pt:
            cut = 1
            while cut < len(word) and _width_pt(word[: cut + 1], font, size_pt) <= width_pt:
                cut += 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines


def _metrics_mm(font: str, size_pt: float) -> tuple[float, float]:
    ascent, descent = line_metrics(font)
    return ascent * size_pt * PT_TO_MM, descent * size_pt * PT_TO_MM


def _rows_at(
    paragraphs: tuple[tuple[str, bool], ...],
    fonts: FontPair,
    size: float,
    width_pt: float,
    wrap: bool,
) -> tuple[list[tuple[str, bool]], float] | None:
    """Lines at ``size`` (``None`` if not wrapping and a paragraph is too wide) and height."""
    rows: list[tuple[str, bool]] = []
    height = 0.0
    for text, bold in paragraphs:
        font = fonts.face(bold)
        if wrap:
            lines = wrap_text(text, font, size, width_pt)
        elif _width_pt(text, font, size) <= width_pt:
            lines = [text]
        else:
            return None
        ascent, descent = _metrics_mm(font, size)
        rows.extend((line, bold) for line in lines)
        height += len(lines) * (ascent + descent)
    return rows, height


def _largest_size(
    paragraphs: tuple[tuple[str, bool], ...],
    fonts: FontPair,
    width_pt: float,
    height_mm: float,
    max_pt: float,
    min_pt: float,
    wrap: bool,
) -> tuple[float, list[tuple[str, bool]]] | None:
    size = max_pt
    while size >= min_pt - 1e-9:
        result = _rows_at(paragraphs, fonts, size, width_pt, wrap)
        if result is not None and result[1] <= height_mm + 1e-9:
            return size, result[0]
        size -= _SIZE_STEP_PT
    return None


@lru_cache(maxsize=512)
def fit_text(
    paragraphs: tuple[tuple[str, bool], ...],
    width_mm: float,
    height_mm: float,
    fonts: FontPair,
    max_pt: float = MAX_FONT_PT,
    min_pt: float = MIN_FONT_PT,
    center: bool = False,
) -> TextBlock:
    """Fit ``paragraphs`` (``(text, bold)``) into a ``width_mm`` x ``height_mm`` box.

    All lines share one size. Text that does not fit is first shrunk: the
    largest size (``max_pt`` down to ``min_pt``) at which every paragraph stays on
    one line. Only if that fails, or if word-wrapping allows a size more than
    ``1 / SHRINK_LIMIT`` times larger, are paragraphs wrapped (at the largest
    size whose wrapped lines fit). Lines are left-aligned (or centred) with
    their glyph boxes inside the box. Raises :class:`LayoutError` if the text
    does not fit even wrapped at ``min_pt`` -- it is never clipped.
    """
    width_pt = width_mm / PT_TO_MM
    shrunk = _largest_size(paragraphs, fonts, width_pt, height_mm, max_pt, min_pt, wrap=False)
    wrapped = None
    if shrunk is None or shrunk[0] < max_pt:
        wrapped = _largest_size(paragraphs, fonts, width_pt, height_mm, max_pt, min_pt, wrap=True)
    if shrunk is not None and (wrapped is None or shrunk[0] >= wrapped[0] * SHRINK_LIMIT):
        chosen = shrunk
    elif wrapped is not None:
        chosen = wrapped
    else:
        text = " / ".join(t for t, _ in paragraphs)
        raise LayoutError(
            f"label text does not fit a {width_mm:.1f} x {height_mm:.1f} mm area even at "
            f"{min_pt:g} pt (the readable minimum): {text[:80]!r}; allowed: shorter names or a"
            " larger label"
        )
    size, rows = chosen
    placed = []
    y = 0.0
    for line, bold in rows:
        font = fonts.face(bold)
        ascent, descent = _metrics_mm(font, size)
        width = _width_pt(line, font, size) * PT_TO_MM
        x = (width_mm - width) / 2 if center else 0.0
        placed.append(TextLine(line, x, y + ascent, size, bold, width, ascent, descent))
        y += ascent + descent
    return TextBlock(tuple(placed), size, y)


@lru_cache(maxsize=256)
def _check_glyphs(fonts: FontPair, paragraphs: tuple[tuple[str, bool], ...]) -> None:
    missing = fonts.missing_glyphs("".join(text for text, _ in paragraphs))
    if missing:
        raise LayoutError(
            f"font {fonts.regular_path.name} has no glyphs for {missing!r}; allowed: a"
            " TrueType font covering Vietnamese (the bundled DejaVu Sans does)"
        )


def _symbol_size(space_mm: float, modules: int, quiet_sides: int, safe_sides: int) -> float:
    """Largest symbol fitting ``space_mm`` with its quiet zone on ``quiet_sides`` sides.

    On ``safe_sides`` of them the label edge is near: there the symbol keeps
    ``max(SAFE_ZONE_MM, quiet zone)`` from it (the quiet zone may lie in the
    safe zone but never leaves the label); elsewhere the full quiet zone.
    """
    quiet_share = QUIET_ZONE_MODULES / modules
    plain_sides = quiet_sides - safe_sides
    # Either the safe zone or the quiet zone is the wider margin at the edges.
    if_safe_wider = (space_mm - safe_sides * SAFE_ZONE_MM) / (1 + plain_sides * quiet_share)
    if_quiet_wider = space_mm / (1 + quiet_sides * quiet_share)
    return min(if_safe_wider, if_quiet_wider)


@lru_cache(maxsize=64)
def _qr_geometry(
    width_mm: float,
    height_mm: float,
    modules: int,
    serial_lines: int,
    serial_pt: float,
    fonts: FontPair,
    qr_share: float = QR_SHARES[0],
    side_by_side: bool | None = None,
) -> tuple[bool, float, float, float]:
    """(side_by_side, qr_x, qr_y, qr_size) for the QR box including its quiet zone.

    The symbol keeps ``SAFE_ZONE_MM`` (or its quiet zone, if wider) from the
    label edges; the serial sits under the quiet zone, ``SAFE_ZONE_MM`` above
    the bottom edge.
    """
    ascent, descent = _metrics_mm(fonts.bold_name, serial_pt)
    serial_h = serial_lines * (ascent + descent)
    if side_by_side is None:
        side_by_side = width_mm >= SIDE_BY_SIDE_RATIO * height_mm
    # Vertically: top edge, symbol, quiet zone, serial, safe zone at the bottom.
    vertical = height_mm - serial_h - SAFE_ZONE_MM
    if side_by_side:
        symbol = min(
            _symbol_size(vertical, modules, 2, 1),
            _symbol_size(width_mm * qr_share, modules, 2, 1),
        )
    else:
        symbol = min(
            _symbol_size(width_mm, modules, 2, 2),
            _symbol_size(vertical * 0.62, modules, 2, 1),
        )
    module = symbol / modules
    if module < MIN_MODULE_MM:
        full = modules + 2 * QUIET_ZONE_MODULES
        raise LayoutError(
            f"a {width_mm:g} x {height_mm:g} mm label is too small for this {modules}-module"
            f" QR code with a {SAFE_ZONE_MM:g} mm safe zone and {MIN_FONT_PT:g} pt text: modules"
            f" would be {module:.3f} mm; allowed: at least {MIN_MODULE_MM} mm modules, i.e. a QR"
            f" box of {MIN_MODULE_MM * full:.1f} mm plus the serial (a larger label stock)"
        )
    quiet = QUIET_ZONE_MODULES * module
    inset = max(SAFE_ZONE_MM, quiet)
    if side_by_side:
        symbol_x = inset
        symbol_y = max(inset, (height_mm - symbol - quiet - serial_h) / 2)
    else:
        symbol_x = (width_mm - symbol) / 2
        symbol_y = inset
    return side_by_side, symbol_x - quiet, symbol_y - quiet, symbol + 2 * quiet


@lru_cache(maxsize=256)
def _text_frame(
    paragraphs: tuple[tuple[str, bool], ...],
    width_mm: float,
    height_mm: float,
    qr_geometry: tuple[bool, float, float, float],
    serial_bottom_mm: float,
    fonts: FontPair,
) -> tuple[tuple[TextLine, ...], tuple[float, float, float, float]]:
    """The fitted text block's lines (label coordinates) and the box they were fitted to."""
    side_by_side, qr_x, _, qr_size = qr_geometry
    if side_by_side:
        left = qr_x + qr_size
        box = (left, SAFE_ZONE_MM, width_mm - SAFE_ZONE_MM - left, height_mm - 2 * SAFE_ZONE_MM)
    else:
        top = serial_bottom_mm + 0.3
        box = (
            SAFE_ZONE_MM,
            top,
            width_mm - 2 * SAFE_ZONE_MM,
            height_mm - SAFE_ZONE_MM - top,
        )
    block = fit_text(paragraphs, box[2], box[3], fonts)
    return block.moved(box[0], box[1] + (box[3] - block.height_mm) / 2), box


def layout_label(
    label: LabelData, width_mm: float, height_mm: float, modules: int, fonts: FontPair
) -> LabelLayout:
    """Lay out ``label`` on a ``width_mm`` x ``height_mm`` label for a QR of ``modules``.

    No ink comes closer than ``SAFE_ZONE_MM`` to the edge and no text is smaller
    than ``MIN_FONT_PT``. The serial goes centred under the QR code (or, where
    that leaves the code too small, first in the text block), the other text
    beside the QR code on wide labels (the QR column narrowed step by step,
    ``QR_SHARES``, until the text fits) or under it on tall ones. Raises
    :class:`LayoutError` if no arrangement gives modules of at least
    ``MIN_MODULE_MM`` with all the text at ``MIN_FONT_PT`` or more.
    """
    if width_mm <= 0 or height_mm <= 0:
        raise LayoutError(f"label size must be > 0 mm, got {width_mm} x {height_mm}")
    serial = normalize_text(label.serial)
    paragraphs = label_paragraphs(label)
    _check_glyphs(fonts, paragraphs)
    _check_glyphs(fonts, ((serial, True),))
    key = (paragraphs, len(serial), width_mm, height_mm, modules, fonts)
    known = _ARRANGEMENT_FOUND.get(key)
    if known is not None:
        try:
            return _arrange(serial, paragraphs, width_mm, height_mm, modules, fonts, *known)
        except LayoutError:
            pass  # this serial is wider than the one the arrangement was chosen for
    # The arrangement giving the largest QR modules wins.
    best: LabelLayout | None = None
    error: LayoutError | None = None
    for arrangement in _ARRANGEMENTS:
        if arrangement[2] and width_mm < height_mm:
            continue  # text beside the code only on labels at least as wide as tall
        try:
            layout = _arrange(serial, paragraphs, width_mm, height_mm, modules, fonts, *arrangement)
        except LayoutError as exc:
            error = error or exc
            continue
        if best is None or layout.module_mm > best.module_mm + 1e-9:
            best, chosen = layout, arrangement
    if best is None:
        assert error is not None
        raise error
    if len(_ARRANGEMENT_FOUND) > 1024:
        _ARRANGEMENT_FOUND.clear()
    _ARRANGEMENT_FOUND[key] = chosen
    return best


#: (serial under the QR code, QR column share, text beside the code) in order of preference.
_ARRANGEMENTS = (
    *((under, share, True) for under in (True, False) for share in QR_SHARES),
    (True, QR_SHARES[0], False),
    (False, QR_SHARES[0], False),
)
# The arrangement that worked for a label size and text block (the same for a whole run).
_ARRANGEMENT_FOUND: dict[tuple[object, ...], tuple[bool, float, bool]] = {}


def _arrange(
    serial: str,
    paragraphs: tuple[tuple[str, bool], ...],
    width_mm: float,
    height_mm: float,
    modules: int,
    fonts: FontPair,
    serial_under_qr: bool,
    qr_share: float,
    side_by_side: bool,
) -> LabelLayout:
    bold = fonts.bold_name
    rows: list[str] = []
    serial_rows = 1 if serial and serial_under_qr else 0
    serial_pt = max(MIN_FONT_PT, min(MAX_SERIAL_PT, height_mm * 0.2))
    if not serial_under_qr and serial:
        paragraphs = ((serial, True), *paragraphs)
    # The serial must fit under the QR box, whose size depends on the serial height.
    while True:
        geometry = _qr_geometry(
            width_mm, height_mm, modules, serial_rows, serial_pt, fonts, qr_share, side_by_side
        )
        side_by_side, qr_x, qr_y, qr_size = geometry
        serial_x = max(SAFE_ZONE_MM, qr_x) if side_by_side else SAFE_ZONE_MM
        serial_width = (
            min(qr_x + qr_size, width_mm - SAFE_ZONE_MM) - serial_x
            if side_by_side
            else width_mm - 2 * SAFE_ZONE_MM
        )
        if not serial_rows:
            break
        rows = wrap_text(serial, bold, serial_pt, serial_width / PT_TO_MM)
        if len(rows) <= serial_rows:
            break
        if serial_pt <= MIN_FONT_PT:
            # A serial broken in two is easily misread: put it in the text block instead.
            raise LayoutError(
                f"the serial {serial!r} does not fit on one line under the QR code at"
                f" {MIN_FONT_PT:g} pt; allowed: a QR column at least as wide as the serial"
            )
        serial_pt = max(MIN_FONT_PT, serial_pt - _SIZE_STEP_PT)
    ascent, descent = _metrics_mm(bold, serial_pt)
    y = qr_y + qr_size
    serial_lines = []
    for row in rows:
        row_width = _width_pt(row, bold, serial_pt) * PT_TO_MM
        x = serial_x + (serial_width - row_width) / 2
        serial_lines.append(
            TextLine(row, x, y + ascent, serial_pt, True, row_width, ascent, descent)
        )
        y += ascent + descent
    text_lines, box = _text_frame(paragraphs, width_mm, height_mm, geometry, y, fonts)
    return LabelLayout(
        width_mm=width_mm,
        height_mm=height_mm,
        modules=modules,
        qr_x_mm=qr_x,
        qr_y_mm=qr_y,
        qr_size_mm=qr_size,
        module_mm=qr_size / (modules + 2 * QUIET_ZONE_MODULES),
        serial_lines=tuple(serial_lines),
        text_lines=text_lines,
        text_box_mm=box,
    )
