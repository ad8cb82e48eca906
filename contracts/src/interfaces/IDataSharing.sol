// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IDepartmentGated} from "./IDepartmentGated.sol";

/// @title Government data sharing: datasets, requests and grants
/// @notice A DATA_PROVIDER department registers datasets with a share class and publishes
/// versions (SM3 content hash and the hash of its SM2 signature). A DATA_REQUESTER department
/// requests access to named fields for a purpose and scenario; the provider approves (possibly
/// narrowing fields, expiry and uses) or rejects. Unconditional datasets are granted at request
/// time. A request and the grant it becomes share one id. Grants are public, so anyone can audit
/// who may use what, until when, and how often it was used.
interface IDataSharing is IDepartmentGated {
    /// @notice Who may obtain a dataset: anyone who asks, whoever the provider approves, or
    /// nobody (it can be listed, never requested).
    enum ShareClass {
        Unconditional,
        Conditional,
        NotShareable
    }

    /// @notice Where a request stands. `Unknown`: no such request. "Expired" is not stored: a
    /// grant is usable while `block.timestamp < expiresAt` (see {isGrantActive}).
    enum GrantStatus {
        Unknown,
        Pending,
        Granted,
        Rejected,
        Revoked
    }

    /// @notice A registered dataset. `latestVersion` is 0 until a version is published.
    struct Dataset {
        bytes32 provider;
        ShareClass shareClass;
        bytes32 schemaHash;
        uint32 latestVersion;
        uint64 registeredAt;
    }

    /// @notice One published version of a dataset.
    struct DatasetVersion {
        bytes32 contentHash;
        bytes32 signatureHash;
        uint64 publishedAt;
    }

    /// @notice A request and, once approved, its grant. `fields`, `expiresAt` and `maxUses` are
    /// the requested terms while pending and the granted terms afterwards.
    struct Grant {
        bytes32 requester;
        bytes32 datasetId;
        bytes32[] fields;
        bytes32 purposeHash;
        uint16 scenarioCode;
        GrantStatus status;
        uint16 reasonCode;
        uint64 requestedAt;
        uint64 decidedAt;
        uint64 expiresAt;
        uint32 maxUses;
        uint32 used;
    }

    /// @notice Department `provider` registered dataset `datasetId`.
    event DatasetRegistered(
        bytes32 indexed datasetId,
        bytes32 indexed provider,
        ShareClass shareClass,
        bytes32 schemaHash
    );
    /// @notice Version `version` of dataset `datasetId` was published.
    event DatasetVersionPublished(
        bytes32 indexed datasetId, uint32 indexed version, bytes32 contentHash, bytes32 signatureHash
    );
    /// @notice Department `requester` requested dataset `datasetId` as request `grantId`.
    event AccessRequested(
        uint256 indexed grantId,
        bytes32 indexed datasetId,
        bytes32 indexed requester,
        bytes32[] fields,
        bytes32 purposeHash,
        uint16 scenarioCode,
        uint64 expiresAt,
        uint32 maxUses
    );
    /// @notice Request `grantId` was granted with these terms.
    event AccessGranted(uint256 indexed grantId, bytes32[] fields, uint64 expiresAt, uint32 maxUses);
    /// @notice Request `grantId` was rejected for `reasonCode`.
    event AccessRejected(uint256 indexed grantId, uint16 reasonCode);
    /// @notice Grant `grantId` was revoked by `revokedBy` (the provider's account or governance).
    event GrantRevoked(uint256 indexed grantId, address indexed revokedBy, uint16 reasonCode);
    /// @notice `uses` uses of grant `grantId` were recorded; `used` in total so far.
    event GrantUsed(uint256 indexed grantId, uint32 uses, uint32 used);

    /// @notice Register dataset `datasetId` with `shareClass`, a {ShareClass} value (`uint8`
    /// so that an unknown class reverts {SharingInvalidShareClass}, where the ABI decoder of an
    /// enum parameter would revert without data). Caller: an active DATA_PROVIDER department.
    function registerDataset(bytes32 datasetId, uint8 shareClass, bytes32 schemaHash) external;

    /// @notice Publish a new version of `datasetId`. Caller: its provider department.
    /// @return version The new version number, starting at 1.
    function publishVersion(bytes32 datasetId, bytes32 contentHash, bytes32 signatureHash)
        external
        returns (uint32 version);

    /// @notice Request access to `fields` of `datasetId` until `expiresAt`, for at most
    /// `maxUses` uses. Caller: an active DATA_REQUESTER department. Granted at once for an
    /// unconditional dataset; reverts {SharingNotShareable} for a not-shareable one.
    /// @return grantId Sequential id, starting at 1.
    function requestAccess(
        bytes32 datasetId,
        bytes32[] calldata fields,
        bytes32 purposeHash,
        uint16 scenarioCode,
        uint64 expiresAt,
        uint32 maxUses
    ) external returns (uint256 grantId);

    /// @notice Approve pending request `grantId` with terms no wider than requested: `fields` a
    /// subset, `expiresAt` no later, `maxUses` no more. Caller: the dataset's provider department.
    function approveRequest(
        uint256 grantId,
        bytes32[] calldata fields,
        uint64 expiresAt,
        uint32 maxUses
    ) external;

    /// @notice Reject pending request `grantId`. Caller: the dataset's provider department.
    function rejectRequest(uint256 grantId, uint16 reasonCode) external;

    /// @notice Revoke grant `grantId` before it expires. Caller: the dataset's provider
    /// department or the governance contract.
    function revokeGrant(uint256 grantId, uint16 reasonCode) external;

    /// @notice Record `uses` uses of grant `grantId`, made when `usedBefore` uses were recorded.
    /// Caller: the dataset's provider department. Reverts past `maxUses`, after expiry, while the
    /// requester is suspended or lacks DATA_REQUESTER, and when the grant's count is not
    /// `usedBefore` ({SharingUsesOutOfStep}: the same record sent twice is counted once).
    /// @return used The total number of uses recorded so far.
    function consumeUses(uint256 grantId, uint32 uses, uint32 usedBefore)
        external
        returns (uint32 used);

    /// @notice The governance contract, which may revoke any grant.
    function governance() external view returns (address);

    /// @notice Dataset `datasetId`; reverts {SharingUnknownDataset}.
    function getDataset(bytes32 datasetId) external view returns (Dataset memory);

    /// @notice Version `version` of `datasetId`; reverts {SharingUnknownDataset} if either is
    /// unknown.
    function getVersion(bytes32 datasetId, uint32 version)
        external
        view
        returns (DatasetVersion memory);

    /// @notice Request or grant `grantId`; reverts {SharingUnknownGrant}.
    function getGrant(uint256 grantId) external view returns (Grant memory);

    /// @notice Whether grant `grantId` is granted, unexpired and has uses left.
    function isGrantActive(uint256 grantId) external view returns (bool);

    /// @notice The number of requests filed so far (the id of the latest one).
    function grantCount() external view returns (uint256);
}
