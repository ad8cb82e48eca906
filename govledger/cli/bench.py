"""``govledger bench``: the project's benchmarks. Figures in docs/benchmarks.md come from here."""

from __future__ import annotations

import enum
import json
from typing import Annotated

import typer

from govledger.bench import crypto as crypto_bench

app = typer.Typer(
    help="Measure throughput against reference implementations.", no_args_is_help=True
)


class BackendChoice(enum.StrEnum):
    native = "native"
    python = "python"
    all = "all"


@app.command("crypto")
def crypto(
    seconds: Annotated[
        float, typer.Option("--seconds", min=0.01, help="CPU seconds per measurement.")
    ] = 1.0,
    backend: Annotated[
        BackendChoice, typer.Option("--backend", help="Which sm_crypto backend(s) to measure.")
    ] = BackendChoice.all,
    rounds: Annotated[int, typer.Option("--rounds", min=1, help="Keep the best of N.")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """SM2 sign/verify and SM3 throughput per backend, against `openssl speed` and hashlib."""
    names = ["native", "python"] if backend is BackendChoice.all else [backend.value]
    result = crypto_bench.run(
        names, seconds=seconds, rounds=rounds, progress=lambda line: typer.echo(line, err=True)
    )
    if as_json:
        typer.echo(json.dumps(crypto_bench.report(result)))
    else:
        typer.echo(crypto_bench.table(result))
