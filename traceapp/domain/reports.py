"""Consumers' reports of a label whose page said it is not genuine (or may be copied),
kept for the Union to follow up."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from traceapp.domain import audit_log
from traceapp.errors import InvalidInput, NotFound
from traceapp.models import LabelReport
from traceapp.models._columns import utcnow

# The verdicts of the public page that offer the report form ("copied": a genuine
# code scanned in ways one item cannot be).
REPORTABLE_VERDICTS = (
    "not_genuine",
    "revoked_key",
    "voided",
    "recalled",
    "expired",
    "copied",
)
MAX_CODE = 2100
MAX_MESSAGE = 2000
MAX_SHORT = 200


@dataclass(frozen=True)
class ReportDetails:
    code: str
    verdict: str
    message: str
    place: str | None = None
    contact: str | None = None


def file_report(session: Session, details: ReportDetails, client: str) -> LabelReport:
    """Store a consumer's report; `client` is the salted hash of the sender's address."""
    code = details.code.strip()
    message = details.message.strip()
    if not code or len(code) > MAX_CODE:
        raise InvalidInput("the report does not say which label it is about", field="code")
    if details.verdict not in REPORTABLE_VERDICTS:
        raise InvalidInput("the report does not say which label it is about", field="verdict")
    if not message:
        raise InvalidInput("say what is wrong with the product or label", field="message")
    if len(message) > MAX_MESSAGE:
        raise InvalidInput("write at most %(most)s characters", field="message", most=MAX_MESSAGE)
    for name in ("place", "contact"):
        if len(getattr(details, name) or "") > MAX_SHORT:
            raise InvalidInput("write at most %(most)s characters", field=name, most=MAX_SHORT)
    report = LabelReport(
        code=code,
        verdict=details.verdict,
        message=message,
        place=(details.place or "").strip() or None,
        contact=(details.contact or "").strip() or None,
        client_hash=client,
    )
    session.add(report)
    session.flush()
    return report


def list_reports(
    session: Session, *, open_only: bool = False, limit: int = 200
) -> list[LabelReport]:
    """Newest first; `open_only` leaves out the reports already handled."""
    stmt = select(LabelReport)
    if open_only:
        stmt = stmt.where(LabelReport.handled_at.is_(None))
    return list(session.scalars(stmt.order_by(LabelReport.id.desc()).limit(limit)))


def open_report_count(session: Session) -> int:
    return (
        session.scalar(select(func.count(LabelReport.id)).where(LabelReport.handled_at.is_(None)))
        or 0
    )


def mark_handled(session: Session, report_id: int, actor: str) -> LabelReport:
    """Record that the Union has followed the report up (handling it twice changes nothing)."""
    report = session.get(LabelReport, report_id)
    if report is None:
        raise NotFound("no report %(report)s", report=str(report_id))
    if report.handled_at is None:
        report.handled_at = utcnow()
        report.handled_by = actor
        audit_log.record(session, actor, "report.handled", "label_report", report.id, {})
    return report
