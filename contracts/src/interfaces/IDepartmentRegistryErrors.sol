// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Errors of the {DepartmentRegistry}
interface IDepartmentRegistryErrors {
    /// @dev The governance address given at deployment is zero.
    error DepartmentZeroAddress();
    /// @dev `caller` is not the governance contract.
    error DepartmentNotGovernance(address caller);
    /// @dev `code` is not an 18-character unified social credit code, left-aligned and zero-padded.
    error DepartmentInvalidCode(bytes32 code);
    /// @dev A department with `code` is already registered.
    error DepartmentExists(bytes32 code);
    /// @dev No department with `code` is registered.
    error DepartmentUnknown(bytes32 code);
    /// @dev The department's name is empty.
    error DepartmentEmptyName(bytes32 code);
    /// @dev The public key is not 64 bytes x‖y of a point on the SM2 curve.
    error DepartmentInvalidPublicKey(bytes32 code);
    /// @dev A re-key would install the key the department already has.
    error DepartmentSameKey(bytes32 code);
    /// @dev A department account would be the zero address.
    error DepartmentZeroAccount(bytes32 code);
    /// @dev `account` already belongs to department `boundTo`.
    error DepartmentAccountTaken(address account, bytes32 boundTo);
    /// @dev `account` does not belong to department `code`.
    error DepartmentAccountNotBound(bytes32 code, address account);
    /// @dev `account` belongs to no department.
    error DepartmentUnknownAccount(address account);
    /// @dev `role` is not one of the six department roles.
    error DepartmentUnknownRole(bytes32 role);
    /// @dev Department `code` is suspended.
    error DepartmentSuspended(bytes32 code);
    /// @dev Department `code` is not suspended, so it cannot be reinstated.
    error DepartmentNotSuspended(bytes32 code);
    /// @dev Department `code` lacks `role`.
    error DepartmentMissingRole(bytes32 code, bytes32 role);
}
