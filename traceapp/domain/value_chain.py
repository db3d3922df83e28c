"""The value chain of a batch as GS1 EPCIS 2.0 events: partners, recording steps
(commissioning, inspecting, packing, shipping, receiving, transforming), the timeline
shown to consumers, and export/import of EPCIS 2.0 JSON-LD documents.

docs/value-chain.md explains the identifiers and the choices made.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from keys.gtin import check_digit_is_valid
from traceapp.clock import LOCAL_TZ, to_local, today_local
from traceapp.domain import audit_log
from traceapp.domain.batches import get_batch, visible_batch
from traceapp.domain.certifications import certifications_for, valid_on
from traceapp.epcis import (
    EpcisDocumentError,
    box_uri,
    class_uri,
    event_time_of,
    format_event_time,
    new_document,
    parse_box_uri,
    parse_class_uri,
    parse_instance_uri,
    validate_document,
)
from traceapp.epcis.documents import VIETNAM_OFFSET
from traceapp.epcis.identifiers import (
    BoxRef,
    ClassRef,
    cooperative_uri,
    document_uri,
    identifier_of,
    partner_uri,
)
from traceapp.errors import Conflict, InvalidInput, NotFound, Term, one_of
from traceapp.models import Batch, ChainEvent, ChainEventBatch, Cooperative, Partner, Product
from traceapp.models._columns import MAX_ID, utcnow
from traceapp.models.value_chain import PartnerRole

STEPS = ("commissioning", "inspecting", "packing", "shipping", "receiving", "transforming")
# Batch units with a UN/CEFACT code; units that count things (quả, gói, hộp) carry none.
UNIT_CODES = {"kg": "KGM", "g": "GRM", "tấn": "TNE", "l": "LTR", "lít": "LTR", "ml": "MLT"}
MAX_BOXES = 10_000
MAX_REFERENCE = 60
_GLN = re.compile(r"^\d{13}$")
NAME_ATTRIBUTE = "urn:epcglobal:cbv:mda#name"
LOCATION_VOCABULARY = "urn:epcglobal:epcis:vtype:BusinessLocation"


# --- partners -------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerDetails:
    name: str
    role: str
    gln: str | None = None
    address: str | None = None
    province: str | None = None


def register_partner(session: Session, details: PartnerDetails, actor: str) -> Partner:
    """A company batches can be shipped to, e.g. a supermarket or an exporter."""
    name = (details.name or "").strip()
    if not name or len(name) > 200:
        raise InvalidInput("a partner needs a name of 1 to 200 characters", field="name")
    one_of(PartnerRole, details.role, "role")
    gln = (details.gln or "").strip() or None
    if gln is not None and not (_GLN.match(gln) and check_digit_is_valid(gln)):
        raise InvalidInput("a GLN has 13 digits with a valid check digit", field="gln")
    if session.scalar(select(Partner).where(Partner.name == name)) is not None:
        raise Conflict("a partner named %(name)s is already registered", field="name", name=name)
    if gln and session.scalar(select(Partner).where(Partner.gln == gln)) is not None:
        raise Conflict("a partner with GLN %(gln)s is already registered", field="gln", gln=gln)
    partner = Partner(
        name=name,
        role=details.role,
        gln=gln,
        address=(details.address or "").strip() or None,
        province=(details.province or "").strip() or None,
    )
    session.add(partner)
    session.flush()
    audit_log.record(
        session,
        actor,
        "partner.registered",
        "partner",
        partner.id,
        {"name": name, "role": details.role, "gln": gln},
    )
    return partner


def list_partners(session: Session) -> list[Partner]:
    return list(session.scalars(select(Partner).order_by(Partner.name)))


def get_partner(session: Session, partner_id: int) -> Partner:
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise NotFound("no partner %(id)s", field="partner_id", id=str(partner_id))
    return partner


def partner_id_uri(partner: Partner) -> str:
    return partner_uri(partner.name, partner.gln)


# --- recording steps ------------------------------------------------------------------


@dataclass(frozen=True)
class StepDetails:
    """One step to record for a batch; which fields count depends on `step`."""

    step: str
    at: datetime | None = None
    partner_id: int | None = None
    boxes: int | None = None
    per_box: int | None = None
    conformant: bool = True
    reference: str | None = None
    # transforming: (input batch id, quantity used) pairs; the batch is the output.
    inputs: tuple[tuple[int, int], ...] = ()


# One input of a transformation as people type it: ASCII digits only, because int()
# would also take "١٢" and str.isdigit() passes "²", which int() then refuses.
_INPUT = re.compile(r"([0-9]{1,10})\s*:\s*([0-9]{1,10})")
INPUT_FORMAT = "12:1200"


def parse_inputs(texts: Iterable[str]) -> tuple[tuple[int, int], ...]:
    """A transformation's inputs as typed in the console or on the command line.

    Each text holds one or more comma-separated `BATCH_ID:QUANTITY` pairs
    ("12:1200, 13:300"); the console sends one text, the CLI one per `--input`.
    Anything else ("12:", "12", "²:1") is refused with InvalidInput naming the item.
    """
    pairs = []
    for text in texts:
        for item in (part.strip() for part in text.split(",")):
            if not item:
                continue
            match = _INPUT.fullmatch(item)
            if match is None or not all(1 <= int(n) <= MAX_ID for n in match.groups()):
                raise InvalidInput(
                    "input %(item)s is not %(format)s: a batch number and a quantity above 0, "
                    "in digits 0-9",
                    field="inputs",
                    item=repr(item[:40]),
                    format=INPUT_FORMAT,
                )
            pairs.append((int(match[1]), int(match[2])))
    return tuple(pairs)


def parse_moment(text: str | None) -> datetime | None:
    """When a step happened, as typed: ISO 8601; without an offset, Vietnamese time.

    Empty means now (None). The console, the API and the CLI all read `at` with this.
    """
    if text is None or not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            "%(text)s is not a date and time such as 2026-11-26T08:00",
            field="at",
            text=repr(text[:40]),
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ)


def record_step(
    session: Session,
    batch_id: int,
    details: StepDetails,
    actor: str,
    cooperative_id: int | None = None,
) -> list[ChainEvent]:
    """Record what happened to a batch as EPCIS events, in the caller's transaction.

    The events name batches, boxes, places and parties by identifiers, never by the
    service's address (traceapp/epcis/identifiers.py).
    """
    batch = get_batch(session, batch_id, cooperative_id)
    if details.step not in STEPS:
        raise InvalidInput(
            "%(name)s must be one of: %(allowed)s",
            field="step",
            name=Term("field_name", "step"),
            allowed=tuple(Term("step", step) for step in STEPS),
        )
    at = details.at or utcnow()
    if at.tzinfo is None:
        raise InvalidInput("the time needs a time zone offset", field="at")
    if not 2000 <= at.year <= 2999:
        raise InvalidInput("the time must lie between the years 2000 and 2999", field="at")
    if details.reference is not None and len(details.reference) > MAX_REFERENCE:
        raise InvalidInput(
            "a reference has at most %(most)s characters", field="reference", most=MAX_REFERENCE
        )
    builder = _Builder(session, batch, at, cooperative_id)
    events = getattr(builder, details.step)(details)
    audit_log.record(
        session,
        actor,
        f"chain.{details.step}",
        "batch",
        batch.id,
        {"events": len(events), "first_event_id": events[0].event_id},
    )
    return events


class _Builder:
    """Makes and stores the event documents of one step for one batch."""

    def __init__(
        self,
        session: Session,
        batch: Batch,
        at: datetime,
        cooperative_id: int | None,
    ) -> None:
        self.session = session
        self.batch = batch
        # Whose batches the caller may name (an operator: their cooperative's only).
        self.cooperative_id = cooperative_id
        self.at = at
        self.here = cooperative_uri(batch.cooperative.registration_number)

    def commissioning(self, details: StepDetails) -> list[ChainEvent]:
        if self._events_with_step("commissioning"):
            raise Conflict(
                "lot %(lot)s is already commissioned", field="step", lot=self.batch.lot_code
            )
        document = self._event(
            "ObjectEvent",
            "commissioning",
            "active",
            action="ADD",
            quantityList=[_quantity(self.batch, self.batch.quantity)],
        )
        return [self._store(document, [(self.batch.id, "subject")])]

    def inspecting(self, details: StepDetails) -> list[ChainEvent]:
        disposition = "conformant" if details.conformant else "non_conformant"
        document = self._event(
            "ObjectEvent",
            "inspecting",
            disposition,
            action="OBSERVE",
            quantityList=[_quantity(self.batch, self.batch.quantity)],
        )
        return [self._store(document, [(self.batch.id, "subject")])]

    def packing(self, details: StepDetails) -> list[ChainEvent]:
        boxes, per_box = details.boxes or 0, details.per_box or 0
        if not 1 <= boxes <= MAX_BOXES:
            raise InvalidInput(
                "the number of boxes must be between 1 and %(most)s", field="boxes", most=MAX_BOXES
            )
        if per_box < 1:
            raise InvalidInput("each box holds at least one item", field="per_box")
        packed = packed_boxes(self.session, self.batch)
        already = sum(count for _, count in packed)
        if already + boxes * per_box > self.batch.quantity:
            raise InvalidInput(
                "%(boxes)s boxes of %(per_box)s need %(needed)s %(unit)s, but only %(left)s of "
                "lot %(lot)s are unpacked",
                field="boxes",
                boxes=boxes,
                per_box=per_box,
                needed=boxes * per_box,
                unit=self.batch.unit,
                left=self.batch.quantity - already,
                lot=self.batch.lot_code,
            )
        key = _product_key(self.batch.product)
        events = []
        for number in range(len(packed) + 1, len(packed) + boxes + 1):
            document = self._event(
                "AggregationEvent",
                "packing",
                "container_closed",
                action="ADD",
                parentID=box_uri(key, self.batch.lot_code, number),
                childQuantityList=[_quantity(self.batch, per_box)],
            )
            events.append(self._store(document, [(self.batch.id, "child")]))
        return events

    def shipping(self, details: StepDetails) -> list[ChainEvent]:
        partner = self._partner(details)
        what = self._what()
        document = self._event(
            "ObjectEvent",
            "shipping",
            "in_transit",
            action="OBSERVE",
            **what,
            sourceList=[{"type": "owning_party", "source": self.here}],
            destinationList=[{"type": "owning_party", "destination": partner_id_uri(partner)}],
            **self._transactions(details, "desadv"),
        )
        return [self._store(document, [(self.batch.id, "subject")], partner)]

    def receiving(self, details: StepDetails) -> list[ChainEvent]:
        partner = self._partner(details)
        shipped = [e for e in self._events_with_step("shipping") if e.partner_id == partner.id]
        if not shipped:
            raise Conflict(
                "lot %(lot)s was never shipped to %(partner)s",
                field="partner_id",
                lot=self.batch.lot_code,
                partner=partner.name,
            )
        there = partner_id_uri(partner)
        document = self._event(
            "ObjectEvent",
            "receiving",
            "in_progress",
            action="OBSERVE",
            **self._what(),
            where=there,
            sourceList=[{"type": "owning_party", "source": self.here}],
            destinationList=[{"type": "owning_party", "destination": there}],
            **self._transactions(details, "recadv"),
        )
        return [self._store(document, [(self.batch.id, "subject")], partner)]

    def transforming(self, details: StepDetails) -> list[ChainEvent]:
        if not details.inputs:
            raise InvalidInput("a transformation needs at least one input batch", field="inputs")
        inputs, links = [], [(self.batch.id, "output")]
        for index, (input_id, quantity) in enumerate(details.inputs):
            source = visible_batch(self.session, input_id, self.cooperative_id)
            if source is None or source.id == self.batch.id:
                raise InvalidInput(
                    "input %(index)s: there is no other batch %(id)s",
                    field="inputs",
                    index=index + 1,
                    id=str(input_id),
                )
            if not 1 <= quantity <= source.quantity:
                raise InvalidInput(
                    "input %(index)s: between 1 and %(most)s %(unit)s of lot %(lot)s",
                    field="inputs",
                    index=index + 1,
                    most=source.quantity,
                    unit=source.unit,
                    lot=source.lot_code,
                )
            inputs.append(_quantity(source, quantity))
            links.append((source.id, "input"))
        partner = self.session.get(Partner, details.partner_id) if details.partner_id else None
        if details.partner_id and partner is None:
            raise NotFound("no partner %(id)s", field="partner_id", id=str(details.partner_id))
        there = partner_id_uri(partner) if partner else self.here
        # CBV 2.0 has no "transforming" step: the output is commissioned by the event.
        document = self._event(
            "TransformationEvent",
            "commissioning",
            "active",
            where=there,
            inputQuantityList=inputs,
            outputQuantityList=[_quantity(self.batch, self.batch.quantity)],
        )
        return [self._store(document, links, partner)]

    # helpers

    def _event(
        self,
        event_type: str,
        biz_step: str,
        disposition: str,
        where: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        place = where or self.here
        document: dict[str, Any] = {
            "type": event_type,
            "eventID": f"urn:uuid:{uuid.uuid4()}",
            "eventTime": format_event_time(self.at, VIETNAM_OFFSET),
            "eventTimeZoneOffset": "+07:00",
        }
        action = fields.pop("action", None)
        if action:
            document["action"] = action
        document.update(
            {
                k: v
                for k, v in fields.items()
                if k not in ("sourceList", "destinationList", "bizTransactionList")
            }
        )
        document["bizStep"] = biz_step
        document["disposition"] = disposition
        document["readPoint"] = {"id": place}
        document["bizLocation"] = {"id": place}
        document.update(
            {
                k: v
                for k, v in fields.items()
                if k in ("bizTransactionList", "sourceList", "destinationList")
            }
        )
        return document

    def _store(
        self, document: dict[str, Any], links: list[tuple[int, str]], partner: Partner | None = None
    ) -> ChainEvent:
        return _store_event(self.session, document, self.at, links, partner)

    def _events_with_step(self, biz_step: str) -> list[ChainEvent]:
        return list(
            self.session.scalars(
                select(ChainEvent)
                .join(ChainEventBatch, ChainEventBatch.event_id == ChainEvent.id)
                .where(ChainEventBatch.batch_id == self.batch.id, ChainEvent.biz_step == biz_step)
            )
        )

    def _partner(self, details: StepDetails) -> Partner:
        if details.partner_id is None:
            raise InvalidInput(
                "%(step)s needs a partner", field="partner_id", step=Term("step", details.step)
            )
        return get_partner(self.session, details.partner_id)

    def _what(self) -> dict[str, Any]:
        boxes = [uri for uri, _ in packed_boxes(self.session, self.batch)]
        if boxes:
            return {"epcList": boxes}
        return {"quantityList": [_quantity(self.batch, self.batch.quantity)]}

    def _transactions(self, details: StepDetails, kind: str) -> dict[str, Any]:
        if not details.reference:
            return {}
        reference = re.sub(r"[^A-Za-z0-9._-]+", "-", details.reference.strip())
        return {"bizTransactionList": [{"type": kind, "bizTransaction": document_uri(reference)}]}


def _store_event(
    session: Session,
    document: dict[str, Any],
    at: datetime,
    links: Iterable[tuple[int, str]],
    partner: Partner | None,
) -> ChainEvent:
    event = ChainEvent(
        event_id=document["eventID"],
        event_type=document["type"],
        biz_step=document.get("bizStep"),
        event_time=at,
        partner_id=partner.id if partner else None,
        document=json.dumps(document, ensure_ascii=False, separators=(",", ":")),
    )
    session.add(event)
    session.flush()
    for batch_id, role in dict.fromkeys(links):
        session.add(ChainEventBatch(event_id=event.id, batch_id=batch_id, role=role))
    session.flush()
    return event


def _quantity(batch: Batch, quantity: int) -> dict[str, Any]:
    element: dict[str, Any] = {"epcClass": batch_class_uri(batch), "quantity": quantity}
    code = UNIT_CODES.get(batch.unit.strip().lower())
    if code:
        element["uom"] = code
    return element


def _product_key(product: Product) -> str:
    return product.gtin or product.ref


def batch_class_uri(batch: Batch) -> str:
    """The EPC class URI of a batch: GS1 Digital Link for a GTIN, else the service's own."""
    return class_uri(batch.product.gtin, batch.product.ref, batch.lot_code)


def packed_boxes(session: Session, batch: Batch) -> list[tuple[str, int]]:
    """The boxes packed from a batch so far, in packing order: (box URI, items inside)."""
    return [box for packing in packings(session, batch.id) for box in packing.boxes]


@dataclass(frozen=True)
class Packing:
    """Boxes packed from a batch at one time (one recorded packing step)."""

    number: int
    at: datetime
    boxes: tuple[tuple[str, int], ...]  # (box URI, items inside)

    @property
    def box_numbers(self) -> tuple[int, int]:
        """The first and last box numbers of the packing, within the batch."""
        numbers = [box.number for box in map(parse_box_uri, (u for u, _ in self.boxes)) if box]
        return (min(numbers, default=0), max(numbers, default=0))


def packings(session: Session, batch_id: int, cooperative_id: int | None = None) -> list[Packing]:
    """The batch's packings in time order, numbered from 1; each lists (box URI, items)."""
    get_batch(session, batch_id, cooperative_id)
    groups: list[tuple[datetime, list[tuple[str, int]]]] = []
    for event in _events_of(session, batch_id):
        if event.event_type != "AggregationEvent" or event.biz_step != "packing":
            continue
        document = json.loads(event.document)
        if document.get("action") != "ADD" or "parentID" not in document:
            continue
        count = sum(int(q.get("quantity", 0)) for q in document.get("childQuantityList", []))
        # One recorded step stores its boxes with the same time, as the timeline shows them.
        if not groups or groups[-1][0] != event.event_time:
            groups.append((event.event_time, []))
        groups[-1][1].append((identifier_of(document["parentID"]), count))
    return [
        Packing(number=index, at=to_local(at), boxes=tuple(boxes))
        for index, (at, boxes) in enumerate(groups, start=1)
    ]


def _events_of(session: Session, batch_id: int) -> list[ChainEvent]:
    stmt = (
        select(ChainEvent)
        .join(ChainEventBatch, ChainEventBatch.event_id == ChainEvent.id)
        .where(ChainEventBatch.batch_id == batch_id)
        .distinct()
        .order_by(ChainEvent.event_time, ChainEvent.id)
    )
    return list(session.scalars(stmt))


# --- the timeline ---------------------------------------------------------------------


@dataclass(frozen=True)
class CertificationMark:
    """A certification as a linked batch or a box shows it; pages word the scheme."""

    scheme: str
    number: str
    valid_today: bool


@dataclass(frozen=True)
class LinkedBatch:
    """A batch an event points to (a transformation's input or output)."""

    batch_id: int
    lot: str
    product: str
    cooperative: str
    status: str
    certifications: tuple[CertificationMark, ...]


@dataclass
class TimelineEntry:
    event_id: str
    event_type: str
    step: str
    at: datetime
    disposition: str | None
    place: str | None
    partner: str | None
    quantity: str | None
    box_count: int | None = None
    boxes: list[str] = field(default_factory=list)
    box_size: int | None = None
    inputs: list[LinkedBatch] = field(default_factory=list)
    outputs: list[LinkedBatch] = field(default_factory=list)
    external: list[str] = field(default_factory=list)


def batch_timeline(session: Session, batch_id: int) -> list[TimelineEntry]:
    """The batch's events in time order, packing of many boxes shown as one entry.

    Places and parties are given by name when this registry knows them; boxes by their
    identifiers, which the page turns into addresses.
    """
    names = place_names(session)
    resolver = _BatchResolver(session)
    entries: list[TimelineEntry] = []
    for event in _events_of(session, batch_id):
        document = json.loads(event.document)
        step = _step_of(document)
        if (
            step == "packing"
            and entries
            and entries[-1].step == "packing"
            and entries[-1].at == to_local(event.event_time)
        ):
            entries[-1].boxes.append(document.get("parentID", ""))
            continue
        entry = TimelineEntry(
            event_id=event.event_id,
            event_type=event.event_type,
            step=step,
            at=to_local(event.event_time),
            disposition=document.get("disposition"),
            place=_name(names, (document.get("readPoint") or {}).get("id")),
            partner=_name(names, _destination(document)),
            quantity=_quantity_text(document, session, batch_id),
            box_count=len(document.get("epcList") or []) or None,
        )
        if event.event_type == "AggregationEvent" and document.get("parentID"):
            entry.boxes.append(document["parentID"])
            entry.box_size = sum(
                int(q.get("quantity", 0)) for q in document.get("childQuantityList", [])
            )
        if event.event_type == "TransformationEvent":
            for key, target in (("input", entry.inputs), ("output", entry.outputs)):
                for uri in _uris(document, key):
                    found = resolver.batch(uri)
                    if found is None:
                        entry.external.append(uri)
                    elif found.id != batch_id or key == "input":
                        target.append(_linked(session, found))
        entries.append(entry)
    return entries


def _step_of(document: dict[str, Any]) -> str:
    if document.get("type") == "TransformationEvent":
        return "transforming"
    step = str(document.get("bizStep") or "other")
    return step.rsplit(":", 1)[-1].rsplit("/", 1)[-1]


def _destination(document: dict[str, Any]) -> str | None:
    for item in document.get("destinationList") or []:
        return item.get("destination")
    return None


def _name(names: dict[str, str], uri: str | None) -> str | None:
    if not uri:
        return None
    return names.get(identifier_of(uri), uri)


def _quantity_text(document: dict[str, Any], session: Session, batch_id: int) -> str | None:
    if document.get("epcList"):
        return None  # the boxes are counted in box_count, worded by the page
    batch = get_batch(session, batch_id)
    mine = batch_class_uri(batch)
    for element in document.get("quantityList") or []:
        if element.get("epcClass") == mine:
            return f"{_number(element.get('quantity'))} {batch.unit}"
    return None


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}".replace(",", ".") if isinstance(value, int) else str(value)


def _linked(session: Session, batch: Batch) -> LinkedBatch:
    today = today_local()
    marks = tuple(
        CertificationMark(c.scheme, c.certificate_number, valid_on(c, today))
        for c in certifications_for(session, batch)
    )
    return LinkedBatch(
        batch_id=batch.id,
        lot=batch.lot_code,
        product=batch.product.name,
        cooperative=batch.cooperative.name,
        status=batch.status,
        certifications=marks,
    )


def place_names(session: Session) -> dict[str, str]:
    """Names for the place and party identifiers this registry knows."""
    names = {
        cooperative_uri(c.registration_number): c.name for c in session.scalars(select(Cooperative))
    }
    for partner in session.scalars(select(Partner)):
        names[partner_uri(partner.name, None)] = partner.name
        if partner.gln:
            names[partner_uri(partner.name, partner.gln)] = partner.name
    return names


# --- boxes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BoxContents:
    uri: str
    number: int
    batch: Batch
    items: int
    certifications: tuple[CertificationMark, ...]
    last_step: str | None


def box_contents(session: Session, box: BoxRef) -> BoxContents:
    """What a box label points to: its batch, how many items, and their status."""
    uri = box_uri(box.product_key, box.lot, box.number)
    batch = _BatchResolver(session).batch(uri)
    if batch is None:
        raise NotFound("no such box")
    contents = dict(packed_boxes(session, batch))
    if uri not in contents:
        raise NotFound("no such box")
    steps = [_step_of(json.loads(e.document)) for e in _events_of(session, batch.id)]
    return BoxContents(
        uri=uri,
        number=box.number,
        batch=batch,
        items=contents[uri],
        certifications=_linked(session, batch).certifications,
        last_step=steps[-1] if steps else None,
    )


# --- export and import ----------------------------------------------------------------


def export_batch(
    session: Session, batch_id: int, cooperative_id: int | None = None
) -> dict[str, Any]:
    """The batch's events as an EPCIS 2.0 JSON-LD document."""
    get_batch(session, batch_id, cooperative_id)
    events = [json.loads(e.document) for e in _events_of(session, batch_id)]
    names = place_names(session)
    used = sorted({uri for event in events for uri in _place_uris(event) if uri in names})
    master = (
        [
            {
                "type": LOCATION_VOCABULARY,
                "vocabularyElementList": [
                    {"id": uri, "attributes": [{"id": NAME_ATTRIBUTE, "attribute": names[uri]}]}
                    for uri in used
                ],
            }
        ]
        if used
        else None
    )
    return new_document(events, utcnow(), master)


@dataclass(frozen=True)
class ImportResult:
    stored: int
    skipped: int
    batch_ids: tuple[int, ...]


def import_document(
    session: Session,
    document: Any,
    actor: str,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Store the events of an EPCIS 2.0 document, all or nothing.

    Each event must name at least one batch registered here (by EPC class or instance);
    events already stored (same eventID) are skipped. `progress(done, total)` is
    called as each event is checked.
    """
    try:
        events = validate_document(document)
    except EpcisDocumentError as exc:
        # The schema's reason (jsonschema's words) is for the document's author: kept as is.
        raise InvalidInput(
            "not a valid EPCIS 2.0 document at %(pointer)s: %(reason)s",
            field=exc.pointer or "/",
            pointer=exc.pointer or "/",
            reason=exc.message,
        ) from None
    resolver = _BatchResolver(session)
    partners = {
        uri: p
        for p in session.scalars(select(Partner))
        for uri in {partner_id_uri(p), partner_uri(p.name, None)}
    }
    planned = []
    seen: set[str] = set()
    for index, event in enumerate(events):
        pointer = f"/epcisBody/eventList/{index}"
        links = _links(event, resolver)
        if not links:
            raise InvalidInput(
                "event %(index)s (%(pointer)s) names no batch registered here: %(epcs)s",
                field=pointer,
                index=str(index),
                pointer=pointer,
                epcs=tuple(_all_uris(event)) or "—",
            )
        event = dict(event)
        event.pop("@context", None)
        if "eventID" not in event:
            canonical = json.dumps(event, sort_keys=True, ensure_ascii=False)
            event = {"eventID": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, canonical)}", **event}
        if event["eventID"] in seen or session.scalar(
            select(ChainEvent.id).where(ChainEvent.event_id == event["eventID"])
        ):
            seen.add(event["eventID"])
            continue
        seen.add(event["eventID"])
        at = event_time_of(event, pointer)
        partner = partners.get(identifier_of(_destination(event) or ""))
        planned.append((event, at, links, partner))
        if progress is not None:
            progress(index + 1, len(events))
    for event, at, links, partner in planned:
        _store_event(session, event, at, links, partner)
    batch_ids = tuple(sorted({b for _, _, links, _ in planned for b, _ in links}))
    audit_log.record(
        session,
        actor,
        "chain.imported",
        "epcis_document",
        document.get("creationDate", ""),
        {"stored": len(planned), "skipped": len(events) - len(planned), "batches": list(batch_ids)},
    )
    return ImportResult(
        stored=len(planned), skipped=len(events) - len(planned), batch_ids=batch_ids
    )


class _BatchResolver:
    """Finds the local batch an EPC class or instance URI names, remembering answers."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cache: dict[str, Batch | None] = {}

    def batch(self, uri: str) -> Batch | None:
        if uri not in self.cache:
            ref = parse_class_uri(uri) or parse_instance_uri(uri)
            self.cache[uri] = self._lookup(ref) if ref else None
        return self.cache[uri]

    def _lookup(self, ref: ClassRef) -> Batch | None:
        stmt = (
            select(Batch)
            .join(Product, Product.id == Batch.product_id)
            .where(Batch.lot_code == ref.lot)
        )
        stmt = (
            stmt.where(Product.gtin == ref.gtin)
            if ref.gtin
            else stmt.where(Product.ref == ref.product_ref)
        )
        return self.session.scalars(stmt).first()


_ROLE_FIELDS = {
    "ObjectEvent": (("epcList", "subject"), ("quantityList", "subject")),
    "AggregationEvent": (
        ("childEPCs", "child"),
        ("childQuantityList", "child"),
        ("parentID", "parent"),
    ),
    "TransformationEvent": (
        ("inputEPCList", "input"),
        ("inputQuantityList", "input"),
        ("outputEPCList", "output"),
        ("outputQuantityList", "output"),
    ),
}


def _links(event: dict[str, Any], resolver: _BatchResolver) -> list[tuple[int, str]]:
    links: dict[tuple[int, str], None] = {}
    for name, role in _ROLE_FIELDS.get(event.get("type", ""), ()):
        for uri in _field_uris(event, name):
            batch = resolver.batch(uri)
            if batch is not None:
                links[(batch.id, role)] = None
    # A box of ours whose content came from elsewhere still belongs to the box's batch.
    child_batches = {b for b, role in links if role == "child"}
    return [(b, r) for b, r in links if not (r == "parent" and b in child_batches)]


def _field_uris(event: dict[str, Any], name: str) -> list[str]:
    value = event.get(name)
    if isinstance(value, str):
        return [value]
    return [item["epcClass"] if isinstance(item, dict) else item for item in value or []]


def _uris(document: dict[str, Any], side: str) -> list[str]:
    return _field_uris(document, f"{side}EPCList") + _field_uris(document, f"{side}QuantityList")


def _all_uris(event: dict[str, Any]) -> list[str]:
    return [
        uri
        for name, _ in _ROLE_FIELDS.get(event.get("type", ""), ())
        for uri in _field_uris(event, name)
    ]


def _place_uris(event: dict[str, Any]) -> list[str]:
    uris = [(event.get(k) or {}).get("id") for k in ("readPoint", "bizLocation")]
    uris += [s.get("source") for s in event.get("sourceList") or []]
    uris += [d.get("destination") for d in event.get("destinationList") or []]
    return [u for u in uris if u]
