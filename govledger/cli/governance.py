"""``govledger governance``: committee members approve and inspect proposals."""

from __future__ import annotations

import typer

from govledger.chain import approve_proposal, committee_signers, open_chain, open_keystore
from govledger.cli.context import state

app = typer.Typer(help="Approve and inspect governance proposals.", no_args_is_help=True)


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
    state_text = "executed" if outcome.executed else "not executed yet"
    typer.echo(
        f"proposal {proposal_id}: {outcome.approvals} of {outcome.threshold} approvals, "
        f"{state_text}"
    )


@app.command("show")
def show(ctx: typer.Context, proposal_id: int = typer.Argument(..., min=1)) -> None:
    """A proposal: who proposed what, and its approvals."""
    with open_chain(state(ctx).settings, read_only=True) as chain:
        governance = chain.registries.governance
        proposal = governance.get_proposal(proposal_id)
        approvals = governance.approval_count(proposal_id)
        threshold = governance.threshold()
        target_names = {entry.address: name for name, entry in chain.manifest.contracts.items()}
    typer.echo(f"proposal     {proposal.proposal_id}")
    typer.echo(f"proposer     {proposal.proposer}")
    typer.echo(f"target       {target_names.get(proposal.target, proposal.target)}")
    typer.echo(f"call         0x{proposal.calldata[:4].hex()} ({len(proposal.calldata)} bytes)")
    typer.echo(f"approvals    {approvals} of {threshold}")
    typer.echo(f"executed     {'yes' if proposal.executed else 'no'}")
