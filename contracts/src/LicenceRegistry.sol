// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IDepartmentRegistry} from "./interfaces/IDepartmentRegistry.sol";
import {ILicenceRegistry} from "./interfaces/ILicenceRegistry.sol";
import {ILicenceRegistryErrors} from "./interfaces/ILicenceRegistryErrors.sol";
import {Roles} from "./Roles.sol";

/// @title Licence registry
/// @notice Batch roots of issued e-licences and the status of each licence.
contract LicenceRegistry is ILicenceRegistry, ILicenceRegistryErrors {
    uint8 public constant STATUS_UNKNOWN = 0;
    uint8 public constant STATUS_VALID = 1;
    uint8 public constant STATUS_SUSPENDED = 2;
    uint8 public constant STATUS_WITHDRAWN = 3;
    uint8 public constant STATUS_CANCELLED = 4;
    uint8 public constant STATUS_SUPERSEDED = 6;
    uint8 public constant STATUS_REVOKED = 7;

    IDepartmentRegistry private immutable _departments;

    mapping(bytes32 root => Batch) private _batches;
    // Keyed by keccak256(root, leaf). A zero `status` means "never changed", i.e. valid.
    mapping(bytes32 licenceKey => LicenceStatus) private _statuses;

    constructor(IDepartmentRegistry departments) {
        if (address(departments) == address(0)) revert LicenceZeroAddress();
        _departments = departments;
    }

    /// @inheritdoc ILicenceRegistry
    function anchorBatch(bytes32 root, uint32 count) external {
        bytes32 issuer = _departments.requireRole(msg.sender, Roles.ISSUER_ROLE);
        if (root == bytes32(0)) revert LicenceZeroRoot();
        if (count == 0) revert LicenceEmptyBatch(root);
        if (_batches[root].anchoredAt != 0) revert LicenceBatchExists(root);
        _batches[root] = Batch({issuer: issuer, count: count, anchoredAt: uint64(block.timestamp)});
        emit BatchAnchored(root, issuer, count);
    }

    /// @inheritdoc ILicenceRegistry
    function suspendLicence(bytes32 root, bytes32 leaf, uint16 reasonCode) external {
        _changeStatus(root, leaf, STATUS_SUSPENDED, reasonCode);
    }

    /// @inheritdoc ILicenceRegistry
    function reinstateLicence(bytes32 root, bytes32 leaf, uint16 reasonCode) external {
        _changeStatus(root, leaf, STATUS_VALID, reasonCode);
    }

    /// @inheritdoc ILicenceRegistry
    function withdrawLicence(bytes32 root, bytes32 leaf, uint16 reasonCode) external {
        _changeStatus(root, leaf, STATUS_WITHDRAWN, reasonCode);
    }

    /// @inheritdoc ILicenceRegistry
    function cancelLicence(bytes32 root, bytes32 leaf, uint16 reasonCode) external {
        _changeStatus(root, leaf, STATUS_CANCELLED, reasonCode);
    }

    /// @inheritdoc ILicenceRegistry
    function revokeLicence(bytes32 root, bytes32 leaf, uint16 reasonCode) external {
        _changeStatus(root, leaf, STATUS_REVOKED, reasonCode);
    }

    /// @inheritdoc ILicenceRegistry
    function supersedeLicence(
        bytes32 root,
        bytes32 leaf,
        bytes32 newRoot,
        bytes32 newLeaf,
        uint16 reasonCode
    ) external {
        bytes32 issuer = _authorise(root, leaf);
        _requireBatchIssuer(newRoot, newLeaf, issuer);
        bool sameLicence = newRoot == root && newLeaf == leaf;
        if (sameLicence || _statusOf(newRoot, newLeaf).status != STATUS_VALID) {
            revert LicenceInvalidSuccessor(newRoot, newLeaf);
        }
        _setStatus(root, leaf, STATUS_SUPERSEDED, reasonCode, newRoot, newLeaf);
        emit LicenceSuperseded(root, leaf, newRoot, newLeaf);
    }

    /// @inheritdoc ILicenceRegistry
    function departmentRegistry() external view returns (address) {
        return address(_departments);
    }

    /// @inheritdoc ILicenceRegistry
    function batchOf(bytes32 root) external view returns (Batch memory) {
        return _batches[root];
    }

    /// @inheritdoc ILicenceRegistry
    function statusOf(bytes32 root, bytes32 leaf) external view returns (LicenceStatus memory) {
        return _statusOf(root, leaf);
    }

    function _changeStatus(bytes32 root, bytes32 leaf, uint8 to, uint16 reasonCode) private {
        _authorise(root, leaf);
        _setStatus(root, leaf, to, reasonCode, bytes32(0), bytes32(0));
    }

    /// @dev The caller's department, if it may change licence (`root`, `leaf`): an active ISSUER
    /// that anchored `root`.
    function _authorise(bytes32 root, bytes32 leaf) private view returns (bytes32 issuer) {
        issuer = _departments.requireRole(msg.sender, Roles.ISSUER_ROLE);
        _requireBatchIssuer(root, leaf, issuer);
    }

    function _setStatus(
        bytes32 root,
        bytes32 leaf,
        uint8 to,
        uint16 reasonCode,
        bytes32 supersededByRoot,
        bytes32 supersededByLeaf
    ) private {
        uint8 from = _statusOf(root, leaf).status;
        if (!_isAllowed(from, to)) revert LicenceInvalidTransition(root, leaf, from, to);
        _statuses[_licenceKey(root, leaf)] = LicenceStatus({
            status: to,
            reasonCode: reasonCode,
            changedAt: uint64(block.timestamp),
            supersededByRoot: supersededByRoot,
            supersededByLeaf: supersededByLeaf
        });
        emit LicenceStatusChanged(root, leaf, to, from, reasonCode);
    }

    function _requireBatchIssuer(bytes32 root, bytes32 leaf, bytes32 department) private view {
        if (root == bytes32(0)) revert LicenceZeroRoot();
        if (leaf == bytes32(0)) revert LicenceZeroLeaf();
        Batch storage batch = _batches[root];
        if (batch.anchoredAt == 0) revert LicenceUnknownBatch(root);
        if (batch.issuer != department) revert LicenceNotBatchIssuer(root, department);
    }

    function _statusOf(bytes32 root, bytes32 leaf) private view returns (LicenceStatus memory) {
        Batch storage batch = _batches[root];
        if (batch.anchoredAt == 0 || leaf == bytes32(0)) {
            return LicenceStatus(STATUS_UNKNOWN, 0, 0, bytes32(0), bytes32(0));
        }
        LicenceStatus memory record = _statuses[_licenceKey(root, leaf)];
        if (record.status == STATUS_UNKNOWN) {
            return LicenceStatus(STATUS_VALID, 0, batch.anchoredAt, bytes32(0), bytes32(0));
        }
        return record;
    }

    /// @dev valid ↔ suspended; valid or suspended → any final status; nothing leaves a final one.
    function _isAllowed(uint8 from, uint8 to) private pure returns (bool) {
        if (from == STATUS_VALID) return to != STATUS_VALID;
        if (from == STATUS_SUSPENDED) return to != STATUS_SUSPENDED;
        return false;
    }

    function _licenceKey(bytes32 root, bytes32 leaf) private pure returns (bytes32) {
        return keccak256(abi.encode(root, leaf));
    }
}
