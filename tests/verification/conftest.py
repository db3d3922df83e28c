"""Scans stored directly, as the page's scan sink stores them. (Issued labels, their
codes, committed labels and the server app, shared with the resolver, inspector and
value-chain tests, are in tests/conftest.py.)"""

from __future__ import annotations

from traceapp.infrastructure.records import NewScan, ScanPlace
from traceapp.infrastructure.scan_sinks import SessionScanSink
from traceapp.models._columns import utcnow


def record_scan(session, label_id, client: str, place: ScanPlace | None = None) -> None:
    """Store one scan of the label now, as the page's scan sink does."""
    scan = NewScan(label_id, "genuine", client, place or ScanPlace(), utcnow())
    SessionScanSink(session).add(scan)
