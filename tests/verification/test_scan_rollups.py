"""Roll-ups and retention: every figure is the same before and after a roll-up, and
after the raw scans are pruned; pruning is an audit-log event, not tampering."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from traceapp.clock import today_local
from traceapp.domain.audit_verification import verify_records
from traceapp.domain.dashboard import scan_counts, union_figures
from traceapp.domain.scan_rollups import PRUNED, prune_scans, roll_up_scans
from traceapp.domain.scans import batch_scan_statistics, flagged_codes
from traceapp.errors import DomainError
from traceapp.infrastructure.records import NewScan, ScanPlace
from traceapp.infrastructure.scan_rollups import rolled_up_to
from traceapp.infrastructure.scan_sinks import write_scans
from traceapp.models import AuditEntry, Scan
from traceapp.models._columns import utcnow
from traceapp.web.public import flush_scans

JSON = {"Accept": "application/json"}
COPIED = "This label may have been copied"
CAO_BANG, HO_CHI_MINH = ScanPlace(22.7, 106.3), ScanPlace(10.8, 106.7)


def _scan(label_id, client: str, days_ago: float, place: ScanPlace | None = None) -> NewScan:
    moment = utcnow() - timedelta(days=days_ago)
    return NewScan(label_id, "genuine", client, place or ScanPlace(), moment)


def _history(db_session, issued) -> None:
    """Three months of scans: a copied code far apart and by many phones, an
    ordinary one, and a forged code that matched no label."""
    copied, ordinary = issued.labels[0].id, issued.labels[1].id
    scans = [
        _scan(copied, "phone-a", 130, CAO_BANG),
        _scan(copied, "phone-b", 130 - 0.1, HO_CHI_MINH),
    ]
    scans += [_scan(copied, f"phone-{n}", 120 - n) for n in range(25)]
    scans += [_scan(ordinary, "household", days) for days in (150, 3, 1)]
    scans += [NewScan(None, "unknown", "forger", ScanPlace(), utcnow() - timedelta(days=2))]
    write_scans(db_session, scans)


def _figures(db_session, issued):
    stats = batch_scan_statistics(db_session, issued.batch.id, today_local(), days=120)
    return (
        stats.days,
        stats.total_scans,
        stats.labels_scanned,
        [(c.serial, c.scans, c.clients, c.flags) for c in flagged_codes(db_session)],
        union_figures(db_session).scans,
        scan_counts(db_session, issued.batch.id).by_verdict,
    )


def _page(client, issued, index: int) -> dict:
    return client.get(issued.path(index) + "&lang=en", headers=JSON).get_json()["scans"]


def test_rolled_up_figures_are_the_raw_figures(db_session, session_factory, issued):
    _history(db_session, issued)
    before = _figures(db_session, issued)

    report = roll_up_scans(session_factory)

    assert report.scans == 31 and rolled_up_to(db_session) > utcnow() - timedelta(hours=1)
    assert _figures(db_session, issued) == before
    assert before[3][0][1:] == (27, 27, ("too_many_clients", "distant_places"))


def test_the_page_counts_the_same_once_rolled_up(app, client, db_session, session_factory, issued):
    _history(db_session, issued)
    first = _page(client, issued, 0)
    flush_scans(app)

    roll_up_scans(session_factory)
    again = _page(client, issued, 0)

    assert again["count"] == first["count"] + 1
    assert again["distinct_clients"] == first["distinct_clients"]  # the same phone again
    assert again["flags"] == first["flags"] == ["too_many_clients", "distant_places"]


def test_a_scan_written_behind_the_roll_up_is_counted_once(db_session, session_factory, issued):
    _history(db_session, issued)
    roll_up_scans(session_factory)
    before = batch_scan_statistics(db_session, issued.batch.id, today_local())

    # Kept by a buffer through a long outage: its time is already rolled up.
    write_scans(db_session, [_scan(issued.labels[2].id, "late-phone", 2)])

    after = batch_scan_statistics(db_session, issued.batch.id, today_local())
    assert (after.total_scans, after.labels_scanned) == (
        before.total_scans + 1,
        before.labels_scanned + 1,
    )
    roll_up_scans(session_factory)
    assert batch_scan_statistics(db_session, issued.batch.id, today_local()) == after


def test_pruned_scans_keep_every_figure_and_the_copy_warning(
    app, client, db_session, session_factory, issued, keyset
):
    _history(db_session, issued)
    roll_up_scans(session_factory)
    page_before = _page(client, issued, 0)
    flush_scans(app)
    before = _figures(db_session, issued)

    pruned = prune_scans(db_session, 1, today_local(), "test")

    assert pruned.rows == 28  # the copied code's 27 scans and the ordinary code's oldest
    copied = select(func.count()).where(Scan.label_id == issued.labels[0].id)
    assert db_session.scalar(copied) == 1  # the page view above: raw, recent
    assert _figures(db_session, issued) == before
    page = client.get(issued.path(0) + "&lang=en").get_data(as_text=True)
    assert COPIED in page and _page(client, issued, 0)["count"] == page_before["count"] + 2


def test_a_prune_is_logged_and_leaves_the_log_clean(db_session, session_factory, issued, keyset):
    _history(db_session, issued)
    roll_up_scans(session_factory)

    prune_scans(db_session, 1, today_local(), "cron")

    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == PRUNED)).one()
    assert entry.actor == "cron" and '"rows":28' in entry.details
    assert verify_records(db_session, keyset).clean


def test_scans_not_rolled_up_are_never_pruned(db_session, issued):
    _history(db_session, issued)
    with pytest.raises(DomainError, match="rolled up to"):
        prune_scans(db_session, 1, today_local(), "test")
    assert db_session.scalar(select(func.count()).select_from(Scan)) == 31


def test_prune_command_refuses_a_retention_under_a_month(run_cli):
    result = run_cli("scans", "prune", "--months", "0")
    assert result.exit_code == 2 and "0" in result.output


def test_maintain_command_says_what_it_did(run_cli, committed_engine):
    result = run_cli("scans", "maintain")
    assert result.exit_code == 0, result.output
    assert "rolled up 0 scans" in result.output and "dropped 0 raw scans" in result.output
