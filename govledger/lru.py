"""The one bounded cache for state kept across requests and keyed by outside input.

Anything a caller can make up (a department code, a grant id, a token) must not grow a cache
without bound. A pure function of its arguments uses :func:`functools.lru_cache` with a
``maxsize``; everything else (caches with invalidation, with values read from the chain or the
database) is an :class:`LRUCache`. docs/platform.md lists where they are and their bounds.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar, overload

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
D = TypeVar("D")

DEFAULT_MAXSIZE = 10_000


class LRUCache(Generic[K, V]):
    """At most ``maxsize`` entries; adding one more drops the least recently used (thread-safe).

    Values may be ``None`` (a remembered miss): :meth:`get` takes a default to tell them apart.
    """

    def __init__(self, maxsize: int = DEFAULT_MAXSIZE) -> None:
        if maxsize < 1:
            raise ValueError("an LRU cache holds at least one entry")
        self.maxsize = maxsize
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    @overload
    def get(self, key: K) -> V | None: ...
    @overload
    def get(self, key: K, default: D) -> V | D: ...
    def get(self, key: K, default: object = None) -> object:
        """The value for ``key`` (now the most recently used), else ``default``."""
        with self._lock:
            try:
                self._entries.move_to_end(key)
            except KeyError:
                return default
            return self._entries[key]

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            if len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def pop(self, key: K) -> None:
        """Forget ``key`` if it is there."""
        with self._lock:
            self._entries.pop(key, None)
