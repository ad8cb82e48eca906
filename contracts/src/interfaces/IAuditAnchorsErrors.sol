// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Errors of {AuditAnchors}
interface IAuditAnchorsErrors {
    /// @dev The department registry address given at deployment is zero.
    error AuditZeroAddress();
    /// @dev `caller` is not the governance contract.
    error AuditNotGovernance(address caller);
    /// @dev Department `department` is not registered.
    error AuditUnknownDepartment(bytes32 department);
    /// @dev Department `department` is not a log operator.
    error AuditNotLogOperator(bytes32 department);
    /// @dev A log id is zero.
    error AuditZeroId();
    /// @dev A segment root is zero.
    error AuditZeroRoot();
    /// @dev A segment of `logId` would end (`lastSeq`) before it starts (`firstSeq`).
    error AuditInvalidRange(bytes32 logId, uint64 firstSeq, uint64 lastSeq);
    /// @dev A segment of `logId` starts at `firstSeq`, not at `expectedFirstSeq`.
    error AuditNotContiguous(bytes32 logId, uint64 expectedFirstSeq, uint64 firstSeq);
    /// @dev `department` did not open log `logId`.
    error AuditNotLogOwner(bytes32 logId, bytes32 department);
    /// @dev Log `logId` has no segment number `index`.
    error AuditUnknownSegment(bytes32 logId, uint32 index);
    /// @dev Entry `seq` of log `logId` is in no anchored segment.
    error AuditSeqNotAnchored(bytes32 logId, uint64 seq);
}
