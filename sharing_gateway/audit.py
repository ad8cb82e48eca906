"""Auditors' reads: trace entries with inclusion proofs and the chain's events; export; verify
an export against the log the deployment names (docs/sharing-gateway.md, "Verification")."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from govledger.errors import ConfigurationError
from ledger.contracts import Registries
from ledger.merkle import MerkleTree
from sharing_gateway.adapters.accesslog import entry_of
from sharing_gateway.domain.auditlog import (
    AnchoredSegment,
    Entry,
    Export,
    Verdict,
    verify_log,
)
from sharing_gateway.domain.records import from_bytes32, to_bytes32
from sharing_gateway.models import AuditEntryRow, AuditSegmentRow
from sharing_gateway.settings import GatewaySettings


@dataclass(frozen=True)
class TraceFilter:
    dataset_id: str | None = None
    requester: str | None = None
    grant_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


def _query(criteria: TraceFilter) -> Select[AuditEntryRow]:
    query = select(AuditEntryRow).order_by(AuditEntryRow.seq)
    if criteria.dataset_id is not None:
        query = query.where(AuditEntryRow.dataset_id == criteria.dataset_id)
    if criteria.requester is not None:
        query = query.where(AuditEntryRow.caller == criteria.requester)
    if criteria.grant_id is not None:
        query = query.where(AuditEntryRow.grant_id == criteria.grant_id)
    if criteria.since is not None:
        query = query.where(AuditEntryRow.recorded_at >= criteria.since)
    if criteria.until is not None:
        query = query.where(AuditEntryRow.recorded_at < criteria.until)
    return query


def entries(session: Session, criteria: TraceFilter = TraceFilter()) -> list[Entry]:
    return [entry_of(row) for row in session.scalars(_query(criteria))]


def inclusion_proofs(session: Session, selected: Sequence[Entry]) -> dict[int, dict[str, Any]]:
    """For each anchored entry: its segment, the segment's root and tx, and the Merkle proof."""
    proofs: dict[int, dict[str, Any]] = {}
    trees: dict[int, tuple[AuditSegmentRow, MerkleTree]] = {}
    for entry in selected:
        seq = entry.body.seq
        segment = session.scalar(
            select(AuditSegmentRow)
            .where(AuditSegmentRow.first_seq <= seq, AuditSegmentRow.last_seq >= seq)
            .limit(1)
        )
        if segment is None:
            continue
        if segment.segment_index not in trees:
            hashes = session.scalars(
                select(AuditEntryRow.entry_hash)
                .where(AuditEntryRow.seq.between(segment.first_seq, segment.last_seq))
                .order_by(AuditEntryRow.seq)
            )
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


class ChainAnchoredLog:
    """The segments anchored on chain for one log (read live from ``AuditAnchors``)."""

    def __init__(self, registries: Registries, log_id: str) -> None:
        self._audit = registries.audit
        self._log_id = to_bytes32(log_id)

    def segments(self) -> list[AnchoredSegment]:
        chain_log = self._audit.get_log(self._log_id)
        if chain_log is None:
            return []
        return [
            AnchoredSegment(s.index, s.first_seq, s.last_seq, s.root)
            for s in (
                self._audit.get_segment(self._log_id, index)
                for index in range(chain_log.segment_count)
            )
        ]


def verify_export(
    export: Export, registries: Registries, settings: GatewaySettings, now: datetime
) -> Verdict:
    """Check a parsed export (:func:`~sharing_gateway.domain.auditlog.parse_export`) against
    the log the deployment names, never the one it names itself:
    its log id must be ``settings.log_id``, the chain must keep that log for the gateway's
    operator department, and every entry older than ``anchor_deadline_seconds`` at ``now`` must
    be anchored (then :func:`verify_log`)."""
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
    chain_log = registries.audit.get_log(to_bytes32(settings.log_id))
    if chain_log is not None and chain_log.owner != operator:
        return refused(
            f"log {settings.log_id!r} is kept on chain by department {chain_log.owner}, not by "
            f"the gateway operator {operator}"
        )
    segments = ChainAnchoredLog(registries, settings.log_id).segments()
    due_before = now - timedelta(seconds=settings.anchor_deadline_seconds)
    return verify_log(export.entries, segments, due_before=due_before)


def oldest_unanchored(session: Session) -> AuditEntryRow | None:
    """The first access-log entry that no anchored segment covers yet."""
    anchored = session.scalar(select(func.max(AuditSegmentRow.last_seq)))
    query = select(AuditEntryRow).order_by(AuditEntryRow.seq)
    if anchored is not None:  # entries count from 0
        query = query.where(AuditEntryRow.seq > anchored)
    return session.scalars(query.limit(1)).first()
