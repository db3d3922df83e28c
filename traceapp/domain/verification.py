"""Deciding what a scanned label code means, and everything the public page shows about it.

One verdict per code, decided by keys.verdicts.decide_verdict in this order (the
first that applies wins; the offline tools add "not in bundle" after revoked_key):

1. not_genuine  - malformed, bad signature, unknown key id, or a well-signed code
                  whose serial was never issued here: nothing on it can be trusted.
2. revoked_key  - the signature is right but the issuer withdrew the key; the
                  label's facts cannot be trusted either, so nothing beats this but 1.
3. voided       - the label itself was withdrawn (damaged, misprinted, lost roll).
4. recalled     - the whole batch was recalled: a safety message beats paperwork.
5. expired      - a real, active label on a batch with no certification valid today.
6. genuine      - otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Row, Select, bindparam, case, distinct, func, or_, select
from sqlalchemy.orm import Session

from keys.codes import LabelCode
from keys.keyset import PublicKeySet
from keys.verdicts import LabelRecord, LabelVerdict, decide_verdict
from keys.verify import Verdict, verify_code
from traceapp.clock import to_local
from traceapp.domain.certifications import SCHEME_NAMES, certifications_for
from traceapp.domain.product_images import product_image_path
from traceapp.domain.scans import (
    ScanPlace,
    ScanSummary,
    ScanWriter,
    SessionScanWriter,
    StoredScans,
    record_scan,
    scan_row,
    scan_summary,
    summary_after_scan,
)
from traceapp.domain.where_to_buy import WhereToBuyFacts, where_to_buy_facts
from traceapp.models import (
    AuditEntry,
    Batch,
    ChainEvent,
    ChainEventBatch,
    Inspection,
    IssuanceRun,
    Label,
    LabelStatus,
    Product,
    ProductImage,
    Scan,
)
from traceapp.models._columns import utcnow

# The verdicts and their order are keys.verdicts' (shared with the offline tools).
GENUINE = LabelVerdict.GENUINE.value
NOT_GENUINE = LabelVerdict.NOT_GENUINE.value
REVOKED_KEY = LabelVerdict.REVOKED_KEY.value
VOIDED = LabelVerdict.VOIDED.value
RECALLED = LabelVerdict.RECALLED.value
EXPIRED = LabelVerdict.EXPIRED.value
VERDICTS = (GENUINE, NOT_GENUINE, REVOKED_KEY, VOIDED, RECALLED, EXPIRED)

# Why a code is not genuine (the `reason` of a NOT_GENUINE outcome).
MALFORMED = Verdict.MALFORMED.value
TAMPERED = Verdict.TAMPERED.value
UNKNOWN_KEY = Verdict.UNKNOWN_KEY.value
NEVER_ISSUED = LabelRecord(issued=False, voided=False, batch_status="", certification_valid=False)

_SHIPPING_STEPS = ("shipping", "departing", "receiving", "arriving")


@dataclass(frozen=True)
class CertificationFacts:
    scheme: str
    name: str
    certificate_number: str
    issuing_body: str
    valid_from: date
    valid_to: date
    valid_today: bool
    ocop_stars: int | None
    claim: str | None


@dataclass(frozen=True)
class HistoryEvent:
    """One step of the batch's life: certified, issued, inspected, shipped or recalled."""

    kind: str
    at: datetime | date
    detail: str | None = None


@dataclass(frozen=True)
class LabelFacts:
    """What is known about a genuine-looking code's label, batch, product and cooperative."""

    batch_id: int
    label_status: str
    voided_at: datetime | None
    void_reason: str | None
    product_name: str
    product_category: str
    gtin: str | None
    product_ref: str
    unit: str
    cooperative_name: str
    cooperative_commune: str
    cooperative_province: str
    lot: str
    batch_status: str
    produced_on: date
    best_before: date | None
    origin_farm: str | None
    origin_commune: str
    origin_province: str
    recalled_at: datetime | None
    recall_reason: str | None
    certifications: list[CertificationFacts] = field(default_factory=list)
    history: list[HistoryEvent] = field(default_factory=list)
    # Digital product passport fields (domain/passport.py) and where to buy the product.
    cooperative_registration_number: str | None = None
    safety_warnings: str | None = None
    image_path: str | None = None
    where_to_buy: tuple[WhereToBuyFacts, ...] = ()

    @property
    def lab_results(self) -> list[CertificationFacts]:
        return [c for c in self.certifications if c.scheme == "lab_test"]


@dataclass(frozen=True)
class VerificationOutcome:
    """The verdict on one code and what the page shows with it."""

    verdict: str
    reason: str
    detail: str
    code: LabelCode | None
    label_id: int | None = None
    facts: LabelFacts | None = None
    scans: ScanSummary | None = None

    @property
    def genuine(self) -> bool:
        return self.verdict == GENUINE

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of docs/verification.md."""
        document: dict[str, Any] = {
            "verdict": self.verdict,
            "reason": self.reason,
            "genuine": self.genuine,
            "detail": self.detail,
            "code": None,
            "product": None,
            "cooperative": None,
            "batch": None,
            "label": None,
            "certifications": [],
            "lab_results": [],
            "history": [],
            "where_to_buy": [],
            "scans": None,
        }
        if self.code is not None:
            document["code"] = {
                "gtin": self.code.gtin,
                "product_ref": self.code.product_ref,
                "lot": self.code.lot,
                "serial": self.code.serial,
                "key_id": self.code.key_id,
            }
        facts = self.facts
        if facts is not None:
            document["product"] = {
                "name": facts.product_name,
                "category": facts.product_category,
                "gtin": facts.gtin,
                "ref": facts.product_ref,
                "unit": facts.unit,
                "image": facts.image_path,
                "safety_warnings": facts.safety_warnings,
            }
            document["cooperative"] = {
                "name": facts.cooperative_name,
                "commune": facts.cooperative_commune,
                "province": facts.cooperative_province,
                "registration_number": facts.cooperative_registration_number,
            }
            document["batch"] = {
                "lot": facts.lot,
                "status": facts.batch_status,
                "produced_on": _iso(facts.produced_on),
                "best_before": _iso(facts.best_before),
                "origin": {
                    "farm": facts.origin_farm,
                    "commune": facts.origin_commune,
                    "province": facts.origin_province,
                },
                "recalled_at": _iso(facts.recalled_at),
                "recall_reason": facts.recall_reason,
            }
            document["label"] = {
                "status": facts.label_status,
                "voided_at": _iso(facts.voided_at),
                "void_reason": facts.void_reason,
            }
            document["certifications"] = [_certification_dict(c) for c in facts.certifications]
            document["lab_results"] = [_certification_dict(c) for c in facts.lab_results]
            document["history"] = [
                {"event": e.kind, "at": _iso(e.at), "detail": e.detail} for e in facts.history
            ]
            # Where to buy again: only under a genuine verdict.
            document["where_to_buy"] = (
                [shop.to_dict() for shop in facts.where_to_buy] if self.genuine else []
            )
        if self.scans is not None:
            document["scans"] = {
                "count": self.scans.scans,
                "distinct_clients": self.scans.clients,
                "first_scanned_at": _iso(self.scans.first_scanned_at),
                "possibly_copied": self.scans.suspicious,
                "flags": list(self.scans.flags),
            }
        return document


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _certification_dict(c: CertificationFacts) -> dict[str, Any]:
    return {
        "scheme": c.scheme,
        "name": c.name,
        "certificate_number": c.certificate_number,
        "issuing_body": c.issuing_body,
        "valid_from": c.valid_from.isoformat(),
        "valid_to": c.valid_to.isoformat(),
        "valid_today": c.valid_today,
        "ocop_stars": c.ocop_stars,
        "claim": c.claim,
    }


@dataclass(frozen=True)
class BatchRecords:
    """What the page shows about a batch that changes rarely: its certifications
    (with validity on one day), its history up to, not including, a recall, and
    the descriptions of the batch, its product and its cooperative."""

    certifications: tuple[CertificationFacts, ...]
    history: tuple[HistoryEvent, ...]
    # The batch's, its product's and its cooperative's descriptive facts, by LabelFacts name.
    descriptions: dict[str, Any]


BatchRecordsLoader = Callable[[Session, int, date], BatchRecords]


def batch_records(session: Session, batch_id: int, today: date) -> BatchRecords:
    """Load a batch's BatchRecords (callers may cache them for a few seconds)."""
    batch = session.get(Batch, batch_id)
    assert batch is not None  # ids come from the label just found
    certifications = tuple(
        CertificationFacts(
            scheme=c.scheme,
            name=SCHEME_NAMES.get(c.scheme, c.scheme),
            certificate_number=c.certificate_number,
            issuing_body=c.issuing_body,
            valid_from=c.valid_from,
            valid_to=c.valid_to,
            valid_today=c.valid_from <= today <= c.valid_to,
            ocop_stars=c.ocop_stars,
            claim=c.claim,
        )
        for c in certifications_for(session, batch)
    )
    history = tuple(e for e in batch_history(session, batch) if e.kind != "recalled")
    product, cooperative = batch.product, batch.cooperative
    descriptions = {
        "product_name": product.name,
        "product_category": product.category,
        "gtin": product.gtin,
        "product_ref": product.ref,
        "unit": product.unit,
        "cooperative_name": cooperative.name,
        "cooperative_commune": cooperative.commune,
        "cooperative_province": cooperative.province,
        "lot": batch.lot_code,
        "produced_on": batch.produced_on,
        "best_before": batch.best_before,
        "origin_farm": batch.origin_farm,
        "origin_commune": batch.origin_commune,
        "origin_province": batch.origin_province,
        "cooperative_registration_number": cooperative.registration_number,
        "safety_warnings": product.safety_warnings,
        "image_path": _image_path(session, product.id),
        "where_to_buy": where_to_buy_facts(session, product.id),
    }
    return BatchRecords(certifications, history, descriptions)


def _image_path(session: Session, product_id: int) -> str | None:
    image = session.get(ProductImage, product_id)
    return product_image_path(image) if image is not None else None


def verify_label(
    session: Session,
    uri: str,
    keyset: PublicKeySet,
    today: date,
    *,
    records: BatchRecordsLoader = batch_records,
) -> VerificationOutcome:
    """The verdict on the code `uri` (any text; never raises for bad input)."""
    outcome, _row = _verify(session, uri, keyset, today, None, records, None)
    return outcome


def verify_scan(
    session: Session,
    uri: str,
    keyset: PublicKeySet,
    today: date,
    *,
    client: str,
    place: ScanPlace,
    scans: ScanWriter | None = None,
    records: BatchRecordsLoader = batch_records,
    find: LabelFinder | None = None,
    now: datetime | None = None,
) -> VerificationOutcome:
    """verify_label, then record the scan and summarise the code's scans so far.

    Codes that match no label are recorded too (label_id null): forgery attempts
    are worth counting. `scans` takes the new scan (default: written at once in
    `session`); the label, its batch, product, cooperative and stored scan
    counts come fresh in one query (run by `find`, default: in `session`), the
    batch's records from `records`.
    """
    now = now or utcnow()
    writer = scans if scans is not None else SessionScanWriter(session)
    if place.latitude is not None:
        # A located scan may complete the same phone's previous scan: write what is
        # pending first (before this transaction starts: SQLite has one writer at a
        # time) so record_scan sees it, and count exactly (a rare request).
        writer.flush()
    outcome, stored = _verify(session, uri, keyset, today, client, records, find)
    label_id = outcome.label_id
    if label_id is not None and place.latitude is not None:
        record_scan(session, label_id, outcome.reason, client, place, now)
        summary = scan_summary(session, label_id)
    else:
        pending = writer.pending(label_id) if label_id is not None else []
        writer.add(scan_row(label_id, outcome.reason, client, place, now))
        if label_id is None or stored is None:
            return outcome
        summary = summary_after_scan(session, label_id, stored, pending, client, now)
    return VerificationOutcome(
        outcome.verdict,
        outcome.reason,
        outcome.detail,
        outcome.code,
        label_id=label_id,
        facts=outcome.facts,
        scans=summary,
    )


def _verify(
    session: Session,
    uri: str,
    keyset: PublicKeySet,
    today: date,
    client: str | None,
    records: BatchRecordsLoader,
    find: LabelFinder | None,
) -> tuple[VerificationOutcome, StoredScans | None]:
    result = verify_code(uri, keyset)
    if result.code is None or result.verdict in (Verdict.TAMPERED, Verdict.UNKNOWN_KEY):
        verdict, reason = decide_verdict(result.verdict, None)
        return VerificationOutcome(verdict, reason, result.detail, result.code), None
    code = result.code
    row = (find or _find_label)(session, code, client)
    # The stored signature must be the one presented: same serial, different
    # signature is a code this service never printed.
    if row is None or row.signature != code.signature_field:
        verdict, reason = decide_verdict(result.verdict, NEVER_ISSUED)
        return VerificationOutcome(
            verdict,
            reason,
            "the signature is valid but this serial was never issued for this product and lot",
            code,
        ), None
    kept = records(session, row.batch_id, today)
    facts = _facts(row, kept)
    verdict, reason = decide_verdict(
        result.verdict,
        LabelRecord(
            issued=True,
            voided=row.label_status == LabelStatus.VOIDED,
            batch_status=row.batch_status,
            certification_valid=any(c.valid_today for c in facts.certifications),
        ),
    )
    detail = {
        VOIDED: "the label was voided by its issuer",
        RECALLED: "the batch was recalled",
        EXPIRED: "no certification of this batch is valid today",
    }.get(verdict, result.detail)
    stored = StoredScans(
        count=row.scans,
        clients=row.clients,
        first_scanned_at=row.first_scan,
        located=row.located,
        client_seen=bool(row.client_seen),
    )
    return (
        VerificationOutcome(verdict, reason, detail, code, label_id=row.label_id, facts=facts),
        stored,
    )


def _label_statement(by_gtin: bool):
    item = (
        Product.gtin == bindparam("item")
        if by_gtin
        else (Product.ref == bindparam("item")) & Product.gtin.is_(None)
    )
    return (
        select(
            Label.id.label("label_id"),
            Label.signature,
            Label.status.label("label_status"),
            Label.voided_at,
            Label.void_reason,
            Batch.id.label("batch_id"),
            Batch.status.label("batch_status"),
            Batch.recalled_at,
            Batch.recall_reason,
            func.count(Scan.id).label("scans"),
            func.count(distinct(Scan.client_hash)).label("clients"),
            func.min(Scan.scanned_at).label("first_scan"),
            func.count(Scan.latitude).label("located"),
            func.max(case((Scan.client_hash == bindparam("client"), 1), else_=0)).label(
                "client_seen"
            ),
        )
        .join(Batch, Batch.id == Label.batch_id)
        .join(Product, Product.id == Batch.product_id)
        .outerjoin(Scan, Scan.label_id == Label.id)
        .where(Label.serial == bindparam("serial"), Batch.lot_code == bindparam("lot"), item)
        .group_by(Label.id, Batch.id)
    )


# Built once: the page runs one of these on every view.
_LABEL_BY_GTIN = _label_statement(by_gtin=True)
_LABEL_BY_REF = _label_statement(by_gtin=False)
LABEL_COLUMNS: tuple[str, ...] = tuple(_LABEL_BY_GTIN.selected_columns.keys())

# Finds the fresh label row (LABEL_COLUMNS, by name) of a code, or None:
# find(session, code, client).
LabelFinder = Callable[[Session, LabelCode, "str | None"], Any]


def label_statement(code: LabelCode) -> Select:
    """The fresh-facts query of a code's label; run it with label_parameters(code, client)."""
    return _LABEL_BY_GTIN if code.gtin is not None else _LABEL_BY_REF


def label_statements() -> tuple[Select, Select]:
    """Every statement label_statement may return (to compile them once)."""
    return _LABEL_BY_GTIN, _LABEL_BY_REF


def label_parameters(code: LabelCode, client: str | None) -> dict[str, str]:
    return {
        "item": code.gtin if code.gtin is not None else code.product_ref,
        "serial": code.serial,
        "lot": code.lot,
        "client": client or "",
    }


def _find_label(session: Session, code: LabelCode, client: str | None) -> Row | None:
    # Core execution on the session's connection: this runs on every page view,
    # and the ORM's result machinery is not needed for plain columns.
    return (
        session.connection().execute(label_statement(code), label_parameters(code, client)).first()
    )


def _facts(row: Row, records: BatchRecords) -> LabelFacts:
    history = list(records.history)
    if row.recalled_at is not None:
        history = sorted(
            [*history, HistoryEvent("recalled", row.recalled_at, row.recall_reason)],
            key=_event_order,
        )
    return LabelFacts(
        batch_id=row.batch_id,
        label_status=row.label_status,
        voided_at=row.voided_at,
        void_reason=row.void_reason,
        batch_status=row.batch_status,
        recalled_at=row.recalled_at,
        recall_reason=row.recall_reason,
        **records.descriptions,
        certifications=list(records.certifications),
        history=history,
    )


def batch_history(session: Session, batch: Batch) -> list[HistoryEvent]:
    """The batch's life in time order: certified, issued, inspected, shipped, recalled."""
    events = [
        HistoryEvent("certified", at)
        for (at,) in session.execute(
            select(AuditEntry.occurred_at).where(
                AuditEntry.subject_type == "batch",
                AuditEntry.subject_id == str(batch.id),
                AuditEntry.action == "batch.certified",
            )
        )
    ]
    events += [
        HistoryEvent("issued", at, str(quantity))
        for at, quantity in session.execute(
            select(IssuanceRun.created_at, IssuanceRun.quantity).where(
                IssuanceRun.batch_id == batch.id
            )
        )
    ]
    events += [
        HistoryEvent("inspected", on, f"{place}: {result}")
        for on, place, result in session.execute(
            select(Inspection.inspected_on, Inspection.place, Inspection.result).where(
                Inspection.batch_id == batch.id
            )
        )
    ]
    events += [
        HistoryEvent("shipped", at, step)
        for at, step in session.execute(
            select(ChainEvent.event_time, ChainEvent.biz_step)
            .join(ChainEventBatch, ChainEventBatch.event_id == ChainEvent.id)
            .where(
                ChainEventBatch.batch_id == batch.id,
                or_(*[ChainEvent.biz_step.contains(step) for step in _SHIPPING_STEPS]),
            )
        )
    ]
    if batch.recalled_at is not None:
        events.append(HistoryEvent("recalled", batch.recalled_at, batch.recall_reason))
    return sorted(events, key=_event_order)


def _event_order(event: HistoryEvent) -> tuple[date, time, int]:
    # In Vietnam's time, as the page shows it: a moment late in the UTC day belongs to
    # the next local day. Date-only entries (inspections) come first on their day.
    if isinstance(event.at, datetime):
        local = to_local(event.at)
        day, moment = local.date(), local.time()
    else:
        day, moment = event.at, time.min
    kinds = ("certified", "issued", "inspected", "shipped", "recalled")
    return day, moment, kinds.index(event.kind)
