// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IDepartmentRegistry} from "./interfaces/IDepartmentRegistry.sol";
import {IDepartmentRegistryErrors} from "./interfaces/IDepartmentRegistryErrors.sol";
import {Roles} from "./Roles.sol";

/// @title Department registry
/// @notice Who is who on the chain. Only the {Governance} contract changes it.
contract DepartmentRegistry is IDepartmentRegistry, IDepartmentRegistryErrors {
    bytes32 public constant ISSUER_ROLE = Roles.ISSUER_ROLE;
    bytes32 public constant SEAL_ADMIN_ROLE = Roles.SEAL_ADMIN_ROLE;
    bytes32 public constant DATA_PROVIDER_ROLE = Roles.DATA_PROVIDER_ROLE;
    bytes32 public constant DATA_REQUESTER_ROLE = Roles.DATA_REQUESTER_ROLE;
    bytes32 public constant VERIFIER_ROLE = Roles.VERIFIER_ROLE;
    bytes32 public constant AUDITOR_ROLE = Roles.AUDITOR_ROLE;

    // SM2 curve sm2p256v1 (GB/T 32918.5): y² = x³ + ax + b over GF(p), with a = p − 3.
    uint256 private constant _SM2_P =
        0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF;
    uint256 private constant _SM2_A =
        0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC;
    uint256 private constant _SM2_B =
        0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93;

    uint256 private constant _CODE_LENGTH = 18;
    uint256 private constant _PUBLIC_KEY_LENGTH = 64;

    struct DepartmentRecord {
        string name;
        uint32 keyVersion; // 0 means "not registered"
        bool active;
        uint64 registeredAt;
        address[] accounts;
    }

    struct KeyRecord {
        bytes publicKey;
        uint64 effectiveAt;
    }

    address private immutable _governance;

    mapping(bytes32 code => DepartmentRecord) private _departments;
    mapping(bytes32 code => mapping(bytes32 role => bool)) private _roles;
    mapping(bytes32 code => mapping(uint32 keyVersion => KeyRecord)) private _keys;
    mapping(address account => bytes32 code) private _departmentOf;
    // 1-based position of an account in its department's `accounts`, for O(1) removal.
    mapping(address account => uint256 position) private _accountPosition;

    modifier onlyGovernance() {
        if (msg.sender != _governance) revert DepartmentNotGovernance(msg.sender);
        _;
    }

    constructor(address governance_) {
        if (governance_ == address(0)) revert DepartmentZeroAddress();
        _governance = governance_;
    }

    /// @inheritdoc IDepartmentRegistry
    function registerDepartment(
        bytes32 code,
        string calldata name,
        bytes calldata publicKey,
        address[] calldata accounts,
        bytes32[] calldata roles
    ) external onlyGovernance {
        _checkCode(code);
        if (_departments[code].keyVersion != 0) revert DepartmentExists(code);
        if (bytes(name).length == 0) revert DepartmentEmptyName(code);
        _checkPublicKey(code, publicKey);

        DepartmentRecord storage department = _departments[code];
        department.name = name;
        department.active = true;
        department.registeredAt = uint64(block.timestamp);
        emit DepartmentRegistered(code, name);
        _installKey(code, department, publicKey);
        for (uint256 i = 0; i < accounts.length; ++i) {
            _addAccount(code, department, accounts[i]);
        }
        for (uint256 i = 0; i < roles.length; ++i) {
            _grantRole(code, roles[i]);
        }
    }

    /// @inheritdoc IDepartmentRegistry
    function rotatePublicKey(bytes32 code, bytes calldata publicKey)
        external
        onlyGovernance
        returns (uint32 keyVersion)
    {
        DepartmentRecord storage department = _requireDepartment(code);
        _checkPublicKey(code, publicKey);
        if (keccak256(publicKey) == keccak256(_keys[code][department.keyVersion].publicKey)) {
            revert DepartmentSameKey(code);
        }
        return _installKey(code, department, publicKey);
    }

    /// @inheritdoc IDepartmentRegistry
    function addAccount(bytes32 code, address account) external onlyGovernance {
        _addAccount(code, _requireDepartment(code), account);
    }

    /// @inheritdoc IDepartmentRegistry
    function removeAccount(bytes32 code, address account) external onlyGovernance {
        DepartmentRecord storage department = _requireDepartment(code);
        if (_departmentOf[account] != code) revert DepartmentAccountNotBound(code, account);
        address[] storage accounts = department.accounts;
        uint256 index = _accountPosition[account] - 1;
        address moved = accounts[accounts.length - 1];
        accounts[index] = moved;
        _accountPosition[moved] = index + 1;
        accounts.pop();
        delete _accountPosition[account];
        delete _departmentOf[account];
        emit DepartmentAccountRemoved(code, account);
    }

    /// @inheritdoc IDepartmentRegistry
    function grantRole(bytes32 code, bytes32 role) external onlyGovernance {
        _requireDepartment(code);
        _grantRole(code, role);
    }

    /// @inheritdoc IDepartmentRegistry
    function revokeRole(bytes32 code, bytes32 role) external onlyGovernance {
        _requireDepartment(code);
        _checkRole(role);
        if (_roles[code][role]) {
            _roles[code][role] = false;
            emit DepartmentRoleRevoked(code, role);
        }
    }

    /// @inheritdoc IDepartmentRegistry
    function suspendDepartment(bytes32 code, uint16 reasonCode) external onlyGovernance {
        DepartmentRecord storage department = _requireDepartment(code);
        if (!department.active) revert DepartmentSuspended(code);
        department.active = false;
        emit DepartmentStatusChanged(code, false, reasonCode);
    }

    /// @inheritdoc IDepartmentRegistry
    function reinstateDepartment(bytes32 code, uint16 reasonCode) external onlyGovernance {
        DepartmentRecord storage department = _requireDepartment(code);
        if (department.active) revert DepartmentNotSuspended(code);
        department.active = true;
        emit DepartmentStatusChanged(code, true, reasonCode);
    }

    /// @inheritdoc IDepartmentRegistry
    function governance() external view returns (address) {
        return _governance;
    }

    /// @inheritdoc IDepartmentRegistry
    function isRegistered(bytes32 code) external view returns (bool) {
        return _departments[code].keyVersion != 0;
    }

    /// @inheritdoc IDepartmentRegistry
    function departmentOf(address account) public view returns (bytes32 code) {
        code = _departmentOf[account];
        if (code == bytes32(0)) revert DepartmentUnknownAccount(account);
    }

    /// @inheritdoc IDepartmentRegistry
    function hasRole(bytes32 code, bytes32 role) external view returns (bool) {
        return _roles[code][role];
    }

    /// @inheritdoc IDepartmentRegistry
    function isActive(bytes32 code) external view returns (bool) {
        return _departments[code].active;
    }

    /// @inheritdoc IDepartmentRegistry
    function publicKeyOf(bytes32 code) external view returns (bytes memory) {
        return _keys[code][_requireDepartment(code).keyVersion].publicKey;
    }

    /// @inheritdoc IDepartmentRegistry
    function publicKeyAt(bytes32 code, uint32 keyVersion)
        external
        view
        returns (bytes memory publicKey, uint64 effectiveAt)
    {
        DepartmentRecord storage department = _requireDepartment(code);
        if (keyVersion == 0 || keyVersion > department.keyVersion) revert DepartmentUnknown(code);
        KeyRecord storage key = _keys[code][keyVersion];
        return (key.publicKey, key.effectiveAt);
    }

    /// @inheritdoc IDepartmentRegistry
    function keyVersionAt(bytes32 code, uint64 timestamp) external view returns (uint32) {
        // Re-keys are rare, so a backwards scan is cheaper than keeping a search index.
        for (uint32 version = _departments[code].keyVersion; version > 0; --version) {
            if (_keys[code][version].effectiveAt <= timestamp) return version;
        }
        return 0;
    }

    /// @inheritdoc IDepartmentRegistry
    function getDepartment(bytes32 code) external view returns (Department memory) {
        DepartmentRecord storage department = _requireDepartment(code);
        bytes32[6] memory allRoles = _allRoles();
        bytes32[] memory held = new bytes32[](allRoles.length);
        uint256 heldCount = 0;
        for (uint256 i = 0; i < allRoles.length; ++i) {
            if (_roles[code][allRoles[i]]) held[heldCount++] = allRoles[i];
        }
        assembly ("memory-safe") {
            mstore(held, heldCount) // shrink the array to the roles actually held
        }
        return Department({
            code: code,
            name: department.name,
            publicKey: _keys[code][department.keyVersion].publicKey,
            keyVersion: department.keyVersion,
            active: department.active,
            registeredAt: department.registeredAt,
            accounts: department.accounts,
            roles: held
        });
    }

    /// @inheritdoc IDepartmentRegistry
    function requireRole(address account, bytes32 role) external view returns (bytes32 code) {
        code = requireActive(account);
        if (!_roles[code][role]) revert DepartmentMissingRole(code, role);
    }

    /// @inheritdoc IDepartmentRegistry
    function requireActive(address account) public view returns (bytes32 code) {
        code = departmentOf(account);
        if (!_departments[code].active) revert DepartmentSuspended(code);
    }

    function _installKey(bytes32 code, DepartmentRecord storage department, bytes calldata key)
        private
        returns (uint32 keyVersion)
    {
        keyVersion = department.keyVersion + 1;
        department.keyVersion = keyVersion;
        _keys[code][keyVersion] = KeyRecord({publicKey: key, effectiveAt: uint64(block.timestamp)});
        emit DepartmentKeyChanged(code, keyVersion, key, uint64(block.timestamp));
    }

    function _addAccount(bytes32 code, DepartmentRecord storage department, address account)
        private
    {
        if (account == address(0)) revert DepartmentZeroAccount(code);
        bytes32 boundTo = _departmentOf[account];
        if (boundTo != bytes32(0)) revert DepartmentAccountTaken(account, boundTo);
        department.accounts.push(account);
        _accountPosition[account] = department.accounts.length;
        _departmentOf[account] = code;
        emit DepartmentAccountAdded(code, account);
    }

    function _grantRole(bytes32 code, bytes32 role) private {
        _checkRole(role);
        if (!_roles[code][role]) {
            _roles[code][role] = true;
            emit DepartmentRoleGranted(code, role);
        }
    }

    function _requireDepartment(bytes32 code)
        private
        view
        returns (DepartmentRecord storage department)
    {
        department = _departments[code];
        if (department.keyVersion == 0) revert DepartmentUnknown(code);
    }

    function _checkRole(bytes32 role) private pure {
        bytes32[6] memory allRoles = _allRoles();
        for (uint256 i = 0; i < allRoles.length; ++i) {
            if (allRoles[i] == role) return;
        }
        revert DepartmentUnknownRole(role);
    }

    function _allRoles() private pure returns (bytes32[6] memory) {
        return [
            Roles.ISSUER_ROLE,
            Roles.SEAL_ADMIN_ROLE,
            Roles.DATA_PROVIDER_ROLE,
            Roles.DATA_REQUESTER_ROLE,
            Roles.VERIFIER_ROLE,
            Roles.AUDITOR_ROLE
        ];
    }

    /// @dev The 18 characters must come from the GB 32100 alphabet (digits and capital letters
    /// except I, O, S, V, Z) and the 14 bytes after them must be zero. The check character is
    /// verified off chain by the platform.
    function _checkCode(bytes32 code) private pure {
        if (uint256(code) & type(uint112).max != 0) revert DepartmentInvalidCode(code);
        for (uint256 i = 0; i < _CODE_LENGTH; ++i) {
            bytes1 char = code[i];
            bool isDigit = char >= "0" && char <= "9";
            bool isLetter = char >= "A" && char <= "Y" && char != "I" && char != "O"
                && char != "S" && char != "V";
            if (!isDigit && !isLetter) revert DepartmentInvalidCode(code);
        }
    }

    /// @dev Rejects anything that is not 64 bytes x‖y of an affine point on the SM2 curve, so a
    /// mistyped or truncated key can never be registered.
    function _checkPublicKey(bytes32 code, bytes calldata key) private pure {
        if (key.length != _PUBLIC_KEY_LENGTH) revert DepartmentInvalidPublicKey(code);
        uint256 x = uint256(bytes32(key[0:32]));
        uint256 y = uint256(bytes32(key[32:64]));
        if (x >= _SM2_P || y >= _SM2_P) revert DepartmentInvalidPublicKey(code);
        uint256 lhs = mulmod(y, y, _SM2_P);
        uint256 rhs = addmod(
            addmod(mulmod(mulmod(x, x, _SM2_P), x, _SM2_P), mulmod(_SM2_A, x, _SM2_P), _SM2_P),
            _SM2_B,
            _SM2_P
        );
        if (lhs != rhs) revert DepartmentInvalidPublicKey(code);
    }
}
