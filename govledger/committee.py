"""Administrative changes through the governance committee, as this process can sign them.

:func:`committee_signers` finds the members' keys in the keystore (``committee-<i>`` as
``govledger chain init`` creates them, or one named member); :func:`submit_action` proposes (and,
with enough local members, approves) an :class:`~ledger.contracts.values.Action`,
:func:`approve_proposal` adds one approval and :func:`cancel_proposal` cancels one (its proposer
at once, anyone else through the committee).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from govledger.errors import Conflict, Forbidden, NotFound
from govledger.keystore import KeyPair, Keystore
from ledger.contracts import Registries
from ledger.contracts.values import Action, Proposal, ProposalState

COMMITTEE_KEY_PREFIX = "committee-"


@dataclass(frozen=True)
class ProposalOutcome:
    """Where a proposal stands after this process's members acted on it."""

    proposal_id: int
    approvals: int
    threshold: int
    state: ProposalState
    expires_at: int

    @property
    def executed(self) -> bool:
        return self.state is ProposalState.EXECUTED


def committee_signers(
    keystore: Keystore, registries: Registries, member: str | None = None
) -> list[KeyPair]:
    """The committee members' keys this process may sign with.

    ``member`` names one keystore entry (which must be a current member); without it, every
    ``committee-*`` entry that is a current member, as ``init_chain`` created them.
    """
    governance = registries.governance
    if member is not None:
        keys = keystore.load(member)
        if not governance.is_member(keys.address):
            raise Forbidden(f"{member} ({keys.address}) is not on the governance committee")
        return [keys]
    local = [
        keys
        for keys in (
            keystore.load(name)
            for name in keystore.names()
            if name.startswith(COMMITTEE_KEY_PREFIX)
        )
        if governance.is_member(keys.address)
    ]
    if not local:
        raise Forbidden("no committee member's key is in the keystore: name one with --member")
    return local


def submit_action(
    registries: Registries, signers: Sequence[KeyPair], action: Action
) -> ProposalOutcome:
    """The first signer proposes ``action``; the others approve until it executes."""
    governance = registries.governance
    proposal_id = governance.propose_action(signers[0].account, action).value
    for keys in signers[1:]:
        if governance.get_proposal(proposal_id).executed:
            break
        governance.approve(keys.account, proposal_id)
    return proposal_outcome(registries, proposal_id)


def approve_proposal(registries: Registries, signer: KeyPair, proposal_id: int) -> ProposalOutcome:
    """One more approval; the one that reaches the threshold executes the proposal."""
    pending_proposal(registries, proposal_id)
    registries.governance.approve(signer.account, proposal_id)
    return proposal_outcome(registries, proposal_id)


def cancel_proposal(
    registries: Registries, signers: Sequence[KeyPair], proposal_id: int
) -> ProposalOutcome:
    """Cancel pending proposal ``proposal_id``: at once if its proposer is among ``signers``;
    otherwise ``signers`` propose that the committee cancel it (as :func:`submit_action`).
    Returns the outcome of the cancelled proposal, or of the cancellation proposal."""
    proposal = pending_proposal(registries, proposal_id)
    governance = registries.governance
    proposer = next((keys for keys in signers if keys.address == proposal.proposer), None)
    if proposer is None:
        return submit_action(registries, signers, governance.encode_cancel(proposal_id))
    governance.cancel(proposer.account, proposal_id)
    return proposal_outcome(registries, proposal_id)


def pending_proposal(registries: Registries, proposal_id: int) -> Proposal:
    """Proposal ``proposal_id`` if it can still be approved or cancelled; else a refusal that
    says why (the contract refuses the same, with less to read)."""
    governance = registries.governance
    if not 1 <= proposal_id <= governance.proposal_count():
        raise NotFound(f"there is no proposal {proposal_id}")
    proposal = governance.get_proposal(proposal_id)
    if proposal.state is ProposalState.EXPIRED:
        raise Conflict(
            f"proposal {proposal_id} expired at {utc_text(proposal.expires_at)} without enough "
            "approvals; propose it again"
        )
    if proposal.state is not ProposalState.PENDING:
        raise Conflict(f"proposal {proposal_id} is {proposal.state.name.lower()} already")
    return proposal


def proposal_outcome(registries: Registries, proposal_id: int) -> ProposalOutcome:
    governance = registries.governance
    proposal = governance.get_proposal(proposal_id)
    return ProposalOutcome(
        proposal_id=proposal_id,
        approvals=governance.approval_count(proposal_id),
        threshold=governance.threshold(),
        state=proposal.state,
        expires_at=proposal.expires_at,
    )


def utc_text(timestamp: int) -> str:
    """A chain timestamp as people read it: ``2026-12-03 09:30:00 UTC``."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
