"""``govledger bench``: the project's benchmarks. Figures in docs/benchmarks.md come from here."""

from __future__ import annotations

import enum
import json
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from govledger.bench import chain as chain_bench
from govledger.bench import crypto as crypto_bench
from govledger.bench import gateway as gateway_bench
from govledger.bench import licences as licences_bench
from govledger.commands import state

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


class ChainBackendChoice(enum.StrEnum):
    embedded = "embedded"
    rpc = "rpc"


@app.command("chain")
def chain(
    ctx: typer.Context,
    backend: Annotated[
        ChainBackendChoice,
        typer.Option("--backend", help="rpc: GOVLEDGER_CHAIN_RPC_URL, or a local Anvil."),
    ] = ChainBackendChoice.embedded,
    count: Annotated[int, typer.Option("--count", min=1, help="Transactions per mode.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Anchoring transactions/s (sequential and batched) and gas per contract function."""
    result = chain_bench.run(
        backend.value,
        count=count,
        settings=state(ctx).settings,
        progress=lambda line: typer.echo(line, err=True),
    )
    if as_json:
        typer.echo(json.dumps(chain_bench.report(result)))
    else:
        typer.echo(chain_bench.table(result))


@app.command("gateway")
def gateway(
    requests: Annotated[int, typer.Option("--requests", min=1, help="Releases to send.")] = 2000,
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, max=256)] = 8,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Releases/s and latency of GET /v1/datasets/{id}/data over HTTP, and the anchor delay."""
    result = gateway_bench.run(
        requests=requests, concurrency=concurrency, progress=lambda line: typer.echo(line, err=True)
    )
    typer.echo(json.dumps(gateway_bench.report(result)) if as_json else gateway_bench.table(result))


@app.command("licences")
def licences(
    count: Annotated[int, typer.Option("--count", min=1, max=100_000)] = 10_000,
    threads: Annotated[int, typer.Option("--threads", min=1, max=64)] = 2,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Bulk licence issuance end to end and verification, beside raw SM2 (embedded chain)."""
    with Progress(
        TextColumn("{task.description:<8}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=as_json,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        result = licences_bench.run(count, threads=threads, progress=progress)
    if as_json:
        typer.echo(json.dumps(result.report()))
    else:
        typer.echo(licences_bench.table(result))
