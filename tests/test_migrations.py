"""The schema comes from Alembic migrations, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from traceapp import schema
from traceapp.db import Base, make_engine


def test_upgrade_from_empty_creates_every_table(empty_database_url: str):
    schema.upgrade(empty_database_url)

    engine = make_engine(empty_database_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_downgrade_to_base_and_back_up_again(empty_database_url: str):
    schema.upgrade(empty_database_url)
    schema.downgrade(empty_database_url, "base")
    engine = make_engine(empty_database_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

    schema.upgrade(empty_database_url)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_models_and_migrations_describe_the_same_schema(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": schema.include_name}
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
