"""Recording certifications and deciding which ones cover a batch on a given day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from traceapp.domain import audit_log
from traceapp.errors import InvalidInput, one_of
from traceapp.models import Batch, Certification, CertificationScheme

SCHEME_NAMES = {
    "vietgap": "VietGAP",
    "ocop": "OCOP",
    "organic": "Organic",
    "herbal_fed": "Herbal-fed",
    "lab_test": "Lab test",
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
    stmt = (
        select(Certification)
        .where(
            or_(
                Certification.batch_id == batch.id,
                Certification.cooperative_id == batch.cooperative_id,
            )
        )
        .order_by(Certification.valid_to.desc())
    )
    return list(session.scalars(stmt))


class HasValidity(Protocol):
    @property
    def valid_from(self) -> date: ...

    @property
    def valid_to(self) -> date: ...


def valid_on(certification: HasValidity, day: date) -> bool:
    """Whether a certification (a stored one, or its facts on the page) covers `day`:
    the one definition of a certification's validity."""
    return certification.valid_from <= day <= certification.valid_to


def valid_certifications(session: Session, batch: Batch, on: date) -> list[Certification]:
    return [c for c in certifications_for(session, batch) if valid_on(c, on)]


def mark(certification: Certification) -> str | None:
    """The short mark printed on a label, e.g. 'VietGAP' or 'OCOP ★★★★'.

    Lab tests have none: they are results shown on the verification page, not a mark.
    """
    if certification.scheme == CertificationScheme.LAB_TEST:
        return None
    name = SCHEME_NAMES[certification.scheme]
    if certification.scheme == CertificationScheme.OCOP:
        return f"{name} {'★' * (certification.ocop_stars or 0)}"
    return name
