"""py-evm's key-value database, stored in one SQLite table.

py-evm keeps everything (trie nodes, headers, block bodies, receipts, canonical pointers) in a flat
``bytes -> bytes`` store and ships only an in-memory one. :class:`SQLiteAtomicDB` is that store on
disk. Its :meth:`~SQLiteAtomicDB.transaction` groups every write made inside it, including py-evm's
own atomic batches and any other table on the same connection, into ONE SQLite transaction, so a
block, its state and its indexes become durable together or not at all.

Durability: WAL journal with ``synchronous=FULL``. SQLite then syncs the WAL on every commit, so a
committed transaction survives both a killed process and a power loss (as far as the disk honours
fsync). ``NORMAL`` would survive a killed process only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from pathlib import Path

from eth.abc import AtomicWriteBatchAPI
from eth.db.backends.base import BaseAtomicDB, BaseDB
from eth_utils.exceptions import ValidationError


def open_sqlite(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) a durable SQLite database for one writer.

    The connection is in autocommit mode: transactions are opened explicitly with savepoints, so
    nothing is ever left half-written by an implicit transaction. It may be used from any thread;
    callers serialise access.
    """
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS kv"
            " (key BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID"
        )
    except sqlite3.Error:
        connection.close()
        raise
    return connection


def open_sqlite_read_only(path: Path) -> sqlite3.Connection:
    """Open an existing :func:`open_sqlite` database for reading only, beside its writer.

    The database is in WAL mode, so a reader sees the last committed state and never blocks
    the writer (nor is blocked by it); every write through this connection fails.
    """
    if not path.is_file():
        raise sqlite3.OperationalError(f"no database at {path}")
    connection = sqlite3.connect(
        f"{path.resolve().as_uri()}?mode=ro",
        uri=True,
        isolation_level=None,
        check_same_thread=False,
    )
    try:
        connection.execute("SELECT 1 FROM kv LIMIT 1")
    except sqlite3.Error:
        connection.close()
        raise
    return connection


class SQLiteAtomicDB(BaseAtomicDB):
    """py-evm's ``AtomicDatabaseAPI`` over the ``kv`` table of an :func:`open_sqlite` connection.

    A write outside any transaction commits on its own, as py-evm expects from an atomic DB.
    """

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        # Savepoint names must be unique while nested; a counter is enough.
        self._savepoint_ids = count()

    def __getitem__(self, key: bytes) -> bytes:
        row = self.connection.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        value: bytes = row[0]
        return value

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self.connection.execute(
            "INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", (key, value)
        )

    def __delitem__(self, key: bytes) -> None:
        if self.connection.execute("DELETE FROM kv WHERE key = ?", (key,)).rowcount == 0:
            raise KeyError(key)

    def _exists(self, key: bytes) -> bool:
        query = "SELECT 1 FROM kv WHERE key = ?"
        return self.connection.execute(query, (key,)).fetchone() is not None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything written inside commits together when the outermost one exits normally.

        An exception rolls back this level (and, at the outermost level, everything) and
        propagates. Nesting is allowed: inner levels are savepoints.
        """
        name = f"sp{next(self._savepoint_ids)}"
        self.connection.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            # Some failures (disk full, I/O error) make SQLite roll back on its own, savepoints
            # included; then there is nothing left to undo.
            if self.connection.in_transaction:
                self.connection.execute(f"ROLLBACK TO {name}")
                self.connection.execute(f"RELEASE {name}")
            raise
        self.connection.execute(f"RELEASE {name}")

    @contextmanager
    def atomic_batch(self) -> Iterator[AtomicWriteBatchAPI]:
        # SQLite already shows a transaction its own uncommitted writes, so the batch can write
        # straight through; the savepoint makes it all-or-nothing.
        batch = _WriteBatch(self)
        try:
            with self.transaction():
                yield batch
        finally:
            batch.close()


class _WriteBatch(BaseDB, AtomicWriteBatchAPI):
    """The view py-evm writes an atomic batch through; unusable once its batch has ended."""

    def __init__(self, db: SQLiteAtomicDB) -> None:
        self._db: SQLiteAtomicDB | None = db

    def _open_db(self) -> SQLiteAtomicDB:
        if self._db is None:
            raise ValidationError("Cannot use a write batch outside its atomic_batch context")
        return self._db

    def close(self) -> None:
        self._db = None

    def __getitem__(self, key: bytes) -> bytes:
        return self._open_db()[key]

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self._open_db()[key] = value

    def __delitem__(self, key: bytes) -> None:
        del self._open_db()[key]

    def _exists(self, key: bytes) -> bool:
        return key in self._open_db()
