"""Fixtures for the platform's tests: isolated databases (SQLite and PostgreSQL), migrated."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from govledger.db import make_engine, migrate
from tests.dbutil import database_url

__all__ = ["database_url"]


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a database migrated to the platform's head."""
    engine = make_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()
