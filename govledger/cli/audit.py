"""``govledger audit``: export the gateway's access log, and verify an export against the chain."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from govledger.chain import open_chain
from govledger.cli.context import state
from govledger.db import make_engine, make_session_factory
from govledger.errors import VerificationFailed
from govledger.files import read_json_file, read_text_file
from sharing_gateway import audit
from sharing_gateway.domain.auditlog import export_csv, export_json, parse_export, verify_log
from sharing_gateway.settings import GatewaySettings

app = typer.Typer(help="Export and verify the sharing gateway's access log.", no_args_is_help=True)


class AuditLogTampered(VerificationFailed):
    """An exported access log differs from what the chain anchors."""

    code = "audit-log-tampered"
    title = "Access log tampered"


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"


@app.command("export")
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
            entries = audit.entries(session)
    finally:
        engine.dispose()
    text = (
        export_csv(entries)
        if export_format is ExportFormat.csv
        else export_json(GatewaySettings().log_id, entries)
    )
    output.write_text(text, encoding="utf-8")
    typer.echo(f"{len(entries)} entries written to {output}")


@app.command("verify")
def verify(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="An export (JSON or CSV).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Check the hash chain and every anchored Merkle root; fail at the first altered, removed
    or inserted entry, naming its sequence number."""
    text = read_text_file(file)
    export = read_json_file(file) if text.lstrip().startswith("{") else None
    log_id = export.get("log_id") if isinstance(export, dict) else None
    with open_chain(state(ctx).settings) as chain:
        segments = audit.ChainAnchoredLog(
            chain.registries, log_id or GatewaySettings().log_id
        ).segments()
    verdict = verify_log(parse_export(text), segments)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "ok": verdict.ok,
                    "entries": verdict.entries,
                    "anchored_entries": verdict.anchored_entries,
                    "segments": verdict.segments,
                    "seq": verdict.seq,
                    "problem": verdict.problem,
                    "notes": verdict.notes,
                }
            )
        )
    if not verdict.ok:
        raise AuditLogTampered(f"{verdict.problem} (seq {verdict.seq})", seq=verdict.seq)
    if not as_json:
        typer.echo(
            f"OK: {verdict.entries} entries, {verdict.anchored_entries} anchored in "
            f"{verdict.segments} segments"
        )
        for note in verdict.notes:
            typer.echo(note)
