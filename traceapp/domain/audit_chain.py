"""The hash chain of the audit log: which entries were altered, deleted or slipped in.

Used by `audit verify` (traceapp/domain/audit_verification.py) and before signing a
checkpoint (traceapp/domain/checkpoints.py); it depends on neither.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from traceapp.domain.audit_log import GENESIS_HASH, hash_of_entry

LOG_START = "the start of the log"


@dataclass(frozen=True)
class Finding:
    """One discrepancy: which table and row, and what is wrong with it."""

    table: str
    row_id: int | str | None
    problem: str
    field: str | None = None

    def __str__(self) -> str:
        where = f"{self.table} row {self.row_id}" if self.row_id is not None else self.table
        if self.field is not None:
            where += f" {self.field}"
        return f"{where}: {self.problem}"


def chain_findings(
    entries: Sequence[Any], start_hash: str = GENESIS_HASH, start: str = LOG_START
) -> list[Finding]:
    """Findings about the hash chain of `entries` (in id order): all of the log, or
    the entries after a checkpoint whose head hash is `start_hash`."""
    return altered_findings(entries) + link_findings(entries, start_hash, start)


def altered_findings(entries: Iterable[Any]) -> list[Finding]:
    """Entries whose stored hash no longer matches their fields."""
    return [
        Finding("audit_entries", e.id, "altered: its hash no longer matches its contents")
        for e in entries
        if hash_of_entry(e) != e.entry_hash
    ]


def link_findings(
    entries: Sequence[Any], start_hash: str = GENESIS_HASH, start: str = LOG_START
) -> list[Finding]:
    """Breaks in the links (previous_hash) of `entries`; each needs only id,
    previous_hash and entry_hash."""
    findings: list[Finding] = []
    by_hash = {e.entry_hash: e for e in entries}
    previous: Any = None
    for index, entry in enumerate(entries):
        expected = previous.entry_hash if previous else start_hash
        if entry.previous_hash == expected:
            previous = entry
            continue
        following = entries[index + 1] if index + 1 < len(entries) else None
        linked = by_hash.get(entry.previous_hash)
        after = f"entry {previous.id}" if previous else start
        if following is not None and following.previous_hash == expected:
            # The chain goes on around this entry: it was slipped in.
            findings.append(
                Finding(
                    "audit_entries",
                    entry.id,
                    f"inserted out of order: the chain continues from {after} "
                    f"to entry {following.id} without it",
                )
            )
            continue
        if (
            following is None
            and (linked is not None or entry.previous_hash == GENESIS_HASH)
            and previous is not None
        ):
            target = f"entry {linked.id}" if linked else "the start of the log"
            # The newest entry skips back: either it was appended with a backdated link
            # or the entries it skips were slipped in; a checkpoint over it would say which.
            findings.append(
                Finding(
                    "audit_entries",
                    entry.id,
                    f"inserted out of order: it chains to {target}, "
                    f"not to the entry before it ({previous.id})",
                )
            )
            continue
        if linked is not None and previous is not None and linked.id < previous.id:
            skipped = [e.id for e in entries if linked.id < e.id <= previous.id]
            findings += [
                Finding(
                    "audit_entries",
                    skipped_id,
                    f"inserted out of order: entry {entry.id} chains to entry {linked.id}, past it",
                )
                for skipped_id in skipped
            ]
        else:
            findings.append(
                Finding(
                    "audit_entries",
                    entry.id,
                    f"the entry it chains to is missing: entries were deleted "
                    f"between {after} and this one (or {after} was rewritten)",
                )
            )
        previous = entry
    return findings
