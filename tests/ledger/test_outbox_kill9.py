"""kill -9 in the middle of a stream of writes: after reopening, every recorded write is on chain
exactly once.

A worker process (this module run with ``python -m``) streams governance proposals through a
:class:`Ledger`, one by one and in small batches, printing each hash once it is mined. The test
SIGKILLs it mid-stream. On Anvil the node is SIGKILLed as well and restarted from its state file,
which loses up to its last second of blocks: exactly the transactions the outbox must send
again. Reopening the ledger reconciles; then each outbox row must be mined, its nonce must hold
exactly its hash, and the proposal count must equal the number of rows (none ran twice).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from itertools import count
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from ledger import Call, JSONRPCBackend, Ledger
from ledger.backends.base import Backend
from ledger.backends.embedded import EmbeddedBackend
from ledger.devnode import AnvilNode
from ledger.outbox import OutboxState
from tests.ledger.suite import chain_nonce, deploy_governance, proposal_count, propose

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[2]
EMBEDDED_CHAIN_ID = 1337
KEY_VARIABLE = "GOVLEDGER_TEST_WRITER_KEY"
MINED_BEFORE_KILL = 30

BackendFactory = Callable[[], Backend]


def _backend(kind: str, target: str) -> Backend:
    if kind == "rpc":
        return JSONRPCBackend(target)
    return EmbeddedBackend(Path(target), chain_id=EMBEDDED_CHAIN_ID)


def _worker(kind: str, target: str, data_dir: str, governance_address: str) -> None:
    """Write until killed: single transactions and batches of three, alternately."""
    member = Account.from_key(os.environ[KEY_VARIABLE])
    with Ledger(_backend(kind, target), data_dir=Path(data_dir)) as ledger:
        governance = ledger.contract(
            ledger.w3.eth.contract(abi=_governance_abi()).abi, governance_address
        )
        data = propose(governance)
        for round_number in count():
            if round_number % 2:
                receipts = ledger.transact_batch(
                    member, [Call(governance_address, data) for _ in range(3)]
                )
            else:
                receipts = [ledger.transact(member, governance_address, data)]
            for receipt in receipts:
                print(receipt.tx_hash, flush=True)


def _governance_abi() -> list[dict[str, object]]:
    from ledger.artifacts import load_artifact

    return load_artifact("Governance").abi


def _stream_then_kill(
    kind: str, target: str, data_dir: Path, governance: str, member: LocalAccount
) -> list[str]:
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.ledger.test_outbox_kill9",
            kind,
            target,
            str(data_dir),
            governance,
        ],
        cwd=REPO_ROOT,
        env={**os.environ, KEY_VARIABLE: member.key.hex()},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout is not None
    printed = [worker.stdout.readline().strip() for _ in range(MINED_BEFORE_KILL)]
    worker.send_signal(signal.SIGKILL)
    printed += [line.strip() for line in worker.stdout]
    worker.wait()
    assert worker.returncode == -signal.SIGKILL
    assert all(printed[:MINED_BEFORE_KILL]), "the worker died before it was killed"
    return [tx_hash for tx_hash in printed if tx_hash]


def _assert_every_recorded_write_is_on_chain_once(
    ledger: Ledger, governance_address: str, member: LocalAccount, printed: list[str]
) -> None:
    rows = [row for row in ledger.outbox.entries() if row.sender == member.address]
    assert {row.state for row in rows} == {OutboxState.MINED}, [
        (row.nonce, row.state, row.detail) for row in rows if row.state is not OutboxState.MINED
    ]
    assert all(row.status == 1 for row in rows)
    assert [row.nonce for row in rows] == list(range(len(rows))), "one row per nonce, no gap"
    assert chain_nonce(ledger, member.address) == len(rows)
    for row in rows:
        on_chain = ledger.provider.request("eth_getTransactionByHash", [row.tx_hash])
        assert int(on_chain["nonce"], 16) == row.nonce
        assert on_chain["blockNumber"] is not None
    governance = ledger.contract(_governance_abi(), governance_address)
    assert proposal_count(governance) == len(rows) - 1, "row 0 is the deployment"
    assert set(printed) <= {row.tx_hash for row in rows}, "everything reported mined is kept"
    assert len(rows) - 1 >= MINED_BEFORE_KILL


def test_kill_9_on_anvil_with_state_file(tmp_path: Path) -> None:
    member = Account.create()
    node = AnvilNode(state_file=tmp_path / "anvil-state.json").start()
    try:
        with Ledger(JSONRPCBackend(node.url), data_dir=tmp_path) as ledger:
            governance = deploy_governance(ledger, [member]).address
        printed = _stream_then_kill("rpc", node.url, tmp_path, governance, member)
        node.stop(kill=True)  # and lose whatever the node had not saved yet
        node.start()
        with Ledger(JSONRPCBackend(node.url), data_dir=tmp_path) as ledger:
            report = ledger.reconciled_on_open
            print(f"anvil: {len(printed)} reported mined; reconcile: {report.summary()}")
            _assert_every_recorded_write_is_on_chain_once(ledger, governance, member, printed)
            assert ledger.reconcile().resent == (), "a second reconcile sends nothing"
    finally:
        node.stop()


def test_kill_9_on_the_embedded_chain(tmp_path: Path) -> None:
    member = Account.create()
    chain_dir = str(tmp_path / "chain")
    with Ledger(_backend("embedded", chain_dir), data_dir=tmp_path) as ledger:
        governance = deploy_governance(ledger, [member]).address
    printed = _stream_then_kill("embedded", chain_dir, tmp_path, governance, member)
    with Ledger(_backend("embedded", chain_dir), data_dir=tmp_path) as ledger:
        report = ledger.reconciled_on_open
        print(f"embedded: {len(printed)} reported mined; reconcile: {report.summary()}")
        _assert_every_recorded_write_is_on_chain_once(ledger, governance, member, printed)


if __name__ == "__main__":
    _worker(*sys.argv[1:])
