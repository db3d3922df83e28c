"""Convert gLabels' template database into ``labels/stock_data/glabels.json``.

    apt-get install glabels-data
    python -m labels.glabels_import /usr/share/libglabels-3.0/templates

gLabels (https://github.com/jimevins/glabels-qt) describes label stocks of
Avery, Herma, Zweckform, Tanex, A-One and others; its template database is
MIT-licensed, Copyright (c) 2001-2009 Jim Evins (labels/stock_data/GLABELS-LICENSE.txt).
Kept: rectangular labels in one regular grid on A4 or US Letter sheets, and
single-label ("Other" size, 1 x 1) roll stock. Round, CD and irregular layouts
are left out: TraceApp prints rectangles.
"""

from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).resolve().parent / "stock_data" / "glabels.json"
PAGES = {"A4": (210.0, 297.0), "US-Letter": (215.9, 279.4)}
_UNITS = {"pt": 25.4 / 72, "mm": 1.0, "cm": 10.0, "in": 25.4, "pc": 25.4 / 6}
_LENGTH = re.compile(r"^\s*([0-9.]+)\s*([a-z]*)\s*$")


def length_mm(text: str | None) -> float:
    """A gLabels length ("63.5mm", "2.625in", "181.4" = points) in millimetres."""
    match = _LENGTH.match(text or "0")
    if match is None:
        raise ValueError(f"not a length: {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2) or "pt"]


def _geometry(template: ET.Element) -> dict[str, Any] | None:
    labels = [child for child in template if child.tag.startswith("Label-")]
    if len(labels) != 1 or labels[0].tag != "Label-rectangle":
        return None
    label = labels[0]
    layouts = label.findall("Layout")
    if len(layouts) != 1:
        return None
    layout = layouts[0]
    width, height = length_mm(label.get("width")), length_mm(label.get("height"))
    nx, ny = int(layout.get("nx", "1")), int(layout.get("ny", "1"))
    size = template.get("size", "")
    if size in PAGES:
        page_w, page_h = PAGES[size]
        kind = "sheet"
    elif size == "Other" and nx == 1 and ny == 1:
        page_w, page_h = width, height
        kind = "roll"
    else:
        return None
    dx = length_mm(layout.get("dx")) if nx > 1 else width
    dy = length_mm(layout.get("dy")) if ny > 1 else height
    return {
        "kind": kind,
        "page": size if kind == "sheet" else "roll",
        "page_width_mm": round(page_w, 3),
        "page_height_mm": round(page_h, 3),
        "margin_left_mm": round(length_mm(layout.get("x0")), 3),
        "margin_top_mm": round(length_mm(layout.get("y0")), 3),
        "label_width_mm": round(width, 3),
        "label_height_mm": round(height, 3),
        "gap_x_mm": round(max(0.0, dx - width), 3),
        "gap_y_mm": round(max(0.0, dy - height), 3),
        "columns": nx,
        "rows": ny,
    }


def convert(directory: Path) -> list[dict[str, Any]]:
    """All usable stocks of the ``*-templates.xml`` files in ``directory``, sorted by name."""
    bases: dict[tuple[str, str], ET.Element] = {}
    templates: list[ET.Element] = []
    for path in sorted(directory.glob("*-templates.xml")):
        for template in ET.parse(path).getroot().iter("Template"):
            templates.append(template)
            bases[(template.get("brand", ""), template.get("part", ""))] = template
    stocks: dict[str, dict[str, Any]] = {}
    for template in templates:
        brand, part = template.get("brand", ""), template.get("part", "")
        base = template
        if template.get("equiv"):
            base = bases.get((brand, template.get("equiv", "")), template)
        geometry = _geometry(base)
        if geometry is None or not brand or not part:
            continue
        description = base.get("_description") or base.get("description") or ""
        name = f"{brand} {part}"
        stocks.setdefault(name.lower(), {"name": name, "description": description, **geometry})
    return sorted(stocks.values(), key=lambda stock: stock["name"].lower())


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m labels.glabels_import TEMPLATES_DIR", file=sys.stderr)
        return 2
    stocks = convert(Path(argv[0]))
    document = {
        "source": "gLabels template database (glabels-data), https://github.com/jimevins/glabels-qt",
        "licence": "MIT, Copyright (c) 2001-2009 Jim Evins; see GLABELS-LICENSE.txt",
        "stocks": stocks,
    }
    OUTPUT.write_text(json.dumps(document, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {len(stocks)} stocks to {OUTPUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
