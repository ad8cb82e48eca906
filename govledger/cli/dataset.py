"""``govledger dataset``: a requesting department fetches released data from the gateway."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from govledger.chain import department_key_name, open_keystore
from govledger.cli.context import state
from sharing_gateway.client import GatewayClient

app = typer.Typer(help="Fetch shared data through the sharing gateway.", no_args_is_help=True)


@app.command("fetch")
def fetch(  # noqa: PLR0917  (Typer passes options positionally)
    ctx: typer.Context,
    dataset_id: Annotated[str, typer.Argument(help="The dataset's id.")],
    grant: Annotated[int, typer.Option("--grant", help="The grant id.")],
    fields: Annotated[str, typer.Option("--fields", help="Comma-separated field names.")],
    department: Annotated[str, typer.Option("--as", help="The requesting department's code.")],
    url: Annotated[str, typer.Option("--url", help="The gateway's base URL.")] = (
        "http://127.0.0.1:8000"
    ),
) -> None:
    """Sign in with the department's SM2 key, fetch the release, open it, print JSON."""
    settings = state(ctx).settings
    key = open_keystore(settings).load(department_key_name(department)).sm2
    client = GatewayClient(url, department, key)
    try:
        fetched = client.fetch(dataset_id, grant, [name for name in fields.split(",") if name])
    finally:
        client.close()
    typer.echo(
        json.dumps(
            {
                "records": fetched.records,
                "provenance": fetched.provenance,
                "uses_left": fetched.uses_left,
            },
            ensure_ascii=False,
            indent=2,
        )
    )
