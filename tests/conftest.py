"""Fixtures shared by the whole suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ledger.devnode import AnvilNode, anvil_binary


@pytest.fixture(scope="session")
def anvil() -> Iterator[AnvilNode]:
    """A real Anvil node on 127.0.0.1 for the whole session. ``make test`` installs Anvil."""
    if anvil_binary() is None:
        pytest.fail("Anvil is not installed: run `make test` (it runs `npm ci`)")
    with AnvilNode() as node:
        yield node
