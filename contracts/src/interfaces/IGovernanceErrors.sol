// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Errors of the {Governance} committee
interface IGovernanceErrors {
    /// @dev A committee member would be the zero address.
    error GovernanceInvalidMember(address member);
    /// @dev `member` is already on the committee (or listed twice at deployment).
    error GovernanceDuplicateMember(address member);
    /// @dev `threshold` is 0 or larger than the `memberCount` the committee would have.
    error GovernanceInvalidThreshold(uint256 threshold, uint256 memberCount);
    /// @dev `account` is not a committee member.
    error GovernanceNotMember(address account);
    /// @dev A committee change was called directly by `caller` instead of through a proposal.
    error GovernanceOnlySelf(address caller);
    /// @dev A proposal's `target` has no contract code (a call to it would do nothing).
    error GovernanceTargetNotContract(address target);
    /// @dev A proposal's description hash is zero.
    error GovernanceZeroDescription();
    /// @dev No proposal has id `proposalId`.
    error GovernanceUnknownProposal(uint256 proposalId);
    /// @dev `member` has already approved `proposalId`.
    error GovernanceAlreadyApproved(uint256 proposalId, address member);
    /// @dev `proposalId` has already been executed.
    error GovernanceAlreadyExecuted(uint256 proposalId);
    /// @dev `proposalId` was cancelled.
    error GovernanceProposalCancelled(uint256 proposalId);
    /// @dev `proposalId` expired at `expiresAt` without being executed.
    error GovernanceProposalExpired(uint256 proposalId, uint64 expiresAt);
    /// @dev `account` may not cancel `proposalId`: only its proposer, while a member, or the
    /// committee through a proposal may.
    error GovernanceNotProposer(uint256 proposalId, address account);
    /// @dev A proposal lifetime of `lifetime` seconds is outside 1 s to 365 days.
    error GovernanceInvalidLifetime(uint64 lifetime);
    /// @dev `proposalId` has `approvals` approvals from current members, fewer than `threshold`.
    error GovernanceThresholdNotReached(uint256 proposalId, uint256 approvals, uint256 threshold);
}
