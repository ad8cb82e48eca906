"""``govledger dataset``: a requesting department fetches released data from the gateway; the
governance committee revokes a grant."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from govledger.cli.context import state
from govledger.cli.department import MEMBER_HELP, REASON_HELP, report
from govledger.committee import committee_signers, submit_action
from govledger.department_keys import department_key_name
from govledger.deployment import open_chain
from govledger.keystore import open_keystore
from sharing_gateway.client import GatewayClient

app = typer.Typer(
    help="Fetch shared data through the sharing gateway; revoke grants (governance).",
    no_args_is_help=True,
)


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


@app.command("revoke-grant")
def revoke_grant(
    ctx: typer.Context,
    grant_id: Annotated[int, typer.Argument(help="The grant id.")],
    reason: Annotated[int, typer.Option("--reason", min=0, max=65535, help=REASON_HELP)],
    member: Annotated[str | None, typer.Option("--member", help=MEMBER_HELP)] = None,
) -> None:
    """Revoke a grant by governance (a committee proposal); the gateway refuses the next
    release."""
    settings = state(ctx).settings
    keystore = open_keystore(settings)
    with open_chain(settings) as chain:
        signers = committee_signers(keystore, chain.registries, member)
        action = chain.registries.sharing.encode_revoke_grant(grant_id, reason)
        outcome = submit_action(chain.registries, signers, action)
    report(outcome, f"revoked grant {grant_id}")
