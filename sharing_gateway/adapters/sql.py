"""The gateway's rows on the platform's database (SQLite or PostgreSQL)."""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any, TypeVar

from sqlalchemy import bindparam, case, func, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from govledger.db import DriverStatement
from sharing_gateway.ports import (
    GrantUsage,
    PublishedVersion,
    StoredDataset,
    StoredRequest,
    StoredVersion,
    UsesToRecord,
)
from sharing_gateway.tables import (
    AccessLogEntryRow,
    DatasetRow,
    GrantUsageRow,
    RequestRow,
    VersionRow,
)

S = TypeVar("S")


def stored(cls: type[S], row: Any) -> S:
    """``cls`` (a dataclass whose fields are columns of ``row``) from ``row``."""
    return cls(**{field.name: getattr(row, field.name) for field in fields(cls)})  # type: ignore[arg-type]


# The statements every release runs, built once and run on the driver's cursor: through
# SQLAlchemy's execution machinery each would cost more Python than the database spends on it.
_USAGE = DriverStatement(
    select(GrantUsageRow.used, GrantUsageRow.chain_error).where(
        GrantUsageRow.grant_id == bindparam("grant_id")
    )
)
_VERSION = DriverStatement(
    select(*(VersionRow.__table__.c[field.name] for field in fields(StoredVersion))).where(
        VersionRow.dataset_id == bindparam("dataset_id"),
        VersionRow.version == bindparam("version"),
    )
)
_PURPOSE = select(RequestRow.purpose)
# A row behind the chain (restored from a backup, or rebuilt after it was lost) is first raised
# to the chain's count, in the same statement: the use is counted from there, never from less.
_BEHIND_CHAIN = GrantUsageRow.used < bindparam("chain_used")
_COUNTED_FROM = case((_BEHIND_CHAIN, bindparam("chain_used")), else_=GrantUsageRow.used)
_COUNT_USE = DriverStatement(
    update(GrantUsageRow)
    .where(
        GrantUsageRow.grant_id == bindparam("counted_grant_id"),
        GrantUsageRow.max_uses > _COUNTED_FROM,
    )
    .values(
        used=_COUNTED_FROM + 1,
        chain_recorded=case(
            (_BEHIND_CHAIN, bindparam("chain_used")), else_=GrantUsageRow.chain_recorded
        ),
    )
    .returning(GrantUsageRow.max_uses - GrantUsageRow.used)
)


class SqlReleaseReads:
    """The reads of one release, on a plain connection: a Session costs more than they do."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def purpose(self, grant_id: int) -> str | None:
        return self._connection.scalar(_PURPOSE.where(RequestRow.grant_id == grant_id))

    def usage(self, grant_id: int) -> GrantUsage | None:
        row = _USAGE.execute(self._connection, {"grant_id": grant_id}).fetchone()
        return None if row is None else GrantUsage(*row)

    def version(self, dataset_id: str, version: int) -> StoredVersion | None:
        arguments = {"dataset_id": dataset_id, "version": version}
        row = _VERSION.execute(self._connection, arguments).fetchone()
        return None if row is None else StoredVersion(*row)


def _request(row: RequestRow) -> StoredRequest:
    return StoredRequest(
        **{
            field.name: getattr(row, field.name)
            for field in fields(StoredRequest)
            if field.name != "fields"
        },
        fields=tuple(json.loads(row.fields_json)),
    )


class SqlGatewayStore(SqlReleaseReads):
    def __init__(self, session: Session) -> None:
        super().__init__(session.connection())
        self._session = session

    def purpose(self, grant_id: int) -> str | None:
        # Through the session, so what this unit of work added is flushed and found.
        return self._session.scalar(_PURPOSE.where(RequestRow.grant_id == grant_id))

    def dataset(self, dataset_id: str) -> StoredDataset | None:
        row = self._session.get(DatasetRow, dataset_id)
        return None if row is None else stored(StoredDataset, row)

    def datasets(self) -> list[StoredDataset]:
        rows = self._session.scalars(select(DatasetRow).order_by(DatasetRow.dataset_id))
        return [stored(StoredDataset, row) for row in rows]

    def versions(self, dataset_id: str | None) -> list[PublishedVersion]:
        query = select(VersionRow).order_by(VersionRow.dataset_id, VersionRow.version)
        if dataset_id is not None:
            query = query.where(VersionRow.dataset_id == dataset_id)
        return [stored(PublishedVersion, row) for row in self._session.scalars(query)]

    def request(self, grant_id: int) -> StoredRequest | None:
        row = self._session.get(RequestRow, grant_id)
        return None if row is None else _request(row)

    def requests_of(self, code: str) -> list[StoredRequest]:
        party = or_(RequestRow.requester_code == code, RequestRow.provider_code == code)
        rows = self._session.scalars(select(RequestRow).where(party).order_by(RequestRow.grant_id))
        return [_request(row) for row in rows]

    def all_requests(self) -> list[StoredRequest]:
        return [_request(row) for row in self._session.scalars(select(RequestRow))]

    def blocked_requests(self) -> list[StoredRequest]:
        rows = self._session.scalars(
            select(RequestRow)
            .join(GrantUsageRow, GrantUsageRow.grant_id == RequestRow.grant_id)
            .where(GrantUsageRow.chain_error.is_not(None))
            .order_by(RequestRow.grant_id)
        )
        return [_request(row) for row in rows]

    def add_request(self, request: StoredRequest) -> None:
        columns = {field.name: getattr(request, field.name) for field in fields(request)}
        columns["fields_json"] = json.dumps(list(columns.pop("fields")))
        self._session.add(RequestRow(**columns))

    def set_reason(self, grant_id: int, reason: str) -> None:
        row = self._session.get(RequestRow, grant_id)
        if row is not None:
            row.reason = reason

    def add_usage(
        self,
        grant_id: int,
        provider_code: str,
        max_uses: int,
        *,
        used: int = 0,
        chain_recorded: int = 0,
    ) -> None:
        self._session.add(
            GrantUsageRow(
                grant_id=grant_id,
                provider_code=provider_code,
                max_uses=max_uses,
                used=used,
                chain_recorded=chain_recorded,
            )
        )

    def count_use(
        self, grant_id: int, provider_code: str, max_uses: int, chain_used: int
    ) -> int | None:
        connection = self._session.connection()
        arguments = {"counted_grant_id": grant_id, "chain_used": chain_used}
        uses_left = _COUNT_USE.scalar(connection, arguments)
        if uses_left is None and self._session.get(GrantUsageRow, grant_id) is None:
            # A grant made on chain outside the gateway, or a row lost: its first use creates
            # its row, counted from the larger of the chain's count and the releases the access
            # log holds (uses reach the chain only every few seconds; each release's entry is
            # committed with its count).
            released = self._session.scalar(
                select(func.count())
                .select_from(AccessLogEntryRow)
                .where(
                    AccessLogEntryRow.grant_id == grant_id,
                    AccessLogEntryRow.action == "release",
                    AccessLogEntryRow.outcome == "released",
                )
            )
            self.add_usage(
                grant_id, provider_code, max_uses, used=released or 0, chain_recorded=chain_used
            )
            self._session.flush()
            uses_left = _COUNT_USE.scalar(connection, arguments)
        return None if uses_left is None else int(uses_left)

    def uses_to_record(self, *, blocked_too: bool = False) -> list[UsesToRecord]:
        query = (
            select(GrantUsageRow)
            .where(GrantUsageRow.used > GrantUsageRow.chain_recorded)
            .order_by(GrantUsageRow.grant_id)
        )
        if not blocked_too:
            query = query.where(GrantUsageRow.chain_error.is_(None))
        return [stored(UsesToRecord, row) for row in self._session.scalars(query)]

    def raise_chain_recorded(self, grant_id: int, chain_used: int) -> None:
        self._set_usage(
            grant_id, GrantUsageRow.chain_recorded < chain_used, chain_recorded=chain_used
        )

    def set_chain_recorded(self, grant_id: int, recorded: int) -> None:
        self._set_usage(grant_id, chain_recorded=recorded)

    def block(self, grant_id: int, reason: str) -> None:
        self._set_usage(grant_id, chain_error=reason)

    def _set_usage(self, grant_id: int, *conditions: Any, **values: object) -> None:
        self._session.execute(
            update(GrantUsageRow)
            .where(GrantUsageRow.grant_id == grant_id, *conditions)
            .values(**values)
        )
