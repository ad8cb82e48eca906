// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Anchors of access-log segments
/// @notice A department periodically anchors the Merkle root of the newest segment of one of its
/// append-only access logs. Sequence numbers start at 0 and segments are contiguous, so every
/// entry ever logged is covered by exactly one anchored root and a gap or rewrite is visible.
/// The department that anchors a log's first segment owns the log; only it extends the log.
interface IAuditAnchors {
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

    /// @notice Anchor the segment of `logId` covering entries `firstSeq`..`lastSeq` under
    /// `root`. The first segment of a log starts at 0; each next one at the previous `lastSeq`
    /// + 1. Caller: an active department (the log's owner after the first segment).
    /// @return index The segment's number in the log, starting at 0.
    function anchorSegment(bytes32 logId, uint64 firstSeq, uint64 lastSeq, bytes32 root)
        external
        returns (uint32 index);

    /// @notice The department registry this contract checks callers against.
    function departmentRegistry() external view returns (address);

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
