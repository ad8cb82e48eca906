// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {DepartmentGated} from "./DepartmentGated.sol";
import {IDepartmentRegistry} from "./interfaces/IDepartmentRegistry.sol";
import {ISealRegistry} from "./interfaces/ISealRegistry.sol";
import {ISealRegistryErrors} from "./interfaces/ISealRegistryErrors.sol";
import {Roles} from "./Roles.sol";

/// @title Seal registry
/// @notice Electronic seals, their holders, validity and revocation.
contract SealRegistry is ISealRegistry, ISealRegistryErrors, DepartmentGated {
    mapping(bytes32 sealId => Seal) private _seals;
    mapping(bytes32 sealId => mapping(bytes32 keyHash => bool)) private _isHolder;

    constructor(IDepartmentRegistry departments) DepartmentGated(departments) {}

    /// @inheritdoc ISealRegistry
    function registerSeal(
        bytes32 sealId,
        bytes32[] calldata holderKeyHashes,
        uint64 validFrom,
        uint64 validTo
    ) external {
        bytes32 owner = _callerWithRole(Roles.SEAL_ADMIN_ROLE);
        if (sealId == bytes32(0)) revert SealZeroId();
        if (_seals[sealId].registeredAt != 0) revert SealExists(sealId);
        if (holderKeyHashes.length == 0) revert SealNoHolders(sealId);
        if (validTo < validFrom) revert SealInvalidValidity(sealId, validFrom, validTo);
        for (uint256 i = 0; i < holderKeyHashes.length; ++i) {
            bytes32 keyHash = holderKeyHashes[i];
            if (keyHash == bytes32(0)) revert SealZeroHolder(sealId);
            if (_isHolder[sealId][keyHash]) revert SealDuplicateHolder(sealId, keyHash);
            _isHolder[sealId][keyHash] = true;
        }
        _seals[sealId] = Seal({
            owner: owner,
            holderKeyHashes: holderKeyHashes,
            validFrom: validFrom,
            validTo: validTo,
            registeredAt: uint64(block.timestamp),
            revokedAt: 0,
            revocationReason: 0
        });
        emit SealRegistered(sealId, owner, holderKeyHashes, validFrom, validTo);
    }

    /// @inheritdoc ISealRegistry
    function revokeSeal(bytes32 sealId, uint16 reasonCode) external {
        bytes32 department = _callerWithRole(Roles.SEAL_ADMIN_ROLE);
        Seal storage seal = _requireSeal(sealId);
        if (seal.owner != department) revert SealNotOwner(sealId, department);
        if (seal.revokedAt != 0) revert SealAlreadyRevoked(sealId);
        seal.revokedAt = uint64(block.timestamp);
        seal.revocationReason = reasonCode;
        emit SealRevoked(sealId, department, reasonCode, uint64(block.timestamp));
    }

    /// @inheritdoc ISealRegistry
    function getSeal(bytes32 sealId) external view returns (Seal memory) {
        return _requireSeal(sealId);
    }

    /// @inheritdoc ISealRegistry
    function isSealValidAt(bytes32 sealId, uint64 timestamp) external view returns (bool) {
        Seal storage seal = _seals[sealId];
        if (seal.registeredAt == 0) return false;
        if (timestamp < seal.validFrom || timestamp > seal.validTo) return false;
        return seal.revokedAt == 0 || timestamp < seal.revokedAt;
    }

    /// @inheritdoc ISealRegistry
    function isHolder(bytes32 sealId, bytes32 keyHash) external view returns (bool) {
        return _isHolder[sealId][keyHash];
    }

    function _revertZeroAddress() internal pure override {
        revert SealZeroAddress();
    }

    function _requireSeal(bytes32 sealId) private view returns (Seal storage seal) {
        seal = _seals[sealId];
        if (seal.registeredAt == 0) revert SealUnknown(sealId);
    }
}
