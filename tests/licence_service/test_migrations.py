"""The licence branch's migration gives exactly the service's tables, on SQLite and
PostgreSQL, and goes down and up again."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, text

from govledger.db import alembic_config, make_engine, migrate
from govledger.errors import ConfigurationError
from govledger.keystore import Keystore
from govledger.records import RecordCipher
from licence_service import tables
from licence_service.plugin import MIGRATIONS
from tests.dbutil import ServiceMigrationBehaviour, database_url
from tests.licence_service.world import LICENCE_TABLES

__all__ = ["database_url"]


class TestLicenceMigrations(ServiceMigrationBehaviour):
    versions = MIGRATIONS
    branch = "licence"
    tables = LICENCE_TABLES


# -- licence_0002: documents and presentations sealed at rest ------------------------------------

HOLDER = "福州迁移测试有限公司"
DOCUMENT = json.dumps({"fields": {"holder_name": ["00", HOLDER]}}, ensure_ascii=False)
PRESENTATION = json.dumps({"disclosed": {"holder_name": ["00", HOLDER]}}, ensure_ascii=False)
LICENCE_ID = "11100000000013338W001.001.0000001.001.11350100MB00000012-X"
DIGEST = "ab" * 32
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _alembic(engine: Engine, action: str, target: str, keystore: Keystore | None) -> None:
    with engine.begin() as connection:
        config = alembic_config([MIGRATIONS])
        config.attributes["connection"] = connection
        config.attributes["keystore"] = keystore
        getattr(command, action)(config, target)


def _raw_rows(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        return [
            tuple(row)
            for table in ("licences", "licence_presentations")
            for row in connection.execute(text(f"SELECT * FROM {table}"))
        ]


def test_existing_rows_are_sealed_and_opened_again_on_downgrade(
    database_url: str, tmp_path: Path
) -> None:
    keystore = Keystore(tmp_path / "keystore", "migration test passphrase")
    engine = make_engine(database_url)
    try:
        _alembic(engine, "upgrade", "licence_0001", None)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO licence_batches (id, issuer_code, state, count, opened_at) "
                    "VALUES (1, 'I', 'open', 1, :now)"
                ),
                {"now": NOW},
            )
            connection.execute(
                text(
                    "INSERT INTO licences (licence_id, issuer_code, batch_id, leaf, "
                    "document_json, issued_at) VALUES (:id, 'I', 1, :leaf, :doc, :now)"
                ),
                {"id": LICENCE_ID, "leaf": "00" * 32, "doc": DOCUMENT, "now": NOW},
            )
            connection.execute(
                text(
                    "INSERT INTO licence_presentations (digest, licence_id, presentation_json, "
                    "expires_at) VALUES (:digest, :id, :presentation, :now)"
                ),
                {"digest": DIGEST, "id": LICENCE_ID, "presentation": PRESENTATION, "now": NOW},
            )

        # Rows to seal and no keystore: refused, nothing changed.
        with pytest.raises(ConfigurationError, match=r"seals licence documents .* the keystore"):
            migrate(engine, version_locations=[MIGRATIONS])
        assert HOLDER in str(_raw_rows(engine))

        migrate(engine, version_locations=[MIGRATIONS], keystore=keystore)
        rows = _raw_rows(engine)
        flat = b"".join(
            value if isinstance(value, bytes) else str(value).encode()
            for row in rows
            for value in row
        )
        assert HOLDER.encode() not in flat
        assert json.dumps(HOLDER).strip('"').encode() not in flat
        cipher = RecordCipher.from_keystore(keystore, tables.RECORD_KEY_NAME)
        with engine.connect() as connection:
            document = connection.execute(
                text("SELECT document_sealed FROM licences WHERE licence_id = :id"),
                {"id": LICENCE_ID},
            ).scalar_one()
            presentation = connection.execute(
                text("SELECT presentation_sealed FROM licence_presentations")
            ).scalar_one()
        opened = cipher.open(bytes(document), tables.document_identity(LICENCE_ID))
        assert opened.decode() == DOCUMENT
        shown = cipher.open(bytes(presentation), tables.presentation_identity(DIGEST))
        assert shown.decode() == PRESENTATION

        _alembic(engine, "downgrade", "licence_0001", keystore)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT document_json FROM licences")).all() == [
                (DOCUMENT,)
            ]
            assert connection.execute(
                text("SELECT presentation_json FROM licence_presentations")
            ).all() == [(PRESENTATION,)]
    finally:
        engine.dispose()
