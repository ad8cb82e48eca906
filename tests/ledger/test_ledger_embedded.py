"""The shared ledger suite on the embedded py-evm chain, plus what only it has."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger import BackendUnavailable, ChainMismatch, Ledger, LedgerConfig, open_ledger
from ledger.backends.embedded import EmbeddedBackend
from tests.ledger import suite

CHAIN_ID = 1337


def _open(data_dir: Path, layers: suite.Layers | None = None) -> Ledger:
    backend = EmbeddedBackend(data_dir / "chain", chain_id=CHAIN_ID)
    return Ledger(backend, data_dir=data_dir, chain_id=CHAIN_ID, layers=layers)


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    opened = _open(tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def reopen() -> Iterator[suite.Reopen]:
    reopened: list[Ledger] = []

    def reopen_ledger(current: Ledger, *, layers: suite.Layers | None = None) -> Ledger:
        current.close()
        reopened.append(_open(current.data_dir, layers))
        return reopened[-1]

    yield reopen_ledger
    for opened in reopened:
        opened.close()


@pytest.fixture
def open_reader() -> Iterator[suite.OpenReader]:
    readers: list[Ledger] = []

    def open_reader(writer: Ledger) -> Ledger:
        config = LedgerConfig(
            backend="embedded", data_dir=writer.data_dir, chain_id=CHAIN_ID, read_only=True
        )
        readers.append(open_ledger(config))
        return readers[-1]

    yield open_reader
    for reader in readers:
        reader.close()


class TestReadWrite(suite.LedgerReadWriteSuite):
    pass


class TestReverts(suite.LedgerRevertSuite):
    pass


class TestEvents(suite.LedgerEventsSuite):
    pass


class TestOutbox(suite.LedgerOutboxSuite):
    pass


class TestReadOnly(suite.LedgerReadOnlySuite):
    pass


class TestProvider(suite.BackendProviderSuite):
    pass


def test_open_ledger_from_config(tmp_path: Path) -> None:
    config = LedgerConfig(backend="embedded", data_dir=tmp_path, chain_id=CHAIN_ID)
    with open_ledger(config) as ledger:
        assert ledger.chain_id == CHAIN_ID
    assert (tmp_path / "chain").is_dir()
    # The chain keeps its id: opening it as another chain is refused.
    with pytest.raises((ChainMismatch, BackendUnavailable)):
        open_ledger(LedgerConfig(backend="embedded", data_dir=tmp_path, chain_id=CHAIN_ID + 1))
