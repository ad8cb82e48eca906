"""The platform's bounded cache: flooded with distinct keys, it keeps its bound and the most
recently used entries."""

from __future__ import annotations

import threading

import pytest

from govledger.lru import LRUCache

_MISSING = object()


def test_a_flood_of_distinct_keys_stays_within_the_bound() -> None:
    cache: LRUCache[str, int] = LRUCache(maxsize=100)
    for number in range(10_000):
        cache.put(f"key-{number}", number)
        assert len(cache) <= 100
    assert len(cache) == 100
    assert cache.get("key-0") is None
    assert cache.get("key-9999") == 9999


def test_the_least_recently_used_entry_goes_first() -> None:
    cache: LRUCache[str, int | None] = LRUCache(maxsize=2)
    cache.put("a", 1)
    cache.put("b", None)  # a remembered miss
    assert cache.get("a") == 1  # now "b" is the least recently used
    cache.put("c", 3)
    assert cache.get("b", _MISSING) is _MISSING
    assert cache.get("a") == 1
    assert cache.get("c") == 3
    cache.put("a", 10)
    cache.put("d", 4)
    assert "c" not in cache
    assert cache.get("a") == 10


def test_a_none_value_is_told_apart_from_an_absent_key() -> None:
    cache: LRUCache[str, int | None] = LRUCache(maxsize=4)
    cache.put("miss", None)
    assert cache.get("miss", _MISSING) is None
    assert cache.get("other", _MISSING) is _MISSING
    cache.pop("miss")
    cache.pop("never there")
    assert cache.get("miss", _MISSING) is _MISSING


def test_threads_flooding_together_keep_the_bound() -> None:
    cache: LRUCache[tuple[int, int], int] = LRUCache(maxsize=50)

    def flood(thread: int) -> None:
        for number in range(2_000):
            cache.put((thread, number), number)
            cache.get((thread, number - 1))

    threads = [threading.Thread(target=flood, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(cache) == 50


def test_a_cache_holds_at_least_one_entry() -> None:
    with pytest.raises(ValueError, match="at least one"):
        LRUCache(maxsize=0)
