"""``govledger bench``: the project's benchmarks. Figures in docs/benchmarks.md come from here."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Measure throughput against reference implementations.", no_args_is_help=True
)
