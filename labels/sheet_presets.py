"""Named grids for common label stock (A4 and US Letter), with real dimensions."""

from __future__ import annotations

from labels.grid import SheetLayout

_A4 = (210.0, 297.0)
_LETTER = (215.9, 279.4)

#: The stock labels go on unless the user picks another: its labels sit inside
#: the 4.2 mm an office printer cannot reach, so every code prints whole.
DEFAULT_PRESET = "a4-21"

#: Label stock presets by name (the recommended stock), each roomy enough for
#: a 53-module code of 0.30 mm modules and the label text at 6.5 pt with a
#: 1.5 mm safe zone. Dimensions follow the manufacturers' templates. Smaller
#: stock such as Avery L7651 (38.1 x 21.2 mm) cannot hold both.
PRESETS: dict[str, SheetLayout] = {
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
    "3474": "a4-24",
    "l7160": "a4-21",
    "avery-5160": "letter-30",
    "avery-5161": "letter-20",
    "avery-5163": "letter-10",
}


#: Product numbers of each preset's stock, as printed on the box.
PRODUCT_NUMBERS: dict[str, tuple[str, ...]] = {
    "a4-21": ("Avery L7160", "Avery J8160"),
    "a4-24": ("Avery 3474", "Zweckform 3474"),
    "letter-30": ("Avery 5160", "Avery 8160", "Avery 5260"),
    "letter-20": ("Avery 5161", "Avery 8161"),
    "letter-10": ("Avery 5163", "Avery 8163", "Avery 5263"),
}


def preset_names() -> tuple[str, ...]:
    """The recommended stocks' names: presets, then aliases (:func:`labels.stocks.get_preset`
    also takes any gLabels sheet stock)."""
    return (*PRESETS, *ALIASES)
