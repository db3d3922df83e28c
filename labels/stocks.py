"""Every label stock TraceApp knows: its own presets (recommended) and gLabels' database.

The presets (labels/sheet_presets.py) are laid out and tested for TraceApp's
labels; the 1,100-odd gLabels stocks (labels/stock_data/glabels.json, MIT,
Copyright (c) 2001-2009 Jim Evins) let a cooperative print on whatever stock
it bought. A stock is found by its name ("Avery L7160"), case-insensitively.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from labels.errors import LayoutError
from labels.grid import SheetLayout
from labels.sheet_presets import ALIASES, DEFAULT_PRESET, PRESETS, PRODUCT_NUMBERS

GLABELS_FILE = Path(__file__).resolve().parent / "stock_data" / "glabels.json"


@dataclass(frozen=True)
class Stock:
    """One label stock: a sheet grid (``layout``) or a roll label (``roll_size_mm``)."""

    name: str
    description: str
    recommended: bool
    product_numbers: tuple[str, ...] = ()
    layout: SheetLayout | None = None
    roll_size_mm: tuple[float, float] | None = None

    @property
    def label_size_mm(self) -> tuple[float, float]:
        """(width, height) of one label."""
        if self.layout is not None:
            return self.layout.label_width_mm, self.layout.label_height_mm
        assert self.roll_size_mm is not None
        return self.roll_size_mm

    @property
    def summary(self) -> str:
        """'63.5 x 38.1 mm, 3 x 7 = 21 on A4' (or '... mm, roll')."""
        width, height = self.label_size_mm
        size = f"{width:g} x {height:g} mm"
        if self.layout is None:
            return f"{size}, roll"
        page = _page_name(self.layout)
        grid = f"{self.layout.columns} x {self.layout.rows} = {self.layout.labels_per_sheet}"
        return f"{size}, {grid} on {page}"


def _page_name(layout: SheetLayout) -> str:
    size = (round(layout.page_width_mm, 1), round(layout.page_height_mm, 1))
    return {(210.0, 297.0): "A4", (215.9, 279.4): "US Letter"}.get(size, "custom page")


def _key(name: str) -> str:
    return " ".join(str(name).lower().split())


@cache
def recommended_stocks() -> tuple[Stock, ...]:
    """TraceApp's own presets, the default first."""
    names = [DEFAULT_PRESET, *(n for n in PRESETS if n != DEFAULT_PRESET)]
    return tuple(
        Stock(
            name=name,
            description="TraceApp preset",
            recommended=True,
            product_numbers=PRODUCT_NUMBERS.get(name, ()),
            layout=PRESETS[name],
        )
        for name in names
    )


@cache
def glabels_stocks() -> tuple[Stock, ...]:
    """The stocks of gLabels' template database (sheets on A4/US Letter, and rolls)."""
    document = json.loads(GLABELS_FILE.read_text(encoding="utf-8"))
    stocks = []
    for row in document["stocks"]:
        layout = None
        roll = None
        if row["kind"] == "sheet":
            try:
                layout = SheetLayout(
                    row["page_width_mm"],
                    row["page_height_mm"],
                    row["margin_left_mm"],
                    row["margin_top_mm"],
                    row["label_width_mm"],
                    row["label_height_mm"],
                    row["gap_x_mm"],
                    row["gap_y_mm"],
                    row["columns"],
                    row["rows"],
                    name=row["name"],
                )
            except LayoutError:
                continue  # a template whose grid overruns its page
        else:
            roll = (row["label_width_mm"], row["label_height_mm"])
        stocks.append(
            Stock(
                name=row["name"],
                description=row["description"],
                recommended=False,
                layout=layout,
                roll_size_mm=roll,
            )
        )
    return tuple(stocks)


@cache
def _index() -> dict[str, Stock]:
    index = {_key(stock.name): stock for stock in glabels_stocks()}
    # A preset's product numbers find the preset, laid out and tested for TraceApp.
    for stock in recommended_stocks():
        index[_key(stock.name)] = stock
        for number in stock.product_numbers:
            index[_key(number)] = stock
    for alias, name in ALIASES.items():
        index.setdefault(_key(alias), index[_key(name)])
    return index


def get_stock(name: str) -> Stock:
    """The stock called ``name`` (a preset, an alias or a gLabels name such as 'Avery L7160').

    Raises :class:`LayoutError` naming the presets (and how to search) if there is none.
    """
    stock = _index().get(_key(name))
    if stock is None:
        raise LayoutError(
            f"unknown label stock {name!r}; allowed: {', '.join(PRESETS)}, their aliases, or a"
            " gLabels stock name such as 'Avery L7160' (`traceapp labels presets --search`)"
        )
    return stock


def find_stocks(query: str, limit: int = 40) -> list[Stock]:
    """Stocks whose name, description, product numbers or size match every word of ``query``.

    Recommended presets come first; at most ``limit`` stocks.
    """
    words = _key(query).split()
    found = []
    for stock in (*recommended_stocks(), *glabels_stocks()):
        haystack = _key(
            " ".join((stock.name, stock.description, *stock.product_numbers, stock.summary))
        )
        if all(word in haystack for word in words):
            found.append(stock)
            if len(found) >= limit:
                break
    return found


def get_preset(name: str) -> SheetLayout:
    """Return the sheet layout of stock ``name``: a preset, an alias or a gLabels sheet stock.

    Case-insensitive. Raises :class:`LayoutError` listing the presets if there
    is no such stock, or if it is a roll stock rather than sheets.
    """
    stock = get_stock(name)
    if stock.layout is None:
        raise LayoutError(
            f"label stock {name!r} is a roll, not sheets; allowed here: sheet stock such as"
            f" {', '.join(PRESETS)}"
        )
    return stock.layout
