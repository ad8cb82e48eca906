"""The ``AuditAnchors`` wrapper: Merkle roots of segments of append-only access logs."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount

from ledger.client import Call
from ledger.contracts.base import ZERO32, Governed, UsesDepartmentRegistry, Written, build, bytes32
from ledger.contracts.values import Action, AuditLog, Segment, bytes32_to_code, code_to_bytes32


class AuditAnchors(UsesDepartmentRegistry, Governed):
    """Merkle roots of contiguous segments of append-only access logs, anchored by the log
    operators the governance committee names."""

    contract_name = "AuditAnchors"

    def encode_grant_log_operator(self, code: str) -> Action:
        return self._action(
            f"make department {code} a log operator", "grantLogOperator", code_to_bytes32(code)
        )

    def encode_revoke_log_operator(self, code: str) -> Action:
        return self._action(
            f"department {code} is no longer a log operator",
            "revokeLogOperator",
            code_to_bytes32(code),
        )

    def is_log_operator(self, code: str) -> bool:
        return bool(self._read("isLogOperator", code_to_bytes32(code)))

    def anchor_segment_call(
        self, log_id: bytes, first_seq: int, last_seq: int, root: bytes
    ) -> Call:
        """:meth:`anchor_segment` as a :class:`Call`, for :meth:`Ledger.transact_batch`."""
        return self.call_of(
            "anchorSegment", bytes32(log_id, "log id"), first_seq, last_seq, bytes32(root, "root")
        )

    def anchor_segment(
        self, department: LocalAccount, log_id: bytes, first_seq: int, last_seq: int, root: bytes
    ) -> Written[int]:
        """Anchor entries ``first_seq``..``last_seq`` of ``log_id``; the value is the segment's
        index in the log."""
        return self._send_returning(
            department,
            "anchorSegment",
            (bytes32(log_id, "log id"), first_seq, last_seq, bytes32(root, "root")),
            "AuditSegmentAnchored",
            "index",
        )

    def get_log(self, log_id: bytes) -> AuditLog | None:
        """Log ``log_id``, or None when nothing of it is anchored."""
        log = self._read("getLog", bytes32(log_id, "log id"))
        if log["owner"] == ZERO32:
            return None
        return build(AuditLog, log, owner=bytes32_to_code(log["owner"]))

    def get_segment(self, log_id: bytes, index: int) -> Segment:
        """Segment ``index`` of ``log_id``; reverts ``AuditUnknownSegment``."""
        return build(
            Segment, self._read("getSegment", bytes32(log_id, "log id"), index), index=index
        )

    def find_segment(self, log_id: bytes, seq: int) -> Segment:
        """The segment covering entry ``seq``; reverts ``AuditSeqNotAnchored``."""
        found = self._read("findSegment", bytes32(log_id, "log id"), seq)
        return build(Segment, found["segment"], index=found["index"])
