"""The licence branch's migration gives exactly the service's models, on SQLite and
PostgreSQL, and goes down and up again."""

from __future__ import annotations

from licence_service import models
from licence_service.plugin import MIGRATIONS
from tests.dbutil import ServiceMigrationBehaviour, database_url

__all__ = ["database_url"]


class TestLicenceMigrations(ServiceMigrationBehaviour):
    versions = MIGRATIONS
    branch = "licence"
    tables = frozenset(
        row.__tablename__
        for row in (
            models.SealRow,
            models.SerialRow,
            models.BatchRow,
            models.LicenceRow,
            models.LicenceEventRow,
            models.PresentationRow,
        )
    )
