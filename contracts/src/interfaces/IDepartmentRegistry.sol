// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Registry of government departments
/// @notice A department is identified by its 18-character unified social credit code (GB 32100),
/// stored as `bytes32`: the ASCII characters left-aligned, the remaining 14 bytes zero. It has a
/// name, chain accounts, an SM2 public key (64 bytes x‖y), roles and an active/suspended flag.
/// Every change is made by the governance contract; the other contracts use the views, chiefly
/// {requireRole}.
interface IDepartmentRegistry {
    /// @notice A department as returned by {getDepartment}.
    struct Department {
        bytes32 code;
        string name;
        bytes publicKey;
        uint32 keyVersion;
        bool active;
        uint64 registeredAt;
        address[] accounts;
        bytes32[] roles;
    }

    /// @notice Department `code` was registered under `name`.
    event DepartmentRegistered(bytes32 indexed code, string name);
    /// @notice Department `code` has key `publicKey` as version `keyVersion` from `effectiveAt`
    /// (the block timestamp) on. Registration emits version 1.
    event DepartmentKeyChanged(
        bytes32 indexed code, uint32 indexed keyVersion, bytes publicKey, uint64 effectiveAt
    );
    /// @notice `account` now acts for department `code`.
    event DepartmentAccountAdded(bytes32 indexed code, address indexed account);
    /// @notice `account` no longer acts for department `code`.
    event DepartmentAccountRemoved(bytes32 indexed code, address indexed account);
    /// @notice Department `code` was granted `role`.
    event DepartmentRoleGranted(bytes32 indexed code, bytes32 indexed role);
    /// @notice Department `code` lost `role`.
    event DepartmentRoleRevoked(bytes32 indexed code, bytes32 indexed role);
    /// @notice Department `code` was suspended (`active` false) or reinstated (`active` true).
    event DepartmentStatusChanged(bytes32 indexed code, bool active, uint16 reasonCode);

    /// @notice Register department `code` with its first key (version 1), accounts and roles.
    /// Only the governance contract.
    function registerDepartment(
        bytes32 code,
        string calldata name,
        bytes calldata publicKey,
        address[] calldata accounts,
        bytes32[] calldata roles
    ) external;

    /// @notice Install a new SM2 public key for `code`. Only the governance contract.
    /// @return keyVersion The new key's version (the previous one plus one).
    function rotatePublicKey(bytes32 code, bytes calldata publicKey)
        external
        returns (uint32 keyVersion);

    /// @notice Let `account` act for department `code`. Only the governance contract.
    function addAccount(bytes32 code, address account) external;

    /// @notice Stop `account` acting for department `code`. Only the governance contract.
    function removeAccount(bytes32 code, address account) external;

    /// @notice Grant `role` to department `code` (no event if it already has it). Only the
    /// governance contract.
    function grantRole(bytes32 code, bytes32 role) external;

    /// @notice Take `role` from department `code` (no event if it lacks it). Only the governance
    /// contract.
    function revokeRole(bytes32 code, bytes32 role) external;

    /// @notice Suspend department `code`: its accounts fail every role check until reinstated.
    /// Only the governance contract.
    function suspendDepartment(bytes32 code, uint16 reasonCode) external;

    /// @notice Reinstate suspended department `code`. Only the governance contract.
    function reinstateDepartment(bytes32 code, uint16 reasonCode) external;

    /// @notice The governance contract, the only caller allowed to change the registry.
    function governance() external view returns (address);

    /// @notice Whether department `code` is registered.
    function isRegistered(bytes32 code) external view returns (bool);

    /// @notice The department `account` acts for; reverts {DepartmentUnknownAccount}.
    function departmentOf(address account) external view returns (bytes32 code);

    /// @notice Whether department `code` holds `role` (whether or not it is suspended).
    function hasRole(bytes32 code, bytes32 role) external view returns (bool);

    /// @notice Whether department `code` is registered and not suspended.
    function isActive(bytes32 code) external view returns (bool);

    /// @notice The current SM2 public key of `code`; reverts {DepartmentUnknown}.
    function publicKeyOf(bytes32 code) external view returns (bytes memory);

    /// @notice Key `keyVersion` of `code` and the time it took effect; reverts
    /// {DepartmentUnknown} for an unknown department or version.
    function publicKeyAt(bytes32 code, uint32 keyVersion)
        external
        view
        returns (bytes memory publicKey, uint64 effectiveAt);

    /// @notice The key version of `code` in force at `timestamp`: the latest one that took
    /// effect at or before it, or 0 if `timestamp` is before registration.
    function keyVersionAt(bytes32 code, uint64 timestamp) external view returns (uint32);

    /// @notice Department `code`; reverts {DepartmentUnknown}.
    function getDepartment(bytes32 code) external view returns (Department memory);

    /// @notice The department of `account` if it is active and holds `role`; otherwise reverts
    /// {DepartmentUnknownAccount}, {DepartmentSuspended} or {DepartmentMissingRole}.
    function requireRole(address account, bytes32 role) external view returns (bytes32 code);

    /// @notice The department of `account` if it is active; otherwise reverts
    /// {DepartmentUnknownAccount} or {DepartmentSuspended}.
    function requireActive(address account) external view returns (bytes32 code);
}
