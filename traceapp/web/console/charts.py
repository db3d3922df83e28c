"""Scans per day as bars of a server-rendered SVG chart (no JavaScript)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

CHART_WIDTH = 600
CHART_HEIGHT = 160
AXIS_SPACE = 18


@dataclass(frozen=True)
class Bar:
    day: date
    count: int
    x: float
    y: float
    width: float
    height: float


def day_bars(
    days: list[tuple[date, int]], width: int = CHART_WIDTH, height: int = CHART_HEIGHT
) -> list[Bar]:
    """One bar per day, scaled so the busiest day fills the plot's height."""
    if not days:
        return []
    peak = max(count for _, count in days) or 1
    slot = width / len(days)
    plot = height - AXIS_SPACE
    bars = []
    for index, (day, count) in enumerate(days):
        bar_height = plot * count / peak
        bars.append(
            Bar(
                day=day,
                count=count,
                x=round(index * slot + slot * 0.1, 2),
                y=round(plot - bar_height, 2),
                width=round(slot * 0.8, 2),
                height=round(bar_height, 2),
            )
        )
    return bars
