// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {DepartmentGated} from "./DepartmentGated.sol";
import {IAuditAnchors} from "./interfaces/IAuditAnchors.sol";
import {IAuditAnchorsErrors} from "./interfaces/IAuditAnchorsErrors.sol";
import {IDepartmentRegistry} from "./interfaces/IDepartmentRegistry.sol";

/// @title Audit anchors
/// @notice Merkle roots of contiguous access-log segments, anchored by log operators.
contract AuditAnchors is IAuditAnchors, IAuditAnchorsErrors, DepartmentGated {
    address private immutable _governance;

    mapping(bytes32 department => bool) private _operators;
    mapping(bytes32 logId => AuditLog) private _logs;
    mapping(bytes32 logId => mapping(uint32 index => Segment)) private _segments;

    /// @dev The governance contract is the department registry's: the same committee decides
    /// who operates logs.
    constructor(IDepartmentRegistry departments) DepartmentGated(departments) {
        _governance = departments.governance();
    }

    modifier onlyGovernance() {
        if (msg.sender != _governance) revert AuditNotGovernance(msg.sender);
        _;
    }

    /// @inheritdoc IAuditAnchors
    function grantLogOperator(bytes32 department) external onlyGovernance {
        if (!_departments.isRegistered(department)) revert AuditUnknownDepartment(department);
        if (_operators[department]) return;
        _operators[department] = true;
        emit AuditLogOperatorGranted(department);
    }

    /// @inheritdoc IAuditAnchors
    function revokeLogOperator(bytes32 department) external onlyGovernance {
        if (!_operators[department]) return;
        _operators[department] = false;
        emit AuditLogOperatorRevoked(department);
    }

    /// @inheritdoc IAuditAnchors
    function anchorSegment(bytes32 logId, uint64 firstSeq, uint64 lastSeq, bytes32 root)
        external
        returns (uint32 index)
    {
        bytes32 department = _activeCaller();
        if (!_operators[department]) revert AuditNotLogOperator(department);
        if (logId == bytes32(0)) revert AuditZeroId();
        if (root == bytes32(0)) revert AuditZeroRoot();
        if (lastSeq < firstSeq) revert AuditInvalidRange(logId, firstSeq, lastSeq);
        AuditLog storage log = _logs[logId];
        if (log.owner == bytes32(0)) {
            log.owner = department;
        } else if (log.owner != department) {
            revert AuditNotLogOwner(logId, department);
        }
        if (firstSeq != log.nextSeq) revert AuditNotContiguous(logId, log.nextSeq, firstSeq);
        index = log.segmentCount++;
        log.nextSeq = lastSeq + 1;
        _segments[logId][index] = Segment({
            firstSeq: firstSeq,
            lastSeq: lastSeq,
            root: root,
            anchoredAt: uint64(block.timestamp)
        });
        emit AuditSegmentAnchored(logId, index, department, firstSeq, lastSeq, root);
    }

    /// @inheritdoc IAuditAnchors
    function governance() external view returns (address) {
        return _governance;
    }

    /// @inheritdoc IAuditAnchors
    function isLogOperator(bytes32 department) external view returns (bool) {
        return _operators[department];
    }

    /// @inheritdoc IAuditAnchors
    function getLog(bytes32 logId) external view returns (AuditLog memory) {
        return _logs[logId];
    }

    /// @inheritdoc IAuditAnchors
    function getSegment(bytes32 logId, uint32 index) external view returns (Segment memory) {
        if (index >= _logs[logId].segmentCount) revert AuditUnknownSegment(logId, index);
        return _segments[logId][index];
    }

    /// @inheritdoc IAuditAnchors
    function findSegment(bytes32 logId, uint64 seq)
        external
        view
        returns (uint32 index, Segment memory segment)
    {
        AuditLog storage log = _logs[logId];
        if (log.segmentCount == 0 || seq >= log.nextSeq) revert AuditSeqNotAnchored(logId, seq);
        // Segments are contiguous and ordered, so binary search on their first sequence numbers.
        uint32 low = 0;
        uint32 high = log.segmentCount - 1;
        while (low < high) {
            uint32 middle = low + (high - low + 1) / 2;
            if (_segments[logId][middle].firstSeq <= seq) {
                low = middle;
            } else {
                high = middle - 1;
            }
        }
        return (low, _segments[logId][low]);
    }

    function _revertZeroAddress() internal pure override {
        revert AuditZeroAddress();
    }
}
