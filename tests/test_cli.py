"""The `traceapp` command line, driven as a user would: through its commands."""

from __future__ import annotations

import dataclasses

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from traceapp.models import Batch, Certification, Cooperative, Product, User


def _counts(engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            model.__name__: session.scalar(select(func.count()).select_from(model))
            for model in (Cooperative, Product, Batch, Certification)
        }


def test_every_command_has_help(run_cli):
    for args in (
        ["--help"],
        ["db", "--help"],
        ["db", "upgrade", "--help"],
        ["demo", "--help"],
        ["serve", "--help"],
        ["init-db", "--help"],
    ):
        result = run_cli(*args)
        assert result.exit_code == 0, result.output
        assert "Usage:" in result.output


def test_demo_is_refused_in_production_and_writes_nothing(run_cli, test_settings, engine):
    production = dataclasses.replace(
        test_settings,
        env="production",
        secret_key="a-real-production-secret",
        key_passphrase="a-real-production-passphrase",
    )

    result = run_cli("demo", settings=production)

    assert result.exit_code == 2
    assert "refused in production" in result.output
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0
    assert not production.keys_dir.exists()


def test_demo_twice_creates_no_duplicates(run_cli, committed_engine):
    first = run_cli("demo")
    assert first.exit_code == 0, first.output
    after_first = _counts(committed_engine)

    second = run_cli("demo")
    assert second.exit_code == 0, second.output
    assert _counts(committed_engine) == after_first
    assert after_first["Cooperative"] >= 5
    assert "(0 records created)" in second.output


def test_demo_prints_urls_on_the_public_base_url(run_cli, committed_engine, test_settings):
    result = run_cli("demo")
    assert result.exit_code == 0, result.output
    base = test_settings.public_base_url  # https://trace.example.vn, not port 5000
    assert f"{base}/console" in result.output
    assert f"{base}/.well-known/traceapp-keys.json" in result.output
    assert "127.0.0.1:5000" not in result.output


def test_demo_loads_the_bao_hung_herbal_fed_eggs(run_cli, committed_engine):
    assert run_cli("demo").exit_code == 0
    with Session(committed_engine) as session:
        batch = session.scalar(select(Batch).where(Batch.lot_code == "BH-2611-01"))
        assert batch.cooperative.name == "Hợp tác xã Bảo Hưng"
        assert batch.cooperative.commune == "xã Trường Hà"
        assert batch.status == "certified"


def test_unknown_revision_is_a_one_line_error_with_exit_code_2(run_cli):
    result = run_cli("db", "upgrade", "no-such-revision")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "no-such-revision" in result.output
