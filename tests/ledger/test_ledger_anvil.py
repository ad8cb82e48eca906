"""The shared ledger suite on a real Anvil node over JSON-RPC, plus what only a node has."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from eth_abi.abi import encode as abi_encode
from eth_account import Account

from ledger import (
    BackendUnavailable,
    BadResponse,
    ChainMismatch,
    JSONRPCBackend,
    Ledger,
    LedgerConfig,
    ReceiptTimeout,
    RevertWithReason,
    open_ledger,
)
from ledger.devnode import AnvilNode
from ledger.outbox import OutboxState
from ledger.provider import BatchFn, RequestFn, default_layers
from tests.ledger import suite

pytestmark = pytest.mark.anvil


@pytest.fixture
def ledger(anvil: AnvilNode, tmp_path: Path) -> Iterator[Ledger]:
    opened = Ledger(JSONRPCBackend(anvil.url), data_dir=tmp_path, chain_id=anvil.chain_id)
    yield opened
    opened.close()


@pytest.fixture
def reopen(anvil: AnvilNode) -> Iterator[suite.Reopen]:
    reopened: list[Ledger] = []

    def reopen_ledger(current: Ledger, *, layers: suite.Layers | None = None) -> Ledger:
        current.close()
        backend = JSONRPCBackend(anvil.url)
        reopened.append(
            Ledger(backend, data_dir=current.data_dir, chain_id=anvil.chain_id, layers=layers)
        )
        return reopened[-1]

    yield reopen_ledger
    for opened in reopened:
        opened.close()


class TestReadWrite(suite.LedgerReadWriteSuite):
    pass


class TestReverts(suite.LedgerRevertSuite):
    pass


class TestEvents(suite.LedgerEventsSuite):
    pass


class TestOutbox(suite.LedgerOutboxSuite):
    def test_a_refused_transaction_in_a_batch_does_not_strand_the_rest(
        self, ledger: Ledger, new_account: suite.NewAccount
    ) -> None:
        super().test_a_refused_transaction_in_a_batch_does_not_strand_the_rest(ledger, new_account)
        # A node queues the nonce after the refused one; a filler took the refused nonce.
        purposes = [e.purpose for e in ledger.outbox.entries() if e.state is OutboxState.MINED]
        assert "nonce gap filler" in purposes


@pytest.fixture
def open_reader(anvil: AnvilNode) -> Iterator[suite.OpenReader]:
    readers: list[Ledger] = []

    def open_reader(writer: Ledger) -> Ledger:
        # The writer holds the data dir's outbox: a reader opens none.
        config = LedgerConfig(
            backend="rpc",
            data_dir=writer.data_dir,
            chain_id=anvil.chain_id,
            rpc_url=anvil.url,
            read_only=True,
        )
        readers.append(open_ledger(config))
        return readers[-1]

    yield open_reader
    for reader in readers:
        reader.close()


class TestReadOnly(suite.LedgerReadOnlySuite):
    pass


class TestProvider(suite.BackendProviderSuite):
    pass


# -- node-only behaviour ---------------------------------------------------------------------


def test_open_ledger_from_config(anvil: AnvilNode, tmp_path: Path) -> None:
    config = LedgerConfig(
        backend="rpc", data_dir=tmp_path, chain_id=anvil.chain_id, rpc_url=anvil.url
    )
    with open_ledger(config) as ledger:
        assert ledger.chain_id == anvil.chain_id


def test_a_node_on_another_chain_id_is_refused(anvil: AnvilNode, tmp_path: Path) -> None:
    config = LedgerConfig(
        backend="rpc", data_dir=tmp_path, chain_id=anvil.chain_id + 1, rpc_url=anvil.url
    )
    with pytest.raises(ChainMismatch, match=str(anvil.chain_id)):
        open_ledger(config)


def test_one_writer_per_data_dir(anvil: AnvilNode, tmp_path: Path) -> None:
    with (
        Ledger(JSONRPCBackend(anvil.url), data_dir=tmp_path),
        pytest.raises(BackendUnavailable, match="in use"),
    ):
        Ledger(JSONRPCBackend(anvil.url), data_dir=tmp_path)
    # Released on close.
    Ledger(JSONRPCBackend(anvil.url), data_dir=tmp_path).close()


def test_unreachable_node_is_backend_unavailable(tmp_path: Path) -> None:
    stopped = AnvilNode()  # a free port nobody listens on
    with pytest.raises(BackendUnavailable, match="cannot reach"):
        Ledger(JSONRPCBackend(stopped.url, timeout_s=1), data_dir=tmp_path)


def test_batch_of_raw_transactions_in_one_request(anvil: AnvilNode) -> None:
    backend = JSONRPCBackend(anvil.url)
    try:
        answers = backend.make_batch_request(
            [("eth_chainId", []), ("eth_sendRawTransaction", ["0x00"]), ("eth_blockNumber", [])]
        )
    finally:
        backend.close()
    assert int(answers[0]["result"], 16) == anvil.chain_id
    assert "error" in answers[1], "a malformed raw transaction is refused, in its own slot"
    assert "result" in answers[2]


class _GarbageHandler(BaseHTTPRequestHandler):
    """Answers every POST with a fixed body: what a misconfigured proxy might send."""

    body = b"<html>not json-rpc</html>"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def garbage_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _GarbageHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "body",
    [b"<html>not json-rpc</html>", b'{"jsonrpc": "1.0", "id": 1, "result": "0x1"}', b"[1, 2]"],
    ids=["not-json", "wrong-version", "array-for-single"],
)
def test_malformed_replies_are_bad_response(
    garbage_server: ThreadingHTTPServer, tmp_path: Path, body: bytes
) -> None:
    _GarbageHandler.body = body
    host, port = garbage_server.server_address[:2]
    with pytest.raises(BadResponse):
        Ledger(JSONRPCBackend(f"http://{host!s}:{port}"), data_dir=tmp_path)


def test_json_params_are_the_same_for_every_backend() -> None:
    from ledger.provider import to_json_params

    assert to_json_params([b"\x01\xff", (1, {"a": bytearray(b"\x00")})]) == [
        "0x01ff",
        [1, {"a": "0x00"}],
    ]
    assert json.dumps(to_json_params([{"x": b""}])) == '[{"x": "0x"}]'


def test_a_transaction_not_mined_in_time_stays_pending_until_reconciled(tmp_path: Path) -> None:
    member = Account.create()
    with AnvilNode() as node:
        with Ledger(JSONRPCBackend(node.url), data_dir=tmp_path) as ledger:
            governance = suite.deploy_governance(ledger, [member])
        with Ledger(JSONRPCBackend(node.url), data_dir=tmp_path, receipt_timeout_s=0.3) as ledger:
            ledger.provider.request("evm_setAutomine", [False])  # blocks only when asked
            with pytest.raises(ReceiptTimeout) as waited:
                ledger.transact(member, governance.address, suite.propose(governance), gas=500_000)
            [row] = ledger.outbox.pending()
            assert row.tx_hash == waited.value.tx_hash
            assert ledger.reconcile().still_pending == (row.tx_hash,), "in the pool, sent again"
            ledger.provider.request("evm_mine", [])
            assert ledger.reconcile().already_mined == (row.tx_hash,)
            assert ledger.outbox.pending() == []
            assert suite.proposal_count(ledger.contract(governance.abi, governance.address)) == 1


class BesuRevertReasons:
    """A provider layer that adds Besu's ``revertReason`` field to failed receipts (Besu with
    revert-reason-enabled does; Anvil does not, and no Besu can run here)."""

    def __init__(self, revert_data: bytes) -> None:
        self.revert_data = revert_data

    def _add(self, method: str, response: dict[str, Any]) -> dict[str, Any]:
        receipt = response.get("result")
        if method == "eth_getTransactionReceipt" and receipt and receipt["status"] == "0x0":
            return {
                **response,
                "result": {**receipt, "revertReason": "0x" + self.revert_data.hex()},
            }
        return response

    def wrap(self, call: RequestFn) -> RequestFn:
        return lambda method, params: self._add(method, call(method, params))

    def wrap_batch(self, call: BatchFn) -> BatchFn:
        def added(requests: Sequence[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
            responses = call(requests)
            return [self._add(m, r) for (m, _), r in zip(requests, responses, strict=True)]

        return added


def test_a_receipts_revert_reason_is_used_when_the_node_gives_one(
    ledger: Ledger, reopen: suite.Reopen
) -> None:
    member = Account.create()
    governance = suite.deploy_governance(ledger, [member])
    from_receipt = bytes.fromhex("08c379a0") + abi_encode(["string"], ["from the receipt"])
    ledger = reopen(ledger, layers=[*default_layers(), ("besu", BesuRevertReasons(from_receipt))])
    execute_unknown = governance.encode_abi("execute", [5])
    with pytest.raises(RevertWithReason, match="from the receipt"):
        ledger.transact(member, governance.address, execute_unknown, gas=300_000)
