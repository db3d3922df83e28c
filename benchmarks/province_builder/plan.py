"""How big a province is at scale S, and its records above the labels.

At S = 1: 3 unions, 821 cooperatives, 4,000 products, 40,000 batches, 20 million
labels and 100 million scans over five years (issue 18). Every record here is a
dict of column values, so the same dict is copied into its table and logged in the
audit log (`row_facts` reads the watched columns from it).
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from keys.gtin import gtin_check_digit
from traceapp.clock import LOCAL_TZ

Row = dict[str, Any]

YEARS = 5
AT_SCALE_1 = {
    "cooperatives": 821,
    "products": 4_000,
    "batches": 40_000,
    "labels": 20_000_000,
    "scans": 100_000_000,
    "copied_codes": 3_000,
    "hot_batch_scans": 1_000_000,
    "partners": 200,
}
UNIONS = (
    ("QN-LMHTX", "Liên minh Hợp tác xã tỉnh Quảng Ninh", "Quảng Ninh"),
    ("CB-LMHTX", "Liên minh Hợp tác xã tỉnh Cao Bằng", "Cao Bằng"),
    ("LS-LMHTX", "Liên minh Hợp tác xã tỉnh Lạng Sơn", "Lạng Sơn"),
)
COMMUNES = ("xã Trường Hà", "xã Quang Hán", "xã Đức Long", "xã Minh Tâm", "xã Bình Dương")
FAMILY_NAMES = ("Nông", "Hoàng", "Lục", "Đàm", "Bế", "Lương", "Triệu", "Vi")
GIVEN_NAMES = ("Văn Hưng", "Thị Mai", "Văn Thành", "Thị Hoa", "Đức Anh", "Thị Lan")
PRODUCTS = (
    ("eggs", "Trứng gà ăn thảo dược", "quả"),
    ("tea", "Chè Shan tuyết", "gói"),
    ("rice", "Gạo nếp Pì Pất", "kg"),
    ("mushrooms", "Nấm hương rừng", "hộp"),
    ("fruit", "Hạt dẻ Trùng Khánh", "kg"),
    ("processed", "Miến dong Nguyên Bình", "gói"),
    ("vegetables", "Rau cải mèo", "bó"),
)
SCHEMES = ("vietgap", "organic", "lab_test", "herbal_fed")
SAFETY = "Bảo quản nơi khô ráo, thoáng mát, tránh ánh nắng trực tiếp."
# Labels per issuance run at most: a print shop's order, not a whole season.
RUN_SIZE = 5_000
DRAFT_SHARE = 0.02
RECALLED_SHARE = 0.005
EVENT_SHARE = 0.25
# A 1x1 PNG: the passport needs an image per product, not a photograph.
PRODUCT_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f1bd"
    "a30000000049454e44ae426082"
)


@dataclass(frozen=True)
class Plan:
    """The sizes of a province at scale S."""

    scale: float
    unions: int
    cooperatives: int
    products: int
    batches: int
    labels: int
    scans: int
    copied_codes: int
    hot_batch_scans: int
    partners: int

    @classmethod
    def at(cls, scale: float) -> Plan:
        if not 0 < scale <= 10:
            raise ValueError("the scale is a number above 0 and at most 10")

        def sized(name: str, least: int) -> int:
            return max(least, round(AT_SCALE_1[name] * scale))

        cooperatives = sized("cooperatives", 3)
        products = max(cooperatives, sized("products", 3))
        batches = max(products + 3, sized("batches", 10))
        return cls(
            scale=scale,
            unions=len(UNIONS),
            cooperatives=cooperatives,
            products=products,
            batches=batches,
            labels=sized("labels", 1_000),
            scans=sized("scans", 5_000),
            copied_codes=sized("copied_codes", 3),
            hot_batch_scans=sized("hot_batch_scans", 1_000),
            partners=sized("partners", 3),
        )


@dataclass(frozen=True)
class Run:
    """One issuance run and where its labels' ids start (ids are chosen up front, so
    label workers need nothing from each other)."""

    id: int
    batch_id: int
    first_label_id: int
    count: int
    created_at: datetime
    requested_by: str


@dataclass
class Records:
    """Every record of the province but labels, scans and the audit log."""

    today: date
    unions: list[Row] = field(default_factory=list)
    cooperatives: list[Row] = field(default_factory=list)
    products: list[Row] = field(default_factory=list)
    product_images: list[Row] = field(default_factory=list)
    partners: list[Row] = field(default_factory=list)
    batches: list[Row] = field(default_factory=list)
    certifications: list[Row] = field(default_factory=list)
    chain_events: list[Row] = field(default_factory=list)
    chain_event_batches: list[Row] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)
    # The batch whose scan statistics are measured, and the one issuance is measured on.
    hot_batch_id: int = 0
    reserve_batch_id: int = 0
    # Runs whose first label is a copied code (printed elsewhere, scanned everywhere).
    copied_run_ids: list[int] = field(default_factory=list)

    def tables(self, key_id: str) -> list[tuple[str, list[Row]]]:
        """The tables in foreign-key order, with their rows (runs signed with `key_id`)."""
        runs = [
            {
                "id": run.id,
                "batch_id": run.batch_id,
                "quantity": run.count,
                "key_id": key_id,
                "requested_by": run.requested_by,
                "created_at": run.created_at,
            }
            for run in self.runs
        ]
        return [
            ("unions", self.unions),
            ("cooperatives", self.cooperatives),
            ("products", self.products),
            ("product_images", self.product_images),
            ("partners", self.partners),
            ("batches", self.batches),
            ("certifications", self.certifications),
            ("issuance_runs", runs),
            ("chain_events", self.chain_events),
            ("chain_event_batches", self.chain_event_batches),
        ]


def plan_records(plan: Plan, today: date, seed: int = 18) -> Records:
    """The province's records, the same for the same plan, day and seed."""
    rng = random.Random(seed)
    records = Records(today=today)
    start = today - timedelta(days=365 * YEARS)
    _organisations(records, plan, rng, start)
    _products(records, plan, rng)
    _batches(records, plan, rng, start)
    _labels_per_batch(records, plan, rng)
    _chain_events(records, plan, rng)
    return records


def moment(day: date, hour: int = 8) -> datetime:
    """A local working hour of `day`, in UTC to the second."""
    return datetime.combine(day, time(hour), LOCAL_TZ).astimezone(UTC)


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY_NAMES)} {rng.choice(GIVEN_NAMES)}"


def _organisations(records: Records, plan: Plan, rng: random.Random, start: date) -> None:
    for number, (code, name, province) in enumerate(UNIONS, start=1):
        records.unions.append(
            {
                "id": number,
                "code": code,
                "name": name,
                "province": province,
                "created_at": moment(start),
            }
        )
    for number in range(1, plan.cooperatives + 1):
        union = records.unions[(number - 1) % len(UNIONS)]
        records.cooperatives.append(
            {
                "id": number,
                "union_id": union["id"],
                "name": f"Hợp tác xã {rng.choice(FAMILY_NAMES)} {number}",
                "commune": rng.choice(COMMUNES),
                "province": union["province"],
                "registration_number": f"{union['code'][:2]}-48{number:08d}",
                "contact_name": _person(rng),
                "contact_phone": f"+84 206 {rng.randrange(100, 999)} {rng.randrange(1000, 9999)}",
                "contact_email": None,
                "created_at": moment(start + timedelta(days=rng.randrange(30))),
            }
        )
    for number in range(1, plan.partners + 1):
        records.partners.append(
            {
                "id": number,
                "name": f"Công ty TNHH Thương mại {number}",
                "role": rng.choice(("buyer", "processor", "exporter", "supermarket", "hotel")),
                "gln": None,
                "address": f"{number} đường Hoàng Đình Giong",
                "province": rng.choice(UNIONS)[2],
                "created_at": moment(start),
            }
        )


def _products(records: Records, plan: Plan, rng: random.Random) -> None:
    for number in range(1, plan.products + 1):
        cooperative = records.cooperatives[(number - 1) % plan.cooperatives]
        category, name, unit = rng.choice(PRODUCTS)
        body = f"893{number:09d}"
        records.products.append(
            {
                "id": number,
                "cooperative_id": cooperative["id"],
                "name": f"{name} {number}",
                "category": category,
                "gtin": f"0{body}{gtin_check_digit('0' + body)}",
                "ref": f"P{number}",
                "unit": unit,
                "safety_warnings": SAFETY,
                "created_at": cooperative["created_at"] + timedelta(days=1),
            }
        )
        records.product_images.append(
            {
                "product_id": number,
                "media_type": "image/png",
                "digest": hashlib.sha256(PRODUCT_PNG).hexdigest(),
                "width": 1,
                "height": 1,
                "data": PRODUCT_PNG,
                "updated_at": cooperative["created_at"] + timedelta(days=1),
            }
        )


def _batches(records: Records, plan: Plan, rng: random.Random, start: date) -> None:
    span = (records.today - start).days
    # The last two batches are the measured ones: a recent one many people scan,
    # and a fresh one with room for the issuance benchmark.
    special = {plan.batches - 1: 120, plan.batches: 10}
    for number in range(1, plan.batches + 1):
        product = records.products[(number - 1) % plan.products]
        if number in special:
            status, produced = "certified", records.today - timedelta(days=special[number])
        elif rng.random() < DRAFT_SHARE:
            status, produced = "draft", records.today - timedelta(days=rng.randrange(5, 60))
        else:
            recalled = rng.random() < RECALLED_SHARE
            status = "recalled" if recalled else "certified"
            produced = start + timedelta(days=rng.randrange(span - 5))
        batch = {
            "id": number,
            "cooperative_id": product["cooperative_id"],
            "product_id": product["id"],
            "lot_code": f"L{produced:%y%m%d}-{number}",
            "quantity": rng.randrange(500, 5_000),  # set again once labels are counted
            "unit": product["unit"],
            "produced_on": produced,
            "best_before": produced + timedelta(days=365),
            "origin_farm": None,
            "origin_commune": rng.choice(COMMUNES),
            "origin_province": records.cooperatives[product["cooperative_id"] - 1]["province"],
            "description": None,
            "status": status,
            "labels_issued": 0,
            "recalled_at": None,
            "recall_reason": None,
            "created_at": moment(produced),
        }
        records.batches.append(batch)
        if status != "draft":
            _certify(records, batch, rng)
    records.hot_batch_id, records.reserve_batch_id = plan.batches - 1, plan.batches


def _certify(records: Records, batch: Row, rng: random.Random) -> None:
    produced: date = batch["produced_on"]
    records.certifications.append(
        {
            "id": len(records.certifications) + 1,
            "batch_id": batch["id"],
            "cooperative_id": None,
            "scheme": rng.choice(SCHEMES),
            "ocop_stars": None,
            "certificate_number": f"VG-{batch['id']:06d}",
            "issuing_body": "Trung tâm Chứng nhận Phù hợp (QUACERT)",
            "valid_from": produced,
            "valid_to": produced + timedelta(days=rng.randrange(365, 730)),
            "claim": None,
            "evidence_ref": None,
            "created_at": batch["created_at"] + timedelta(days=1),
        }
    )


def _labels_per_batch(records: Records, plan: Plan, rng: random.Random) -> None:
    """Spread the labels over the certified and recalled batches (a few large, many
    small), cut each batch's share into runs, and size each batch for its labels."""
    issued = [b for b in records.batches if b["status"] != "draft"]
    hot = records.batches[records.hot_batch_id - 1]
    reserve = records.batches[records.reserve_batch_id - 1]
    hot_labels = max(20, plan.hot_batch_scans // 50)
    others = [b for b in issued if b is not hot and b is not reserve]
    weights = [rng.lognormvariate(0, 1) for _ in others]
    total = sum(weights)
    remaining = max(len(others), plan.labels - hot_labels)
    counts = [max(1, math.floor(remaining * w / total)) for w in weights]
    for index in range(remaining - sum(counts)):
        counts[index % len(counts)] += 1
    shares = list(zip(others, counts, strict=True)) + [(hot, hot_labels)]
    next_label = 1
    for batch, count in sorted(shares, key=lambda share: share[0]["id"]):
        batch["labels_issued"] = count
        batch["quantity"] = count + rng.randrange(0, count // 5 + 1)
        first_run = batch["created_at"] + timedelta(days=2)
        requested_by = f"hoptacxa{batch['cooperative_id']}@example.vn"
        for offset in range(0, count, RUN_SIZE):
            size = min(RUN_SIZE, count - offset)
            run = Run(
                id=len(records.runs) + 1,
                batch_id=batch["id"],
                first_label_id=next_label,
                count=size,
                created_at=first_run + timedelta(hours=len(records.runs) % 8),
                requested_by=requested_by,
            )
            records.runs.append(run)
            next_label += size
        if batch["status"] == "recalled":
            age = (records.today - batch["produced_on"]).days
            batch["recalled_at"] = batch["created_at"] + timedelta(days=min(30, age - 1))
            batch["recall_reason"] = "Kết quả kiểm nghiệm không đạt"
    reserve["quantity"] = 10_000_000
    old_enough = [
        run.id
        for run in records.runs
        if run.batch_id != hot["id"] and (records.today - run.created_at.date()).days > 150
    ]
    records.copied_run_ids = sorted(rng.sample(old_enough, min(plan.copied_codes, len(old_enough))))


def _chain_events(records: Records, plan: Plan, rng: random.Random) -> None:
    shipped = [b for b in records.batches if b["status"] == "certified" and b["labels_issued"]]
    for batch in shipped:
        if rng.random() >= EVENT_SHARE:
            continue
        number = len(records.chain_events) + 1
        event_id = f"urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}"
        event_time = batch["created_at"] + timedelta(days=3)
        partner = rng.randrange(1, plan.partners + 1)
        document = {
            "type": "ObjectEvent",
            "eventID": event_id,
            "eventTime": event_time.isoformat(),
            "eventTimeZoneOffset": "+07:00",
            "action": "OBSERVE",
            "bizStep": "shipping",
            "quantityList": [{"epcClass": f"lot:{batch['lot_code']}", "quantity": 1}],
        }
        records.chain_events.append(
            {
                "id": number,
                "event_id": event_id,
                "event_type": "ObjectEvent",
                "biz_step": "shipping",
                "event_time": event_time,
                "partner_id": partner,
                "document": json.dumps(document, sort_keys=True),
                "recorded_at": event_time + timedelta(hours=1),
            }
        )
        records.chain_event_batches.append(
            {"id": number, "event_id": number, "batch_id": batch["id"], "role": "subject"}
        )
