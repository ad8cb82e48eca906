"""Isolated databases for tests: a fresh SQLite file, or a fresh PostgreSQL schema, per test.

Any test package can take the ``database_url`` fixture, which runs each test once on SQLite and
once on PostgreSQL. Import it into the package's ``conftest.py``::

    from tests.dbutil import database_url  # noqa: F401  (a fixture)

The PostgreSQL server is the one named by ``GOVLEDGER_TEST_POSTGRES_URL``; without it the suite
starts a throwaway cluster from the server binaries (``tests/pgserver.py``) the first time a test
needs one, and stops it at the end. Where there are neither, the root ``conftest.py`` leaves the
PostgreSQL tests out with one line saying how to enable them, unless
``GOVLEDGER_TEST_POSTGRES=require`` (as in CI): then they run, and fail. Each run gets its own
schema (``search_path`` is set through the URL's libpq ``options``), dropped afterwards, so
parallel or repeated runs never see each other's tables.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from govledger.db import Base, alembic_config, make_engine, migrate
from tests.pgserver import PostgresUnavailable, ThrowawayPostgres, server_bindir

POSTGRES_URL_ENV = "GOVLEDGER_TEST_POSTGRES_URL"
POSTGRES_SWITCH_ENV = "GOVLEDGER_TEST_POSTGRES"
ENABLE_HINT = (
    f"install PostgreSQL's server binaries (Debian: apt-get install postgresql) or point "
    f"{POSTGRES_URL_ENV} at a server"
)


class _Throwaway:
    """The suite's own server, started on first use and stopped by ``stop_throwaway_postgres``."""

    server: ThrowawayPostgres | None = None
    url: str | None = None


def postgres_required() -> bool:
    return os.environ.get(POSTGRES_SWITCH_ENV) == "require"


def postgres_unavailable_reason() -> str | None:
    """Why no PostgreSQL server can be had here, or None where one can (named, or startable)."""
    if os.environ.get(POSTGRES_URL_ENV) or server_bindir() is not None:
        return None
    return "no PostgreSQL server binaries found and no server named"


def postgres_base_url() -> str:
    """The server's URL: the one named in the environment, else the suite's throwaway cluster."""
    named = os.environ.get(POSTGRES_URL_ENV)
    if named:
        return named
    if _Throwaway.url is None:
        bindir = server_bindir()
        if bindir is None:
            pytest.fail(f"{postgres_unavailable_reason()}: {ENABLE_HINT}", pytrace=False)
        try:
            _Throwaway.server = ThrowawayPostgres(bindir)
            _Throwaway.url = _Throwaway.server.start()
        except PostgresUnavailable as exc:
            pytest.fail(f"the throwaway PostgreSQL cluster did not start: {exc}", pytrace=False)
    return _Throwaway.url


def stop_throwaway_postgres() -> None:
    if _Throwaway.server is not None:
        _Throwaway.server.stop()
        _Throwaway.server = None
        _Throwaway.url = None


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'govledger-test.sqlite'}"


@contextmanager
def postgres_schema(base_url: str) -> Iterator[str]:
    """Yield a URL whose connections live in a new, uniquely named schema; drop it afterwards."""
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = make_engine(base_url, poolclass=NullPool, connect_args={"connect_timeout": 5})
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        admin.dispose()
        where = make_url(base_url).render_as_string(hide_password=True)
        pytest.fail(
            f"PostgreSQL at {where} is not reachable: {exc.orig}. Start it, or point "
            f"{POSTGRES_URL_ENV} at a server that is.",
            pytrace=False,
        )
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            # A connection a test forgot to close must not hang the run: fail the drop instead.
            connection.execute(text("SET lock_timeout = '10s'"))
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def isolated_database(backend: str, directory: Path) -> Iterator[str]:
    """A URL for an empty database of ``backend`` ("sqlite" or "postgres")."""
    if backend == "sqlite":
        yield sqlite_url(directory)
    elif backend == "postgres":
        with postgres_schema(postgres_base_url()) as url:
            yield url
    else:
        raise ValueError(f"unknown database backend {backend!r}")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database, once on SQLite and once on PostgreSQL."""
    with isolated_database(request.param, tmp_path) as url:
        yield url


class ServiceMigrationBehaviour:
    """A service's Alembic branch gives exactly its models and goes down and up again.

    Subclass with ``versions`` (the branch's folder), ``branch`` (its label) and ``tables`` (the
    tables it owns); the test module must also import the ``database_url`` fixture.
    """

    versions: ClassVar[Path]
    branch: ClassVar[str]
    tables: ClassVar[frozenset[str]]

    @pytest.fixture
    def engine(self, database_url: str) -> Iterator[Engine]:
        engine = make_engine(database_url)
        migrate(engine, version_locations=[self.versions])
        yield engine
        engine.dispose()

    def schema_diff(self, engine: Engine) -> list[object]:
        # Only the tables this branch (and the platform below it) owns: other services' models
        # are in Base.metadata too once imported, but not in this database.
        owned = MetaData(naming_convention=Base.metadata.naming_convention)
        for name in sorted(self.tables | {"auth_challenges"}):
            Base.metadata.tables[name].to_metadata(owned)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, owned))

    def test_migration_gives_exactly_the_models(self, engine: Engine) -> None:
        assert self.schema_diff(engine) == []
        assert set(inspect(engine).get_table_names()) >= self.tables

    def test_migration_goes_down_and_up(self, engine: Engine) -> None:
        with engine.begin() as connection:
            config = alembic_config([self.versions])
            config.attributes["connection"] = connection
            command.downgrade(config, f"{self.branch}@base")
        assert not self.tables & set(inspect(engine).get_table_names())
        migrate(engine, version_locations=[self.versions])
        assert self.schema_diff(engine) == []
