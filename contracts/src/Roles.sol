// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Department roles
/// @notice The six roles a department can hold in the {DepartmentRegistry}. Each role is the
/// keccak256 of its name, like OpenZeppelin's AccessControl roles.
library Roles {
    /// @dev Anchors licence batches and changes the status of the licences it issued.
    bytes32 internal constant ISSUER_ROLE = keccak256("ISSUER_ROLE");
    /// @dev Registers and revokes electronic seals.
    bytes32 internal constant SEAL_ADMIN_ROLE = keccak256("SEAL_ADMIN_ROLE");
    /// @dev Registers datasets, publishes versions and answers access requests.
    bytes32 internal constant DATA_PROVIDER_ROLE = keccak256("DATA_PROVIDER_ROLE");
    /// @dev Files access requests for datasets.
    bytes32 internal constant DATA_REQUESTER_ROLE = keccak256("DATA_REQUESTER_ROLE");
    /// @dev Verifies licences and seals (recorded for the off-chain services).
    bytes32 internal constant VERIFIER_ROLE = keccak256("VERIFIER_ROLE");
    /// @dev Reads and exports audit trails (recorded for the off-chain services).
    bytes32 internal constant AUDITOR_ROLE = keccak256("AUDITOR_ROLE");
}
