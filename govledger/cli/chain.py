"""``govledger chain``: deploy and inspect the on-chain registries."""

from __future__ import annotations

import typer

app = typer.Typer(help="Deploy and inspect the on-chain registries.", no_args_is_help=True)
