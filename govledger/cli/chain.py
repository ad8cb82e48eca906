"""``govledger chain``: deploy and inspect the on-chain registries."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from govledger.commands import state
from govledger.deployment import Committee, chain_status, init_chain, manifest_path, open_chain
from govledger.errors import InvalidInput
from govledger.keystore import open_keystore

app = typer.Typer(help="Deploy and inspect the on-chain registries.", no_args_is_help=True)


def progress(message: str) -> None:
    """Progress of multi-step work goes to stderr, so stdout stays the result."""
    typer.echo(f"… {message}", err=True)


@app.command("init")
def init(
    ctx: typer.Context,
    committee_file: Annotated[
        Path | None,
        typer.Option(
            "--committee",
            help='Committee file {"members": ["0x…"], "threshold": M} (e.g. node_config/…).',
        ),
    ] = None,
    members: int | None = typer.Option(
        None, "--members", help="Size of a local dev committee (default 3).", min=1
    ),
    threshold: int | None = typer.Option(
        None, "--threshold", help="Approvals a proposal needs (default 2).", min=1
    ),
) -> None:
    """Deploy the contracts with the governance committee (once; a second run reuses them).

    Without --committee, the committee's keys are created in the keystore (committee-1, …).
    """
    settings = state(ctx).settings
    committee = None
    if committee_file is not None:
        if members is not None or threshold is not None:
            raise InvalidInput(
                "--committee names the members and threshold: drop --members and --threshold"
            )
        committee = Committee.from_file(committee_file)
    result = init_chain(
        settings,
        open_keystore(settings),
        committee,
        members=members,
        threshold=threshold,
        progress=progress,
    )
    manifest = result.manifest
    if result.deployed:
        typer.echo(f"initialised the {settings.chain_backend} chain (id {manifest.chain_id})")
    else:
        typer.echo(
            f"already initialised: {manifest_path(settings).name} matches the chain "
            f"(id {manifest.chain_id}); nothing deployed"
        )
    typer.echo(f"committee: {manifest.threshold} of {len(manifest.committee)}")
    for name, entry in manifest.contracts.items():
        typer.echo(f"  {name:<20} {entry.address}")


@app.command("status")
def status(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Chain id, block number, contracts, committee and backend."""
    settings = state(ctx).settings
    with open_chain(settings, read_only=True) as chain:
        current = chain_status(settings, chain)
    if as_json:
        typer.echo(json.dumps(asdict(current), indent=2))
        return
    typer.echo(f"backend      {current.backend}")
    typer.echo(f"chain id     {current.chain_id}")
    typer.echo(f"block        {current.block_number}")
    typer.echo(f"deployed     {current.deployed_at} by {current.deployer}")
    typer.echo(f"committee    {current.threshold} of {len(current.committee)}")
    for member in current.committee:
        typer.echo(f"  {member}")
    typer.echo("contracts")
    for name, address in current.contracts.items():
        typer.echo(f"  {name:<20} {address}")
