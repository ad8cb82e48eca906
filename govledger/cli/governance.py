"""``govledger governance``: committee members approve, cancel and inspect proposals."""

from __future__ import annotations

import typer

from govledger.commands import MEMBER_HELP, report, state
from govledger.committee import (
    approve_proposal,
    cancel_proposal,
    committee_signers,
    submit_action,
    utc_text,
)
from govledger.deployment import open_chain
from govledger.keystore import open_keystore

app = typer.Typer(help="Approve, cancel and inspect governance proposals.", no_args_is_help=True)


@app.command("approve")
def approve(
    ctx: typer.Context,
    proposal_id: int = typer.Argument(..., min=1),
    member: str = typer.Option(..., "--member", help="Keystore name of the approving member."),
) -> None:
    """Approve a proposal; the approval that reaches the threshold executes it."""
    settings = state(ctx).settings
    keystore = open_keystore(settings)
    with open_chain(settings) as chain:
        (signer,) = committee_signers(keystore, chain.registries, member)
        outcome = approve_proposal(chain.registries, signer, proposal_id)
    state_text = (
        "executed"
        if outcome.executed
        else f"not executed yet (expires {utc_text(outcome.expires_at)})"
    )
    typer.echo(
        f"proposal {proposal_id}: {outcome.approvals} of {outcome.threshold} approvals, "
        f"{state_text}"
    )


@app.command("cancel")
def cancel(
    ctx: typer.Context,
    proposal_id: int = typer.Argument(..., min=1),
    member: str | None = typer.Option(None, "--member", help=MEMBER_HELP),
) -> None:
    """Cancel a pending proposal: its proposer does so at once; other members propose that the
    committee cancel it."""
    settings = state(ctx).settings
    keystore = open_keystore(settings)
    with open_chain(settings) as chain:
        signers = committee_signers(keystore, chain.registries, member)
        outcome = cancel_proposal(chain.registries, signers, proposal_id)
    if outcome.proposal_id == proposal_id:
        typer.echo(f"proposal {proposal_id}: cancelled by its proposer")
        return
    report(outcome, f"proposal {proposal_id}: cancelled by the committee")


@app.command("set-lifetime")
def set_lifetime(
    ctx: typer.Context,
    seconds: int = typer.Argument(..., min=1, max=365 * 24 * 3600),
    member: str | None = typer.Option(None, "--member", help=MEMBER_HELP),
) -> None:
    """Have the committee change how long new proposals stay open (pending ones keep theirs)."""
    settings = state(ctx).settings
    keystore = open_keystore(settings)
    with open_chain(settings) as chain:
        signers = committee_signers(keystore, chain.registries, member)
        action = chain.registries.governance.encode_change_proposal_lifetime(seconds)
        outcome = submit_action(chain.registries, signers, action)
    report(outcome, f"new proposals live {seconds} seconds")


@app.command("show")
def show(ctx: typer.Context, proposal_id: int = typer.Argument(..., min=1)) -> None:
    """A proposal: who proposed what, its approvals, state and expiry."""
    with open_chain(state(ctx).settings, read_only=True) as chain:
        governance = chain.registries.governance
        proposal = governance.get_proposal(proposal_id)
        approvals = governance.approval_count(proposal_id)
        threshold = governance.threshold()
        target_names = {entry.address: name for name, entry in chain.manifest.contracts.items()}
    typer.echo(f"proposal     {proposal.proposal_id}")
    typer.echo(f"proposer     {proposal.proposer}")
    typer.echo(f"target       {target_names.get(proposal.target, proposal.target)}")
    typer.echo(f"call         0x{proposal.data[:4].hex()} ({len(proposal.data)} bytes)")
    typer.echo(f"approvals    {approvals} of {threshold}")
    typer.echo(f"state        {proposal.state.name.lower()}")
    typer.echo(f"created      {utc_text(proposal.created_at)}")
    typer.echo(f"expires      {utc_text(proposal.expires_at)}")
