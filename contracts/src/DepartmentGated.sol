// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IDepartmentGated} from "./interfaces/IDepartmentGated.sol";
import {IDepartmentRegistry} from "./interfaces/IDepartmentRegistry.sol";

/// @title Base of the contracts whose callers are departments
/// @notice Holds the {DepartmentRegistry} a contract checks `msg.sender` against. The registry's
/// errors ({DepartmentUnknownAccount}, {DepartmentSuspended}, {DepartmentMissingRole}) bubble
/// unchanged through the deriving contract.
abstract contract DepartmentGated is IDepartmentGated {
    IDepartmentRegistry internal immutable _departments;

    constructor(IDepartmentRegistry departments) {
        if (address(departments) == address(0)) _revertZeroAddress();
        _departments = departments;
    }

    /// @inheritdoc IDepartmentGated
    function departmentRegistry() external view returns (address) {
        return address(_departments);
    }

    /// @dev The caller's department, if it is active and holds `role`.
    function _callerWithRole(bytes32 role) internal view returns (bytes32 department) {
        return _departments.requireRole(msg.sender, role);
    }

    /// @dev The caller's department, if it is active.
    function _activeCaller() internal view returns (bytes32 department) {
        return _departments.requireActive(msg.sender);
    }

    /// @dev Reverts with the deriving contract's own zero-address error, so that each error
    /// keeps its component prefix.
    function _revertZeroAddress() internal pure virtual;
}
