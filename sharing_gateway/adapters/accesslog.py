"""The access log in the database, appended by one writer transaction at a time.

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

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session

from govledger.auth.clock import Clock
from govledger.db import DriverStatement
from sharing_gateway.domain.accesslog import GENESIS_HASH, Entry, EntryBody
from sharing_gateway.tables import AccessLogEntryRow, AccessLogHeadRow

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
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


def format_time(moment: datetime) -> str:
    return moment.strftime(TIME_FORMAT)


def ensure_head(session: Session, log_id: str) -> None:
    if session.get(AccessLogHeadRow, log_id) is None:
        session.add(AccessLogHeadRow(log_id=log_id, next_seq=0, last_hash=GENESIS_HASH))


class LogTransaction:
    """A writer transaction: its ``session``, and :meth:`append` for log entries.

    The log's head row is locked as the transaction's first statement, so processes sharing the
    database always lock in the same order (head, then usage rows) and never deadlock."""

    def __init__(self, session: Session, log_id: str, clock: Clock) -> None:
        self.session = session
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


def entry_of(row: AccessLogEntryRow) -> Entry:
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
