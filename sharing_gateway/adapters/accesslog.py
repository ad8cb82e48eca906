"""The access log in the database: appends serialised on the log's head row.

An append first UPDATEs the head row (``next_seq = next_seq + 1``): on PostgreSQL that locks the
row until commit, on SQLite it takes the database's write lock, so concurrent appends queue and
every entry links to the one committed before it. The entry is written in the caller's
transaction: it commits together with what it records (e.g. the use it counts), or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sharing_gateway.domain.auditlog import GENESIS_HASH, Entry, EntryBody
from sharing_gateway.models import AuditEntryRow, AuditHeadRow

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def format_time(moment: datetime) -> str:
    return moment.strftime(TIME_FORMAT)


def ensure_head(session: Session, log_id: str) -> None:
    if session.get(AuditHeadRow, log_id) is None:
        session.add(AuditHeadRow(log_id=log_id, next_seq=0, last_hash=GENESIS_HASH))


def append(
    session: Session,
    log_id: str,
    *,
    now: datetime,
    action: str,
    outcome: str,
    code: str,
    caller: str,
    grant_id: int | None = None,
    dataset_id: str | None = None,
    fields: Sequence[str] = (),
    purpose: str = "",
) -> Entry:
    session.execute(
        update(AuditHeadRow)
        .where(AuditHeadRow.log_id == log_id)
        .values(next_seq=AuditHeadRow.next_seq + 1)
    )
    next_seq, last_hash = session.execute(
        select(AuditHeadRow.next_seq, AuditHeadRow.last_hash).where(AuditHeadRow.log_id == log_id)
    ).one()
    body = EntryBody(
        seq=next_seq - 1,
        time=format_time(now),
        action=action,
        outcome=outcome,
        code=code,
        caller=caller,
        grant_id=grant_id,
        dataset_id=dataset_id,
        fields=tuple(fields),
        purpose=purpose,
        prev_hash=last_hash,
    )
    entry = Entry(body, body.digest())
    session.execute(
        update(AuditHeadRow).where(AuditHeadRow.log_id == log_id).values(last_hash=entry.entry_hash)
    )
    session.add(
        AuditEntryRow(
            seq=body.seq,
            recorded_at=now,
            action=action,
            outcome=outcome,
            code=code,
            caller=caller,
            grant_id=grant_id,
            dataset_id=dataset_id,
            fields_json=json.dumps(list(fields)),
            purpose=purpose,
            prev_hash=body.prev_hash,
            entry_hash=entry.entry_hash,
        )
    )
    return entry


def entry_of(row: AuditEntryRow) -> Entry:
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
