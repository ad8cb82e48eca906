"""Fixtures of the contract behaviour suite: one ``chain`` per test module, on every chain."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from ledger.devnode import AnvilNode
from tests.contracts.chains import AnvilChain, Chain, EmbeddedChain
from tests.contracts.deployment import Deployment

# Every chain the suite runs on. A new chain is one more entry (and its marks, if any).
CHAIN_FACTORIES: dict[str, Callable[[pytest.FixtureRequest], Chain]] = {
    "embedded": lambda request: EmbeddedChain(
        request.getfixturevalue("tmp_path_factory").mktemp("chain")
    ),
    "anvil": lambda request: AnvilChain(request.getfixturevalue("contracts_anvil").url),
}
CHAIN_MARKS: dict[str, list[pytest.MarkDecorator]] = {"anvil": [pytest.mark.anvil]}


@pytest.fixture(scope="package")
def contracts_anvil() -> Iterator[AnvilNode]:
    """An Anvil node of the contract suite's own: its tests move the node's clock forward
    (``travel_to``), which must not leak into other suites sharing the session's node."""
    with AnvilNode() as node:
        yield node


@pytest.fixture(
    scope="module",
    params=[pytest.param(name, marks=CHAIN_MARKS.get(name, [])) for name in CHAIN_FACTORIES],
)
def chain(request: pytest.FixtureRequest) -> Chain:
    """A chain for the whole module; tests in a module use fresh ids so they don't interfere."""
    return CHAIN_FACTORIES[request.param](request)


@pytest.fixture(scope="module")
def deployment(chain: Chain) -> Deployment:
    """All six contracts, governed by a 2-of-3 committee."""
    return Deployment(chain)
