"""Scans are statistics, not trust facts (SECURITY.md): deleting them directly in
the database hides how often and where a code was scanned, and so the "may have been
copied" warning, but never changes a verdict, and `audit verify` does not claim to
see it."""

from __future__ import annotations

from sqlalchemy import delete

from traceapp.domain.audit_verification import verify_records
from traceapp.domain.voiding import void_label
from traceapp.models import Scan
from traceapp.web.public import flush_scans

JSON = {"Accept": "application/json"}
COPIED = "This label may have been copied"


def _scan_far_apart(client, path: str) -> str:
    client.get(path + "&lat=22.67&lon=106.26", environ_base={"REMOTE_ADDR": "198.51.100.1"})
    return client.get(
        path + "&lat=10.78&lon=106.70&lang=en", environ_base={"REMOTE_ADDR": "198.51.100.2"}
    ).get_data(as_text=True)


def test_deleted_scans_hide_the_copy_warning(app, client, issued, db_session):
    assert COPIED in _scan_far_apart(client, issued.path(0))
    flush_scans(app)  # stored, as the buffer's writer does within 0.2 s

    db_session.execute(delete(Scan).where(Scan.label_id == issued.labels[0].id))
    page = client.get(issued.path(0) + "&lang=en").get_data(as_text=True)

    assert COPIED not in page
    assert client.get(issued.path(0), headers=JSON).get_json()["scans"]["count"] == 2


def test_deleted_scans_change_no_verdict_and_no_trust_fact(app, client, issued, db_session, keyset):
    void_label(db_session, issued.batch.id, issued.labels[1].serial, "Tem bị rách", "test")
    for n in (0, 1):
        _scan_far_apart(client, issued.path(n))
    before = [client.get(issued.path(n), headers=JSON).get_json()["verdict"] for n in (0, 1, 2)]
    flush_scans(app)

    db_session.execute(delete(Scan))

    after = [client.get(issued.path(n), headers=JSON).get_json()["verdict"] for n in (0, 1, 2)]
    assert before == after == ["genuine", "voided", "genuine"]
    assert verify_records(db_session, keyset).clean
