// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {DepartmentGated} from "./DepartmentGated.sol";
import {IDepartmentRegistry} from "./interfaces/IDepartmentRegistry.sol";
import {ILicenceRegistry} from "./interfaces/ILicenceRegistry.sol";
import {ILicenceRegistryErrors} from "./interfaces/ILicenceRegistryErrors.sol";
import {Roles} from "./Roles.sol";

/// @title Licence registry
/// @notice Batch roots of issued e-licences and the status of each licence.
contract LicenceRegistry is ILicenceRegistry, ILicenceRegistryErrors, DepartmentGated {
    // The MOHURD codes as getters, so that a client without the ABI's enum can check them.
    uint8 public constant STATUS_UNKNOWN = uint8(LicenceStatus.Unknown);
    uint8 public constant STATUS_VALID = uint8(LicenceStatus.Valid);
    uint8 public constant STATUS_SUSPENDED = uint8(LicenceStatus.Suspended);
    uint8 public constant STATUS_WITHDRAWN = uint8(LicenceStatus.Withdrawn);
    uint8 public constant STATUS_CANCELLED = uint8(LicenceStatus.Cancelled);
    uint8 public constant STATUS_SUPERSEDED = uint8(LicenceStatus.Superseded);
    uint8 public constant STATUS_REVOKED = uint8(LicenceStatus.Revoked);

    mapping(bytes32 root => Batch) private _batches;
    // Keyed by keccak256(root, leaf). An `Unknown` status means "never changed", i.e. valid.
    mapping(bytes32 licenceKey => LicenceRecord) private _statuses;

    constructor(IDepartmentRegistry departments) DepartmentGated(departments) {}

    /// @inheritdoc ILicenceRegistry
    function anchorBatch(bytes32 root, uint32 count) external {
        bytes32 issuer = _callerWithRole(Roles.ISSUER_ROLE);
        if (root == bytes32(0)) revert LicenceZeroRoot();
        if (count == 0) revert LicenceEmptyBatch(root);
        if (_batches[root].anchoredAt != 0) revert LicenceBatchExists(root);
        _batches[root] = Batch({issuer: issuer, count: count, anchoredAt: uint64(block.timestamp)});
        emit BatchAnchored(root, issuer, count);
    }

    /// @inheritdoc ILicenceRegistry
    function suspendLicence(bytes32 root, bytes32 leaf, uint16 reasonCode) external {
        _changeStatus(root, leaf, LicenceStatus.Suspended, reasonCode);
    }

    /// @inheritdoc ILicenceRegistry
    function reinstateLicence(bytes32 root, bytes32 leaf, uint16 reasonCode) external {
        _changeStatus(root, leaf, LicenceStatus.Valid, reasonCode);
    }

    /// @inheritdoc ILicenceRegistry
    function withdrawLicence(bytes32 root, bytes32 leaf, uint16 reasonCode) external {
        _changeStatus(root, leaf, LicenceStatus.Withdrawn, reasonCode);
    }

    /// @inheritdoc ILicenceRegistry
    function cancelLicence(bytes32 root, bytes32 leaf, uint16 reasonCode) external {
        _changeStatus(root, leaf, LicenceStatus.Cancelled, reasonCode);
    }

    /// @inheritdoc ILicenceRegistry
    function revokeLicence(bytes32 root, bytes32 leaf, uint16 reasonCode) external {
        _changeStatus(root, leaf, LicenceStatus.Revoked, reasonCode);
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
        if (sameLicence || _statusOf(newRoot, newLeaf).status != LicenceStatus.Valid) {
            revert LicenceInvalidSuccessor(newRoot, newLeaf);
        }
        _setStatus(root, leaf, LicenceStatus.Superseded, reasonCode, newRoot, newLeaf);
        emit LicenceSuperseded(root, leaf, newRoot, newLeaf);
    }

    /// @inheritdoc ILicenceRegistry
    function batchOf(bytes32 root) external view returns (Batch memory) {
        return _batches[root];
    }

    /// @inheritdoc ILicenceRegistry
    function statusOf(bytes32 root, bytes32 leaf) external view returns (LicenceRecord memory) {
        return _statusOf(root, leaf);
    }

    function _changeStatus(bytes32 root, bytes32 leaf, LicenceStatus to, uint16 reasonCode)
        private
    {
        _authorise(root, leaf);
        _setStatus(root, leaf, to, reasonCode, bytes32(0), bytes32(0));
    }

    /// @dev The caller's department, if it may change licence (`root`, `leaf`): an active ISSUER
    /// that anchored `root`.
    function _authorise(bytes32 root, bytes32 leaf) private view returns (bytes32 issuer) {
        issuer = _callerWithRole(Roles.ISSUER_ROLE);
        _requireBatchIssuer(root, leaf, issuer);
    }

    function _setStatus(
        bytes32 root,
        bytes32 leaf,
        LicenceStatus to,
        uint16 reasonCode,
        bytes32 supersededByRoot,
        bytes32 supersededByLeaf
    ) private {
        LicenceStatus from = _statusOf(root, leaf).status;
        if (!_isAllowed(from, to)) revert LicenceInvalidTransition(root, leaf, from, to);
        _statuses[_licenceKey(root, leaf)] = LicenceRecord({
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

    function _statusOf(bytes32 root, bytes32 leaf) private view returns (LicenceRecord memory) {
        Batch storage batch = _batches[root];
        if (batch.anchoredAt == 0 || leaf == bytes32(0)) {
            return LicenceRecord(LicenceStatus.Unknown, 0, 0, bytes32(0), bytes32(0));
        }
        LicenceRecord memory record = _statuses[_licenceKey(root, leaf)];
        if (record.status == LicenceStatus.Unknown) {
            return LicenceRecord(LicenceStatus.Valid, 0, batch.anchoredAt, bytes32(0), bytes32(0));
        }
        return record;
    }

    /// @dev valid ↔ suspended; valid or suspended → any final status; nothing leaves a final one.
    function _isAllowed(LicenceStatus from, LicenceStatus to) private pure returns (bool) {
        if (from == LicenceStatus.Valid) return to != LicenceStatus.Valid;
        if (from == LicenceStatus.Suspended) return to != LicenceStatus.Suspended;
        return false;
    }

    function _revertZeroAddress() internal pure override {
        revert LicenceZeroAddress();
    }

    function _licenceKey(bytes32 root, bytes32 leaf) private pure returns (bytes32) {
        return keccak256(abi.encode(root, leaf));
    }
}
