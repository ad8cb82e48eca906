"""The ``Governance`` wrapper: the M-of-N committee that makes every administrative change."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from ledger.client import Receipt
from ledger.contracts.base import ContractWrapper, Written, build
from ledger.contracts.values import Action, Proposal, ProposalState


class Governance(ContractWrapper):
    """The M-of-N committee: every administrative change is a proposal it executes."""

    contract_name = "Governance"

    def propose(
        self, member: LocalAccount, target: str, calldata: bytes, description: str
    ) -> Written[int]:
        """Propose calling ``target`` with ``calldata``; the proposal id is the value. The
        proposer's approval counts at once (with threshold 1 the proposal executes now).
        ``description`` stays off chain; its keccak-256 identifies it."""
        return self._send_returning(
            member,
            "propose",
            (to_checksum_address(target), bytes(calldata), keccak(text=description)),
            "ProposalCreated",
            "proposalId",
        )

    def propose_action(self, member: LocalAccount, action: Action) -> Written[int]:
        return self.propose(member, action.target, action.calldata, action.description)

    def approve(self, member: LocalAccount, proposal_id: int) -> Receipt:
        """Approve; the approval that reaches the threshold executes the proposal (and reverts
        with the target's error if the target refuses)."""
        return self._send(member, "approve", proposal_id)

    def execute(self, member: LocalAccount, proposal_id: int) -> Receipt:
        """Run a proposal that already has enough approvals (after the threshold was lowered)."""
        return self._send(member, "execute", proposal_id)

    def cancel(self, proposer: LocalAccount, proposal_id: int) -> Receipt:
        """Cancel a pending proposal, as its proposer (a current member)."""
        return self._send(proposer, "cancel", proposal_id)

    def encode_cancel(self, proposal_id: int) -> Action:
        """The committee cancels a pending proposal of anyone's (a proposal of its own)."""
        return self._action(f"cancel proposal {proposal_id}", "cancel", proposal_id)

    # Committee changes: proposals whose target is this contract, which alone may make them.

    def encode_add_member(self, member: str) -> Action:
        member = to_checksum_address(member)
        return self._action(f"add {member} to the committee", "addMember", member)

    def encode_remove_member(self, member: str) -> Action:
        """Refused on execution if fewer members than the threshold would remain."""
        member = to_checksum_address(member)
        return self._action(f"remove {member} from the committee", "removeMember", member)

    def encode_change_threshold(self, threshold: int) -> Action:
        return self._action(
            f"require {threshold} approvals per proposal", "changeThreshold", threshold
        )

    def encode_change_proposal_lifetime(self, seconds: int) -> Action:
        """New proposals expire ``seconds`` after they are made (1 s to 365 days)."""
        return self._action(
            f"let new proposals live {seconds} seconds", "changeProposalLifetime", seconds
        )

    def members(self) -> tuple[str, ...]:
        return tuple(self._read("members"))

    def threshold(self) -> int:
        return int(self._read("threshold"))

    def is_member(self, account: str) -> bool:
        return bool(self._read("isMember", to_checksum_address(account)))

    def proposal_count(self) -> int:
        return int(self._read("proposalCount"))

    def proposal_lifetime(self) -> int:
        """Seconds a new proposal stays open."""
        return int(self._read("proposalLifetime"))

    def proposal_state(self, proposal_id: int) -> ProposalState:
        return ProposalState(self._read("proposalState", proposal_id))

    def get_proposal(self, proposal_id: int) -> Proposal:
        return build(
            Proposal,
            self._read("getProposal", proposal_id),
            proposal_id=proposal_id,
            state=self.proposal_state(proposal_id),
        )

    def has_approved(self, proposal_id: int, member: str) -> bool:
        return bool(self._read("hasApproved", proposal_id, to_checksum_address(member)))

    def approval_count(self, proposal_id: int) -> int:
        return int(self._read("approvalCount", proposal_id))
