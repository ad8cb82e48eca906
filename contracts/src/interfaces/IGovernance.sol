// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title M-of-N governance committee
/// @notice No single key administers govledger: every administrative call (registering a
/// department, changing its roles, revoking a data grant, changing the committee itself) is a
/// proposal that runs only once `threshold` committee members have approved it.
///
/// A proposal lives `proposalLifetime` seconds (a committee setting, fixed into each proposal
/// when it is made): after `expiresAt` it can no longer be approved or executed. Its proposer,
/// while still a member, may cancel it; the committee may cancel any pending proposal through a
/// proposal of its own. Approvals count only while their member stays on the committee: a member
/// removed and later re-added starts afresh.
interface IGovernance {
    /// @notice Where a proposal stands. `Expired`: its lifetime ended before it was executed.
    enum ProposalState {
        Pending,
        Executed,
        Cancelled,
        Expired
    }

    /// @notice A proposal as stored. `data` is the calldata sent to `target` on execution.
    struct Proposal {
        address proposer;
        address target;
        bytes data;
        bytes32 descriptionHash;
        uint64 createdAt;
        bool executed;
        uint64 expiresAt;
        bool cancelled;
    }

    /// @notice `proposer` proposed calling `target` with `data`; `descriptionHash` identifies the
    /// human-readable justification kept off chain.
    event ProposalCreated(
        uint256 indexed proposalId,
        address indexed proposer,
        address indexed target,
        bytes data,
        bytes32 descriptionHash,
        uint64 expiresAt
    );
    /// @notice `member` approved `proposalId`, which now has `approvals` approvals.
    event ProposalApproved(uint256 indexed proposalId, address indexed member, uint256 approvals);
    /// @notice `proposalId` was executed; `returnData` is what the target returned.
    event ProposalExecuted(uint256 indexed proposalId, bytes returnData);
    /// @notice `proposalId` was cancelled by `canceller` (its proposer, or this contract when
    /// the committee decided it).
    event ProposalCancelled(uint256 indexed proposalId, address indexed canceller);
    /// @notice The lifetime of new proposals changed from `oldLifetime` to `newLifetime` seconds.
    event ProposalLifetimeChanged(uint64 oldLifetime, uint64 newLifetime);
    /// @notice `member` joined the committee.
    event CommitteeMemberAdded(address indexed member);
    /// @notice `member` left the committee.
    event CommitteeMemberRemoved(address indexed member);
    /// @notice The approval threshold changed from `oldThreshold` to `newThreshold`.
    event CommitteeThresholdChanged(uint256 oldThreshold, uint256 newThreshold);

    /// @notice Propose calling `target` with `data`; it expires `proposalLifetime()` seconds
    /// from now. The proposer's approval counts at once, so with threshold 1 the proposal
    /// executes in this call.
    /// @dev Reverts {GovernanceNotMember} for a non-member caller, {GovernanceTargetNotContract}
    /// for a target without code and {GovernanceZeroDescription} for a zero description hash.
    /// @return proposalId Sequential id, starting at 1.
    function propose(address target, bytes calldata data, bytes32 descriptionHash)
        external
        returns (uint256 proposalId);

    /// @notice Approve `proposalId`; executes it when approvals reach the threshold. If the
    /// target reverts, this call reverts with the target's revert data and the approval is not
    /// recorded. Reverts {GovernanceProposalCancelled} or {GovernanceProposalExpired} for a
    /// proposal that is no longer pending.
    function approve(uint256 proposalId) external;

    /// @notice Execute `proposalId` if it already has enough approvals (needed only when the
    /// threshold was lowered after the last approval). Callable by any member.
    function execute(uint256 proposalId) external;

    /// @notice Cancel pending proposal `proposalId`. Caller: its proposer while a member
    /// ({GovernanceNotProposer} otherwise), or this contract (an executed committee proposal).
    function cancel(uint256 proposalId) external;

    /// @notice Add `member` to the committee. Only through an executed proposal.
    function addMember(address member) external;

    /// @notice Remove `member` from the committee. Only through an executed proposal; reverts
    /// {GovernanceInvalidThreshold} if fewer members than the threshold would remain.
    function removeMember(address member) external;

    /// @notice Change the approval threshold. Only through an executed proposal.
    function changeThreshold(uint256 newThreshold) external;

    /// @notice Change the lifetime of new proposals (pending ones keep their expiry). Only
    /// through an executed proposal; reverts {GovernanceInvalidLifetime} outside 1 s to 365 days.
    function changeProposalLifetime(uint64 newLifetime) external;

    /// @notice Whether `account` is a committee member.
    function isMember(address account) external view returns (bool);

    /// @notice The current committee members.
    function members() external view returns (address[] memory);

    /// @notice The number of approvals a proposal needs.
    function threshold() external view returns (uint256);

    /// @notice How long a new proposal stays open, in seconds.
    function proposalLifetime() external view returns (uint64);

    /// @notice The number of proposals created so far (the id of the latest one).
    function proposalCount() external view returns (uint256);

    /// @notice Proposal `proposalId`; reverts {GovernanceUnknownProposal} if there is none.
    function getProposal(uint256 proposalId) external view returns (Proposal memory);

    /// @notice Where `proposalId` stands; reverts {GovernanceUnknownProposal} if there is none.
    function proposalState(uint256 proposalId) external view returns (ProposalState);

    /// @notice Whether `member` is a member who approved `proposalId` during their current
    /// membership.
    function hasApproved(uint256 proposalId, address member) external view returns (bool);

    /// @notice Approvals of `proposalId` by current members, each made during the member's
    /// current membership (a removed member's approval stops counting, also once re-added).
    function approvalCount(uint256 proposalId) external view returns (uint256);
}
