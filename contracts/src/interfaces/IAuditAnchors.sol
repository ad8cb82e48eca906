// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IDepartmentGated} from "./IDepartmentGated.sol";

/// @title Anchors of access-log segments
/// @notice A department periodically anchors the Merkle root of the newest segment of one of its
/// append-only access logs. Sequence numbers start at 0 and segments are contiguous, so every
/// entry ever logged is covered by exactly one anchored root and a gap or rewrite is visible.
/// Only a log operator — a department the governance committee named one — anchors: the operator
/// that anchors a log's first segment owns the log, and only it extends the log. So a log id
/// cannot be claimed by any other department first.
interface IAuditAnchors is IDepartmentGated {
    /// @notice A log. `owner` is zero for a log never anchored; `nextSeq` is the first sequence
    /// number the next segment must start at.
    struct AuditLog {
        bytes32 owner;
        uint64 nextSeq;
        uint32 segmentCount;
    }

    /// @notice An anchored segment: entries `firstSeq` to `lastSeq` inclusive, under `root`.
    struct Segment {
        uint64 firstSeq;
        uint64 lastSeq;
        bytes32 root;
        uint64 anchoredAt;
    }

    /// @notice `department` anchored segment `index` of `logId`.
    event AuditSegmentAnchored(
        bytes32 indexed logId,
        uint32 indexed index,
        bytes32 indexed department,
        uint64 firstSeq,
        uint64 lastSeq,
        bytes32 root
    );

    /// @notice Department `department` became a log operator.
    event AuditLogOperatorGranted(bytes32 indexed department);
    /// @notice Department `department` is no longer a log operator.
    event AuditLogOperatorRevoked(bytes32 indexed department);

    /// @notice Make registered department `department` a log operator (no event if it already
    /// is one). Only the governance contract.
    function grantLogOperator(bytes32 department) external;

    /// @notice Stop `department` being a log operator (no event if it is not one); the logs it
    /// owns stay its own, and nobody extends them until it is granted again. Only the governance
    /// contract.
    function revokeLogOperator(bytes32 department) external;

    /// @notice Anchor the segment of `logId` covering entries `firstSeq`..`lastSeq` under
    /// `root`. The first segment of a log starts at 0; each next one at the previous `lastSeq`
    /// + 1. Caller: an active log operator (the log's owner after the first segment).
    /// @return index The segment's number in the log, starting at 0.
    function anchorSegment(bytes32 logId, uint64 firstSeq, uint64 lastSeq, bytes32 root)
        external
        returns (uint32 index);

    /// @notice The governance contract, the only caller allowed to name log operators.
    function governance() external view returns (address);

    /// @notice Whether department `department` is a log operator.
    function isLogOperator(bytes32 department) external view returns (bool);

    /// @notice Log `logId` (all zero if never anchored).
    function getLog(bytes32 logId) external view returns (AuditLog memory);

    /// @notice Segment `index` of `logId`; reverts {AuditUnknownSegment}.
    function getSegment(bytes32 logId, uint32 index) external view returns (Segment memory);

    /// @notice The segment of `logId` that covers entry `seq`; reverts {AuditSeqNotAnchored}.
    function findSegment(bytes32 logId, uint64 seq)
        external
        view
        returns (uint32 index, Segment memory segment);
}
