"""What the root command hands to every subcommand."""

from __future__ import annotations

from dataclasses import dataclass

import typer

from govledger.settings import Settings


@dataclass(frozen=True)
class CLIState:
    settings: Settings
    debug: bool


def state(ctx: typer.Context) -> CLIState:
    """The state the root callback stored; subcommands take their settings from here."""
    obj = ctx.find_root().obj
    assert isinstance(obj, CLIState)
    return obj
