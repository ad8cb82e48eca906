"""Alembic's environment: runs the migrations on the connection :func:`govledger.db.migrate` gives.

There is no ``alembic.ini`` and no URL here on purpose: the composition root (or a test) builds the
engine from its settings and hands over an open connection in ``config.attributes["connection"]``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

import govledger.auth.tables  # noqa: F401  (puts the platform's tables on Base.metadata)
from govledger.db import Base
from govledger.errors import ConfigurationError


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise ConfigurationError("migrations need a connection: call govledger.db.migrate()")
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        compare_type=True,
        # SQLite cannot ALTER most things: Alembic's batch mode rebuilds the table instead.
        render_as_batch=sqlite,
    )
    if sqlite:
        # A rebuild drops the old table, which fails while rows of other tables reference it.
        # SQLite ignores this pragma inside a transaction: it is set before any is opened.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    try:
        with context.begin_transaction():
            context.run_migrations()
        if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
            raise ConfigurationError("the migrated database has rows with broken foreign keys")
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")


run_migrations_online()
