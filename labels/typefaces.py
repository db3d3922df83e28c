"""The TrueType fonts labels are printed with (bundled DejaVu Sans by default).

The regular face is ``PrintOptions.font_path`` if given, else the bundled
``labels/fonts/DejaVuSans.ttf``. The bold face is ``PrintOptions.bold_font_path``
if given, the bundled DejaVu Sans Bold when the regular face is the bundled one,
else the regular face itself. The package reads no environment: the application
passes its configured fonts in.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from labels.errors import LayoutError

FONT_DIR = Path(__file__).resolve().parent / "fonts"
DEFAULT_REGULAR = FONT_DIR / "DejaVuSans.ttf"
DEFAULT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"


@dataclass(frozen=True)
class FontPair:
    """A regular and a bold face, registered with reportlab under ``*_name``."""

    regular_path: Path
    bold_path: Path
    regular_name: str
    bold_name: str

    def face(self, bold: bool) -> str:
        """The reportlab font name of the bold or regular face."""
        return self.bold_name if bold else self.regular_name

    def path(self, bold: bool) -> Path:
        """The TrueType file of the bold or regular face."""
        return self.bold_path if bold else self.regular_path

    def missing_glyphs(self, text: str) -> str:
        """Characters of ``text`` (other than whitespace) that the fonts cannot draw."""
        missing: list[str] = []
        for name in {self.regular_name, self.bold_name}:
            font = pdfmetrics.getFont(name)
            glyphs = font.face.charToGlyph
            missing.extend(ch for ch in text if not ch.isspace() and ord(ch) not in glyphs)
        return "".join(sorted(set(missing)))


@cache
def line_metrics(font_name: str) -> tuple[float, float]:
    """(ascent, descent) of a registered font as fractions of the font size, both >= 0.

    Uses the larger of the hhea and typographic metrics, so stacked Vietnamese
    diacritics on capitals (e.g. "Ợ", "Ẫ") stay inside the line box.
    """
    face = pdfmetrics.getFont(font_name).face
    ascent, descent = face.ascent / 1000, -face.descent / 1000
    try:
        units = struct.unpack(">H", face.get_table("head")[18:20])[0]
        hhea_ascent, hhea_descent = struct.unpack(">hh", face.get_table("hhea")[4:8])
    except Exception:  # noqa: BLE001 - keep reportlab's metrics for odd fonts
        return ascent, descent
    return max(ascent, hhea_ascent / units), max(descent, -hhea_descent / units)


@cache
def _register(path: Path) -> str:
    """Register the TrueType file ``path`` with reportlab and return its font name."""
    if not path.is_file():
        raise LayoutError(
            f"label font {str(path)!r} not found; give a TrueType (.ttf) file, "
            "or none to use the bundled DejaVu Sans"
        )
    name = "Label-" + hashlib.sha1(str(path).encode()).hexdigest()[:10]
    try:
        pdfmetrics.registerFont(TTFont(name, str(path)))
    except (TTFError, OSError) as exc:
        raise LayoutError(
            f"label font {str(path)!r} is not a usable TrueType font ({exc}); allowed:"
            " a .ttf file with embedding permitted"
        ) from None
    return name


def resolve_fonts(
    font_path: str | Path | None = None, bold_font_path: str | Path | None = None
) -> FontPair:
    """Find, register and return the fonts to print with (see the module docstring)."""
    regular = Path(font_path).expanduser().resolve() if font_path else DEFAULT_REGULAR
    if bold_font_path:
        bold = Path(bold_font_path).expanduser().resolve()
    elif regular == DEFAULT_REGULAR:
        bold = DEFAULT_BOLD
    else:
        bold = regular
    return FontPair(regular, bold, _register(regular), _register(bold))
