"""What every command stands on, the platform's (``govledger.cli``) and the services' alike: the
state the root command hands down, the platform opened for one command, and the shared output.
Input files are read through :mod:`govledger.files`."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import typer

from govledger.committee import ProposalOutcome, utc_text
from govledger.platform import PlatformContext, ServicePlugin, open_platform
from govledger.settings import Settings

MEMBER_HELP = "Keystore name of the one committee member who acts (default: every committee-* key)."
REASON_HELP = "Reason code recorded on chain (0-65535)."


@dataclass(frozen=True)
class CLIState:
    settings: Settings
    debug: bool
    # Every service the command line runs: the database they share stays at all their heads.
    services: Sequence[ServicePlugin]


def state(ctx: typer.Context) -> CLIState:
    """The state the root callback stored; subcommands take their settings from here."""
    obj = ctx.find_root().obj
    assert isinstance(obj, CLIState)
    return obj


@contextmanager
def command_platform(ctx: typer.Context, *, read_only: bool = False) -> Iterator[PlatformContext]:
    """The platform for one command, migrated for every service (``read_only``: see
    :func:`~govledger.platform.open_platform`)."""
    cli = state(ctx)
    with open_platform(cli.settings, cli.services, read_only=read_only) as context:
        yield context


def echo_json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2))


def report(outcome: ProposalOutcome, done: str) -> None:
    """Say whether a governance proposal executed, or what it still needs."""
    if outcome.executed:
        typer.echo(f"{done} (proposal {outcome.proposal_id}, executed)")
        return
    missing = outcome.threshold - outcome.approvals
    typer.echo(
        f"proposal {outcome.proposal_id}: {outcome.approvals} of {outcome.threshold} approvals; "
        f"{missing} more member(s) must run "
        f"`govledger governance approve {outcome.proposal_id} --member NAME` "
        f"before it expires at {utc_text(outcome.expires_at)}"
    )
