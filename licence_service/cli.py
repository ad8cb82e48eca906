"""``govledger licence`` and ``govledger seal``: issue, show, change, present and verify
licences; make, revoke and list seals.

The commands act as a department whose keys are in the local keystore (``--as CODE``), through
the same service the HTTP API uses. The chain has one writer: while ``govledger serve`` holds the
data dir, the commands that change something stop with "the chain ... is in use" (use the HTTP
API then); ``show``, ``verify`` and ``history`` only read, so they open the chain read-only and
work beside the server.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from govledger.commands import command_platform, echo_json, state
from govledger.errors import InvalidInput
from govledger.files import read_json_file, read_json_input
from licence_service.domain.presentation import PresentationQR, presentation_qr
from licence_service.domain.verify import VerificationReport
from licence_service.plugin import build_service
from licence_service.ports import BatchState, StoredBatch, StoredSeal
from licence_service.service import (
    LicenceRequest,
    LicenceService,
    Reason,
    StatusAction,
    SuccessorAction,
)
from licence_service.settings import LicenceSettings

licence_app = typer.Typer(
    help="Issue, change, present and verify e-licences.", no_args_is_help=True
)
seal_app = typer.Typer(help="Electronic seals (GB/T 38540 style) on chain.", no_args_is_help=True)
# What the plugin adds to the ``govledger`` command.
commands = typer.Typer()
commands.add_typer(licence_app, name="licence")
commands.add_typer(seal_app, name="seal")

AsDepartment = Annotated[
    str, typer.Option("--as", help="Code of the department acting (its keys are in the keystore).")
]
BATCH_STATES = (BatchState.OPEN, BatchState.SEALED, BatchState.ANCHORED, BatchState.REFUSED)
ReasonCode = Annotated[int, typer.Option("--reason-code", min=0, max=65535)]
ReasonText = Annotated[str, typer.Option("--reason", help="Why (kept with the change).")]


@contextmanager
def licence_service(ctx: typer.Context) -> Iterator[LicenceService]:
    """The licence service on the data dir, for one command that changes something. Batches it
    leaves open are anchored before it closes (there is no background batcher in a command)."""
    with command_platform(ctx) as context:
        service = build_service(context, LicenceSettings())
        service.anchor_sealed()
        try:
            yield service
        finally:
            service.anchor_due(everything=True)


@contextmanager
def licence_reader(ctx: typer.Context) -> Iterator[LicenceService]:
    """The licence service for one command that only reads: on the chain opened read-only,
    beside a running server, and anchoring nothing."""
    with command_platform(ctx, read_only=True) as context:
        yield build_service(context, LicenceSettings())


def print_report(report: VerificationReport) -> None:
    for check, result in report.checks().items():
        mark = "ok    " if result.ok else "FAILED"
        typer.echo(f"  {check.value:<9} {mark} {result.reason}: {result.message}")
    if report.anchor_supplied:
        typer.echo("  anchor    supplied by this service's records (the file carries none)")
    if report.successor_id is not None:
        typer.echo(f"  superseded by {report.successor_id}")
    if report.fields is not None:
        typer.echo("  fields:")
    elif report.unverified_fields:
        typer.echo("  fields UNVERIFIED (as the file claims them, not the licence's):")
    for name, value in (report.fields or report.unverified_fields or {}).items():
        typer.echo(f"    {name}: {value}")


@licence_app.command("issue")
def issue(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="One licence (object) or several (array).")],
    department: AsDepartment,
    bulk: Annotated[bool, typer.Option("--bulk", help="Issue an array as one batch.")] = False,
) -> None:
    """Issue licences from a JSON file and anchor them before returning."""
    data = read_json_file(file)
    items = data if isinstance(data, list) else [data]
    if len(items) > 1 and not bulk:
        raise InvalidInput("the file holds several licences: pass --bulk")
    requests = [LicenceRequest.model_validate(item) for item in items]
    with licence_service(ctx) as service:
        if bulk:
            issued = service.issue_bulk(
                department,
                requests,
                progress=lambda done: typer.echo(f"{done}/{len(requests)} stored", err=True),
            )
            for batch in issued.batches:
                typer.echo(batch_line(batch))
            typer.echo("\n".join(issued.licence_ids))
            return
        single = service.issue(department, requests[0])
        service.anchor_due(everything=True)
        typer.echo(single.state.licence.licence_id)
        typer.echo(f"holder token: {single.holder_token}")


@licence_app.command("show")
def show(ctx: typer.Context, licence_id: str) -> None:
    """A licence's status, anchor and document."""
    with licence_reader(ctx) as service:
        current = service.state(licence_id)
        batch = current.licence.batch
        echo_json(
            {
                "licence_id": licence_id,
                "status": current.status,
                "successor_id": current.successor_id,
                "anchor": {
                    "batch_id": batch.batch_id,
                    "state": batch.state,
                    "root": None if batch.root is None else batch.root.hex(),
                    "tx_hash": None if batch.tx is None else batch.tx.tx_hash,
                    "reason": batch.refused_reason,
                },
                "document": current.licence.document.model_dump(mode="json"),
            }
        )


@licence_app.command("verify")
def verify_file(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A licence document or presentation (JSON).")],
) -> None:
    """Run the four checks; exit 0 only if all pass."""
    data = read_json_input(file)
    with licence_reader(ctx) as service:
        report = service.verify(data)
    claimed = "" if report.integrity.ok else " (identifier unverified)"
    typer.echo(f"{report.licence_id or file}{claimed}: {'VALID' if report.ok else 'NOT VALID'}")
    print_report(report)
    if not report.ok:
        raise typer.Exit(1)


def _status_command(action: StatusAction) -> None:
    def change(
        ctx: typer.Context,
        licence_id: str,
        department: AsDepartment,
        reason_code: ReasonCode = 0,
        reason: ReasonText = action.value,
    ) -> None:
        with licence_service(ctx) as service:
            changed = service.change_status(
                department, licence_id, action, Reason(reason_code, reason)
            )
        typer.echo(f"{licence_id}: {changed.status}")

    change.__doc__ = f"{action.value.capitalize()} a licence on chain (its issuer only)."
    licence_app.command(action.value)(change)


for _action in StatusAction:
    _status_command(_action)


@licence_app.command("renew")
def renew(
    ctx: typer.Context,
    licence_id: str,
    department: AsDepartment,
    *,
    valid_from: Annotated[str, typer.Option("--valid-from", help="YYYY-MM-DD")],
    valid_to: Annotated[
        str | None, typer.Option("--valid-to", help="YYYY-MM-DD; none: no end")
    ] = None,
    reason_code: ReasonCode = 0,
    reason: ReasonText = "renewal",
) -> None:
    """Issue the next version with new validity dates; the old one is superseded on chain."""
    changes = {"valid_from": valid_from, "valid_to": valid_to}
    _supersede(
        ctx,
        licence_id,
        department=department,
        action=SuccessorAction.RENEW,
        changes=changes,
        reason=Reason(reason_code, reason),
    )


@licence_app.command("transfer")
def transfer(
    ctx: typer.Context,
    licence_id: str,
    department: AsDepartment,
    *,
    holder_name: Annotated[str, typer.Option("--holder-name")],
    holder_id_number: Annotated[str, typer.Option("--holder-id-number")],
    holder_id_type: Annotated[str, typer.Option("--holder-id-type")] = "111",
    reason_code: ReasonCode = 0,
    reason: ReasonText = "transfer",
) -> None:
    """Issue the next version to a new holder; the old one is superseded on chain."""
    changes = {
        "holder_name": holder_name,
        "holder_id_type": holder_id_type,
        "holder_id_number": holder_id_number,
    }
    _supersede(
        ctx,
        licence_id,
        department=department,
        action=SuccessorAction.TRANSFER,
        changes=changes,
        reason=Reason(reason_code, reason),
    )


def _supersede(
    ctx: typer.Context,
    licence_id: str,
    *,
    department: str,
    action: SuccessorAction,
    changes: Mapping[str, str | None],
    reason: Reason,
) -> None:
    with licence_service(ctx) as service:
        issued = service.supersede(department, licence_id, action, changes, reason)
    typer.echo(f"{licence_id}: superseded by")
    typer.echo(issued.state.licence.licence_id)
    typer.echo(f"holder token: {issued.holder_token}")


def batch_line(batch: StoredBatch) -> str:
    """One line per batch: id, root, size, state, and its transaction or refusal."""
    root = "-" if batch.root is None else batch.root.hex()
    tail = "" if batch.tx is None else f" tx {batch.tx.tx_hash}"
    if batch.refused_reason is not None:
        tail = f": {batch.refused_reason}"
    return f"batch {batch.batch_id} {root} ({batch.count} licences): {batch.state}{tail}"


@licence_app.command("batches")
def batches(
    ctx: typer.Context,
    department: AsDepartment,
    only: Annotated[
        str | None,
        typer.Option("--state", help="open, sealed, anchored or refused (default: all)."),
    ] = None,
) -> None:
    """The department's batches; a refused one with the reason the chain gave."""
    if only is not None and only not in BATCH_STATES:
        raise InvalidInput(f"--state is one of {', '.join(BATCH_STATES)}, not {only!r}")
    with licence_service(ctx) as service:
        for batch in service.batches(department, only):
            typer.echo(batch_line(batch))


@licence_app.command("retry-batch")
def retry_batch(
    ctx: typer.Context,
    batch_id: Annotated[int, typer.Argument(min=1)],
    department: AsDepartment,
) -> None:
    """Send a batch the chain refused again, once its cause is gone."""
    with licence_service(ctx) as service:
        typer.echo(batch_line(service.retry_batch(department, batch_id)))


@licence_app.command("history")
def history(ctx: typer.Context, licence_id: str) -> None:
    """Issuance and status changes, from the chain with the stored reasons."""
    with licence_reader(ctx) as service:
        for entry in service.history(licence_id):
            tx = "" if entry.tx is None else entry.tx.tx_hash
            reason = "" if entry.reason is None else f" ({entry.reason_code}: {entry.reason})"
            by = "" if entry.successor_id is None else f" by {entry.successor_id}"
            status = entry.status.name.lower()
            typer.echo(f"{entry.at}  {entry.action:<10} {status}{by}{reason}  {tx}")


@licence_app.command("present")
def present_licence(
    ctx: typer.Context,
    licence_id: str,
    *,
    fields: Annotated[str, typer.Option("--fields", help="Comma-separated field names.")],
    out: Annotated[Path, typer.Option("--out", help="Write the presentation JSON here.")],
    lifetime: Annotated[int, typer.Option("--lifetime", min=1, help="Seconds.")] = 600,
    qr: Annotated[Path | None, typer.Option("--qr", help="Write its QR code (PNG) here.")] = None,
) -> None:
    """Make a presentation of chosen fields (as the holder would through the API)."""
    names = [name.strip() for name in fields.split(",") if name.strip()]
    settings = state(ctx).settings
    with licence_service(ctx) as service:
        presentation = service.present(service.licence(licence_id), names, lifetime)
    out.write_bytes(presentation.canonical())
    typer.echo(f"presentation {presentation.digest().hex()} → {out}")
    if qr is not None:
        base_url = None if settings.public_base_url is None else str(settings.public_base_url)
        code = presentation_qr(presentation, base_url=base_url)
        qr.write_bytes(code.png())
        typer.echo(f"QR code ({qr_kind(code)}, version {code.version}) → {qr}")


def qr_kind(code: PresentationQR) -> str:
    """What a presentation's QR code holds, in a few words."""
    if code.embedded:
        return "the presentation itself"
    if code.payload.startswith("http"):
        return f"the verify page {code.payload}"
    return "a reference to it (set GOVLEDGER_PUBLIC_BASE_URL for a verify URL)"


@licence_app.command("holder-token")
def holder_token(ctx: typer.Context, licence_id: str, department: AsDepartment) -> None:
    """A new holder token for a licence (the previous one stops working)."""
    with licence_service(ctx) as service:
        typer.echo(service.new_holder_token(department, licence_id))


def seal_line(stored: StoredSeal) -> str:
    prop = stored.seal.info.property
    revoked = "" if stored.revoked_at is None else f"  REVOKED {stored.revoked_at:%Y-%m-%d}"
    return (
        f"{stored.seal.hash.hex()}  {stored.seal.info.seal_id}  {prop.name}  "
        f"{prop.valid_start:%Y-%m-%d}..{prop.valid_end:%Y-%m-%d}{revoked}"
    )


@seal_app.command("create")
def create(
    ctx: typer.Context,
    department: AsDepartment,
    name: Annotated[str, typer.Option("--name", help="The seal's name as it appears on it.")],
    valid_days: Annotated[int, typer.Option("--valid-days", min=1)] = 3650,
) -> None:
    """Make the department's seal, held by its current SM2 key, and register it on chain."""
    with licence_service(ctx) as service:
        stored = service.create_seal(
            department, name=name, valid_end=datetime.now(UTC) + timedelta(days=valid_days)
        )
    typer.echo(seal_line(stored))


@seal_app.command("revoke")
def revoke(
    ctx: typer.Context, seal_hash: str, department: AsDepartment, reason_code: ReasonCode = 0
) -> None:
    """Revoke a seal (its owner only): licences it sealed before stay valid."""
    try:
        digest = bytes.fromhex(seal_hash)
    except ValueError:
        raise typer.BadParameter("a seal hash is 64 hex digits") from None
    with licence_service(ctx) as service:
        typer.echo(seal_line(service.revoke_seal(department, digest, reason_code)))


@seal_app.command("list")
def list_seals(
    ctx: typer.Context,
    owner: Annotated[str | None, typer.Option("--owner", help="Only this department's.")] = None,
) -> None:
    with licence_reader(ctx) as service:
        for stored in service.seals(owner):
            typer.echo(seal_line(stored))
