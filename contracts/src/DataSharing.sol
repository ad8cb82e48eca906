// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {DepartmentGated} from "./DepartmentGated.sol";
import {IDataSharing} from "./interfaces/IDataSharing.sol";
import {IDataSharingErrors} from "./interfaces/IDataSharingErrors.sol";
import {IDepartmentRegistry} from "./interfaces/IDepartmentRegistry.sol";
import {IDepartmentRegistryErrors} from "./interfaces/IDepartmentRegistryErrors.sol";
import {Roles} from "./Roles.sol";

/// @title Data sharing
/// @notice Datasets, access requests and grants between departments.
contract DataSharing is IDataSharing, IDataSharingErrors, DepartmentGated {
    // The enums' values as getters, so that a client without the ABI's enums can check them.
    uint8 public constant SHARE_UNCONDITIONAL = uint8(ShareClass.Unconditional);
    uint8 public constant SHARE_CONDITIONAL = uint8(ShareClass.Conditional);
    uint8 public constant SHARE_NOT_SHAREABLE = uint8(ShareClass.NotShareable);

    uint8 public constant GRANT_PENDING = uint8(GrantStatus.Pending);
    uint8 public constant GRANT_GRANTED = uint8(GrantStatus.Granted);
    uint8 public constant GRANT_REJECTED = uint8(GrantStatus.Rejected);
    uint8 public constant GRANT_REVOKED = uint8(GrantStatus.Revoked);

    address private immutable _governance;

    mapping(bytes32 datasetId => Dataset) private _datasets;
    mapping(bytes32 datasetId => mapping(uint32 version => DatasetVersion)) private _versions;
    uint256 private _grantCount;
    mapping(uint256 grantId => Grant) private _grants;

    constructor(IDepartmentRegistry departments, address governance_)
        DepartmentGated(departments)
    {
        if (governance_ == address(0)) revert SharingZeroAddress();
        _governance = governance_;
    }

    /// @inheritdoc IDataSharing
    function registerDataset(bytes32 datasetId, uint8 shareClass, bytes32 schemaHash) external {
        bytes32 provider = _callerWithRole(Roles.DATA_PROVIDER_ROLE);
        if (datasetId == bytes32(0)) revert SharingZeroId();
        if (schemaHash == bytes32(0)) revert SharingZeroHash();
        if (shareClass > uint8(type(ShareClass).max)) revert SharingInvalidShareClass(shareClass);
        ShareClass class_ = ShareClass(shareClass);
        if (_datasets[datasetId].registeredAt != 0) revert SharingDatasetExists(datasetId);
        _datasets[datasetId] = Dataset({
            provider: provider,
            shareClass: class_,
            schemaHash: schemaHash,
            latestVersion: 0,
            registeredAt: uint64(block.timestamp)
        });
        emit DatasetRegistered(datasetId, provider, class_, schemaHash);
    }

    /// @inheritdoc IDataSharing
    function publishVersion(bytes32 datasetId, bytes32 contentHash, bytes32 signatureHash)
        external
        returns (uint32 version)
    {
        Dataset storage dataset = _requireProviderOf(datasetId);
        if (contentHash == bytes32(0) || signatureHash == bytes32(0)) revert SharingZeroHash();
        version = ++dataset.latestVersion;
        _versions[datasetId][version] = DatasetVersion({
            contentHash: contentHash,
            signatureHash: signatureHash,
            publishedAt: uint64(block.timestamp)
        });
        emit DatasetVersionPublished(datasetId, version, contentHash, signatureHash);
    }

    /// @inheritdoc IDataSharing
    function requestAccess(
        bytes32 datasetId,
        bytes32[] calldata fields,
        bytes32 purposeHash,
        uint16 scenarioCode,
        uint64 expiresAt,
        uint32 maxUses
    ) external returns (uint256 grantId) {
        bytes32 requester = _callerWithRole(Roles.DATA_REQUESTER_ROLE);
        Dataset storage dataset = _requireDataset(datasetId);
        if (dataset.shareClass == ShareClass.NotShareable) revert SharingNotShareable(datasetId);
        _checkFields(fields);
        if (purposeHash == bytes32(0)) revert SharingZeroHash();
        _checkTerms(expiresAt, maxUses);

        grantId = ++_grantCount;
        _grants[grantId] = Grant({
            requester: requester,
            datasetId: datasetId,
            fields: fields,
            purposeHash: purposeHash,
            scenarioCode: scenarioCode,
            status: GrantStatus.Pending,
            reasonCode: 0,
            requestedAt: uint64(block.timestamp),
            decidedAt: 0,
            expiresAt: expiresAt,
            maxUses: maxUses,
            used: 0
        });
        emit AccessRequested(
            grantId, datasetId, requester, fields, purposeHash, scenarioCode, expiresAt, maxUses
        );
        if (dataset.shareClass == ShareClass.Unconditional) {
            _grant(grantId, _grants[grantId]);
        }
    }

    /// @inheritdoc IDataSharing
    function approveRequest(
        uint256 grantId,
        bytes32[] calldata fields,
        uint64 expiresAt,
        uint32 maxUses
    ) external {
        Grant storage grant = _requirePendingForProvider(grantId);
        _checkFields(fields);
        _checkTerms(expiresAt, maxUses);
        for (uint256 i = 0; i < fields.length; ++i) {
            if (!_contains(grant.fields, fields[i])) {
                revert SharingFieldNotRequested(grantId, fields[i]);
            }
        }
        if (expiresAt > grant.expiresAt) {
            revert SharingExpiryWidened(grantId, grant.expiresAt, expiresAt);
        }
        if (maxUses > grant.maxUses) revert SharingUsesWidened(grantId, grant.maxUses, maxUses);
        grant.fields = fields;
        grant.expiresAt = expiresAt;
        grant.maxUses = maxUses;
        _grant(grantId, grant);
    }

    /// @inheritdoc IDataSharing
    function rejectRequest(uint256 grantId, uint16 reasonCode) external {
        Grant storage grant = _requirePendingForProvider(grantId);
        grant.status = GrantStatus.Rejected;
        grant.reasonCode = reasonCode;
        grant.decidedAt = uint64(block.timestamp);
        emit AccessRejected(grantId, reasonCode);
    }

    /// @inheritdoc IDataSharing
    function revokeGrant(uint256 grantId, uint16 reasonCode) external {
        Grant storage grant = _requireGrant(grantId);
        // Governance acts without a department of its own; anyone else must be the provider.
        if (msg.sender != _governance) _requireProviderOf(grant.datasetId);
        if (grant.status != GrantStatus.Granted) revert SharingGrantNotActive(grantId, grant.status);
        grant.status = GrantStatus.Revoked;
        grant.reasonCode = reasonCode;
        emit GrantRevoked(grantId, msg.sender, reasonCode);
    }

    /// @inheritdoc IDataSharing
    function consumeUses(uint256 grantId, uint32 uses, uint32 usedBefore)
        external
        returns (uint32 used)
    {
        Grant storage grant = _requireGrant(grantId);
        _requireProviderOf(grant.datasetId);
        if (grant.status != GrantStatus.Granted) revert SharingGrantNotActive(grantId, grant.status);
        if (block.timestamp >= grant.expiresAt) revert SharingGrantExpired(grantId, grant.expiresAt);
        if (!_departments.isActive(grant.requester)) {
            revert IDepartmentRegistryErrors.DepartmentSuspended(grant.requester);
        }
        // A use is only for a requester that may still request: a role revoked on chain stops
        // recording as a suspension does.
        if (!_departments.hasRole(grant.requester, Roles.DATA_REQUESTER_ROLE)) {
            revert SharingRequesterMissingRole(grantId, grant.requester, Roles.DATA_REQUESTER_ROLE);
        }
        if (uses == 0) revert SharingZeroUses();
        // Last, so that it means "every other check passed": a resent record changes nothing.
        if (grant.used != usedBefore) revert SharingUsesOutOfStep(grantId, usedBefore, grant.used);
        if (uint256(grant.used) + uses > grant.maxUses) {
            revert SharingUsesExceeded(grantId, grant.used, uses, grant.maxUses);
        }
        used = grant.used + uses;
        grant.used = used;
        emit GrantUsed(grantId, uses, used);
    }

    /// @inheritdoc IDataSharing
    function governance() external view returns (address) {
        return _governance;
    }

    /// @inheritdoc IDataSharing
    function getDataset(bytes32 datasetId) external view returns (Dataset memory) {
        return _requireDataset(datasetId);
    }

    /// @inheritdoc IDataSharing
    function getVersion(bytes32 datasetId, uint32 version)
        external
        view
        returns (DatasetVersion memory)
    {
        Dataset storage dataset = _requireDataset(datasetId);
        if (version == 0 || version > dataset.latestVersion) revert SharingUnknownDataset(datasetId);
        return _versions[datasetId][version];
    }

    /// @inheritdoc IDataSharing
    function getGrant(uint256 grantId) external view returns (Grant memory) {
        return _requireGrant(grantId);
    }

    /// @inheritdoc IDataSharing
    function isGrantActive(uint256 grantId) external view returns (bool) {
        Grant storage grant = _grants[grantId];
        return grant.status == GrantStatus.Granted && block.timestamp < grant.expiresAt
            && grant.used < grant.maxUses;
    }

    /// @inheritdoc IDataSharing
    function grantCount() external view returns (uint256) {
        return _grantCount;
    }

    function _revertZeroAddress() internal pure override {
        revert SharingZeroAddress();
    }

    function _grant(uint256 grantId, Grant storage grant) private {
        grant.status = GrantStatus.Granted;
        grant.decidedAt = uint64(block.timestamp);
        emit AccessGranted(grantId, grant.fields, grant.expiresAt, grant.maxUses);
    }

    function _requirePendingForProvider(uint256 grantId) private view returns (Grant storage grant) {
        grant = _requireGrant(grantId);
        _requireProviderOf(grant.datasetId);
        if (grant.status != GrantStatus.Pending) {
            revert SharingRequestNotPending(grantId, grant.status);
        }
    }

    /// @dev The dataset, if the caller's department is its provider and an active DATA_PROVIDER.
    function _requireProviderOf(bytes32 datasetId) private view returns (Dataset storage dataset) {
        bytes32 department = _callerWithRole(Roles.DATA_PROVIDER_ROLE);
        dataset = _requireDataset(datasetId);
        if (dataset.provider != department) revert SharingNotProvider(datasetId, department);
    }

    function _requireDataset(bytes32 datasetId) private view returns (Dataset storage dataset) {
        dataset = _datasets[datasetId];
        if (dataset.registeredAt == 0) revert SharingUnknownDataset(datasetId);
    }

    function _requireGrant(uint256 grantId) private view returns (Grant storage grant) {
        if (grantId == 0 || grantId > _grantCount) revert SharingUnknownGrant(grantId);
        grant = _grants[grantId];
    }

    function _checkTerms(uint64 expiresAt, uint32 maxUses) private view {
        if (expiresAt <= block.timestamp) revert SharingInvalidExpiry(expiresAt);
        if (maxUses == 0) revert SharingZeroUses();
    }

    /// @dev At least one field, none zero, none twice. Field lists are short, so O(n²) is fine.
    function _checkFields(bytes32[] calldata fields) private pure {
        if (fields.length == 0) revert SharingNoFields();
        for (uint256 i = 0; i < fields.length; ++i) {
            if (fields[i] == bytes32(0)) revert SharingZeroHash();
            for (uint256 j = 0; j < i; ++j) {
                if (fields[j] == fields[i]) revert SharingDuplicateField(fields[i]);
            }
        }
    }

    function _contains(bytes32[] storage list, bytes32 item) private view returns (bool) {
        for (uint256 i = 0; i < list.length; ++i) {
            if (list[i] == item) return true;
        }
        return false;
    }
}
