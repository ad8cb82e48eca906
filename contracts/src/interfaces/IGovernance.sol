// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title M-of-N governance committee
/// @notice No single key administers govledger: every administrative call (registering a
/// department, changing its roles, revoking a data grant, changing the committee itself) is a
/// proposal that runs only once `threshold` committee members have approved it.
interface IGovernance {
    /// @notice A proposal as stored. `data` is the calldata sent to `target` on execution.
    struct Proposal {
        address proposer;
        address target;
        bytes data;
        bytes32 descriptionHash;
        uint64 createdAt;
        bool executed;
    }

    /// @notice `proposer` proposed calling `target` with `data`; `descriptionHash` identifies the
    /// human-readable justification kept off chain.
    event ProposalCreated(
        uint256 indexed proposalId,
        address indexed proposer,
        address indexed target,
        bytes data,
        bytes32 descriptionHash
    );
    /// @notice `member` approved `proposalId`, which now has `approvals` approvals.
    event ProposalApproved(uint256 indexed proposalId, address indexed member, uint256 approvals);
    /// @notice `proposalId` was executed; `returnData` is what the target returned.
    event ProposalExecuted(uint256 indexed proposalId, bytes returnData);
    /// @notice `member` joined the committee.
    event CommitteeMemberAdded(address indexed member);
    /// @notice `member` left the committee.
    event CommitteeMemberRemoved(address indexed member);
    /// @notice The approval threshold changed from `oldThreshold` to `newThreshold`.
    event CommitteeThresholdChanged(uint256 oldThreshold, uint256 newThreshold);

    /// @notice Propose calling `target` with `data`. The proposer's approval counts at once, so
    /// with threshold 1 the proposal executes in this call.
    /// @dev Reverts {GovernanceNotMember} for a non-member caller, {GovernanceTargetNotContract}
    /// for a target without code and {GovernanceZeroDescription} for a zero description hash.
    /// @return proposalId Sequential id, starting at 1.
    function propose(address target, bytes calldata data, bytes32 descriptionHash)
        external
        returns (uint256 proposalId);

    /// @notice Approve `proposalId`; executes it when approvals reach the threshold. If the
    /// target reverts, this call reverts with the target's revert data and the approval is not
    /// recorded.
    function approve(uint256 proposalId) external;

    /// @notice Execute `proposalId` if it already has enough approvals (needed only when the
    /// threshold was lowered after the last approval). Callable by any member.
    function execute(uint256 proposalId) external;

    /// @notice Add `member` to the committee. Only through an executed proposal.
    function addMember(address member) external;

    /// @notice Remove `member` from the committee. Only through an executed proposal; reverts
    /// {GovernanceInvalidThreshold} if fewer members than the threshold would remain.
    function removeMember(address member) external;

    /// @notice Change the approval threshold. Only through an executed proposal.
    function changeThreshold(uint256 newThreshold) external;

    /// @notice Whether `account` is a committee member.
    function isMember(address account) external view returns (bool);

    /// @notice The current committee members.
    function members() external view returns (address[] memory);

    /// @notice The number of approvals a proposal needs.
    function threshold() external view returns (uint256);

    /// @notice The number of proposals created so far (the id of the latest one).
    function proposalCount() external view returns (uint256);

    /// @notice Proposal `proposalId`; reverts {GovernanceUnknownProposal} if there is none.
    function getProposal(uint256 proposalId) external view returns (Proposal memory);

    /// @notice Whether `member` has approved `proposalId`.
    function hasApproved(uint256 proposalId, address member) external view returns (bool);

    /// @notice Approvals of `proposalId` by current members (a removed member's approval stops
    /// counting).
    function approvalCount(uint256 proposalId) external view returns (uint256);
}
