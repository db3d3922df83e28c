"""Inspectors' app fixtures: the console's test world, and the parity corpus served."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy.orm import Session

from tests.console.conftest import shared_keys_dir, test_settings, world  # noqa: F401
from tests.console.world import password_hash
from tests.inspect.corpus import REGION, build_corpus, bundle_json
from traceapp import create_app
from traceapp.domain.accounts import create_token
from traceapp.domain.offline_bundle import build_bundle, find_region
from traceapp.domain.signing_keys import key_store
from traceapp.models import User


@pytest.fixture
def parity_settings(test_settings, tmp_path):  # noqa: F811 (the fixture, not the import)
    return dataclasses.replace(test_settings, keys_dir=tmp_path / "parity-keys")


@pytest.fixture
def field(committed_engine, parity_settings, serve):
    """The corpus committed, an inspector's token, and the app served."""
    with Session(committed_engine, expire_on_commit=False) as session:

        def bundle_now() -> str:
            region = find_region(session, REGION)
            document = build_bundle(
                session, key_store(parity_settings), parity_settings.issuer, region, "test"
            )
            session.commit()
            return bundle_json(document)

        corpus = build_corpus(session, parity_settings, bundle_now)
        inspector = User(
            email="thanh.tra@caobang.gov.vn",
            name="Lục Văn Kiên",
            password_hash=password_hash(),
            role="inspector",
        )
        session.add(inspector)
        session.flush()
        _token, secret = create_token(session, inspector, "phone", "test")
        session.commit()
    # The parity test asks the server ~250 times in a few seconds.
    base = serve(create_app(parity_settings, config={"RATELIMIT_ENABLED": False}))
    yield base, corpus, secret, committed_engine
