"""Named grids for common label stock (A4 and US Letter), with real dimensions."""

from __future__ import annotations

from labels.errors import LayoutError
from labels.grid import SheetLayout

_A4 = (210.0, 297.0)
_LETTER = (215.9, 279.4)

#: Label stock presets by name. Dimensions follow the manufacturers' templates.
PRESETS: dict[str, SheetLayout] = {
    # Avery L7651 / J8651 and compatibles: 5 x 13, 38.1 x 21.2 mm.
    "a4-65": SheetLayout(*_A4, 4.75, 10.7, 38.1, 21.2, 2.5, 0.0, 5, 13, name="a4-65"),
    # Avery 3651 / Herma 4610 and compatibles: 4 x 10, 52.5 x 29.7 mm, edge to edge.
    "a4-40": SheetLayout(*_A4, 0.0, 0.0, 52.5, 29.7, 0.0, 0.0, 4, 10, name="a4-40"),
    # Avery 3474 / Herma 4453 and compatibles: 3 x 8, 70 x 37 mm.
    "a4-24": SheetLayout(*_A4, 0.0, 0.5, 70.0, 37.0, 0.0, 0.0, 3, 8, name="a4-24"),
    # Avery L7160 / J8160 and compatibles: 3 x 7, 63.5 x 38.1 mm.
    "a4-21": SheetLayout(*_A4, 7.25, 15.15, 63.5, 38.1, 2.5, 0.0, 3, 7, name="a4-21"),
    # Avery 5160 / 8160 (address labels): 3 x 10, 2 5/8 x 1 in.
    "letter-30": SheetLayout(
        *_LETTER, 4.7625, 12.7, 66.675, 25.4, 3.175, 0.0, 3, 10, name="letter-30"
    ),
    # Avery 5161 / 8161: 2 x 10, 4 x 1 in.
    "letter-20": SheetLayout(
        *_LETTER, 3.96875, 12.7, 101.6, 25.4, 4.7625, 0.0, 2, 10, name="letter-20"
    ),
    # Avery 5163 / 8163 (shipping labels): 2 x 5, 4 x 2 in.
    "letter-10": SheetLayout(
        *_LETTER, 3.96875, 12.7, 101.6, 50.8, 4.7625, 0.0, 2, 5, name="letter-10"
    ),
}

#: Other names the same stock is known by (looked up case-insensitively).
ALIASES: dict[str, str] = {
    "l7651": "a4-65",
    "3651": "a4-40",
    "3474": "a4-24",
    "l7160": "a4-21",
    "avery-5160": "letter-30",
    "avery-5161": "letter-20",
    "avery-5163": "letter-10",
}


def preset_names() -> tuple[str, ...]:
    """All names :func:`get_preset` accepts: preset names, then aliases."""
    return (*PRESETS, *ALIASES)


def get_preset(name: str) -> SheetLayout:
    """Return the preset layout called ``name`` (case-insensitive, aliases allowed).

    Raises :class:`LayoutError` listing the allowed names if there is none.
    """
    key = str(name).strip().lower()
    key = ALIASES.get(key, key)
    try:
        return PRESETS[key]
    except KeyError:
        raise LayoutError(
            f"unknown sheet preset {name!r}; allowed: {', '.join(preset_names())}"
        ) from None
