"""Backend-independent behaviour of the ledger client, as mixin classes.

A backend's test module subclasses each mixin and provides the fixtures listed in README.md:
``ledger`` (a :class:`Ledger` on a fresh data dir), ``reopen`` (close a ledger and open a new one
on the same data dir and chain) and ``new_account`` (from conftest.py). A behaviour a backend
lacks is overridden in its module to assert the expected error, never skipped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

import pytest
from eth_abi.abi import encode as abi_encode
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.abi import function_signature_to_4byte_selector
from eth_utils.address import to_checksum_address
from web3.contract import Contract

from ledger import (
    BackendUnavailable,
    Call,
    ContractPanic,
    ContractRevert,
    Ledger,
    MethodUnavailable,
    OutOfGas,
    ReadOnlyLedger,
    RevertWithReason,
    TransactionRejected,
    revert_error_class,
)
from ledger.artifacts import load_artifact
from ledger.outbox import OutboxState, SignedTx
from ledger.provider import BatchFn, ProviderLayer, RequestFn, default_layers

NewAccount = Callable[[], LocalAccount]
Layers = Sequence[tuple[str, ProviderLayer]]


class Reopen(Protocol):
    """Close ``current`` and open a ledger on the same data dir and chain, with these layers."""

    def __call__(self, current: Ledger, *, layers: Layers | None = None) -> Ledger: ...


class OpenReader(Protocol):
    """Open a read-only ledger on the chain and data dir of ``writer``, which stays open."""

    def __call__(self, writer: Ledger) -> Ledger: ...


DESCRIPTION = b"\x11" * 32


# -- helpers -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RawArtifact:
    """A contract given as raw init code (for the hand-assembled reverter below)."""

    name: str
    bytecode: bytes
    abi: list[dict[str, Any]] = field(default_factory=list)


def reverter(revert_data: bytes) -> RawArtifact:
    """A contract whose every call reverts with exactly ``revert_data``.

    Hand-assembled so the tests need no compiler. Runtime: CODECOPY the data that follows the
    12-byte prologue to memory 0, then REVERT(0, n). Init: CODECOPY the runtime, RETURN it.
    """
    size = len(revert_data)
    assert size <= 243, "PUSH1 sizes only"
    runtime = bytes([0x60, size, 0x60, 12, 0x60, 0, 0x39, 0x60, size, 0x60, 0, 0xFD]) + revert_data
    init = bytes([0x60, len(runtime), 0x80, 0x60, 11, 0x60, 0, 0x39, 0x60, 0, 0xF3])
    return RawArtifact("Reverter", init + runtime)


def deploy_governance(ledger: Ledger, members: list[LocalAccount]) -> Contract:
    """A committee of ``members`` plus one member who never acts, with a threshold of all of
    them: proposals are recorded and approved but never executed (their payload is junk)."""
    artifact = load_artifact("Governance")
    committee = [member.address for member in members] + [Account.create().address]
    deployed = ledger.deploy_contract(members[0], artifact, committee, len(committee))
    return ledger.contract(artifact, deployed.address)


def executing_committee(ledger: Ledger, members: list[LocalAccount]) -> Contract:
    """A committee of ``members`` whose threshold is all of them: the last approval executes."""
    artifact = load_artifact("Governance")
    committee = [member.address for member in members]
    deployed = ledger.deploy_contract(members[0], artifact, committee, len(committee))
    return ledger.contract(artifact, deployed.address)


def propose(governance: Contract, payload: bytes = b"\x01") -> bytes:
    """Call data for a proposal aimed at the governance contract itself (any member may)."""
    return bytes.fromhex(
        governance.encode_abi("propose", [governance.address, payload, DESCRIPTION])[2:]
    )


def gas_burner() -> RawArtifact:
    """A contract that loops ``n`` times (about 40 gas each), ``n`` being its first calldata
    word: a call whose cost its argument sets, without changing the calldata's size.

    Runtime: n = CALLDATALOAD(0); loop: if n == 0 goto end; n -= 1; goto loop; end: STOP.
    """
    runtime = bytes.fromhex("6000355b8015601057600190036003565b00")
    init = bytes([0x60, len(runtime), 0x80, 0x60, 11, 0x60, 0, 0x39, 0x60, 0, 0xF3])
    return RawArtifact("GasBurner", init + runtime)


def burning_committee(ledger: Ledger, member: LocalAccount) -> tuple[Contract, str]:
    """A one-member executing committee and a gas burner its proposals can call."""
    return executing_committee(ledger, [member]), ledger.deploy_contract(
        member, gas_burner()
    ).address


def propose_burn(governance: Contract, burner: str, loops: int) -> bytes:
    """Call data for a proposal that, executed, makes ``burner`` loop ``loops`` times."""
    return bytes.fromhex(
        governance.encode_abi("propose", [burner, loops.to_bytes(32, "big"), DESCRIPTION])[2:]
    )


def proposal_count(governance: Contract) -> int:
    return int(governance.functions.proposalCount().call())


def chain_nonce(ledger: Ledger, address: str, block: str = "latest") -> int:
    return int(ledger.provider.request("eth_getTransactionCount", [address, block]), 16)


def sign_at(ledger: Ledger, account: LocalAccount, nonce: int, to: str, data: bytes) -> SignedTx:
    """A transaction signed like the ledger signs, but neither recorded nor sent."""
    signed = account.sign_transaction(
        {
            "type": 2,
            "chainId": ledger.chain_id,
            "nonce": nonce,
            "gas": 500_000,
            "maxFeePerGas": 0,
            "maxPriorityFeePerGas": 0,
            "value": 0,
            "to": to_checksum_address(to),
            "data": data,
        }
    )
    return SignedTx(
        account.address,
        nonce,
        "0x" + bytes(signed.hash).hex(),
        bytes(signed.raw_transaction),
        "test",
    )


class CutSends:
    """A provider layer that loses ``eth_sendRawTransaction`` on the way to the backend, the
    next ``failures`` times (or until ``failures`` is set to 0), like a network that drops."""

    def __init__(self, failures: int) -> None:
        self.failures = failures

    def _lose(self) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise BackendUnavailable("the network lost this request (test)")

    def wrap(self, call: RequestFn) -> RequestFn:
        def maybe_lost(method: str, params: list[Any]) -> dict[str, Any]:
            if method == "eth_sendRawTransaction":
                self._lose()
            return call(method, params)

        return maybe_lost

    def wrap_batch(self, call: BatchFn) -> BatchFn:
        def maybe_lost(requests: Sequence[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
            if any(method == "eth_sendRawTransaction" for method, _ in requests):
                self._lose()
            return call(requests)

        return maybe_lost


# -- the suites ----------------------------------------------------------------------------------


class LedgerReadWriteSuite:
    """transact, call, deploy, gas and nonces."""

    def test_deploy_then_transact_and_call(self, ledger: Ledger, new_account: NewAccount) -> None:
        members = [new_account(), new_account()]
        governance = deploy_governance(ledger, members)
        assert governance.functions.threshold().call() == 3
        receipt = ledger.transact(members[1], governance.address, propose(governance))
        assert receipt.succeeded
        assert receipt.logs, "ProposalCreated and ProposalApproved are logged"
        assert proposal_count(governance) == 1
        raw = ledger.call(
            governance.address, governance.encode_abi("hasApproved", [1, members[1].address])
        )
        assert int.from_bytes(raw, "big") == 1

    def test_every_write_is_recorded_then_marked_mined(
        self, ledger: Ledger, new_account: NewAccount
    ) -> None:
        member = new_account()
        governance = deploy_governance(ledger, [member])
        receipt = ledger.transact(member, governance.address, propose(governance), purpose="p1")
        entries = [e for e in ledger.outbox.entries() if e.sender == member.address]
        assert [(e.nonce, e.state, e.purpose) for e in entries] == [
            (0, OutboxState.MINED, "deploy Governance"),
            (1, OutboxState.MINED, "p1"),
        ]
        assert entries[1].tx_hash == receipt.tx_hash
        assert entries[1].block_number == receipt.block_number

    def test_cached_gas_that_runs_out_is_retried_once_with_a_fresh_estimate(
        self, ledger: Ledger, new_account: NewAccount
    ) -> None:
        member = new_account()
        governance = deploy_governance(ledger, [member])
        ledger.transact(member, governance.address, propose(governance, b"\x01"))
        # The cached estimate for propose() was made for 1 byte: 2 KB of calldata needs more.
        ledger.transact(member, governance.address, propose(governance, b"\x02" * 2048))
        assert proposal_count(governance) == 2, "executed exactly once despite the retry"
        statuses = [e.status for e in ledger.outbox.entries() if e.sender == member.address]
        assert statuses == [1, 1, 0, 1], "deploy, propose, out of gas, propose again"

    def test_cached_gas_too_small_for_a_call_inside_is_retried_with_a_fresh_estimate(
        self, ledger: Ledger, new_account: NewAccount
    ) -> None:
        member = new_account()
        governance, burner = burning_committee(ledger, member)
        # A cheap proposal fills the cache for propose(); a larger one runs out of gas inside
        # the call it executes, and Governance bubbles that as an empty revert.
        ledger.transact(member, governance.address, propose_burn(governance, burner, 1_000))
        receipt = ledger.transact(
            member, governance.address, propose_burn(governance, burner, 20_000)
        )
        assert receipt.succeeded
        assert proposal_count(governance) == 2
        assert governance.functions.getProposal(2).call()[5] is True, "executed"
        statuses = [e.status for e in ledger.outbox.entries() if e.sender == member.address]
        assert statuses == [1, 1, 1, 0, 1], "deploys, propose, out of gas inside, propose again"

    def test_cached_gas_too_small_in_a_batch_is_sent_again_with_a_fresh_estimate(
        self, ledger: Ledger, new_account: NewAccount
    ) -> None:
        member = new_account()
        governance, burner = burning_committee(ledger, member)
        ledger.transact(member, governance.address, propose_burn(governance, burner, 1_000))
        receipts = ledger.transact_batch(
            member,
            [
                Call(governance.address, propose_burn(governance, burner, 1_000)),
                Call(governance.address, propose_burn(governance, burner, 20_000)),
            ],
        )
        assert [receipt.status for receipt in receipts] == [1, 1]
        assert [receipt.error for receipt in receipts] == [None, None]
        assert proposal_count(governance) == 3

    def test_explicit_gas_too_small_for_a_call_inside_is_reported_as_out_of_gas(
        self, ledger: Ledger, new_account: NewAccount
    ) -> None:
        member = new_account()
        governance, burner = burning_committee(ledger, member)
        data = propose_burn(governance, burner, 20_000)
        request = {"from": member.address, "to": governance.address, "data": data}
        needed = int(ledger.provider.request("eth_estimateGas", [request]), 16)
        with pytest.raises(OutOfGas) as caught:
            ledger.transact(member, governance.address, data, gas=needed - 200_000)
        assert caught.value.gas_limit == needed - 200_000
        assert caught.value.gas_needed == needed
        assert proposal_count(governance) == 0

    def test_nonces_stay_unique_under_a_thread_pool(
        self, ledger: Ledger, new_account: NewAccount
    ) -> None:
        members = [new_account() for _ in range(3)]
        governance = deploy_governance(ledger, members)
        data = propose(governance)
        ledger.transact(members[1], governance.address, data)  # warm the gas cache
        per_member = 12
        jobs = [member for member in members for _ in range(per_member)]
        with ThreadPoolExecutor(max_workers=6) as pool:
            receipts = list(
                pool.map(lambda member: ledger.transact(member, governance.address, data), jobs)
            )
        assert all(receipt.succeeded for receipt in receipts)
        assert len({receipt.tx_hash for receipt in receipts}) == len(jobs)
        assert proposal_count(governance) == len(jobs) + 1
        for member in members:
            entries = [e for e in ledger.outbox.entries() if e.sender == member.address]
            nonces = [e.nonce for e in entries]
            assert nonces == list(range(len(nonces)))
            assert chain_nonce(ledger, member.address) == len(nonces)

    def test_batch_sends_many_and_reports_each(
        self, ledger: Ledger, new_account: NewAccount
    ) -> None:
        member, outsider = new_account(), new_account()
        governance = deploy_governance(ledger, [member])
        ledger.transact(member, governance.address, propose(governance))
        receipts = ledger.transact_batch(
            member, [Call(governance.address, propose(governance)) for _ in range(15)]
        )
        assert [r.status for r in receipts] == [1] * 15
        assert proposal_count(governance) == 16
        nonces = [e.nonce for e in ledger.outbox.entries() if e.sender == member.address]
        assert nonces == list(range(17))
        # A call that reverts on chain (explicit gas skips the estimate) is reported in place.
        approve_unknown = governance.encode_abi("approve", [999])
        mixed = ledger.transact_batch(
            member,
            [
                Call(governance.address, propose(governance)),
                Call(governance.address, approve_unknown, gas=200_000),
                Call(governance.address, propose(governance)),
            ],
        )
        assert [r.status for r in mixed] == [1, 0, 1]
        assert isinstance(mixed[1].error, revert_error_class("GovernanceUnknownProposal"))
        assert mixed[0].error is None
        assert ledger.transact_batch(outsider, []) == []

    def test_batch_estimates_before_signing_anything(
        self, ledger: Ledger, new_account: NewAccount
    ) -> None:
        member, outsider = new_account(), new_account()
        governance = deploy_governance(ledger, [member])
        with pytest.raises(revert_error_class("GovernanceNotMember")):
            ledger.transact_batch(outsider, [Call(governance.address, propose(governance))])
        assert not [e for e in ledger.outbox.entries() if e.sender == outsider.address]
        assert chain_nonce(ledger, outsider.address) == 0


class LedgerRevertSuite:
    """Reverts come back as the right exception class, with their arguments."""

    def test_custom_error_found_while_estimating_changes_nothing(
        self, ledger: Ledger, new_account: NewAccount
    ) -> None:
        member, outsider = new_account(), new_account()
        governance = deploy_governance(ledger, [member])
        not_member = revert_error_class("GovernanceNotMember")
        with pytest.raises(not_member) as caught:
            ledger.transact(outsider, governance.address, propose(governance))
        assert caught.value.account == outsider.address  # type: ignore[attr-defined]
        assert caught.value.args_by_name == {"account": outsider.address}
        assert chain_nonce(ledger, outsider.address) == 0
        assert not [e for e in ledger.outbox.entries() if e.sender == outsider.address]
        assert proposal_count(governance) == 0

    def test_custom_error_mined_with_status_0_is_decoded_by_replay(
        self, ledger: Ledger, new_account: NewAccount
    ) -> None:
        members = [new_account(), new_account()]
        governance = deploy_governance(ledger, members)
        ledger.transact(members[0], governance.address, propose(governance))
        execute = governance.encode_abi("execute", [1])
        with pytest.raises(revert_error_class("GovernanceThresholdNotReached")) as caught:
            ledger.transact(members[0], governance.address, execute, gas=300_000)
        assert caught.value.args_by_name == {"proposalId": 1, "approvals": 1, "threshold": 3}
        last = [e for e in ledger.outbox.entries() if e.sender == members[0].address][-1]
        assert (last.state, last.status) == (OutboxState.MINED, 0)
        assert governance.functions.getProposal(1).call()[5] is False, "not executed"

    def test_custom_error_from_call(self, ledger: Ledger, new_account: NewAccount) -> None:
        governance = deploy_governance(ledger, [new_account()])
        with pytest.raises(revert_error_class("GovernanceUnknownProposal")) as caught:
            governance.functions.getProposal(7).call()
        assert caught.value.proposalId == 7  # type: ignore[attr-defined]

    @pytest.mark.parametrize(
        ("revert_data", "expected_type", "expected_fields"),
        [
            (
                function_signature_to_4byte_selector("Error(string)")
                + abi_encode(["string"], ["licence expired"]),
                RevertWithReason,
                {"reason": "licence expired"},
            ),
            (
                function_signature_to_4byte_selector("Panic(uint256)")
                + abi_encode(["uint256"], [0x11]),
                ContractPanic,
                {"panic_code": 0x11, "meaning": "arithmetic overflow or underflow"},
            ),
            (bytes.fromhex("deadbeef") + b"\x00" * 32, ContractRevert, {}),
            (b"", ContractRevert, {}),
        ],
        ids=["error-string", "panic", "unknown-selector", "empty"],
    )
    def test_standard_and_unknown_reverts(
        self,
        ledger: Ledger,
        new_account: NewAccount,
        revert_data: bytes,
        expected_type: type[ContractRevert],
        expected_fields: dict[str, Any],
    ) -> None:
        address = ledger.deploy_contract(new_account(), reverter(revert_data)).address
        with pytest.raises(ContractRevert) as caught:
            ledger.call(address, b"")
        assert type(caught.value) is expected_type
        assert caught.value.data == revert_data
        for name, value in expected_fields.items():
            assert getattr(caught.value, name) == value


class LedgerEventsSuite:
    """Events by contract, type, block range and argument."""

    def test_events_filtered_by_type_argument_and_range(
        self, ledger: Ledger, new_account: NewAccount
    ) -> None:
        alice, bob = new_account(), new_account()
        governance = deploy_governance(ledger, [alice, bob])
        abi = governance.abi
        first = ledger.transact(alice, governance.address, propose(governance, b"\xaa"))
        ledger.transact(bob, governance.address, propose(governance, b"\xbb"))
        last = ledger.transact(bob, governance.address, governance.encode_abi("approve", [1]))

        created = ledger.get_events(governance.address, abi, event_name="ProposalCreated")
        assert [(e.args["proposalId"], e.args["proposer"]) for e in created] == [
            (1, alice.address),
            (2, bob.address),
        ]
        assert created[0].args["data"] == b"\xaa"
        assert created[0].tx_hash == first.tx_hash
        assert all(e.timestamp is not None and e.timestamp > 0 for e in created)

        by_bob = ledger.get_events(
            governance.address,
            abi,
            event_name="ProposalApproved",
            argument_filters={"member": bob.address},
        )
        assert [(e.args["proposalId"], e.args["approvals"]) for e in by_bob] == [(2, 1), (1, 2)]
        # A filter on a non-indexed argument is applied after decoding.
        second_approvals = ledger.get_events(
            governance.address,
            abi,
            event_name="ProposalApproved",
            argument_filters={"approvals": 2},
        )
        assert [e.tx_hash for e in second_approvals] == [last.tx_hash]
        in_last_block = ledger.get_events(
            governance.address, abi, from_block=last.block_number, to_block=last.block_number
        )
        assert [e.name for e in in_last_block] == ["ProposalApproved"]
        everything = ledger.get_events(governance.address, abi, max_block_range=1)
        assert [e.name for e in everything].count("ProposalCreated") == 2
        keys = [(e.block_number, e.log_index) for e in everything]
        assert keys == sorted(keys)
        with pytest.raises(ValueError, match="no argument"):
            ledger.get_events(
                governance.address,
                abi,
                event_name="ProposalCreated",
                argument_filters={"nobody": 1},
            )
        with pytest.raises(LookupError):
            ledger.get_events(governance.address, abi, event_name="NoSuchEvent")


class LedgerOutboxSuite:
    """reconcile(): nothing recorded is lost, nothing is sent twice."""

    def test_recorded_but_never_sent_is_sent_on_reopen(
        self, ledger: Ledger, reopen: Reopen, new_account: NewAccount
    ) -> None:
        member = new_account()
        governance = deploy_governance(ledger, [member])
        orphan = sign_at(ledger, member, 1, governance.address, propose(governance))
        ledger.outbox.record([orphan])  # as if the process died right after the commit
        ledger = reopen(ledger)
        governance = ledger.contract(governance.abi, governance.address)
        assert proposal_count(governance) == 1
        assert chain_nonce(ledger, member.address) == 2
        [entry] = [e for e in ledger.outbox.entries() if e.tx_hash == orphan.tx_hash]
        assert (entry.state, entry.status) == (OutboxState.MINED, 1)
        # A second reconcile finds nothing to do: the transaction is not sent again.
        assert ledger.reconcile().settled
        assert ledger.reconcile().resent == ()
        assert proposal_count(governance) == 1

    def test_sent_but_not_marked_is_only_marked(
        self, ledger: Ledger, new_account: NewAccount
    ) -> None:
        member = new_account()
        governance = deploy_governance(ledger, [member])
        sent = sign_at(ledger, member, 1, governance.address, propose(governance))
        ledger.outbox.record([sent])
        ledger.provider.request("eth_sendRawTransaction", [sent.raw_tx])
        ledger._wait_for_receipts([sent.tx_hash])
        report = ledger.reconcile()
        assert report.already_mined == (sent.tx_hash,)
        assert report.resent == ()
        assert proposal_count(governance) == 1

    def test_nonce_taken_by_another_transaction_is_marked_superseded(
        self, ledger: Ledger, new_account: NewAccount
    ) -> None:
        member = new_account()
        governance = deploy_governance(ledger, [member])
        recorded = sign_at(ledger, member, 1, governance.address, propose(governance, b"\x01"))
        other = sign_at(ledger, member, 1, governance.address, propose(governance, b"\x02"))
        ledger.outbox.record([recorded])
        ledger.provider.request("eth_sendRawTransaction", [other.raw_tx])
        ledger._wait_for_receipts([other.tx_hash])
        report = ledger.reconcile()
        assert report.superseded == (recorded.tx_hash,)
        [entry] = [e for e in ledger.outbox.entries() if e.tx_hash == recorded.tx_hash]
        assert entry.state is OutboxState.FAILED
        assert "superseded" in (entry.detail or "")
        assert proposal_count(governance) == 1
        # The ledger's nonce cursor moves past the taken nonce.
        receipt = ledger.transact(member, governance.address, propose(governance))
        assert receipt.succeeded
        assert proposal_count(governance) == 2

    def test_refused_on_resend_is_marked_failed_and_frees_its_nonce(
        self, ledger: Ledger, new_account: NewAccount
    ) -> None:
        member = new_account()
        governance = deploy_governance(ledger, [member])
        wrong_chain = member.sign_transaction(
            {
                "type": 2,
                "chainId": ledger.chain_id + 1,
                "nonce": 1,
                "gas": 500_000,
                "maxFeePerGas": 0,
                "maxPriorityFeePerGas": 0,
                "value": 0,
                "to": governance.address,
                "data": propose(governance),
            }
        )
        bad = SignedTx(
            member.address,
            1,
            "0x" + bytes(wrong_chain.hash).hex(),
            bytes(wrong_chain.raw_transaction),
            "signed for another chain",
        )
        ledger.outbox.record([bad])
        report = ledger.reconcile()
        assert report.rejected == (bad.tx_hash,)
        assert proposal_count(governance) == 0
        assert ledger.transact(member, governance.address, propose(governance)).succeeded
        assert chain_nonce(ledger, member.address) == 2

    def test_a_transaction_the_node_refuses_raises_and_is_marked_failed(
        self, ledger: Ledger, new_account: NewAccount
    ) -> None:
        member = new_account()
        governance = deploy_governance(ledger, [member])
        # More gas than a block holds: every node refuses it at the door.
        with pytest.raises(TransactionRejected):
            ledger.transact(member, governance.address, propose(governance), gas=10**12)
        [entry] = [
            e for e in ledger.outbox.entries() if e.nonce == 1 and e.sender == member.address
        ]
        assert entry.state is OutboxState.FAILED
        assert ledger.transact(member, governance.address, propose(governance)).succeeded
        assert chain_nonce(ledger, member.address) == 2

    def test_a_refused_transaction_in_a_batch_does_not_strand_the_rest(
        self, ledger: Ledger, new_account: NewAccount
    ) -> None:
        member = new_account()
        governance = deploy_governance(ledger, [member])
        calls = [
            Call(governance.address, propose(governance)),
            Call(governance.address, propose(governance), gas=10**12),
            Call(governance.address, propose(governance)),
        ]
        with pytest.raises(TransactionRejected):
            ledger.transact_batch(member, calls)
        rows = [e for e in ledger.outbox.entries() if e.sender == member.address]
        assert OutboxState.PENDING not in {e.state for e in rows}, "every row is settled"
        live = [e for e in rows if e.state is OutboxState.MINED]
        assert [e.nonce for e in live] == list(range(len(live))), "no nonce gap is left"
        assert chain_nonce(ledger, member.address) == len(live)
        proposals = [e for e in live if e.purpose.startswith("call ")]
        assert proposal_count(governance) == len(proposals) >= 1
        assert ledger.transact(member, governance.address, propose(governance)).succeeded

    def test_a_send_lost_by_the_network_goes_out_before_the_next_write(
        self, ledger: Ledger, reopen: Reopen, new_account: NewAccount
    ) -> None:
        member = new_account()
        governance = deploy_governance(ledger, [member])
        data = propose(governance)
        # Innermost, so the retry layer retries it and gives up.
        network = CutSends(failures=10**6)
        ledger = reopen(ledger, layers=[*default_layers(), ("cut_sends", network)])
        governance = ledger.contract(governance.abi, governance.address)
        with pytest.raises(BackendUnavailable):
            ledger.transact(member, governance.address, data)
        [lost] = ledger.outbox.pending()
        assert (lost.sender, lost.nonce) == (member.address, 1)
        assert proposal_count(governance) == 0
        network.failures = 0
        ledger.transact(member, governance.address, data)
        assert proposal_count(governance) == 2, "the lost one first, then the new one"
        rows = [e for e in ledger.outbox.entries() if e.sender == member.address]
        assert [(e.nonce, e.state) for e in rows] == [(n, OutboxState.MINED) for n in range(3)]

    def test_a_brief_network_loss_is_retried_without_sending_twice(
        self, ledger: Ledger, reopen: Reopen, new_account: NewAccount
    ) -> None:
        member = new_account()
        governance = deploy_governance(ledger, [member])
        network = CutSends(failures=2)
        ledger = reopen(ledger, layers=[*default_layers(), ("cut_sends", network)])
        governance = ledger.contract(governance.abi, governance.address)
        receipts = ledger.transact_batch(
            member, [Call(governance.address, propose(governance)) for _ in range(3)]
        )
        receipts.append(ledger.transact(member, governance.address, propose(governance)))
        assert network.failures == 0
        assert [r.status for r in receipts] == [1, 1, 1, 1]
        assert proposal_count(governance) == 4
        assert chain_nonce(ledger, member.address) == 5


class LedgerReadOnlySuite:
    """A read-only ledger beside the one that writes: it reads what the writer sends and sends
    nothing (no outbox, no lock)."""

    def test_a_reader_follows_the_writer_and_refuses_to_write(
        self, ledger: Ledger, open_reader: OpenReader, new_account: NewAccount
    ) -> None:
        member = new_account()
        governance = deploy_governance(ledger, [member])
        with open_reader(ledger) as reader:
            assert reader.read_only
            view = reader.contract(governance.abi, governance.address)
            assert proposal_count(view) == 0
            ledger.transact(member, governance.address, propose(governance))
            assert proposal_count(view) == 1
            with pytest.raises(ReadOnlyLedger):
                reader.transact(member, governance.address, propose(governance))
        assert proposal_count(governance) == 1
        assert chain_nonce(ledger, member.address) == 2  # the reader sent nothing


class BackendProviderSuite:
    """The provider layer turns every backend's errors into the same exceptions."""

    def test_unknown_method_is_method_unavailable(self, ledger: Ledger) -> None:
        with pytest.raises(MethodUnavailable):
            ledger.provider.request("eth_noSuchMethod", [])

    def test_batch_returns_each_result_or_error(self, ledger: Ledger) -> None:
        chain_id, missing = ledger.provider.request_batch(
            [("eth_chainId", []), ("eth_noSuchMethod", [])]
        )
        assert int(chain_id, 16) == ledger.chain_id
        assert isinstance(missing, MethodUnavailable)

    def test_web3_works_over_the_provider(self, ledger: Ledger) -> None:
        assert ledger.w3.eth.chain_id == ledger.chain_id
        assert ledger.w3.eth.block_number == ledger.block_number()
        assert ledger.provider.is_connected()

    def test_thread_safety_of_reads(self, ledger: Ledger) -> None:
        errors: list[BaseException] = []

        def read() -> None:
            try:
                for _ in range(20):
                    assert ledger.block_number() >= 0
            except BaseException as error:
                errors.append(error)

        threads = [threading.Thread(target=read) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
