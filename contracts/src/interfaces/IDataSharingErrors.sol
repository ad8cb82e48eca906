// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IDataSharing} from "./IDataSharing.sol";

/// @title Errors of {DataSharing}
interface IDataSharingErrors {
    /// @dev The department registry or governance address given at deployment is zero.
    error SharingZeroAddress();
    /// @dev A dataset id is zero.
    error SharingZeroId();
    /// @dev A hash argument (schema, content, signature, purpose or field name) is zero.
    error SharingZeroHash();
    /// @dev `shareClass` is not a {IDataSharing-ShareClass} value.
    error SharingInvalidShareClass(uint8 shareClass);
    /// @dev Dataset `datasetId` is already registered.
    error SharingDatasetExists(bytes32 datasetId);
    /// @dev Dataset `datasetId` is not registered.
    error SharingUnknownDataset(bytes32 datasetId);
    /// @dev `department` is not the provider of dataset `datasetId`.
    error SharingNotProvider(bytes32 datasetId, bytes32 department);
    /// @dev Dataset `datasetId` is not shareable: it can be listed, never requested.
    error SharingNotShareable(bytes32 datasetId);
    /// @dev A request or approval names no field.
    error SharingNoFields();
    /// @dev Field `field` is named twice.
    error SharingDuplicateField(bytes32 field);
    /// @dev `expiresAt` is not in the future.
    error SharingInvalidExpiry(uint64 expiresAt);
    /// @dev A maximum number of uses is zero, or a use count to record is zero.
    error SharingZeroUses();
    /// @dev No request or grant has id `grantId`.
    error SharingUnknownGrant(uint256 grantId);
    /// @dev Request `grantId` has status `status`, not pending.
    error SharingRequestNotPending(uint256 grantId, IDataSharing.GrantStatus status);
    /// @dev Grant `grantId` has status `status`, not granted.
    error SharingGrantNotActive(uint256 grantId, IDataSharing.GrantStatus status);
    /// @dev An approval of `grantId` names `field`, which was not requested.
    error SharingFieldNotRequested(uint256 grantId, bytes32 field);
    /// @dev An approval of `grantId` would expire at `given`, after the `requested` expiry.
    error SharingExpiryWidened(uint256 grantId, uint64 requested, uint64 given);
    /// @dev An approval of `grantId` would allow `given` uses, more than the `requested` ones.
    error SharingUsesWidened(uint256 grantId, uint32 requested, uint32 given);
    /// @dev Grant `grantId` expired at `expiresAt`.
    error SharingGrantExpired(uint256 grantId, uint64 expiresAt);
    /// @dev Recording `uses` more uses of grant `grantId` (already `used`) exceeds `maxUses`.
    error SharingUsesExceeded(uint256 grantId, uint32 used, uint32 uses, uint32 maxUses);
    /// @dev The requester `requester` of grant `grantId` no longer holds `role`.
    error SharingRequesterMissingRole(uint256 grantId, bytes32 requester, bytes32 role);
    /// @dev A use record of grant `grantId` was made when `expected` uses were recorded, but the
    /// grant has `used`: it was sent twice, or after another record.
    error SharingUsesOutOfStep(uint256 grantId, uint32 expected, uint32 used);
}
