"""The sharing branch's migration gives exactly the gateway's models, on SQLite and
PostgreSQL, and goes down and up again."""

from __future__ import annotations

from sharing_gateway import models
from sharing_gateway.plugin import MIGRATIONS
from tests.dbutil import ServiceMigrationBehaviour, database_url

__all__ = ["database_url"]


class TestGatewayMigrations(ServiceMigrationBehaviour):
    versions = MIGRATIONS
    branch = "sharing"
    tables = frozenset(
        row.__tablename__
        for row in (
            models.DatasetRow,
            models.VersionRow,
            models.PendingWriteRow,
            models.RequestRow,
            models.GrantUsageRow,
            models.AuditHeadRow,
            models.AuditEntryRow,
            models.AuditSegmentRow,
        )
    )
