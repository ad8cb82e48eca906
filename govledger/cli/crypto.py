"""``govledger crypto``: SM2 keys, signatures and SM3 digests from the command line."""

from __future__ import annotations

import typer

app = typer.Typer(help="SM2 keys and signatures, SM3 digests.", no_args_is_help=True)
