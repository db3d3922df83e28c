"""Value-chain fixtures: a certified batch with a partner, the demo's chains, API tokens,
and the browser helpers shared with the verification tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest
from sqlalchemy.orm import Session

from tests.factories import Factory
from traceapp.demo.chain import load_demo_chain
from traceapp.demo.data import load_demo_data
from traceapp.domain.accounts import create_token
from traceapp.domain.value_chain import PartnerDetails, register_partner
from traceapp.models import Batch, Partner, User

SCHEMA_PATH = Path(__file__).parent / "schemas" / "epcis-json-schema.json"
BASE_URL = "https://trace.example.vn"


def epcis_schema_errors(document: dict) -> list[str]:
    """Every way `document` breaks the official EPCIS 2.0 JSON schema shipped here."""
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(document)
    ]


@dataclass
class Chain:
    batch: Batch
    supermarket: Partner
    exporter: Partner


def make_chain(session: Session) -> Chain:
    factory = Factory(session)
    batch = factory.batch(quantity=1000, certified=True)
    supermarket = register_partner(
        session,
        PartnerDetails(
            name=f"Siêu thị Co.opmart Cao Bằng {batch.id}", role="supermarket", province="Cao Bằng"
        ),
        "test",
    )
    exporter = register_partner(
        session,
        PartnerDetails(
            name=f"Công ty Cổ phần Sài Gòn - Gia Lai {batch.id}",
            role="exporter",
            province="Gia Lai",
        ),
        "test",
    )
    return Chain(batch, supermarket, exporter)


@pytest.fixture
def chain(db_session) -> Chain:
    made = make_chain(db_session)
    db_session.commit()
    return made


@pytest.fixture
def demo(db_session):
    summary = load_demo_data(db_session)
    load_demo_chain(db_session, summary)
    db_session.commit()
    return summary


@pytest.fixture
def tokens(db_session) -> dict[str, str]:
    made = {}
    for role in ("union_officer", "inspector"):
        user = User(email=f"{role}@chain.test", name="Lục Văn Kiên", password_hash="x", role=role)
        db_session.add(user)
        db_session.flush()
        _token, secret = create_token(db_session, user, "tests", "test")
        made[role] = secret
    db_session.commit()
    return made


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}
