"""Schema migrations, run through Alembic's command API (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from traceapp.infrastructure.scan_partitions import is_partition_name

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(database_url: str, connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Alembic's Config interpolates '%' signs; a URL may contain them.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head() -> str:
    """The revision a database reaches with `upgrade`: the migrations' head."""
    head = ScriptDirectory.from_config(alembic_config("")).get_current_head()
    assert head is not None
    return head


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """What Alembic compares with the models: not the month partitions of scans,
    which the maintenance creates and drops (traceapp/infrastructure/scan_partitions.py)."""
    return not (type_ == "table" and name is not None and is_partition_name(name))


def upgrade(
    database_url: str, revision: str = "heads", connection: Connection | None = None
) -> None:
    """Bring the schema up to `revision` (default: every branch head)."""
    command.upgrade(alembic_config(database_url, connection), revision)


def downgrade(database_url: str, revision: str, connection: Connection | None = None) -> None:
    command.downgrade(alembic_config(database_url, connection), revision)
