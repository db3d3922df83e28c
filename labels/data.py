"""The plain data one printed label carries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class LabelData:
    """Everything printed on one certification label.

    ``code`` is the full QR content (an https GS1 Digital Link URI);
    ``serial`` is the human-readable serial printed under the QR code.
    """

    code: str
    serial: str
    cooperative: str
    product: str
    lot: str
    best_before: date | None
    marks: tuple[str, ...] = ()


def format_date(value: date) -> str:
    """Return ``value`` as printed on labels: dd/mm/yyyy."""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
