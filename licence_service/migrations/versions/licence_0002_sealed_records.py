"""Documents and presentations sealed at rest: ``document_json`` becomes ``document_sealed`` and
``presentation_json`` ``presentation_sealed`` (SM4-GCM under the keystore's data key
``licence-records``, bound to the row); existing rows are sealed (and opened again on downgrade).

Revision ID: licence_0002
Revises: licence_0001
Created: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import sqlalchemy as sa
from alembic import op

from govledger.db import migration_keystore
from govledger.records import RecordCipher
from licence_service.tables import RECORD_KEY_NAME, document_identity, presentation_identity

revision: str = "licence_0002"
down_revision: str | Sequence[str] | None = "licence_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHUNK = 1000
# (table, key column, plain column, sealed column, the row identity sealed values are bound to)
_COLUMNS: list[tuple[str, str, str, str, Callable[[str], str]]] = [
    ("licences", "licence_id", "document_json", "document_sealed", document_identity),
    (
        "licence_presentations",
        "digest",
        "presentation_json",
        "presentation_sealed",
        presentation_identity,
    ),
]


def _cipher(action: str) -> RecordCipher | None:
    """The cipher, if any table has rows to convert. Asked before any DDL: SQLite does not roll
    back an ALTER TABLE, so a refusal must come first."""
    connection = op.get_bind()
    if not any(
        connection.execute(sa.select(sa.table(table, sa.column(key))).limit(1)).first()
        for table, key, *_ in _COLUMNS
    ):
        return None
    keystore = migration_keystore(f"{action} licence documents and presentations")
    return RecordCipher.from_keystore(keystore, RECORD_KEY_NAME)


def _replace(
    cipher: RecordCipher | None,
    table_name: str,
    key: str,
    *,
    source: str,
    target: sa.Column[Any],
    change: Callable[[RecordCipher, str, object], object],
) -> None:
    """Replace column ``source`` by ``target``, set from it row by row a chunk at a time
    (keyset pagination)."""
    with op.batch_alter_table(table_name) as batch:
        batch.add_column(sa.Column(target.name, target.type, nullable=True))
    table = sa.table(table_name, sa.column(key), sa.column(source), sa.column(target.name))
    connection = op.get_bind()
    last: str | None = None
    while cipher is not None:
        query = sa.select(table.c[key], table.c[source]).order_by(table.c[key]).limit(_CHUNK)
        if last is not None:
            query = query.where(table.c[key] > last)
        rows = connection.execute(query).all()
        if not rows:
            break
        connection.execute(
            sa.update(table).where(table.c[key] == sa.bindparam("row_key")),
            [{"row_key": row[0], target.name: change(cipher, row[0], row[1])} for row in rows],
        )
        last = rows[-1][0]
    with op.batch_alter_table(table_name) as batch:
        batch.drop_column(source)
        batch.alter_column(target.name, existing_type=target.type, nullable=False)


def _seal(identity: Callable[[str], str], cipher: RecordCipher, key: str, text: object) -> bytes:
    return cipher.seal(str(text).encode("utf-8"), identity(key))


def _open(identity: Callable[[str], str], cipher: RecordCipher, key: str, data: object) -> str:
    assert isinstance(data, bytes | memoryview)
    return cipher.open(bytes(data), identity(key)).decode("utf-8")


def upgrade() -> None:
    cipher = _cipher("seals")
    for table, key, plain, sealed, identity in _COLUMNS:
        target = sa.Column(sealed, sa.LargeBinary())
        _replace(cipher, table, key, source=plain, target=target, change=partial(_seal, identity))


def downgrade() -> None:
    cipher = _cipher("opens")
    for table, key, plain, sealed, identity in _COLUMNS:
        target = sa.Column(plain, sa.Text())
        _replace(cipher, table, key, source=sealed, target=target, change=partial(_open, identity))
