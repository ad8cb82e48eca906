// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Errors of the {SealRegistry}
interface ISealRegistryErrors {
    /// @dev The department registry address given at deployment is zero.
    error SealZeroAddress();
    /// @dev A seal id is zero.
    error SealZeroId();
    /// @dev `sealId` is already registered.
    error SealExists(bytes32 sealId);
    /// @dev `sealId` is not registered.
    error SealUnknown(bytes32 sealId);
    /// @dev Seal `sealId` would have no holder.
    error SealNoHolders(bytes32 sealId);
    /// @dev A holder key hash of seal `sealId` is zero.
    error SealZeroHolder(bytes32 sealId);
    /// @dev `keyHash` is listed twice among the holders of seal `sealId`.
    error SealDuplicateHolder(bytes32 sealId, bytes32 keyHash);
    /// @dev Seal `sealId` would be valid from `validFrom` to an earlier `validTo`.
    error SealInvalidValidity(bytes32 sealId, uint64 validFrom, uint64 validTo);
    /// @dev `department` does not own seal `sealId`.
    error SealNotOwner(bytes32 sealId, bytes32 department);
    /// @dev Seal `sealId` is already revoked.
    error SealAlreadyRevoked(bytes32 sealId);
}
