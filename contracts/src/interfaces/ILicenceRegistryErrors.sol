// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ILicenceRegistry} from "./ILicenceRegistry.sol";

/// @title Errors of the {LicenceRegistry}
interface ILicenceRegistryErrors {
    /// @dev The department registry address given at deployment is zero.
    error LicenceZeroAddress();
    /// @dev A batch root is zero.
    error LicenceZeroRoot();
    /// @dev A licence leaf is zero.
    error LicenceZeroLeaf();
    /// @dev A batch would anchor `root` with a count of zero licences.
    error LicenceEmptyBatch(bytes32 root);
    /// @dev `root` is already anchored.
    error LicenceBatchExists(bytes32 root);
    /// @dev `root` is not anchored.
    error LicenceUnknownBatch(bytes32 root);
    /// @dev `department` did not anchor `root`, so it may not change its licences.
    error LicenceNotBatchIssuer(bytes32 root, bytes32 department);
    /// @dev Licence (`root`, `leaf`) cannot go from status `from` to status `to`.
    error LicenceInvalidTransition(
        bytes32 root,
        bytes32 leaf,
        ILicenceRegistry.LicenceStatus from,
        ILicenceRegistry.LicenceStatus to
    );
    /// @dev (`newRoot`, `newLeaf`) cannot succeed a licence: it is the same licence or not valid.
    error LicenceInvalidSuccessor(bytes32 newRoot, bytes32 newLeaf);
}
