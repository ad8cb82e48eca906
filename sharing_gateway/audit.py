"""Auditors' reads: trace entries with inclusion proofs and the chain's events; verify an export
against the log the deployment names (docs/sharing-gateway.md, "Verification")."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from govledger.errors import ConfigurationError
from ledger.contracts import Registries
from ledger.merkle import MerkleTree
from sharing_gateway.domain.accesslog import AnchoredLog, Entry, Export, Verdict, verify_log
from sharing_gateway.domain.records import from_bytes32, to_bytes32
from sharing_gateway.ports import AccessLogStore, StoredSegment
from sharing_gateway.settings import GatewaySettings


@dataclass(frozen=True)
class Trace:
    entries: list[Entry]
    proofs: dict[int, dict[str, Any]]  # by entry seq: its segment's root, tx and Merkle proof
    chain_events: list[dict[str, Any]]


def inclusion_proofs(log: AccessLogStore, selected: Sequence[Entry]) -> dict[int, dict[str, Any]]:
    """For each anchored entry: its segment, the segment's root and tx, and the Merkle proof."""
    proofs: dict[int, dict[str, Any]] = {}
    trees: dict[int, tuple[StoredSegment, MerkleTree]] = {}
    for entry in selected:
        seq = entry.body.seq
        segment = log.segment_of(seq)
        if segment is None:
            continue
        if segment.segment_index not in trees:
            hashes = log.entry_hashes(segment.first_seq, segment.last_seq)
            trees[segment.segment_index] = (
                segment,
                MerkleTree([bytes.fromhex(value) for value in hashes]),
            )
        row, tree = trees[segment.segment_index]
        proofs[seq] = {
            "segment_index": row.segment_index,
            "root": row.root,
            "proof": [node.hex() for node in tree.proof(seq - row.first_seq)],
            "tx_hash": row.tx_hash,
            "block_number": row.block_number,
        }
    return proofs


def chain_events(
    registries: Registries, grant_ids: set[int], dataset_ids: set[str]
) -> list[dict[str, Any]]:
    """The DataSharing events about these grants or datasets, in chain order."""
    sharing = registries.sharing
    wanted_datasets = {to_bytes32(dataset_id) for dataset_id in dataset_ids}
    found = []
    for event in sharing.ledger.get_events(
        sharing.address, sharing.abi, from_block=sharing.deploy_block
    ):
        args = dict(event.args)
        if (
            int(args.get("grantId", 0)) in grant_ids
            or bytes(args.get("datasetId", b"")) in wanted_datasets
        ):
            found.append(
                {
                    "event": event.name,
                    "block_number": event.block_number,
                    "tx_hash": event.tx_hash,
                    "timestamp": event.timestamp,
                    "args": json.loads(json.dumps(args, default=_plain)),
                }
            )
    return found


def _plain(value: Any) -> Any:
    """JSON for what ``json`` cannot encode: ids and field names (ASCII ``bytes32``) as text,
    other bytes as hex."""
    if isinstance(value, bytes):
        text = from_bytes32(value) if len(value) == 32 and value.rstrip(b"\0").isascii() else ""
        return text if text.isprintable() and text else "0x" + value.hex()
    return str(value)


def verify_export(
    export: Export, log: AnchoredLog, settings: GatewaySettings, now: datetime
) -> Verdict:
    """Check a parsed export (:func:`~sharing_gateway.domain.accesslog.parse_export`) against
    ``log``, the chain's log of ``settings.log_id`` (the one the deployment names, never the one
    the export names itself): the export's log id must be ``settings.log_id``, the chain must
    keep that log for the gateway's operator department, and every entry older than
    ``anchor_deadline_seconds`` at ``now`` must be anchored (then :func:`verify_log`)."""
    operator = settings.operator_code
    if operator is None:
        raise ConfigurationError(
            "no gateway operator is configured (GOVLEDGER_GATEWAY_OPERATOR_CODE): the log is "
            "verified only against the log its operator keeps on chain"
        )

    def refused(problem: str) -> Verdict:
        return Verdict(len(export.entries), 0, 0, problem=problem)

    if export.log_id is not None and export.log_id != settings.log_id:
        return refused(
            f"the export is of log {export.log_id!r}, not of this deployment's log "
            f"{settings.log_id!r}"
        )
    owner = log.owner()
    if owner is not None and owner != operator:
        return refused(
            f"log {settings.log_id!r} is kept on chain by department {owner}, not by "
            f"the gateway operator {operator}"
        )
    due_before = now - timedelta(seconds=settings.anchor_deadline_seconds)
    return verify_log(export.entries, log.segments(), due_before=due_before)
