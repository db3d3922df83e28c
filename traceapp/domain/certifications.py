"""Recording certifications and deciding which ones cover a batch on a given day."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from keys.verdicts import Validity
from traceapp.domain import audit_log
from traceapp.errors import N_, InvalidInput, one_of
from traceapp.models import Batch, Certification, CertificationScheme

# The one naming of each scheme (English msgids: labels, the passport and the pages
# translate them; web/vocabulary.py serves them to templates and forms).
SCHEME_NAMES: dict[str, str] = {
    CertificationScheme.VIETGAP: N_("VietGAP"),
    CertificationScheme.OCOP: N_("OCOP"),
    CertificationScheme.ORGANIC: N_("Organic"),
    CertificationScheme.HERBAL_FED: N_("Herbal-fed"),
    CertificationScheme.LAB_TEST: N_("Lab test"),
}


@dataclass(frozen=True)
class CertificationDetails:
    scheme: str
    certificate_number: str
    issuing_body: str
    valid_from: date
    valid_to: date
    ocop_stars: int | None = None
    claim: str | None = None
    evidence_ref: str | None = None


def record_certification(
    session: Session,
    details: CertificationDetails,
    actor: str,
    *,
    batch: Batch | None = None,
    cooperative_id: int | None = None,
) -> Certification:
    """Attach a certification to one batch or to a whole cooperative."""
    if (batch is None) == (cooperative_id is None):
        raise InvalidInput("a certification covers either a batch or a cooperative")
    one_of(CertificationScheme, details.scheme, "scheme")
    if details.valid_to < details.valid_from:
        raise InvalidInput("valid-to date must not be before valid-from", field="valid_to")
    if details.scheme == CertificationScheme.OCOP and details.ocop_stars not in (3, 4, 5):
        raise InvalidInput("an OCOP rating has 3, 4 or 5 stars", field="ocop_stars")
    if details.scheme != CertificationScheme.OCOP and details.ocop_stars is not None:
        raise InvalidInput("only OCOP ratings have stars", field="ocop_stars")
    if not details.certificate_number.strip():
        raise InvalidInput("certificate number must not be empty", field="certificate_number")
    certification = Certification(batch=batch, cooperative_id=cooperative_id, **details.__dict__)
    session.add(certification)
    session.flush()
    audit_log.record(
        session,
        actor,
        "certification.recorded",
        "certification",
        certification.id,
        {
            **details.__dict__,
            "batch_id": batch.id if batch else None,
            "cooperative_id": cooperative_id,
        },
    )
    return certification


def certifications_for(session: Session, batch: Batch) -> list[Certification]:
    """Every certification covering the batch, its own and its cooperative's."""
    return certifications_for_batches(session, [batch])[batch.id]


def certifications_for_batches(
    session: Session, batches: list[Batch]
) -> dict[int, list[Certification]]:
    """certifications_for each batch, by batch id, in a few queries (latest expiry first)."""
    by_batch: dict[int, list[Certification]] = {b.id: [] for b in batches}
    by_cooperative: dict[int, list[int]] = {}
    for b in batches:
        by_cooperative.setdefault(b.cooperative_id, []).append(b.id)
    batch_ids, cooperative_ids = list(by_batch), list(by_cooperative)
    for start in range(0, max(len(batch_ids), len(cooperative_ids)), 2000):
        stmt = select(Certification).where(
            or_(
                Certification.batch_id.in_(batch_ids[start : start + 2000]),
                Certification.cooperative_id.in_(cooperative_ids[start : start + 2000]),
            )
        )
        for cert in session.scalars(stmt):
            if cert.batch_id in by_batch:
                by_batch[cert.batch_id].append(cert)
            for batch_id in by_cooperative.get(cert.cooperative_id, ()):  # type: ignore[arg-type]
                by_batch[batch_id].append(cert)
    for found in by_batch.values():
        found.sort(key=lambda c: (c.valid_to, c.id), reverse=True)
    return by_batch


class HasValidity(Protocol):
    @property
    def valid_from(self) -> date: ...

    @property
    def valid_to(self) -> date: ...


def valid_on(certification: HasValidity, day: date) -> bool:
    """Whether a certification (a stored one, or its facts on the page) covers `day`,
    by the one definition the offline tools share (keys.verdicts.Validity)."""
    return Validity(certification.valid_from, certification.valid_to).valid_on(day)


def valid_certifications(session: Session, batch: Batch, on: date) -> list[Certification]:
    return [c for c in certifications_for(session, batch) if valid_on(c, on)]


def mark(certification: Certification, translate: Callable[[str], str] = str) -> str | None:
    """The short mark printed on a label, e.g. 'VietGAP' or 'OCOP ★★★★'.

    ``translate`` turns the scheme's name into the label's language. Lab tests
    have none: they are results shown on the verification page, not a mark.
    """
    if certification.scheme == CertificationScheme.LAB_TEST:
        return None
    name = translate(SCHEME_NAMES[certification.scheme])
    if certification.scheme == CertificationScheme.OCOP:
        return f"{name} {'★' * (certification.ocop_stars or 0)}"
    return name
