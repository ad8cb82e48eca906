// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IDepartmentGated} from "./IDepartmentGated.sol";

/// @title Registry of e-licence batches and licence status
/// @notice An issuing department anchors the Merkle root of each batch of licences (SM3 leaves,
/// sorted-pair tree). The contract cannot check SM3 proofs, so a licence is addressed by the pair
/// (root, leaf): the root says which batch (and so which department) it belongs to, and the
/// verifier checks the leaf's membership proof off chain. Keying status by the pair means a
/// department can only ever change licences of batches it anchored itself.
///
/// A licence of an anchored batch that was never changed is valid.
interface ILicenceRegistry is IDepartmentGated {
    /// @notice A licence's status; the values are the MOHURD codes 0 to 7. `Unknown`: the root
    /// is not anchored. `Expired` is never stored: verifiers compute it from the signed validity
    /// dates. `Superseded`: renewed or transferred. `Revoked`: as a penalty.
    enum LicenceStatus {
        Unknown,
        Valid,
        Suspended,
        Withdrawn,
        Cancelled,
        Expired,
        Superseded,
        Revoked
    }

    /// @notice An anchored batch. `anchoredAt` is 0 for a root that is not anchored.
    struct Batch {
        bytes32 issuer;
        uint32 count;
        uint64 anchoredAt;
    }

    /// @notice The status of one licence. For a licence never changed, `changedAt` is the time
    /// its batch was anchored and `reasonCode` is 0. `supersededBy*` is set for `Superseded` only.
    struct LicenceRecord {
        LicenceStatus status;
        uint16 reasonCode;
        uint64 changedAt;
        bytes32 supersededByRoot;
        bytes32 supersededByLeaf;
    }

    /// @notice Department `issuer` anchored batch `root` of `count` licences.
    event BatchAnchored(bytes32 indexed root, bytes32 indexed issuer, uint32 count);
    /// @notice Licence (`root`, `leaf`) went from `previousStatus` to `status` for `reasonCode`.
    event LicenceStatusChanged(
        bytes32 indexed root,
        bytes32 indexed leaf,
        LicenceStatus indexed status,
        LicenceStatus previousStatus,
        uint16 reasonCode
    );
    /// @notice Licence (`root`, `leaf`) was superseded by licence (`newRoot`, `newLeaf`).
    event LicenceSuperseded(
        bytes32 indexed root, bytes32 indexed leaf, bytes32 newRoot, bytes32 indexed newLeaf
    );

    /// @notice Anchor batch `root` of `count` licences. Caller: an active ISSUER department.
    function anchorBatch(bytes32 root, uint32 count) external;

    /// @notice Suspend a `Valid` licence. Caller: the department that anchored `root`.
    function suspendLicence(bytes32 root, bytes32 leaf, uint16 reasonCode) external;

    /// @notice Reinstate a `Suspended` licence. Caller: the department that anchored `root`.
    function reinstateLicence(bytes32 root, bytes32 leaf, uint16 reasonCode) external;

    /// @notice Withdraw a valid or suspended licence (→ `Withdrawn`, final). Caller: the anchoring
    /// department.
    function withdrawLicence(bytes32 root, bytes32 leaf, uint16 reasonCode) external;

    /// @notice Cancel a valid or suspended licence (→ `Cancelled`, final). Caller: the anchoring
    /// department.
    function cancelLicence(bytes32 root, bytes32 leaf, uint16 reasonCode) external;

    /// @notice Revoke a valid or suspended licence as a penalty (→ `Revoked`, final). Caller: the
    /// anchoring department.
    function revokeLicence(bytes32 root, bytes32 leaf, uint16 reasonCode) external;

    /// @notice Supersede a valid or suspended licence by a valid licence of a batch the same
    /// department anchored (→ `Superseded`, final), for renewal or transfer.
    function supersedeLicence(
        bytes32 root,
        bytes32 leaf,
        bytes32 newRoot,
        bytes32 newLeaf,
        uint16 reasonCode
    ) external;

    /// @notice Batch `root` (all zero if it is not anchored).
    function batchOf(bytes32 root) external view returns (Batch memory);

    /// @notice The status of licence (`root`, `leaf`); `Unknown` if `root` is not anchored.
    function statusOf(bytes32 root, bytes32 leaf) external view returns (LicenceRecord memory);
}
