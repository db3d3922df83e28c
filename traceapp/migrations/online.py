"""What a migration runs on a big table while the service goes on (docs/migrations.md)."""

from __future__ import annotations

from alembic import op

from traceapp.infrastructure.scan_partitions import LOCK_TIMEOUT


def run_concurrently(*statements: str) -> None:
    """Run `statements` (CREATE or DROP INDEX CONCURRENTLY, VALIDATE CONSTRAINT...)
    outside Alembic's transaction, as they must be, each giving up after LOCK_TIMEOUT
    rather than making the public page wait behind it (PostgreSQL only)."""
    with op.get_context().autocommit_block():
        op.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
        for statement in statements:
            op.execute(statement)
        op.execute("RESET lock_timeout")
