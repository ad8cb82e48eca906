"""One writer thread that commits many units of work per transaction (group commit).

Every access-log append goes through it. Appends are serialised anyway (each entry names the
one before it), so one thread doing them in order loses nothing; it lets one commit (one fsync)
and one head update cover every release waiting at that moment, and keeps concurrent requests
from queueing on the database's lock (SQLite's busy handler sleeps up to 100 ms at a time).

A caller returns only after the transaction holding its unit has committed. If any unit of a
batch raises, the batch is rolled back and each of its units is run again in a transaction of
its own, so a failing unit fails alone (units touch only the database, so running one again is
harmless). Units get the service's store on the transaction's session and the log to append
to: the writer knows only the log's own tables.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from govledger.auth.clock import Clock
from govledger.db import session_scope
from sharing_gateway.adapters.accesslog import LogTransaction, ensure_head

S = TypeVar("S")
T = TypeVar("T")
_Queued = tuple[Callable[[S, LogTransaction], Any], "Future[Any]"]
MAX_UNITS_PER_COMMIT = 256


class AccessLogWriter(Generic[S]):
    """Appends to log ``log_id`` (its head row is created if missing); ``store`` builds what
    units get beside the log from the transaction's session."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        log_id: str,
        clock: Clock,
        store: Callable[[Session], S],
    ) -> None:
        self._session_factory = session_factory
        self._log_id = log_id
        self._clock = clock
        self._store = store
        with session_scope(session_factory) as session:
            ensure_head(session, log_id)
        self._queue: queue.Queue[_Queued[S] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="gateway-writer", daemon=True)
        self._thread.start()

    def submit(self, unit: Callable[[S, LogTransaction], T]) -> T:
        """Run ``unit`` in the writer's transaction; its value once that has committed."""
        future: Future[T] = Future()
        self._queue.put((unit, future))
        return future.result()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < MAX_UNITS_PER_COMMIT:
                try:
                    queued = self._queue.get_nowait()
                except queue.Empty:
                    break
                if queued is None:
                    stopping = True
                    break
                batch.append(queued)
            self._commit(batch)

    def _commit(self, batch: list[_Queued[S]]) -> None:
        try:
            values = self._transaction([unit for unit, _ in batch])
        except Exception as error:
            if len(batch) == 1:
                batch[0][1].set_exception(error)
                return
            for queued in batch:
                self._commit([queued])
            return
        for (_, future), value in zip(batch, values, strict=True):
            future.set_result(value)

    def _transaction(self, units: list[Callable[[S, LogTransaction], Any]]) -> list[Any]:
        with session_scope(self._session_factory) as session:
            connection = session.connection()
            if connection.dialect.name == "sqlite":
                # Take the write lock first: a transaction that reads before it writes fails at
                # once (SQLITE_BUSY_SNAPSHOT) if another connection wrote in between.
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            log = LogTransaction(session, self._log_id, self._clock)
            store = self._store(session)
            values = [unit(store, log) for unit in units]
            log.flush()
        return values
