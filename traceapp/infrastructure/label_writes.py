"""The triggers that note, in `label_writes`, every batch whose labels were written.

`audit verify` compares the stored labels with the log. Reading all of them costs
one read per label (20 million in a province), so the default verify reads only the
labels of the batches noted here since the last verified checkpoint
(docs/audit-log.md). The notes come from the database, not from the service: an
INSERT, UPDATE, DELETE or TRUNCATE of `labels`, or a change of a batch's
`labels_issued`, made by the service or typed into psql, notes the batch. On
PostgreSQL the label triggers run once per statement (a COPY of 10,000 labels adds
one row); SQLite has only row triggers, which add a batch that is not noted yet.

The triggers are the service's to keep: `missing_triggers` names any that is gone or
disabled, and verify then reads every label.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

LABEL_TRIGGERS = ("labels_inserted", "labels_updated", "labels_deleted")
BATCH_TRIGGER = "batches_labels_issued"
# TRUNCATE is a statement of its own, with no rows to name: it notes every batch.
TRUNCATE_TRIGGER = "labels_truncated"
POSTGRESQL_TRIGGERS = (*LABEL_TRIGGERS, TRUNCATE_TRIGGER, BATCH_TRIGGER)
SQLITE_TRIGGERS = (*LABEL_TRIGGERS, BATCH_TRIGGER)

_POSTGRESQL = [
    """
    CREATE FUNCTION note_label_writes() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO label_writes (batch_id) SELECT DISTINCT batch_id FROM new_rows;
        ELSIF TG_OP = 'UPDATE' THEN
            INSERT INTO label_writes (batch_id)
                SELECT batch_id FROM new_rows UNION SELECT batch_id FROM old_rows;
        ELSIF TG_OP = 'DELETE' THEN
            INSERT INTO label_writes (batch_id) SELECT DISTINCT batch_id FROM old_rows;
        ELSE
            INSERT INTO label_writes (batch_id) SELECT id FROM batches;
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION note_batch_labels_issued() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO label_writes (batch_id) VALUES (NEW.id);
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER labels_inserted AFTER INSERT ON labels REFERENCING NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION note_label_writes()",
    "CREATE TRIGGER labels_updated AFTER UPDATE ON labels"
    " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION note_label_writes()",
    "CREATE TRIGGER labels_deleted AFTER DELETE ON labels REFERENCING OLD TABLE AS old_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION note_label_writes()",
    "CREATE TRIGGER labels_truncated AFTER TRUNCATE ON labels"
    " FOR EACH STATEMENT EXECUTE FUNCTION note_label_writes()",
    "CREATE TRIGGER batches_labels_issued AFTER UPDATE OF labels_issued ON batches FOR EACH ROW"
    " WHEN (OLD.labels_issued IS DISTINCT FROM NEW.labels_issued)"
    " EXECUTE FUNCTION note_batch_labels_issued()",
]

_SQLITE_NOTE = (
    "INSERT INTO label_writes (batch_id) SELECT {row}.batch_id WHERE NOT EXISTS"
    " (SELECT 1 FROM label_writes WHERE batch_id = {row}.batch_id);"
)
_SQLITE = [
    "CREATE TRIGGER labels_inserted AFTER INSERT ON labels BEGIN "
    + _SQLITE_NOTE.format(row="NEW")
    + " END",
    "CREATE TRIGGER labels_updated AFTER UPDATE ON labels BEGIN "
    + _SQLITE_NOTE.format(row="OLD")
    + " "
    + _SQLITE_NOTE.format(row="NEW")
    + " END",
    "CREATE TRIGGER labels_deleted AFTER DELETE ON labels BEGIN "
    + _SQLITE_NOTE.format(row="OLD")
    + " END",
    "CREATE TRIGGER batches_labels_issued AFTER UPDATE OF labels_issued ON batches"
    " WHEN OLD.labels_issued IS NOT NEW.labels_issued BEGIN"
    " INSERT INTO label_writes (batch_id) VALUES (NEW.id); END",
]


def install_triggers(connection: Connection) -> None:
    """Create the triggers (the migration does, under its lock timeout)."""
    statements = _POSTGRESQL if connection.dialect.name == "postgresql" else _SQLITE
    for statement in statements:
        connection.execute(text(statement))


def drop_triggers(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        for name in LABEL_TRIGGERS + (TRUNCATE_TRIGGER,):
            connection.execute(text(f"DROP TRIGGER IF EXISTS {name} ON labels"))
        connection.execute(text(f"DROP TRIGGER IF EXISTS {BATCH_TRIGGER} ON batches"))
        connection.execute(text("DROP FUNCTION IF EXISTS note_label_writes()"))
        connection.execute(text("DROP FUNCTION IF EXISTS note_batch_labels_issued()"))
    else:
        for name in SQLITE_TRIGGERS:
            connection.execute(text(f"DROP TRIGGER IF EXISTS {name}"))


def note_every_batch(connection: Connection) -> None:
    """Note every batch, so that the next verify reads every label: after labels were
    written with the triggers off (a bulk load), or when the triggers are installed."""
    connection.execute(text("INSERT INTO label_writes (batch_id) SELECT id FROM batches"))


def missing_triggers(connection: Connection) -> list[str]:
    """The note-taking triggers that are not there, or are disabled (PostgreSQL)."""
    expected: tuple[str, ...]
    if connection.dialect.name == "postgresql":
        expected = POSTGRESQL_TRIGGERS
        present = set(
            connection.scalars(
                text(
                    "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
                    " AND tgenabled IN ('O', 'A')"
                    " AND tgrelid IN ('labels'::regclass, 'batches'::regclass)"
                )
            )
        )
    else:
        expected = SQLITE_TRIGGERS
        present = set(
            connection.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
        )
    return [name for name in expected if name not in present]
