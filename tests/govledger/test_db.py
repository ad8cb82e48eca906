"""The database layer: migrations give exactly the tables' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, bindparam, event, inspect, select, text, update
from sqlalchemy.engine import Engine

import govledger.auth.tables
from govledger.auth.tables import AuthChallengeRow
from govledger.db import (
    SQLITE_POOL_SIZE,
    Base,
    DriverStatement,
    alembic_config,
    make_engine,
    make_session_factory,
    migrate,
    session_scope,
)
from govledger.errors import ConfigurationError

# A service's migrations as a service would write them: own folder, own branch, on top of the
# platform's schema (it may reference platform tables).
SERVICE_REVISION = """
import sqlalchemy as sa
from alembic import op

revision = "probe_0001"
down_revision = None
branch_labels = ("probe",)
depends_on = "platform_0001"


def upgrade():
    op.create_table(
        "probe_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "challenge_id", sa.String(64), sa.ForeignKey("auth_challenges.id"), nullable=False
        ),
    )


def downgrade():
    op.drop_table("probe_items")
"""


def schema_diff(engine: Engine) -> list[object]:
    # The platform's tables only: services' tables join Base.metadata once a test imports them.
    platform = MetaData(naming_convention=Base.metadata.naming_convention)
    AuthChallengeRow.__table__.to_metadata(platform)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, platform))


def table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_tables_are_registered_on_the_one_base() -> None:
    assert govledger.auth.tables.AuthChallengeRow.__table__.metadata is Base.metadata
    assert "auth_challenges" in Base.metadata.tables


def test_migrations_give_exactly_the_tables_schema(engine: Engine) -> None:
    assert schema_diff(engine) == []
    assert table_names(engine) == {"alembic_version", "auth_challenges"}


def test_migrations_go_down_to_nothing_and_up_again(engine: Engine) -> None:
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert table_names(engine) == {"alembic_version"}
    assert schema_diff(engine) != []  # the comparison can fail: the platform's table is missing now

    migrate(engine)
    assert schema_diff(engine) == []


def test_a_service_branch_from_its_own_folder(engine: Engine, tmp_path: Path) -> None:
    versions = tmp_path / "probe_versions"
    versions.mkdir()
    (versions / "probe_0001_items.py").write_text(SERVICE_REVISION)

    migrate(engine, version_locations=[versions])
    assert table_names(engine) == {"alembic_version", "auth_challenges", "probe_items"}
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    # probe_0001 depends on platform_0001, so Alembic records only the service's head.
    assert current == {"probe_0001"}

    migrate(engine, version_locations=[versions])  # idempotent at head

    # Forgetting the service's folder must fail clearly, not silently skip its schema.
    with pytest.raises(ConfigurationError, match="probe_0001"):
        migrate(engine)


def test_session_scope_commits_or_rolls_back(engine: Engine) -> None:
    factory = make_session_factory(engine)
    now = datetime.now(UTC)

    def row(challenge_id: str) -> AuthChallengeRow:
        return AuthChallengeRow(
            id=challenge_id,
            department_code="D1",
            nonce="n",
            message="m",
            issued_at=now,
            expires_at=now,
        )

    def fail_after_flush() -> None:
        with session_scope(factory) as session:
            session.add(row("rolled-back"))
            session.flush()
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fail_after_flush()
    with session_scope(factory) as session:
        session.add(row("kept"))

    with session_scope(factory) as session:
        ids = set(session.scalars(select(AuthChallengeRow.id)))
    assert ids == {"kept"}


def test_utc_timestamps_round_trip_as_aware_utc(engine: Engine) -> None:
    factory = make_session_factory(engine)
    beijing = timezone(timedelta(hours=8))
    issued = datetime(2026, 11, 3, 16, 0, 0, 123456, tzinfo=beijing)
    with session_scope(factory) as session:
        session.add(
            AuthChallengeRow(
                id="c",
                department_code="D",
                nonce="n",
                message="m",
                issued_at=issued,
                expires_at=issued,
            )
        )
    with session_scope(factory) as session:
        stored = session.get_one(AuthChallengeRow, "c")
        assert stored.issued_at == issued
        assert stored.issued_at.tzinfo is UTC
        assert stored.issued_at.hour == 8

    with pytest.raises(Exception, match="naive datetime"), session_scope(factory) as session:
        session.add(
            AuthChallengeRow(
                id="naive",
                department_code="D",
                nonce="n",
                message="m",
                issued_at=datetime(2026, 1, 1),
                expires_at=issued,
            )
        )


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    with engine.connect() as connection:
        pragma = {
            name: connection.execute(text(f"PRAGMA {name}")).scalar_one()
            for name in ("journal_mode", "foreign_keys", "busy_timeout")
        }
    engine.dispose()
    assert pragma == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 10_000}
    # WAL is a property of the file: a plain sqlite3 connection sees it too.
    with sqlite3.connect(tmp_path / "x.sqlite") as plain:
        assert plain.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_sqlite_engines_keep_their_connections_for_a_busy_thread_pool(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    opened: list[object] = []
    event.listen(engine, "connect", lambda connection, _: opened.append(connection))
    for _ in range(2):
        connections = [engine.connect() for _ in range(SQLITE_POOL_SIZE)]
        for connection in connections:
            connection.close()
    engine.dispose()
    assert len(opened) == SQLITE_POOL_SIZE  # the second round reused every one


def test_engine_urls() -> None:
    assert make_engine("postgresql://u@127.0.0.1/db").dialect.driver == "psycopg"
    with pytest.raises(ConfigurationError, match="unsupported database backend"):
        make_engine("mysql://u@127.0.0.1/db")


def _challenge(challenge_id: str, code: str) -> AuthChallengeRow:
    moment = datetime(2026, 12, 1, tzinfo=UTC)
    return AuthChallengeRow(
        id=challenge_id,
        department_code=code,
        nonce=f"nonce-{challenge_id}",
        message="m",
        issued_at=moment,
        expires_at=moment,
    )


def test_driver_statements_read_and_write_like_core(engine: Engine) -> None:
    with session_scope(make_session_factory(engine)) as session:
        session.add_all([_challenge("b", "D1"), _challenge("a", "D1"), _challenge("c", "D2")])
    by_code = (
        select(AuthChallengeRow.id, AuthChallengeRow.nonce)
        .where(AuthChallengeRow.department_code == bindparam("code"))
        .order_by(AuthChallengeRow.id)
    )
    with engine.connect() as connection:
        core = [tuple(row) for row in connection.execute(by_code, {"code": "D1"})]
        driver = DriverStatement(by_code).execute(connection, {"code": "D1"}).fetchall()
        assert core == [tuple(row) for row in driver] == [("a", "nonce-a"), ("b", "nonce-b")]
        assert DriverStatement(by_code).execute(connection, {"code": "none"}).fetchone() is None
    # A literal in the statement (the "-x" suffix) is bound with the caller's values.
    rename = DriverStatement(
        update(AuthChallengeRow)
        .where(AuthChallengeRow.id == bindparam("challenge"))
        .values(nonce=bindparam("nonce") + "-x")
        .returning(AuthChallengeRow.nonce)
    )
    with engine.begin() as connection:
        returned = rename.execute(connection, {"challenge": "c", "nonce": "new"}).fetchone()
    assert returned is not None
    assert tuple(returned) == ("new-x",)
    with engine.connect() as connection:
        stored = connection.scalar(select(AuthChallengeRow.nonce).where(AuthChallengeRow.id == "c"))
    assert stored == "new-x"  # committed with the connection's transaction


def test_driver_statements_leave_no_transaction_open(engine: Engine) -> None:
    reads = DriverStatement(select(AuthChallengeRow.id))
    with engine.connect() as connection:
        reads.execute(connection, {}).fetchall()
        dbapi = connection.connection.dbapi_connection
    with engine.connect() as connection:
        assert connection.connection.dbapi_connection is dbapi  # the pool gave the same one back
        if engine.dialect.name == "sqlite":
            assert not dbapi.in_transaction  # type: ignore[union-attr]
        else:
            assert dbapi.info.transaction_status == 0  # type: ignore[union-attr]  # IDLE


def test_driver_statements_refuse_values_that_need_conversion(engine: Engine) -> None:
    # Timestamps go through UtcDateTime: on the driver's cursor they would come back naive.
    with engine.connect() as connection:
        for statement in (
            select(AuthChallengeRow.issued_at),
            select(AuthChallengeRow.id).where(AuthChallengeRow.issued_at < bindparam("moment")),
        ):
            with pytest.raises(TypeError, match="needs type processing"):
                DriverStatement(statement).execute(connection, {"moment": datetime.now(UTC)})
