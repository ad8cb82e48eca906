"""``govledger seal``: a SEAL_ADMIN department makes, revokes and lists its seals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from govledger.cli.context import state
from govledger.cli.licence import AsDepartment, ReasonCode, licence_reader, licence_service
from licence_service.ports import StoredSeal

app = typer.Typer(help="Electronic seals (GB/T 38540 style) on chain.", no_args_is_help=True)


def _line(stored: StoredSeal) -> str:
    prop = stored.seal.info.property
    revoked = "" if stored.revoked_at is None else f"  REVOKED {stored.revoked_at:%Y-%m-%d}"
    return (
        f"{stored.seal.hash.hex()}  {stored.seal.info.seal_id}  {prop.name}  "
        f"{prop.valid_start:%Y-%m-%d}..{prop.valid_end:%Y-%m-%d}{revoked}"
    )


@app.command("create")
def create(
    ctx: typer.Context,
    department: AsDepartment,
    name: Annotated[str, typer.Option("--name", help="The seal's name as it appears on it.")],
    valid_days: Annotated[int, typer.Option("--valid-days", min=1)] = 3650,
) -> None:
    """Make the department's seal, held by its current SM2 key, and register it on chain."""
    with licence_service(state(ctx).settings) as service:
        stored = service.create_seal(
            department, name=name, valid_end=datetime.now(UTC) + timedelta(days=valid_days)
        )
    typer.echo(_line(stored))


@app.command("revoke")
def revoke(
    ctx: typer.Context, seal_hash: str, department: AsDepartment, reason_code: ReasonCode = 0
) -> None:
    """Revoke a seal (its owner only): licences it sealed before stay valid."""
    try:
        digest = bytes.fromhex(seal_hash)
    except ValueError:
        raise typer.BadParameter("a seal hash is 64 hex digits") from None
    with licence_service(state(ctx).settings) as service:
        typer.echo(_line(service.revoke_seal(department, digest, reason_code)))


@app.command("list")
def list_seals(
    ctx: typer.Context,
    owner: Annotated[str | None, typer.Option("--owner", help="Only this department's.")] = None,
) -> None:
    with licence_reader(state(ctx).settings) as service:
        for stored in service.seals(owner):
            typer.echo(_line(stored))
