"""The outbox: every signed transaction is on disk before it is sent.

One SQLite file under the data dir, one row per signed transaction: sender, nonce, hash, the raw
signed bytes, a purpose, and a state:

``pending``  recorded (and committed, fsync'd) before the first send; not yet known to be mined.
``mined``    the chain has a receipt for this hash (status 1, or 0 when the call reverted).
``failed``   it can never execute: the node refused it, or its nonce was taken by another
             transaction (``detail`` says which).

A mined row goes back to pending if the chain loses its block (a development node restarted
from a state file it saved a moment earlier): it is then sent again like any pending row.

Rows belong to one chain, identified by chain id AND genesis block hash, so a reset development
chain that reuses a chain id never receives old transactions. A partial unique index makes it
impossible to hold two live (pending or mined) transactions for the same sender and nonce.

One process owns an outbox at a time (an exclusive lock on a sibling ``.lock`` file, released by
the kernel even after ``kill -9``): two writers would hand out the same nonces.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from ledger.exceptions import BackendUnavailable, TransactionFailed
from ledger.locks import lock_exclusively, release

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id           INTEGER PRIMARY KEY,
    chain_id     INTEGER NOT NULL,
    genesis_hash TEXT    NOT NULL,
    sender       TEXT    NOT NULL,
    nonce        INTEGER NOT NULL,
    tx_hash      TEXT    NOT NULL,
    raw_tx       BLOB    NOT NULL,
    purpose      TEXT    NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('pending', 'mined', 'failed')),
    block_number INTEGER,
    status       INTEGER,
    detail       TEXT,
    recorded_at  REAL    NOT NULL,
    settled_at   REAL
);
CREATE UNIQUE INDEX IF NOT EXISTS outbox_live_nonce
    ON outbox (chain_id, genesis_hash, sender, nonce) WHERE state != 'failed';
CREATE INDEX IF NOT EXISTS outbox_hash ON outbox (tx_hash);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (state) WHERE state = 'pending';
"""


_SELECT_ROWS = (
    "SELECT sender, nonce, tx_hash, raw_tx, purpose, state, block_number, status, detail,"
    " recorded_at FROM outbox WHERE chain_id = ? AND genesis_hash = ?"
)
_ALL_ROWS = _SELECT_ROWS + " ORDER BY sender, nonce, id"
_PENDING_ROWS = _SELECT_ROWS + " AND state = 'pending' ORDER BY sender, nonce, id"
_MINED_FROM_NONCE = (
    _SELECT_ROWS + " AND state = 'mined' AND sender = ? AND nonce >= ? ORDER BY nonce"
)
_HIGHEST_MINED_BELOW_NONCE = (
    _SELECT_ROWS + " AND state = 'mined' AND sender = ? AND nonce < ? ORDER BY nonce DESC LIMIT 1"
)


class OutboxState(StrEnum):
    PENDING = "pending"
    MINED = "mined"
    FAILED = "failed"


@dataclass(frozen=True)
class SignedTx:
    """A transaction about to be sent: what the outbox records."""

    sender: str
    nonce: int
    tx_hash: str
    raw_tx: bytes = field(repr=False)
    purpose: str


@dataclass(frozen=True)
class OutboxEntry:
    """One recorded transaction and what is known about it."""

    sender: str
    nonce: int
    tx_hash: str
    raw_tx: bytes = field(repr=False)
    purpose: str
    state: OutboxState
    block_number: int | None
    status: int | None
    detail: str | None
    recorded_at: float


class Outbox:
    """The outbox of one chain in the SQLite file ``path``. Thread-safe."""

    def __init__(self, path: Path, *, chain_id: int, genesis_hash: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._scope = (chain_id, genesis_hash.lower())
        self._lock_file: int | None = lock_exclusively(
            path.with_name(path.name + ".lock"), f"the outbox {path} is in use by another process"
        )
        self._lock = threading.Lock()
        # autocommit off by hand: every write below is one explicit transaction.
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            # NORMAL survives a process crash; record() alone asks for FULL (see _transaction).
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            self.close()
            raise BackendUnavailable(f"the outbox {path} cannot be opened: {exc}") from exc

    def record(self, transactions: Sequence[SignedTx]) -> None:
        """Commit the transactions as pending, all or none, before any of them is sent."""
        now = time.time()
        try:
            self._insert(transactions, now)
        except sqlite3.IntegrityError as exc:
            # Only a second writer for the same account (or a nonce bug) gets here.
            raise TransactionFailed(
                "a live transaction already holds one of these nonces: "
                + ", ".join(f"{tx.sender}/{tx.nonce}" for tx in transactions)
            ) from exc

    def _insert(self, transactions: Sequence[SignedTx], now: float) -> None:
        with self._transaction(durable=True) as db:
            db.executemany(
                "INSERT INTO outbox (chain_id, genesis_hash, sender, nonce, tx_hash, raw_tx,"
                " purpose, state, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
                [
                    (*self._scope, tx.sender, tx.nonce, tx.tx_hash, tx.raw_tx, tx.purpose, now)
                    for tx in transactions
                ],
            )

    def mark_mined(self, mined: Iterable[tuple[str, int, int]]) -> None:
        """Settle ``(tx_hash, block_number, status)`` rows as mined."""
        now = time.time()
        with self._transaction() as db:
            db.executemany(
                "UPDATE outbox SET state = 'mined', block_number = ?, status = ?, settled_at = ?"
                " WHERE tx_hash = ? AND chain_id = ? AND genesis_hash = ? AND state = 'pending'",
                [(block, status, now, tx_hash, *self._scope) for tx_hash, block, status in mined],
            )

    def mark_failed(self, tx_hash: str, detail: str) -> None:
        """Settle a row as failed: it can never execute, and its nonce is free again."""
        with self._transaction() as db:
            db.execute(
                "UPDATE outbox SET state = 'failed', detail = ?, settled_at = ?"
                " WHERE tx_hash = ? AND chain_id = ? AND genesis_hash = ? AND state != 'failed'",
                (detail, time.time(), tx_hash, *self._scope),
            )

    def mark_pending_again(self, tx_hashes: Iterable[str], detail: str) -> None:
        """Mined rows the chain no longer has (it rolled back): pending again, to be re-sent."""
        with self._transaction() as db:
            db.executemany(
                "UPDATE outbox SET state = 'pending', block_number = NULL, status = NULL,"
                " detail = ?, settled_at = NULL"
                " WHERE tx_hash = ? AND chain_id = ? AND genesis_hash = ? AND state = 'mined'",
                [(detail, tx_hash, *self._scope) for tx_hash in tx_hashes],
            )

    def pending(self) -> list[OutboxEntry]:
        """Rows of this chain not yet known to be mined, by sender and nonce."""
        return self._rows(_PENDING_ROWS, ())

    def entries(self) -> list[OutboxEntry]:
        """Every row of this chain, by sender and nonce (for audits and tests)."""
        return self._rows(_ALL_ROWS, ())

    def senders(self) -> list[str]:
        """Every sender with a mined row on this chain."""
        with self._lock:
            rows = self._db.execute(
                "SELECT DISTINCT sender FROM outbox WHERE state = 'mined'"
                " AND chain_id = ? AND genesis_hash = ? ORDER BY sender",
                self._scope,
            ).fetchall()
        return [str(sender) for (sender,) in rows]

    def mined_from(self, sender: str, nonce: int) -> list[OutboxEntry]:
        """``sender``'s mined rows with a nonce of at least ``nonce``."""
        return self._rows(_MINED_FROM_NONCE, (sender, nonce))

    def highest_mined_below(self, sender: str, nonce: int) -> OutboxEntry | None:
        """``sender``'s mined row with the highest nonce below ``nonce``, if any."""
        rows = self._rows(_HIGHEST_MINED_BELOW_NONCE, (sender, nonce))
        return rows[0] if rows else None

    def pending_nonces(self, sender: str) -> set[int]:
        """The nonces ``sender`` holds with transactions that may still execute."""
        with self._lock:
            rows = self._db.execute(
                "SELECT nonce FROM outbox WHERE state = 'pending' AND sender = ?"
                " AND chain_id = ? AND genesis_hash = ?",
                (sender, *self._scope),
            ).fetchall()
        return {int(nonce) for (nonce,) in rows}

    def _rows(self, query: str, parameters: tuple[object, ...]) -> list[OutboxEntry]:
        with self._lock:
            rows = self._db.execute(query, (*self._scope, *parameters)).fetchall()
        return [
            OutboxEntry(
                sender=sender,
                nonce=nonce,
                tx_hash=tx_hash,
                raw_tx=bytes(raw_tx),
                purpose=purpose,
                state=OutboxState(state),
                block_number=block_number,
                status=status,
                detail=detail,
                recorded_at=recorded_at,
            )
            for (
                sender,
                nonce,
                tx_hash,
                raw_tx,
                purpose,
                state,
                block_number,
                status,
                detail,
                recorded_at,
            ) in rows
        ]

    @contextlib.contextmanager
    def _transaction(self, *, durable: bool = False) -> Iterator[sqlite3.Connection]:
        """One SQLite write transaction under the outbox lock, committed on success.

        ``durable`` commits with an fsync of the log (``synchronous=FULL``), so the rows survive
        a power loss too, and so do all rows committed before. Only recording a transaction
        before it is sent needs that: every other change (mined, failed, pending again) is
        found again from the chain by reconcile() if a power loss takes it, and an fsync costs
        a few milliseconds.
        """
        with self._lock:
            if durable:
                self._db.execute("PRAGMA synchronous=FULL")
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            finally:
                if durable:
                    self._db.execute("PRAGMA synchronous=NORMAL")

    def close(self) -> None:
        with self._lock:
            self._db.close()
        if self._lock_file is not None:
            release(self._lock_file)
            self._lock_file = None
