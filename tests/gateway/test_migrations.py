"""The sharing branch's migration gives exactly the gateway's models, on SQLite and PostgreSQL,
and goes down and up again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect
from sqlalchemy.engine import Engine

from govledger.db import Base, alembic_config, make_engine, migrate
from sharing_gateway import models
from sharing_gateway.settings import VERSIONS_DIR
from tests.dbutil import database_url

__all__ = ["database_url"]

GATEWAY_TABLES = {
    row.__tablename__
    for row in (
        models.DatasetRow,
        models.VersionRow,
        models.RequestRow,
        models.GrantUsageRow,
        models.AuditHeadRow,
        models.AuditEntryRow,
        models.AuditSegmentRow,
    )
}


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    migrate(engine, version_locations=[VERSIONS_DIR])
    yield engine
    engine.dispose()


def gateway_diff(engine: Engine) -> list[object]:
    owned = MetaData(naming_convention=Base.metadata.naming_convention)
    for name in sorted(GATEWAY_TABLES | {"auth_challenges"}):
        Base.metadata.tables[name].to_metadata(owned)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, owned))


def test_migration_gives_exactly_the_models(engine: Engine) -> None:
    assert gateway_diff(engine) == []
    assert set(inspect(engine).get_table_names()) >= GATEWAY_TABLES


def test_migration_goes_down_and_up(engine: Engine) -> None:
    with engine.begin() as connection:
        config = alembic_config([VERSIONS_DIR])
        config.attributes["connection"] = connection
        command.downgrade(config, "sharing@base")
    assert not GATEWAY_TABLES & set(inspect(engine).get_table_names())
    migrate(engine, version_locations=[VERSIONS_DIR])
    assert gateway_diff(engine) == []
