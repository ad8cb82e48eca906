"""The access log in the database: appended by one writer transaction at a time, read by the
anchorer and the auditors (:class:`SqlAccessLogStore`).

A :class:`LogTransaction` first locks the log's head row (an UPDATE: on PostgreSQL a row lock
held until commit; on SQLite the writer already holds the database's write lock), so appends from
several processes still queue and every entry links to the one committed before it. Entries are
kept in memory and written with the new head in :meth:`LogTransaction.flush`, in the same
transaction as whatever they record (e.g. the use they count): both commit, or neither.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from govledger.auth.clock import Clock
from govledger.db import DriverStatement
from sharing_gateway.adapters.sql import stored
from sharing_gateway.domain.accesslog import GENESIS_HASH, Entry, EntryBody, format_time
from sharing_gateway.ports import EVERY_ENTRY, OutcomeCount, StoredSegment, TraceFilter
from sharing_gateway.tables import AccessLogEntryRow, AccessLogHeadRow, AccessLogSegmentRow

# Built once and run on the driver's cursor: every writer transaction runs them (an UPDATE that
# changes nothing takes the lock).
_LOCK_HEAD = DriverStatement(
    update(AccessLogHeadRow)
    .where(AccessLogHeadRow.log_id == bindparam("head_log_id"))
    .values(next_seq=AccessLogHeadRow.next_seq)
    .returning(AccessLogHeadRow.next_seq, AccessLogHeadRow.last_hash)
)
_MOVE_HEAD = DriverStatement(
    update(AccessLogHeadRow)
    .where(AccessLogHeadRow.log_id == bindparam("head_log_id"))
    .values(next_seq=bindparam("new_next_seq"), last_hash=bindparam("new_last_hash"))
)
_INSERT_ENTRIES = insert(AccessLogEntryRow)


def ensure_head(session: Session, log_id: str) -> None:
    if session.get(AccessLogHeadRow, log_id) is None:
        session.add(AccessLogHeadRow(log_id=log_id, next_seq=0, last_hash=GENESIS_HASH))


class LogTransaction:
    """The log in a writer transaction on ``session``: :meth:`append` entries to it.

    The log's head row is locked as the transaction's first statement, so processes sharing the
    database always lock in the same order (head, then usage rows) and never deadlock."""

    def __init__(self, session: Session, log_id: str, clock: Clock) -> None:
        self._log_id = log_id
        self._clock = clock
        self._rows: list[dict[str, Any]] = []
        # Statements go through the connection (plain SQL), not the session's ORM bulk paths:
        # they run for every release.
        self._connection = session.connection()
        head = _LOCK_HEAD.execute(self._connection, {"head_log_id": log_id}).fetchone()
        if head is None:
            raise LookupError(f"access log {log_id!r} has no head row")
        self._head: tuple[int, str] = (head[0], head[1])

    def append(
        self,
        *,
        action: str,
        outcome: str,
        code: str,
        caller: str,
        grant_id: int | None = None,
        dataset_id: str | None = None,
        fields: Sequence[str] = (),
        purpose: str = "",
    ) -> Entry:
        seq, prev_hash = self._head
        now = self._clock()
        body = EntryBody(
            seq=seq,
            time=format_time(now),
            action=action,
            outcome=outcome,
            code=code,
            caller=caller,
            grant_id=grant_id,
            dataset_id=dataset_id,
            fields=tuple(fields),
            purpose=purpose,
            prev_hash=prev_hash,
        )
        entry = Entry(body, body.digest())
        self._rows.append(
            {
                "seq": seq,
                "recorded_at": now,
                "action": action,
                "outcome": outcome,
                "code": code,
                "caller": caller,
                "grant_id": grant_id,
                "dataset_id": dataset_id,
                "fields_json": json.dumps(list(fields)),
                "purpose": purpose,
                "prev_hash": prev_hash,
                "entry_hash": entry.entry_hash,
            }
        )
        self._head = (seq + 1, entry.entry_hash)
        return entry

    def flush(self) -> None:
        """Write the appended entries and the new head (before the commit)."""
        if not self._rows:
            return
        self._connection.execute(_INSERT_ENTRIES, self._rows)
        next_seq, last_hash = self._head
        _MOVE_HEAD.execute(
            self._connection,
            {"head_log_id": self._log_id, "new_next_seq": next_seq, "new_last_hash": last_hash},
        )
        self._rows = []


def _entry(row: AccessLogEntryRow) -> Entry:
    body = EntryBody(
        seq=row.seq,
        time=format_time(row.recorded_at),
        action=row.action,
        outcome=row.outcome,
        code=row.code,
        caller=row.caller,
        grant_id=row.grant_id,
        dataset_id=row.dataset_id,
        fields=tuple(json.loads(row.fields_json)),
        purpose=row.purpose,
        prev_hash=row.prev_hash,
    )
    return Entry(body, row.entry_hash)


def _query(criteria: TraceFilter) -> Select[AccessLogEntryRow]:
    query = select(AccessLogEntryRow).order_by(AccessLogEntryRow.seq)
    if criteria.dataset_id is not None:
        query = query.where(AccessLogEntryRow.dataset_id == criteria.dataset_id)
    if criteria.requester is not None:
        query = query.where(AccessLogEntryRow.caller == criteria.requester)
    if criteria.grant_id is not None:
        query = query.where(AccessLogEntryRow.grant_id == criteria.grant_id)
    if criteria.since is not None:
        query = query.where(AccessLogEntryRow.recorded_at >= criteria.since)
    if criteria.until is not None:
        query = query.where(AccessLogEntryRow.recorded_at < criteria.until)
    return query


class SqlAccessLogStore:
    def __init__(self, session: Session) -> None:
        self._session = session

    def entries(self, criteria: TraceFilter = EVERY_ENTRY) -> list[Entry]:
        return [_entry(row) for row in self._session.scalars(_query(criteria))]

    def release_counts(self) -> list[OutcomeCount]:
        rows = self._session.execute(
            select(AccessLogEntryRow.outcome, AccessLogEntryRow.code, func.count())
            .where(AccessLogEntryRow.action == "release")
            .group_by(AccessLogEntryRow.outcome, AccessLogEntryRow.code)
            .order_by(AccessLogEntryRow.outcome, AccessLogEntryRow.code)
        )
        return [OutcomeCount(outcome, code, count) for outcome, code, count in rows]

    def last_seq(self) -> int | None:
        return self._session.scalar(select(func.max(AccessLogEntryRow.seq)))

    def entry_hashes(self, first: int, last: int, limit: int | None = None) -> list[str]:
        return list(
            self._session.scalars(
                select(AccessLogEntryRow.entry_hash)
                .where(AccessLogEntryRow.seq >= first, AccessLogEntryRow.seq <= last)
                .order_by(AccessLogEntryRow.seq)
                .limit(limit)
            )
        )

    def segment_of(self, seq: int) -> StoredSegment | None:
        row = self._session.scalar(
            select(AccessLogSegmentRow)
            .where(AccessLogSegmentRow.first_seq <= seq, AccessLogSegmentRow.last_seq >= seq)
            .limit(1)
        )
        return None if row is None else stored(StoredSegment, row)

    def segment_count(self) -> int:
        return self._session.scalar(select(func.count()).select_from(AccessLogSegmentRow)) or 0

    def first_unanchored(self) -> tuple[int, datetime] | None:
        row = self._session.execute(
            select(AccessLogEntryRow.seq, AccessLogEntryRow.recorded_at)
            .where(AccessLogEntryRow.seq >= self.next_unanchored())
            .order_by(AccessLogEntryRow.seq)
            .limit(1)
        ).first()
        return None if row is None else (row.seq, row.recorded_at)

    def next_unanchored(self) -> int:
        last = self._session.scalar(select(func.max(AccessLogSegmentRow.last_seq)))
        return 0 if last is None else last + 1

    def add_segment(self, segment: StoredSegment) -> None:
        self._session.add(AccessLogSegmentRow(**vars(segment)))
