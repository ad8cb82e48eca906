"""The platform's relational database: one declarative base, engines, sessions and migrations.

Both SQLite (a file under ``data_dir``) and PostgreSQL (psycopg 3) are supported. The schema is
owned by Alembic: the platform's versions live in ``govledger/migrations/versions`` on the branch
``platform``; each service keeps its own version folder on its own branch, and the composition root
hands those folders to :func:`migrate` (the platform never imports the services).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from alembic import command, context
from alembic.config import Config
from alembic.util import CommandError
from sqlalchemy import DateTime, Dialect, MetaData, create_engine, event, make_url
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.engine.interfaces import DBAPICursor
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.types import TypeDecorator

from govledger.errors import ConfigurationError
from govledger.keystore import Keystore

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
PLATFORM_VERSIONS = MIGRATIONS_DIR / "versions"

# A writer waits this long for SQLite's lock before failing; WAL keeps readers from blocking.
SQLITE_BUSY_TIMEOUT_MS = 10_000
# Connections an SQLite engine keeps open. Past the pool, every checkout opens a connection
# (and sets its pragmas) and every return closes it: a service answering from a few dozen
# threads (the request thread pool, writers, anchorers) must not pay that per request.
SQLITE_POOL_SIZE = 32

# Stable constraint names, so a hand-written migration and the models agree on every dialect.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The one declarative base: the platform's and the services' models all subclass it."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every dialect.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so the value is stored as naive
    UTC and made aware again on the way out. Naive datetimes are refused: they are always a bug.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _normalise_url(url: str | URL) -> URL:
    parsed = make_url(url)
    # A bare postgresql:// URL would pick psycopg2, which is not installed: psycopg 3 it is.
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        raise ConfigurationError(f"unsupported database backend: {parsed.get_backend_name()}")
    return parsed


def _set_sqlite_pragmas(dbapi_connection: sqlite3.Connection, _: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def make_engine(url: str | URL, **engine_options: Any) -> Engine:
    """An engine for ``url``: SQLite gets WAL, foreign keys and a busy timeout on every connection.

    A PostgreSQL URL may carry libpq options, e.g. ``?options=-csearch_path%3Dmyschema``.
    """
    parsed = _normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, **{"pool_size": SQLITE_POOL_SIZE, **engine_options})
        event.listen(engine, "connect", _set_sqlite_pragmas)
        return engine
    return create_engine(parsed, pool_pre_ping=True, **engine_options)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose objects stay readable after commit (responses are built after it)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit when the block ends normally, roll back when it raises."""
    with factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


class DriverStatement:
    """A Core statement compiled once per dialect and run on the driver's own cursor.

    For the few statements a hot path runs on every request: SQLAlchemy's per-execution work
    (execution context, result metadata, row objects) costs several times what SQLite spends
    running them. The statement runs in ``connection``'s transaction. Only values that need no
    type conversion on the way in or out (integers, strings) are allowed; that is checked when
    the statement is first compiled for a dialect, so a wrong use fails at once, not with odd
    values later.
    """

    def __init__(self, statement: ClauseElement) -> None:
        self._statement = statement
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None, dict[str, Any]]] = {}

    def execute(self, connection: Connection, parameters: dict[str, Any]) -> DBAPICursor:
        """Run with ``parameters`` (by bind name); the driver's cursor, rows as tuples."""
        dialect = connection.dialect
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = self._compile(dialect)
        sql, order, defaults = compiled
        values = {**defaults, **parameters}
        cursor = connection.connection.cursor()
        cursor.execute(sql, values if order is None else [values[name] for name in order])
        return cursor

    def scalar(self, connection: Connection, parameters: dict[str, Any]) -> Any:
        """Run it; the first column of the first row, or None if there is no row."""
        row = self.execute(connection, parameters).fetchone()
        return None if row is None else row[0]

    def _compile(self, dialect: Dialect) -> tuple[str, tuple[str, ...] | None, dict[str, Any]]:
        compiled = cast("SQLCompiler", self._statement.compile(dialect=dialect))
        for name, bind in compiled.binds.items():
            if bind.type.bind_processor(dialect) is not None:
                raise TypeError(f"bind {name!r} needs type processing: use Connection.execute")
        for column in getattr(self._statement, "exported_columns", ()):  # SELECT or RETURNING
            if column.type.result_processor(dialect, None) is not None:
                raise TypeError(f"column {column} needs type processing: use Connection.execute")
        defaults = {
            name: bind.value for name, bind in compiled.binds.items() if bind.value is not None
        }
        order = tuple(compiled.positiontup or ()) if compiled.positional else None
        return compiled.string, order, defaults


def alembic_config(version_locations: Sequence[Path] = ()) -> Config:
    """Alembic configuration over the platform's versions plus the given services' folders."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "newline")
    locations = [PLATFORM_VERSIONS, *(Path(location).resolve() for location in version_locations)]
    # Config values go through ConfigParser interpolation: a literal % must be doubled.
    config.set_main_option(
        "version_locations", "\n".join(str(path).replace("%", "%%") for path in locations)
    )
    return config


def migrate(
    target: Engine | str | URL,
    *,
    version_locations: Sequence[Path] = (),
    keystore: Keystore | None = None,
) -> None:
    """Upgrade the database to the head of every branch: the platform's and each service's.

    ``keystore`` is for data migrations that seal or open rows with a data key
    (:func:`migration_keystore`); without it, such a migration refuses a table that has rows.
    """
    engine = target if isinstance(target, Engine) else make_engine(target)
    try:
        with engine.begin() as connection:
            config = alembic_config(version_locations)
            config.attributes["connection"] = connection
            config.attributes["keystore"] = keystore
            command.upgrade(config, "heads")
    except CommandError as exc:
        # Typically the database is at a revision of a folder that was not passed in.
        raise ConfigurationError(f"cannot migrate the database: {exc}") from exc
    finally:
        if engine is not target:
            engine.dispose()


def migration_keystore(purpose: str) -> Keystore:
    """Inside a migration: the keystore :func:`migrate` was given, for ``purpose`` (said in the
    error when there is none)."""
    keystore = context.config.attributes.get("keystore")
    if not isinstance(keystore, Keystore):
        raise ConfigurationError(
            f"this migration {purpose} and needs the keystore: migrate through the app or CLI"
        )
    return keystore
