// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title A contract whose callers are departments
/// @notice Implemented once by {DepartmentGated}, the base of the four registries that check
/// their callers against the {DepartmentRegistry}.
interface IDepartmentGated {
    /// @notice The department registry this contract checks callers against.
    function departmentRegistry() external view returns (address);
}
