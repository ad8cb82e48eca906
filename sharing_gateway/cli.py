"""``govledger dataset``: a requesting department fetches released data from the gateway; the
governance committee revokes a grant. ``govledger audit``: export the gateway's access log,
verify an export against the chain, and name the log operators."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from govledger.commands import MEMBER_HELP, REASON_HELP, echo_json, report, state
from govledger.committee import committee_signers, submit_action
from govledger.db import make_engine, make_session_factory
from govledger.department_keys import department_key_name
from govledger.departments import set_log_operator
from govledger.deployment import open_chain
from govledger.errors import VerificationFailed
from govledger.files import read_text_file
from govledger.keystore import open_keystore
from sharing_gateway.adapters.accesslog import SqlAccessLogStore
from sharing_gateway.adapters.chainview import ChainAnchoredLog
from sharing_gateway.audit import verify_export
from sharing_gateway.client import GatewayClient
from sharing_gateway.domain.accesslog import export_csv, export_json, parse_export
from sharing_gateway.settings import GatewaySettings

dataset_app = typer.Typer(
    help="Fetch shared data through the sharing gateway; revoke grants (governance).",
    no_args_is_help=True,
)
audit_app = typer.Typer(
    help="Export and verify the sharing gateway's access log.", no_args_is_help=True
)
# What the plugin adds to the ``govledger`` command.
commands = typer.Typer()
commands.add_typer(dataset_app, name="dataset")
commands.add_typer(audit_app, name="audit")


class AuditLogTampered(VerificationFailed):
    """An exported access log differs from what the chain anchors."""

    code = "audit-log-tampered"
    title = "Access log tampered"


class AuditExportIncomplete(VerificationFailed):
    """An export ends inside an anchored segment: its last entries cannot be checked against
    the segment's root without the rest of it (export the log again)."""

    code = "audit-export-incomplete"
    title = "Access log export incomplete"


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"


@dataset_app.command("fetch")
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
    echo_json(
        {
            "records": fetched.records,
            "provenance": fetched.provenance,
            "uses_left": fetched.uses_left,
        }
    )


@dataset_app.command("revoke-grant")
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


@audit_app.command("export")
def export(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    export_format: Annotated[ExportFormat, typer.Option("--format")] = ExportFormat.json,
) -> None:
    """Write the whole access log, in order, from the gateway's database."""
    settings = state(ctx).settings
    engine = make_engine(settings.resolved_database_url)
    try:
        with make_session_factory(engine)() as session:
            entries = SqlAccessLogStore(session).entries()
    finally:
        engine.dispose()
    text = (
        export_csv(entries)
        if export_format is ExportFormat.csv
        else export_json(GatewaySettings().log_id, entries)
    )
    output.write_text(text, encoding="utf-8")
    typer.echo(f"{len(entries)} entries written to {output}")


@audit_app.command("verify")
def verify(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="An export (JSON or CSV).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Check an export against the gateway's log on chain: the log id and its owner come from
    the settings (GOVLEDGER_GATEWAY_LOG_ID, GOVLEDGER_GATEWAY_OPERATOR_CODE), not from the file.
    Check the hash chain and every anchored Merkle root; fail at the first altered, removed or
    inserted entry, or one that should be anchored by now and is not, naming its sequence
    number; an export that ends inside an anchored segment fails as incomplete. Reads the
    chain read-only, so it works beside a running server."""
    # The file is refused before the chain is opened: a bad file is the caller's to fix, whatever
    # the state of the data dir.
    export = parse_export(read_text_file(file), str(file))
    gateway = GatewaySettings()
    with open_chain(state(ctx).settings, read_only=True) as chain:
        log = ChainAnchoredLog(chain.registries, gateway.log_id)
        verdict = verify_export(export, log, gateway, datetime.now(UTC))
    if as_json:
        typer.echo(json.dumps(asdict(verdict) | {"ok": verdict.ok}))
    if not verdict.ok:
        where = "" if verdict.seq is None else f" (seq {verdict.seq})"
        failure = AuditExportIncomplete if verdict.incomplete else AuditLogTampered
        raise failure(f"{verdict.problem}{where}", seq=verdict.seq)
    if not as_json:
        typer.echo(
            f"OK: {verdict.entries} entries, {verdict.verified_entries} verified against "
            f"{verdict.segments} anchored segments"
        )
        for note in verdict.notes:
            typer.echo(note)


@audit_app.command("operator")
def operator(
    ctx: typer.Context,
    code: str,
    revoke: Annotated[bool, typer.Option("--revoke", help="Stop it being a log operator.")] = False,
    member: Annotated[str | None, typer.Option("--member", help=MEMBER_HELP)] = None,
) -> None:
    """Make a department a log operator (via governance): only log operators may anchor, and
    so claim, an access log. The gateway's operator department needs it."""
    settings = state(ctx).settings
    keystore = open_keystore(settings)
    with open_chain(settings) as chain:
        signers = committee_signers(keystore, chain.registries, member)
        outcome = set_log_operator(chain.registries, signers, code, operator=not revoke)
    report(outcome, f"{code} {'is no longer' if revoke else 'is'} a log operator")
