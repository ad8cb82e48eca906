"""The sharing branch's migration gives exactly the gateway's tables, on SQLite and
PostgreSQL, and goes down and up again."""

from __future__ import annotations

from sharing_gateway import tables
from sharing_gateway.plugin import MIGRATIONS
from tests.dbutil import ServiceMigrationBehaviour, database_url

__all__ = ["database_url"]


class TestGatewayMigrations(ServiceMigrationBehaviour):
    versions = MIGRATIONS
    branch = "sharing"
    tables = frozenset(
        row.__tablename__
        for row in (
            tables.DatasetRow,
            tables.VersionRow,
            tables.PendingWriteRow,
            tables.RequestRow,
            tables.GrantUsageRow,
            tables.AccessLogHeadRow,
            tables.AccessLogEntryRow,
            tables.AccessLogSegmentRow,
        )
    )
