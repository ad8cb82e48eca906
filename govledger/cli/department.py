"""``govledger department``: register and administer departments through the committee.

Every change is a governance proposal. By default the ``committee-*`` keys in the keystore act
(in development they are the whole committee, so the change executes at once); with
``--member NAME`` only that member proposes, and the others approve with
``govledger governance approve``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from govledger.cli.login import PassphraseFile, read_passphrase
from govledger.commands import MEMBER_HELP, REASON_HELP, echo_json, report, state
from govledger.committee import committee_signers
from govledger.department_keys import department_key_name
from govledger.departments import (
    register_department,
    reinstate_department,
    rekey_department,
    set_department_roles,
    suspend_department,
)
from govledger.deployment import open_chain
from govledger.directory import check_uscc
from govledger.errors import Conflict, NotFound
from govledger.files import write_durably
from govledger.keystore import open_keystore
from ledger.contracts.values import Department, Role

app = typer.Typer(
    help="Register and administer departments (via governance).", no_args_is_help=True
)


def parse_roles(roles: str) -> list[Role]:
    """``"ISSUER,SEAL_ADMIN"`` → roles; an empty string is no role."""
    return [Role.parse(name) for name in roles.split(",") if name.strip()]


def department_json(department: Department) -> dict[str, Any]:
    return {
        "code": department.code,
        "name": department.name,
        "active": department.active,
        "roles": sorted(role.name for role in department.roles),
        "accounts": list(department.accounts),
        "sm2_public_key": "04" + department.public_key.hex(),
        "key_version": department.key_version,
        "registered_at": department.registered_at,
    }


@app.command("register")
def register(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="Unified social credit code (18 characters)."),
    name: str = typer.Option(..., "--name", help="The department's name."),
    roles: str = typer.Option(
        "", "--roles", help="Comma-separated roles: " + ",".join(role.name for role in Role)
    ),
    member: str | None = typer.Option(None, "--member", help=MEMBER_HELP),
) -> None:
    """Create the department's SM2 key and chain account, and have the committee register it."""
    settings = state(ctx).settings
    check_uscc(code)
    wanted = parse_roles(roles)
    keystore = open_keystore(settings)
    with open_chain(settings) as chain:
        signers = committee_signers(keystore, chain.registries, member)
        keys, outcome = register_department(
            chain.registries, keystore, signers, code, name=name, roles=wanted
        )
    typer.echo(f"keys: keystore entry {keys.name!r}, account {keys.address}")
    report(outcome, f"registered {code}")


@app.command("rekey")
def rekey(
    ctx: typer.Context,
    code: str,
    member: str | None = typer.Option(None, "--member", help=MEMBER_HELP),
) -> None:
    """Create a new SM2 key for the department and have the committee install it."""
    settings = state(ctx).settings
    keystore = open_keystore(settings)
    with open_chain(settings) as chain:
        signers = committee_signers(keystore, chain.registries, member)
        keys, outcome = rekey_department(chain.registries, keystore, signers, code)
    typer.echo(f"new key: keystore entry {keys.name!r}")
    report(outcome, f"installed the new key of {code}")


@app.command("set-roles")
def set_roles(
    ctx: typer.Context,
    code: str,
    roles: str = typer.Option(..., "--roles", help="The complete new set, comma-separated."),
    member: str | None = typer.Option(None, "--member", help=MEMBER_HELP),
) -> None:
    """Give the department exactly these roles (one proposal per grant or revocation)."""
    settings = state(ctx).settings
    wanted = parse_roles(roles)
    keystore = open_keystore(settings)
    with open_chain(settings) as chain:
        signers = committee_signers(keystore, chain.registries, member)
        changes = set_department_roles(chain.registries, signers, code, wanted)
    if not changes:
        typer.echo(f"{code} already has exactly these roles")
    for action, outcome in changes:
        report(outcome, action.description)


@app.command("suspend")
def suspend(
    ctx: typer.Context,
    code: str,
    reason: int = typer.Option(0, "--reason", help=REASON_HELP, min=0, max=65535),
    member: str | None = typer.Option(None, "--member", help=MEMBER_HELP),
) -> None:
    """Suspend the department: its accounts fail every role check until reinstated."""
    settings = state(ctx).settings
    keystore = open_keystore(settings)
    with open_chain(settings) as chain:
        signers = committee_signers(keystore, chain.registries, member)
        report(suspend_department(chain.registries, signers, code, reason), f"suspended {code}")


@app.command("reinstate")
def reinstate(
    ctx: typer.Context,
    code: str,
    reason: int = typer.Option(0, "--reason", help=REASON_HELP, min=0, max=65535),
    member: str | None = typer.Option(None, "--member", help=MEMBER_HELP),
) -> None:
    """Reinstate a suspended department."""
    settings = state(ctx).settings
    keystore = open_keystore(settings)
    with open_chain(settings) as chain:
        signers = committee_signers(keystore, chain.registries, member)
        report(reinstate_department(chain.registries, signers, code, reason), f"reinstated {code}")


@app.command("show")
def show(
    ctx: typer.Context,
    code: str,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """The department as the registry has it."""
    check_uscc(code)
    with open_chain(state(ctx).settings, read_only=True) as chain:
        department = chain.registries.departments.find_department(code)
    if department is None:
        raise NotFound(f"department {code} is not registered")
    shown = department_json(department)
    if as_json:
        echo_json(shown)
        return
    for key, value in shown.items():
        text = ", ".join(map(str, value)) if isinstance(value, list) else value
        typer.echo(f"{key:<15} {text}")


@app.command("list")
def list_departments(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Every registered department, in registration order."""
    with open_chain(state(ctx).settings, read_only=True) as chain:
        departments = chain.registries.departments
        listed = [departments.get_department(code) for code in departments.registered_codes()]
    if as_json:
        echo_json([department_json(d) for d in listed])
        return
    for department in listed:
        status = "active" if department.active else "suspended"
        roles = ",".join(sorted(role.name for role in department.roles)) or "-"
        typer.echo(f"{department.code}  {status:<9}  {roles:<40}  {department.name}")


@app.command("export-key")
def export_key(
    ctx: typer.Context,
    code: str,
    out: Annotated[Path, typer.Option("--out", help="The PEM file to write (mode 0600).")],
    passphrase_file: PassphraseFile = None,
) -> None:
    """Write the department's SM2 key in force as an encrypted PKCS#8 PEM (PBES2:
    PBKDF2-HMAC-SHA256, SM4-CBC), which `openssl pkey -passin` and `govledger login --key` read."""
    check_uscc(code)
    settings = state(ctx).settings
    with open_chain(settings, read_only=True) as chain:
        department = chain.registries.departments.find_department(code)
    if department is None:
        raise NotFound(f"department {code} is not registered")
    keys = open_keystore(settings).load(department_key_name(code, department.key_version))
    pem = keys.sm2.to_pem(read_passphrase(passphrase_file, confirm=True))
    try:
        write_durably(out, pem, replace=False)
    except FileExistsError:
        raise Conflict(f"{out} exists: the key is not written over another file") from None
    typer.echo(f"key version {department.key_version} of {code} → {out}")
