// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IDepartmentGated} from "./IDepartmentGated.sol";

/// @title Registry of electronic seals (GB/T 38540)
/// @notice A seal is identified by the SM3 hash of its GB/T 38540 seal structure. The registry
/// records which department owns it, the hashes of its holders' public keys, its validity period
/// and, once revoked, when and why, so that verifiers can ask whether a seal was valid at the
/// time it was applied.
interface ISealRegistry is IDepartmentGated {
    /// @notice A registered seal. `revokedAt` is 0 while the seal is not revoked.
    struct Seal {
        bytes32 owner;
        bytes32[] holderKeyHashes;
        uint64 validFrom;
        uint64 validTo;
        uint64 registeredAt;
        uint64 revokedAt;
        uint16 revocationReason;
    }

    /// @notice Department `owner` registered seal `sealId`.
    event SealRegistered(
        bytes32 indexed sealId,
        bytes32 indexed owner,
        bytes32[] holderKeyHashes,
        uint64 validFrom,
        uint64 validTo
    );
    /// @notice Department `owner` revoked seal `sealId` at `revokedAt` for `reasonCode`.
    event SealRevoked(
        bytes32 indexed sealId, bytes32 indexed owner, uint16 reasonCode, uint64 revokedAt
    );

    /// @notice Register seal `sealId`, valid from `validFrom` to `validTo` inclusive (Unix
    /// seconds). Caller: an active SEAL_ADMIN department, which becomes the seal's owner.
    function registerSeal(
        bytes32 sealId,
        bytes32[] calldata holderKeyHashes,
        uint64 validFrom,
        uint64 validTo
    ) external;

    /// @notice Revoke seal `sealId` from now on. Caller: the owning department, still an active
    /// SEAL_ADMIN.
    function revokeSeal(bytes32 sealId, uint16 reasonCode) external;

    /// @notice Seal `sealId`; reverts {SealUnknown}.
    function getSeal(bytes32 sealId) external view returns (Seal memory);

    /// @notice Whether seal `sealId` was usable at `timestamp`: registered, within its validity
    /// period, and not yet revoked (a seal revoked at time r is valid only before r).
    function isSealValidAt(bytes32 sealId, uint64 timestamp) external view returns (bool);

    /// @notice Whether `keyHash` is among the holders of seal `sealId`.
    function isHolder(bytes32 sealId, bytes32 keyHash) external view returns (bool);
}
