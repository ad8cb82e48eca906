"""``govledger run`` (what ``make run`` starts): the product on the data dir, with a world to
look at.

On a fresh data dir it deploys the contracts, seeds the world of :mod:`govledger.cli.world`
once, then serves the portal and the API on 127.0.0.1 until Ctrl-C, after printing where they
are and how to sign in as each actor. A seeded data dir is reused as it is.
"""

from __future__ import annotations

import typer

from govledger.app import create_app
from govledger.cli.serve import Host, Port, serve_app
from govledger.cli.world import World, ensure_world, world_services
from govledger.commands import state
from govledger.settings import Settings


def run(ctx: typer.Context, host: Host = "127.0.0.1", port: Port = 8000) -> None:
    """Seed the world once, then serve the portal and the API until Ctrl-C."""
    settings = state(ctx).settings
    world, seeded = ensure_world(settings, lambda line: typer.echo(f"  {line}", err=True))
    app = create_app(settings, world_services(), freeze_heap=True)
    typer.echo(welcome(settings, world, f"http://{host}:{port}", seeded=seeded))
    serve_app(app, host, port)


def welcome(settings: Settings, world: World, base_url: str, *, seeded: bool) -> str:
    """Where everything is and how to be each actor."""
    state_line = "seeded a new world" if seeded else "reusing the world seeded earlier"
    lines = [
        f"govledger on {settings.chain_backend} chain, data dir {settings.data_dir} ({state_line})",
        "",
        f"  Portal     {base_url}/",
        f"  API docs   {base_url}/docs",
        f"  Health     {base_url}/healthz  {base_url}/readyz",
        "",
        "Sign in as a department with its SM2 key file (in the portal, or for curl:",
        "`govledger login --key FILE --export token.txt` then `curl -H @token.txt ...`):",
    ]
    for agency in world.agencies:
        lines += [
            f"  {agency['name']} {agency['code']} ({', '.join(agency['roles'])})",
            f"      {agency['does']}",
            f"      govledger login --key {agency['key_file']}",
        ]
    lines += ["", "Holders (residents and businesses), each with a holder token file:"]
    for holder in world.holders:
        lines += [
            f"  {holder['name']}: {holder['licence_name']} {holder['licence_id']}",
            f"      {holder['token_file']}",
        ]
    first = world.holders[0]
    lines += [
        "  e.g. the first holder reads their licence:",
        f'      curl -H "Authorization: Bearer $(cat {first["token_file"]})" '
        f"{base_url}/v1/holder/licences/{first['licence_id']}",
    ]
    lines += [
        "",
        f"Shared data: dataset {world.dataset_id}, grant {world.grant_id}.",
        "The governance committee's keys are committee-1..3 in the keystore (2 of 3 approve):",
        "stop the server before `govledger department` or `govledger governance` changes the",
        "embedded chain (it has one writer). Walkthrough: docs/walkthrough.md.",
        "Ctrl-C stops the server.",
    ]
    return "\n".join(lines)
