// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IGovernance} from "./interfaces/IGovernance.sol";
import {IGovernanceErrors} from "./interfaces/IGovernanceErrors.sol";

/// @title Governance committee (M-of-N)
/// @notice The committee is fixed at deployment and changes only through its own proposals, so
/// no single key can take over (the committee idea of FISCO BCOS).
contract Governance is IGovernance, IGovernanceErrors {
    // The lifetime of proposals until the committee changes it, and the longest it may choose.
    uint64 private constant _DEFAULT_PROPOSAL_LIFETIME = 7 days;
    uint64 private constant _MAX_PROPOSAL_LIFETIME = 365 days;

    address[] private _members;
    mapping(address account => bool) private _isMember;
    // Each joining starts a new membership term (1, 2, ...); an approval records the term it was
    // made in, so approvals from before a removal never count again after a re-admission.
    mapping(address account => uint256) private _term;
    uint256 private _threshold;
    uint64 private _proposalLifetime;

    uint256 private _proposalCount;
    mapping(uint256 proposalId => Proposal) private _proposals;
    mapping(uint256 proposalId => mapping(address member => uint256 term)) private _approvedIn;

    modifier onlyMember() {
        if (!_isMember[msg.sender]) revert GovernanceNotMember(msg.sender);
        _;
    }

    /// @dev Committee changes run as calls from this contract to itself, made by {_execute}.
    modifier onlySelf() {
        if (msg.sender != address(this)) revert GovernanceOnlySelf(msg.sender);
        _;
    }

    constructor(address[] memory initialMembers, uint256 initialThreshold) {
        for (uint256 i = 0; i < initialMembers.length; ++i) {
            _addMember(initialMembers[i]);
        }
        _checkThreshold(initialThreshold, initialMembers.length);
        _threshold = initialThreshold;
        emit CommitteeThresholdChanged(0, initialThreshold);
        _proposalLifetime = _DEFAULT_PROPOSAL_LIFETIME;
        emit ProposalLifetimeChanged(0, _DEFAULT_PROPOSAL_LIFETIME);
    }

    /// @inheritdoc IGovernance
    function propose(address target, bytes calldata data, bytes32 descriptionHash)
        external
        onlyMember
        returns (uint256 proposalId)
    {
        if (target.code.length == 0) revert GovernanceTargetNotContract(target);
        if (descriptionHash == bytes32(0)) revert GovernanceZeroDescription();
        proposalId = ++_proposalCount;
        uint64 expiresAt = uint64(block.timestamp) + _proposalLifetime;
        _proposals[proposalId] = Proposal({
            proposer: msg.sender,
            target: target,
            data: data,
            descriptionHash: descriptionHash,
            createdAt: uint64(block.timestamp),
            executed: false,
            expiresAt: expiresAt,
            cancelled: false
        });
        emit ProposalCreated(proposalId, msg.sender, target, data, descriptionHash, expiresAt);
        _approve(proposalId);
    }

    /// @inheritdoc IGovernance
    function approve(uint256 proposalId) external onlyMember {
        _requirePending(proposalId);
        _approve(proposalId);
    }

    /// @inheritdoc IGovernance
    function execute(uint256 proposalId) external onlyMember {
        _requirePending(proposalId);
        uint256 approvals = approvalCount(proposalId);
        if (approvals < _threshold) {
            revert GovernanceThresholdNotReached(proposalId, approvals, _threshold);
        }
        _execute(proposalId);
    }

    /// @inheritdoc IGovernance
    function cancel(uint256 proposalId) external {
        _requirePending(proposalId);
        if (msg.sender != address(this)) {
            if (msg.sender != _proposals[proposalId].proposer) {
                revert GovernanceNotProposer(proposalId, msg.sender);
            }
            if (!_isMember[msg.sender]) revert GovernanceNotMember(msg.sender);
        }
        _proposals[proposalId].cancelled = true;
        emit ProposalCancelled(proposalId, msg.sender);
    }

    /// @inheritdoc IGovernance
    function addMember(address member) external onlySelf {
        _addMember(member);
    }

    /// @inheritdoc IGovernance
    function removeMember(address member) external onlySelf {
        if (!_isMember[member]) revert GovernanceNotMember(member);
        _checkThreshold(_threshold, _members.length - 1);
        uint256 last = _members.length - 1;
        for (uint256 i = 0; i < last; ++i) {
            if (_members[i] == member) {
                _members[i] = _members[last];
                break;
            }
        }
        _members.pop();
        _isMember[member] = false;
        emit CommitteeMemberRemoved(member);
    }

    /// @inheritdoc IGovernance
    function changeThreshold(uint256 newThreshold) external onlySelf {
        _checkThreshold(newThreshold, _members.length);
        uint256 oldThreshold = _threshold;
        _threshold = newThreshold;
        emit CommitteeThresholdChanged(oldThreshold, newThreshold);
    }

    /// @inheritdoc IGovernance
    function changeProposalLifetime(uint64 newLifetime) external onlySelf {
        if (newLifetime == 0 || newLifetime > _MAX_PROPOSAL_LIFETIME) {
            revert GovernanceInvalidLifetime(newLifetime);
        }
        uint64 oldLifetime = _proposalLifetime;
        _proposalLifetime = newLifetime;
        emit ProposalLifetimeChanged(oldLifetime, newLifetime);
    }

    /// @inheritdoc IGovernance
    function isMember(address account) external view returns (bool) {
        return _isMember[account];
    }

    /// @inheritdoc IGovernance
    function members() external view returns (address[] memory) {
        return _members;
    }

    /// @inheritdoc IGovernance
    function threshold() external view returns (uint256) {
        return _threshold;
    }

    /// @inheritdoc IGovernance
    function proposalLifetime() external view returns (uint64) {
        return _proposalLifetime;
    }

    /// @inheritdoc IGovernance
    function proposalCount() external view returns (uint256) {
        return _proposalCount;
    }

    /// @inheritdoc IGovernance
    function getProposal(uint256 proposalId) external view returns (Proposal memory) {
        _requireKnown(proposalId);
        return _proposals[proposalId];
    }

    /// @inheritdoc IGovernance
    function proposalState(uint256 proposalId) external view returns (ProposalState) {
        _requireKnown(proposalId);
        Proposal storage proposal = _proposals[proposalId];
        if (proposal.executed) return ProposalState.Executed;
        if (proposal.cancelled) return ProposalState.Cancelled;
        if (block.timestamp >= proposal.expiresAt) return ProposalState.Expired;
        return ProposalState.Pending;
    }

    /// @inheritdoc IGovernance
    function hasApproved(uint256 proposalId, address member) public view returns (bool) {
        return _isMember[member] && _approvedIn[proposalId][member] == _term[member];
    }

    /// @inheritdoc IGovernance
    function approvalCount(uint256 proposalId) public view returns (uint256 approvals) {
        // Counted over current members, each in their current term, so that a removed member's
        // approvals stop counting and do not come back with a re-admission.
        for (uint256 i = 0; i < _members.length; ++i) {
            if (hasApproved(proposalId, _members[i])) ++approvals;
        }
    }

    function _approve(uint256 proposalId) private {
        if (hasApproved(proposalId, msg.sender)) {
            revert GovernanceAlreadyApproved(proposalId, msg.sender);
        }
        _approvedIn[proposalId][msg.sender] = _term[msg.sender];
        uint256 approvals = approvalCount(proposalId);
        emit ProposalApproved(proposalId, msg.sender, approvals);
        if (approvals >= _threshold) _execute(proposalId);
    }

    function _execute(uint256 proposalId) private {
        Proposal storage proposal = _proposals[proposalId];
        // Marked first, so a target calling back cannot run the proposal twice.
        proposal.executed = true;
        (bool success, bytes memory returnData) = proposal.target.call(proposal.data);
        if (!success) {
            // Bubble the target's revert data unchanged, so callers can decode its custom error.
            assembly ("memory-safe") {
                revert(add(returnData, 0x20), mload(returnData))
            }
        }
        emit ProposalExecuted(proposalId, returnData);
    }

    function _addMember(address member) private {
        if (member == address(0)) revert GovernanceInvalidMember(member);
        if (_isMember[member]) revert GovernanceDuplicateMember(member);
        _isMember[member] = true;
        ++_term[member];
        _members.push(member);
        emit CommitteeMemberAdded(member);
    }

    function _requireKnown(uint256 proposalId) private view {
        if (proposalId == 0 || proposalId > _proposalCount) {
            revert GovernanceUnknownProposal(proposalId);
        }
    }

    function _requirePending(uint256 proposalId) private view {
        _requireKnown(proposalId);
        Proposal storage proposal = _proposals[proposalId];
        if (proposal.executed) revert GovernanceAlreadyExecuted(proposalId);
        if (proposal.cancelled) revert GovernanceProposalCancelled(proposalId);
        if (block.timestamp >= proposal.expiresAt) {
            revert GovernanceProposalExpired(proposalId, proposal.expiresAt);
        }
    }

    function _checkThreshold(uint256 newThreshold, uint256 memberCount) private pure {
        if (newThreshold == 0 || newThreshold > memberCount) {
            revert GovernanceInvalidThreshold(newThreshold, memberCount);
        }
    }
}
