"""Anchoring throughput and the gas of every contract function, on a throwaway deployment.

Everything happens in a fresh temporary data dir with in-memory accounts, so a benchmark never
touches the user's chain, keystore or manifest. ``embedded`` runs a temporary py-evm chain;
``rpc`` uses the node at ``GOVLEDGER_CHAIN_RPC_URL`` when that is set and answers (deploying a
fresh set of contracts there), and otherwise starts a local Anvil for the run.

Throughput is wall-clock transactions per second, each transaction signed locally, sent, and
its receipt awaited: sequentially (one at a time), and batched (all sent in one JSON-RPC array,
then all receipts awaited). Gas comes from the receipts of one call of each state-changing
function; the governed ones (committee and department registry changes) are measured by the
approval that executes them.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from eth_account import Account
from eth_account.signers.local import LocalAccount

from govledger.bench.setup import department_code
from govledger.settings import Settings
from ledger import BackendUnavailable, Call, JSONRPCBackend, Ledger, Receipt
from ledger.backends.base import Backend
from ledger.contracts import Registries
from ledger.contracts.base import Written
from ledger.contracts.values import Action, LicenceStatus, Role, ShareClass
from ledger.deploy import deploy_all
from ledger.devnode import AnvilNode
from sm_crypto import SM2PrivateKey

BackendName = Literal["embedded", "rpc"]
Progress = Callable[[str], None]

EMBEDDED_CHAIN_ID = 1337
LICENCES_PER_BATCH = 16
ENTRIES_PER_SEGMENT = 10
# Batched calls carry explicit gas: estimating call i would run on the state before call 1.
BATCH_GAS_MARGIN = 1.5


@dataclass(frozen=True)
class ChainBenchmark:
    """Transactions per second of the anchoring calls, and gas by function."""

    backend: BackendName
    node: str
    chain_id: int
    count: int
    anchor_batch_sequential: float
    anchor_segment_sequential: float
    anchor_batch_batched: float
    anchor_segment_batched: float
    gas: dict[str, int]


def run(
    backend: BackendName, *, count: int, settings: Settings, progress: Progress
) -> ChainBenchmark:
    """Deploy afresh on ``backend``, measure gas, then time ``count`` transactions per mode."""
    with tempfile.TemporaryDirectory(prefix="govledger-bench-") as temporary, ExitStack() as stack:
        data_dir = Path(temporary)
        chain_backend, node = stack.enter_context(
            _open_backend(backend, settings, data_dir, progress)
        )
        ledger = stack.enter_context(Ledger(chain_backend, data_dir=data_dir))
        bench, gas = _Bench.deploy(ledger, progress)
        gas |= bench.measure_gas()
        progress(f"timing {count} transactions per mode")
        return ChainBenchmark(
            backend=backend,
            node=node,
            chain_id=ledger.chain_id,
            count=count,
            anchor_batch_sequential=bench.anchor_batches_sequentially(count),
            anchor_segment_sequential=bench.anchor_segments_sequentially(count),
            anchor_batch_batched=bench.anchor_batches_batched(count, gas),
            anchor_segment_batched=bench.anchor_segments_batched(count, gas),
            gas=gas,
        )


@contextmanager
def _open_backend(
    backend: BackendName, settings: Settings, data_dir: Path, progress: Progress
) -> Iterator[tuple[Backend, str]]:
    """The backend to measure and a description of the node behind it."""
    if backend == "embedded":
        # Imported here: py-evm is heavy and the rpc run never needs it.
        from ledger.backends.embedded import EmbeddedBackend  # noqa: PLC0415

        progress("embedded chain in a temporary data dir")
        yield EmbeddedBackend(data_dir / "chain", chain_id=EMBEDDED_CHAIN_ID), "embedded py-evm"
        return
    configured = settings.chain_rpc_url if "chain_rpc_url" in settings.model_fields_set else None
    if configured is not None and _answers(configured):
        progress(f"using the node at {configured}; deploying a fresh set of contracts there")
        yield JSONRPCBackend(configured), configured
        return
    progress(
        "GOVLEDGER_CHAIN_RPC_URL is not set or does not answer: starting a local Anvil for this run"
    )
    with AnvilNode() as anvil:
        progress(f"Anvil listening on {anvil.url}")
        yield JSONRPCBackend(anvil.url), f"Anvil (started for this run, {anvil.url})"


def _answers(url: str) -> bool:
    probe = JSONRPCBackend(url, timeout_s=2.0)
    try:
        return "result" in probe.make_request("eth_chainId", [])
    except BackendUnavailable:
        return False
    finally:
        probe.close()


def _rate(count: int, elapsed: float) -> float:
    return count / elapsed


def _gas_of(ledger: Ledger, tx_hash: str) -> int:
    receipt = ledger.provider.request("eth_getTransactionReceipt", [tx_hash])
    return int(receipt["gasUsed"], 16)


class _Bench:
    """A fresh deployment (2-of-2 committee) with one department holding every role."""

    def __init__(
        self,
        ledger: Ledger,
        contracts: Registries,
        committee: Sequence[LocalAccount],
        progress: Progress,
    ) -> None:
        self.ledger = ledger
        self.contracts = contracts
        self.committee = committee
        self.code = department_code("11350000", 1)
        self.department: LocalAccount = Account.create()
        self.progress = progress
        self._log_id = os.urandom(32)
        self._next_seq = 0

    @classmethod
    def deploy(cls, ledger: Ledger, progress: Progress) -> tuple[_Bench, dict[str, int]]:
        """Deploy afresh and register the department through the committee; the gas used."""
        progress("deploying the contracts")
        committee = [Account.create(), Account.create()]
        manifest = deploy_all(
            ledger,
            Account.create(),
            [member.address for member in committee],
            len(committee),
            path=ledger.data_dir / "deployment.json",
        )
        gas = {
            f"{name} (deployment)": _gas_of(ledger, entry.tx_hash)
            for name, entry in manifest.contracts.items()
        }
        bench = cls(ledger, Registries.from_manifest(ledger, manifest), committee, progress)
        proposed, approved = bench._govern(
            bench.contracts.departments.encode_register(
                bench.code,
                "Benchmark department",
                SM2PrivateKey.generate().public_key().to_bytes(),
                [bench.department.address],
                list(Role),
            )
        )
        gas["Governance.propose"] = proposed.gas_used
        gas["Governance.approve (executes registerDepartment)"] = approved.gas_used
        return bench, gas

    def _govern(self, action: Action) -> tuple[Receipt, Receipt]:
        """Member 0 proposes ``action`` and member 1's approval executes it: both receipts."""
        governance = self.contracts.governance
        proposed = governance.propose_action(self.committee[0], action)
        return proposed.receipt, governance.approve(self.committee[1], proposed.value)

    def _governed_gas(self, actions: Mapping[str, Action]) -> dict[str, int]:
        """Each action (by the name of the function it calls) through the committee, in order:
        the gas of the approval that executes it."""
        gas = {}
        for function, action in actions.items():
            _, approved = self._govern(action)
            gas[f"Governance.approve (executes {function})"] = approved.gas_used
        return gas

    def measure_gas(self) -> dict[str, int]:
        """Call each state-changing function once; gas used by name."""
        self.progress("calling each contract function once for its gas")
        gas = (
            self._committee_gas()
            | self._department_gas()
            | self._licence_gas()
            | self._seal_gas()
            | self._sharing_gas()
            | self._log_operator_gas()
        )
        gas["AuditAnchors.anchorSegment (first segment)"] = self._anchor_segment().gas_used
        gas["AuditAnchors.anchorSegment (next segment)"] = self._anchor_segment().gas_used
        return gas

    def _committee_gas(self) -> dict[str, int]:
        """The committee grows to 3-of-3 and back to 2-of-2, each change by a proposal; the
        last change waits, approved by two, until the threshold is lowered, and then runs by
        ``execute``, the only way ``execute`` has work to do. Then the proposal lifetime changes,
        and a proposal is made and cancelled by its proposer."""
        governance = self.contracts.governance
        first, second = self.committee
        third: LocalAccount = Account.create()
        gas = self._governed_gas(
            {
                "addMember": governance.encode_add_member(third.address),
                "changeThreshold": governance.encode_change_threshold(3),
            }
        )
        removal = governance.propose_action(first, governance.encode_remove_member(third.address))
        gas["Governance.approve (below the threshold)"] = governance.approve(
            second, removal.value
        ).gas_used
        lowering = governance.propose_action(first, governance.encode_change_threshold(2))
        governance.approve(second, lowering.value)
        governance.approve(third, lowering.value)
        gas["Governance.execute (executes removeMember)"] = governance.execute(
            first, removal.value
        ).gas_used
        gas |= self._governed_gas(
            {"changeProposalLifetime": governance.encode_change_proposal_lifetime(3 * 24 * 3600)}
        )
        withdrawn = governance.propose_action(first, governance.encode_change_threshold(1))
        gas["Governance.cancel (by the proposer)"] = governance.cancel(
            first, withdrawn.value
        ).gas_used
        return gas

    def _department_gas(self) -> dict[str, int]:
        """Every change of the registry, each undone by the next (the department keeps its
        roles and ends active, as the later measurements need)."""
        departments, code = self.contracts.departments, self.code
        extra_account = Account.create().address
        return self._governed_gas(
            {
                "rotatePublicKey": departments.encode_rekey(
                    code, SM2PrivateKey.generate().public_key().to_bytes()
                ),
                "addAccount": departments.encode_add_account(code, extra_account),
                "removeAccount": departments.encode_remove_account(code, extra_account),
                "revokeRole": departments.encode_revoke_role(code, Role.VERIFIER),
                "grantRole": departments.encode_grant_role(code, Role.VERIFIER),
                "suspendDepartment": departments.encode_suspend(code, 1),
                "reinstateDepartment": departments.encode_reinstate(code, 1),
            }
        )

    def _log_operator_gas(self) -> dict[str, int]:
        """The department becomes a log operator, stops being one, and becomes one again (the
        anchoring measured next needs the role)."""
        audit, code = self.contracts.audit, self.code
        gas = self._governed_gas(
            {
                "grantLogOperator": audit.encode_grant_log_operator(code),
                "revokeLogOperator": audit.encode_revoke_log_operator(code),
            }
        )
        self._govern(audit.encode_grant_log_operator(code))
        return gas

    def _licence_gas(self) -> dict[str, int]:
        licences, issuer = self.contracts.licences, self.department
        root, successor, leaf = os.urandom(32), os.urandom(32), os.urandom(32)
        gas = {"LicenceRegistry.anchorBatch": licences.anchor_batch(issuer, root, 4).gas_used}
        for status, function in (
            (LicenceStatus.SUSPENDED, "suspendLicence"),
            (LicenceStatus.VALID, "reinstateLicence"),
        ):
            gas[f"LicenceRegistry.{function}"] = licences.set_status(
                issuer, root, leaf, status, 1
            ).gas_used
        licences.anchor_batch(issuer, successor, 1)
        gas["LicenceRegistry.supersedeLicence"] = licences.supersede(
            issuer, root, leaf, new_root=successor, new_leaf=os.urandom(32), reason_code=6
        ).gas_used
        # The final states, each the first change of a fresh leaf.
        for status, function in (
            (LicenceStatus.REVOKED, "revokeLicence"),
            (LicenceStatus.WITHDRAWN, "withdrawLicence"),
            (LicenceStatus.CANCELLED, "cancelLicence"),
        ):
            gas[f"LicenceRegistry.{function}"] = licences.set_status(
                issuer, root, os.urandom(32), status, 1
            ).gas_used
        return gas

    def _seal_gas(self) -> dict[str, int]:
        seals, admin, seal_id = self.contracts.seals, self.department, os.urandom(32)
        now = int(time.time())
        registered = seals.register_seal(admin, seal_id, [os.urandom(32)], now, now + 86_400)
        return {
            "SealRegistry.registerSeal (one holder)": registered.gas_used,
            "SealRegistry.revokeSeal": seals.revoke_seal(admin, seal_id, 1).gas_used,
        }

    def _sharing_gas(self) -> dict[str, int]:
        sharing, department, dataset_id = self.contracts.sharing, self.department, os.urandom(32)
        fields = [os.urandom(32), os.urandom(32)]
        expires_at = int(time.time()) + 86_400
        gas = {
            "DataSharing.registerDataset": sharing.register_dataset(
                department, dataset_id, ShareClass.CONDITIONAL, os.urandom(32)
            ).gas_used
        }
        published = sharing.publish_version(department, dataset_id, os.urandom(32), os.urandom(32))

        def request() -> Written[int]:
            return sharing.request_access(
                department,
                dataset_id,
                fields,
                purpose_hash=os.urandom(32),
                scenario_code=1,
                expires_at=expires_at,
                max_uses=10,
            )

        requested = request()
        gas["DataSharing.publishVersion"] = published.receipt.gas_used
        gas["DataSharing.requestAccess (two fields)"] = requested.receipt.gas_used
        gas["DataSharing.approveRequest"] = sharing.approve_request(
            department, requested.value, fields, expires_at, 10
        ).gas_used
        gas["DataSharing.consumeUses"] = sharing.consume_uses(
            department, requested.value, 1, 0
        ).receipt.gas_used
        gas["DataSharing.revokeGrant"] = sharing.revoke_grant(
            department, requested.value, 1
        ).gas_used
        gas["DataSharing.rejectRequest"] = sharing.reject_request(
            department, request().value, 1
        ).gas_used
        return gas

    def _segment_range(self) -> tuple[int, int]:
        first = self._next_seq
        self._next_seq += ENTRIES_PER_SEGMENT
        return first, self._next_seq - 1

    def _anchor_segment(self) -> Receipt:
        first, last = self._segment_range()
        return self.contracts.audit.anchor_segment(
            self.department, self._log_id, first, last, os.urandom(32)
        ).receipt

    # -- timed runs ---------------------------------------------------------------------------

    def anchor_batches_sequentially(self, count: int) -> float:
        self.progress(f"LicenceRegistry.anchorBatch x {count}, one at a time")
        roots = [os.urandom(32) for _ in range(count)]
        start = time.perf_counter()
        for root in roots:
            self.contracts.licences.anchor_batch(self.department, root, LICENCES_PER_BATCH)
        return _rate(count, time.perf_counter() - start)

    def anchor_segments_sequentially(self, count: int) -> float:
        self.progress(f"AuditAnchors.anchorSegment x {count}, one at a time")
        start = time.perf_counter()
        for _ in range(count):
            self._anchor_segment()
        return _rate(count, time.perf_counter() - start)

    def anchor_batches_batched(self, count: int, gas: dict[str, int]) -> float:
        self.progress(f"LicenceRegistry.anchorBatch x {count} in one JSON-RPC batch")
        calls = [
            self.contracts.licences.anchor_batch_call(os.urandom(32), LICENCES_PER_BATCH)
            for _ in range(count)
        ]
        return self._send_batch(calls, gas["LicenceRegistry.anchorBatch"])

    def anchor_segments_batched(self, count: int, gas: dict[str, int]) -> float:
        self.progress(f"AuditAnchors.anchorSegment x {count} in one JSON-RPC batch")
        calls = [
            self.contracts.audit.anchor_segment_call(
                self._log_id, *self._segment_range(), os.urandom(32)
            )
            for _ in range(count)
        ]
        return self._send_batch(calls, gas["AuditAnchors.anchorSegment (next segment)"])

    def _send_batch(self, calls: Sequence[Call], gas_used: int) -> float:
        gas = int(gas_used * BATCH_GAS_MARGIN)
        with_gas = [dataclasses.replace(call, gas=gas) for call in calls]
        start = time.perf_counter()
        receipts = self.ledger.transact_batch(self.department, with_gas)
        elapsed = time.perf_counter() - start
        failed = [receipt for receipt in receipts if not receipt.succeeded]
        if failed:
            raise failed[0].error or RuntimeError("a batched transaction failed")
        return _rate(len(calls), elapsed)


def report(result: ChainBenchmark) -> dict[str, Any]:
    """The JSON form: ``tx_per_s`` is sequential ``anchorBatch``, the headline figure."""
    return {
        "backend": result.backend,
        "node": result.node,
        "chain_id": result.chain_id,
        "count": result.count,
        "tx_per_s": round(result.anchor_batch_sequential, 1),
        "anchor_batch_sequential_tx_per_s": round(result.anchor_batch_sequential, 1),
        "anchor_segment_sequential_tx_per_s": round(result.anchor_segment_sequential, 1),
        "anchor_batch_batched_tx_per_s": round(result.anchor_batch_batched, 1),
        "anchor_segment_batched_tx_per_s": round(result.anchor_segment_batched, 1),
        "gas": result.gas,
    }


def table(result: ChainBenchmark) -> str:
    """A plain-text table of the same figures."""
    lines = [
        f"backend {result.backend} ({result.node}), chain id {result.chain_id}, "
        f"{result.count} transactions per mode",
        "",
        f"{'anchoring call':<34}{'sequential tx/s':>16}{'batched tx/s':>14}",
        f"{'LicenceRegistry.anchorBatch':<34}{result.anchor_batch_sequential:>16.1f}"
        f"{result.anchor_batch_batched:>14.1f}",
        f"{'AuditAnchors.anchorSegment':<34}{result.anchor_segment_sequential:>16.1f}"
        f"{result.anchor_segment_batched:>14.1f}",
        "",
        f"{'function (one call each)':<52}{'gas':>10}",
    ]
    lines += [f"{name:<52}{gas:>10,}" for name, gas in result.gas.items()]
    return "\n".join(lines)
