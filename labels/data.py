"""The plain data one printed label carries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class LabelWording:
    """The fixed words printed on a label, in the label's language.

    ``labels/`` translates nothing: the caller passes these in (TraceApp takes
    them from its message catalogues). The defaults are the Vietnamese ones.
    """

    lot_prefix: str = "Lô: "
    best_before_prefix: str = "HSD: "
    scan_prompt: str = "Quét để kiểm tra"


#: The Vietnamese wording (the defaults), shared so labels of a run compare equal.
VIETNAMESE = LabelWording()


@dataclass(frozen=True)
class LabelData:
    """Everything printed on one certification label.

    ``code`` is the full QR content (an https GS1 Digital Link URI);
    ``serial`` is the human-readable serial printed under the QR code;
    ``issuer`` the certifying body's name (e.g. the provincial Cooperative
    Union); ``marks`` the certification names, already in the label's language.
    """

    code: str
    serial: str
    cooperative: str
    product: str
    lot: str
    best_before: date | None
    marks: tuple[str, ...] = ()
    issuer: str = ""
    wording: LabelWording = field(default=VIETNAMESE)


def format_date(value: date) -> str:
    """Return ``value`` as printed on labels: dd/mm/yyyy."""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
