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

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from keys.codes import LabelCode
from keys.keyset import PublicKeySet
from keys.verdicts import LabelRecord, LabelVerdict, decide_verdict
from keys.verify import Verdict, verify_code
from traceapp.clock import to_local
from traceapp.domain.certifications import SCHEME_NAMES, certifications_for, valid_on
from traceapp.domain.product_images import display_size, product_image_path
from traceapp.domain.scans import LOCATION_FOLLOW_UP, ScanSink, ScanSummary, summarise_scans
from traceapp.domain.value_chain import TimelineEntry, batch_timeline
from traceapp.domain.where_to_buy import WhereToBuyFacts, where_to_buy_facts
from traceapp.infrastructure.labels import SessionLabelSource
from traceapp.infrastructure.records import LabelState, NewScan, ScanPlace
from traceapp.models import (
    AuditEntry,
    Batch,
    Inspection,
    IssuanceRun,
    LabelStatus,
    ProductImage,
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
    """One step of the batch's life: certified, issued, inspected or recalled (its
    shipping, packing and processing are in the value-chain timeline)."""

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
    # The value chain (packing, shipping, receiving, processing), in time order.
    timeline: list[TimelineEntry] = field(default_factory=list)
    # Digital product passport fields (domain/passport.py) and where to buy the product.
    cooperative_registration_number: str | None = None
    safety_warnings: str | None = None
    image_path: str | None = None
    image_size: tuple[int, int] | None = None  # as the page draws it
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
            "value_chain": [],
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
            document["value_chain"] = [_timeline_dict(e) for e in facts.timeline]
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


def _timeline_dict(entry: TimelineEntry) -> dict[str, Any]:
    return {
        "event_id": entry.event_id,
        "event_type": entry.event_type,
        "step": entry.step,
        "at": entry.at.isoformat(),
        "disposition": entry.disposition,
        "place": entry.place,
        "partner": entry.partner,
        "quantity": entry.quantity,
        "box_count": entry.box_count,
        "boxes": list(entry.boxes),
        "box_size": entry.box_size,
        "inputs": [_linked_dict(b) for b in entry.inputs],
        "outputs": [_linked_dict(b) for b in entry.outputs],
        "external": list(entry.external),
    }


def _linked_dict(batch: Any) -> dict[str, Any]:
    return {
        "lot": batch.lot,
        "product": batch.product,
        "cooperative": batch.cooperative,
        "status": batch.status,
        "certifications": list(batch.certifications),
    }


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
    (with validity on one day), its history up to, not including, a recall, its
    value-chain timeline, and the descriptions of the batch, its product and its
    cooperative."""

    certifications: tuple[CertificationFacts, ...]
    history: tuple[HistoryEvent, ...]
    timeline: tuple[TimelineEntry, ...]
    # The batch's, its product's and its cooperative's descriptive facts, by LabelFacts name.
    descriptions: dict[str, Any]


# --- ports: what verification needs from storage ----------------------------------


class LabelSource(Protocol):
    """Finds the label a code names, fresh (never cached: a void or a recall must show
    on the very next view)."""

    def label_state(
        self, code: LabelCode, client: str | None, follow_up_since: datetime
    ) -> LabelState | None:
        """The label with this code's item, lot and serial, or None. Its stored scans
        say whether `client` scanned it, and whether without a location since
        `follow_up_since`."""
        ...

    def located_scans(self, label_id: int, limit: int) -> list[tuple[datetime, float, float]]:
        """The label's `limit` most recent located scans (time, latitude, longitude)."""
        ...


class BatchRecordsSource(Protocol):
    """A batch's BatchRecords on a day (may be kept a few seconds)."""

    def batch_records(self, batch_id: int, today: date) -> BatchRecords: ...


class Verifier:
    """Decides the verdict on a code, and records and counts scans: the one place
    the public page, its JSON twin, /api/v1/verify and the console look-up ask."""

    def __init__(
        self, labels: LabelSource, records: BatchRecordsSource, scans: ScanSink | None = None
    ) -> None:
        self._labels = labels
        self._records = records
        self._scans = scans

    def verify(self, uri: str, keyset: PublicKeySet, today: date) -> VerificationOutcome:
        """The verdict on the code `uri` (any text; never raises for bad input).
        Nothing is recorded."""
        outcome, _state = self._verify(uri, keyset, today, None, utcnow())
        return outcome

    def scan(
        self,
        uri: str,
        keyset: PublicKeySet,
        today: date,
        *,
        client: str,
        place: ScanPlace,
        now: datetime | None = None,
    ) -> VerificationOutcome:
        """verify, then record the scan and say how often the code was scanned.

        Codes that match no label are recorded too (label_id null): forgery attempts
        are worth counting. Every scan is counted the same way (summarise_scans).
        """
        if self._scans is None:
            raise RuntimeError("this verifier records no scans")
        now = now or utcnow()
        for _attempt in (1, 2):
            writes = self._scans.writes
            outcome, state = self._verify(uri, keyset, today, client, now)
            label_id = state.label_id if state is not None else None
            pending = self._scans.pending(label_id) if label_id is not None else []
            if self._scans.writes == writes:
                break  # else a write ended in between: read both again
        summary, scan = summarise_scans(
            state.stored_scans if state is not None else None,
            pending,
            NewScan(label_id, outcome.reason, client, place, now),
            self._labels.located_scans,
        )
        self._scans.add(scan)
        if summary is None:
            return outcome
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
        self, uri: str, keyset: PublicKeySet, today: date, client: str | None, now: datetime
    ) -> tuple[VerificationOutcome, LabelState | None]:
        result = verify_code(uri, keyset)
        if result.code is None or result.verdict in (Verdict.TAMPERED, Verdict.UNKNOWN_KEY):
            verdict, reason = decide_verdict(result.verdict, None)
            return VerificationOutcome(verdict, reason, result.detail, result.code), None
        code = result.code
        state = self._labels.label_state(code, client, now - LOCATION_FOLLOW_UP)
        # The stored signature must be the one presented: same serial, different
        # signature is a code this service never printed.
        if state is None or state.signature != code.signature_field:
            verdict, reason = decide_verdict(result.verdict, NEVER_ISSUED)
            return VerificationOutcome(
                verdict,
                reason,
                "the signature is valid but this serial was never issued for this product and lot",
                code,
            ), None
        facts = _facts(state, self._records.batch_records(state.batch_id, today))
        verdict, reason = decide_verdict(
            result.verdict,
            LabelRecord(
                issued=True,
                voided=state.label_status == LabelStatus.VOIDED,
                batch_status=state.batch_status,
                certification_valid=any(c.valid_today for c in facts.certifications),
            ),
        )
        detail = {
            VOIDED: "the label was voided by its issuer",
            RECALLED: "the batch was recalled",
            EXPIRED: "no certification of this batch is valid today",
        }.get(verdict, result.detail)
        outcome = VerificationOutcome(
            verdict, reason, detail, code, label_id=state.label_id, facts=facts
        )
        return outcome, state


def batch_records(session: Session, batch_id: int, today: date) -> BatchRecords:
    """Load a batch's BatchRecords (callers may keep them a few seconds)."""
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
            valid_today=valid_on(c, today),
            ocop_stars=c.ocop_stars,
            claim=c.claim,
        )
        for c in certifications_for(session, batch)
    )
    history = tuple(e for e in batch_history(session, batch) if e.kind != "recalled")
    timeline = tuple(batch_timeline(session, batch_id))
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
        **_image_facts(session, product.id),
        "where_to_buy": where_to_buy_facts(session, product.id),
    }
    return BatchRecords(certifications, history, timeline, descriptions)


class _SessionBatchRecords:
    def __init__(self, session: Session) -> None:
        self._session = session

    def batch_records(self, batch_id: int, today: date) -> BatchRecords:
        return batch_records(self._session, batch_id, today)


def session_verifier(session: Session) -> Verifier:
    """A Verifier reading in `session` (left open), for callers with a session of
    their own (the console's look-up, the CLI, tests): nothing cached, no scan recorded."""

    @contextmanager
    def same_session() -> Iterator[Session]:
        yield session

    return Verifier(SessionLabelSource(same_session), _SessionBatchRecords(session))


def _image_facts(session: Session, product_id: int) -> dict[str, Any]:
    image = session.get(ProductImage, product_id)
    if image is None:
        return {"image_path": None, "image_size": None}
    return {"image_path": product_image_path(image), "image_size": display_size(image)}


def _facts(state: LabelState, records: BatchRecords) -> LabelFacts:
    history = list(records.history)
    if state.recalled_at is not None:
        history = sorted(
            [*history, HistoryEvent("recalled", state.recalled_at, state.recall_reason)],
            key=_event_order,
        )
    return LabelFacts(
        batch_id=state.batch_id,
        label_status=state.label_status,
        voided_at=state.voided_at,
        void_reason=state.void_reason,
        batch_status=state.batch_status,
        recalled_at=state.recalled_at,
        recall_reason=state.recall_reason,
        **records.descriptions,
        certifications=list(records.certifications),
        history=history,
        timeline=list(records.timeline),
    )


def batch_history(session: Session, batch: Batch) -> list[HistoryEvent]:
    """The batch's life in time order: certified, issued, inspected, recalled."""
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
