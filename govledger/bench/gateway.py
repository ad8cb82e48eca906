"""Release throughput of the sharing gateway over HTTP, and how soon a release is anchored.

The app (``create_app`` with every service) runs under uvicorn in a child process on 127.0.0.1,
on a fresh temporary data dir with the embedded chain. This process registers a provider, a
requester and an operator (who anchors the log and audits), publishes a dataset, has a grant
approved, then sends N releases over C keep-alive connections (raw HTTP/1.1 from one asyncio
thread; stopped after ``LOAD_TIMEOUT_S`` if not done) and stops. Latency is measured per request
at the client; throughput is N over the wall time of the run. The anchor delay is the time from
a release's response until the gateway shows its log entry anchored on chain (polled every 20 ms
through the audit API); the worst of the load's last release and three quiet ones is reported.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from govledger.app import create_app
from govledger.bench.setup import department_code, prepare_chain
from govledger.keystore import open_keystore
from govledger.settings import Settings, load_settings
from ledger.contracts.values import Role
from ledger.devnode import free_port
from sharing_gateway.client import GatewayClient

Progress = Callable[[str], None]
DATASET = "bench-licences"
FIELDS = ["name", "licence_no", "employees"]
RECORD_COUNT = 20
STARTUP_TIMEOUT_S = 120.0
ANCHOR_TIMEOUT_S = 30.0
# The load stops after this long even if requests are left (they are then not counted as sent).
LOAD_TIMEOUT_S = 300.0
REQUEST_TIMEOUT_S = 30.0
_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length: *(\d+)", re.IGNORECASE)
_AUDIT_SEQ = re.compile(rb'"audit_seq": *(\d+)')


PROVIDER, REQUESTER, OPERATOR = (department_code("91350100", serial) for serial in (1, 2, 3))


@dataclass(frozen=True)
class GatewayBenchmark:
    requests: int
    concurrency: int
    errors: int
    wall_s: float
    releases_per_s: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    anchor_delay_s: float


def app_from_environment() -> FastAPI:
    """The factory the child process's uvicorn runs (settings from the environment), as
    ``govledger serve`` builds it."""
    return create_app(load_settings(), freeze_heap=True)


def _prepare_chain(settings: Settings, progress: Progress) -> None:
    progress("deploying contracts and registering three departments")
    prepare_chain(
        settings,
        {
            PROVIDER: [Role.DATA_PROVIDER],
            REQUESTER: [Role.DATA_REQUESTER],
            OPERATOR: [Role.AUDITOR],
        },
        committee_size=1,
        log_operator=OPERATOR,
    )


@contextmanager
def _server(data_dir: Path, progress: Progress) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "GOVLEDGER_DATA_DIR": str(data_dir),
        "GOVLEDGER_ENVIRONMENT": "test",
        "GOVLEDGER_GATEWAY_OPERATOR_CODE": OPERATOR,
    }
    for name in ("GOVLEDGER_DATABASE_URL", "GOVLEDGER_CHAIN_BACKEND", "GOVLEDGER_BLOB_DIR"):
        env.pop(name, None)
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        f"{__name__}:app_from_environment",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    progress(f"starting the app on 127.0.0.1:{port}")
    child = subprocess.Popen(command, env=env)  # noqa: S603 (our own interpreter and module)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if child.poll() is not None:
                raise RuntimeError(f"the app exited with status {child.returncode}")
            try:
                if httpx.get(f"{url}/openapi.json", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the app did not start in time")
            time.sleep(0.2)
        yield url
    finally:
        child.terminate()
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _setup_grant(url: str, settings: Settings, uses: int) -> tuple[GatewayClient, int, str]:
    """Publish the dataset and get a grant; returns the requester's client, grant and token."""
    keystore = open_keystore(settings)
    provider = GatewayClient(url, PROVIDER, keystore.load(PROVIDER).sm2)
    requester = GatewayClient(url, REQUESTER, keystore.load(REQUESTER).sm2)
    try:
        provider.call(
            "POST",
            "/v1/datasets",
            json={
                "dataset_id": DATASET,
                "title": "Business licences (benchmark)",
                "share_class": "conditional",
                "fields": [
                    {"name": "name", "type": "string"},
                    {"name": "licence_no", "type": "string"},
                    {"name": "employees", "type": "integer"},
                    {"name": "active", "type": "boolean"},
                ],
            },
        )
        records = [
            {"name": f"Company {i}", "licence_no": f"L-{i:06d}", "employees": i, "active": True}
            for i in range(RECORD_COUNT)
        ]
        provider.call("POST", f"/v1/datasets/{DATASET}/versions", json=records)
        grant_id = int(
            requester.call(
                "POST",
                "/v1/requests",
                json={
                    "dataset_id": DATASET,
                    "fields": FIELDS,
                    "purpose": "benchmark",
                    "use_scenario": "benchmark",
                    "expires_at": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
                    "max_uses": uses,
                },
            )["grant_id"]
        )
        provider.call("POST", f"/v1/requests/{grant_id}/approve", json={})
    finally:
        provider.close()
    # The client checks the envelope opens to exactly the granted fields before the run.
    fetched = requester.fetch(DATASET, grant_id, FIELDS)
    if [sorted(record) for record in fetched.records] != [sorted(FIELDS)] * RECORD_COUNT:
        raise RuntimeError("the released envelope does not hold exactly the granted fields")
    return requester, grant_id, requester.sign_in()


@dataclass
class _LoadRun:
    """What the load measured: a latency (s) per answered request, errors, and the highest
    audit sequence number released."""

    latencies: list[float]
    errors: int = 0
    last_seq: int = -1


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """One HTTP/1.1 response with a Content-Length (what uvicorn sends for JSON): status, body."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = _CONTENT_LENGTH.search(head)
    if length is None:
        raise RuntimeError("a response without Content-Length")
    return status, await reader.readexactly(int(length.group(1)))


async def _connection(
    port: int, request: bytes, remaining: list[int], deadline: float, run: _LoadRun
) -> None:
    """One keep-alive connection sending requests one after another while any are left."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while remaining[0] > 0 and time.monotonic() < deadline:
            remaining[0] -= 1
            started = time.perf_counter()
            writer.write(request)
            status, body = await asyncio.wait_for(_read_response(reader), REQUEST_TIMEOUT_S)
            run.latencies.append(time.perf_counter() - started)
            seq = _AUDIT_SEQ.search(body)
            if status == 200 and seq is not None:
                run.last_seq = max(run.last_seq, int(seq.group(1)))
            else:
                run.errors += 1
    finally:
        writer.close()
        await writer.wait_closed()


async def _load_async(
    port: int, request: bytes, requests: int, concurrency: int
) -> tuple[_LoadRun, float]:
    remaining = [requests]
    run = _LoadRun([])
    deadline = time.monotonic() + LOAD_TIMEOUT_S
    started = time.perf_counter()
    await asyncio.gather(
        *(_connection(port, request, remaining, deadline, run) for _ in range(concurrency))
    )
    return run, time.perf_counter() - started


def _load(
    url: str, path: str, token: str, requests: int, concurrency: int
) -> tuple[_LoadRun, float]:
    """At most ``requests`` GETs over ``concurrency`` keep-alive connections, for at most
    ``LOAD_TIMEOUT_S``; what was measured, and the wall time.

    Raw HTTP/1.1 over asyncio streams in one thread: an HTTP client library costs the load
    generator about as much CPU per request as the server spends, on the same two cores."""
    port = httpx.URL(url).port
    assert port is not None  # _server gives an explicit port
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n\r\n"
    ).encode()
    return asyncio.run(_load_async(port, request, requests, concurrency))


def _anchor_delay(auditor: GatewayClient, seq: int, since: datetime, released_at: float) -> float:
    deadline = time.monotonic() + ANCHOR_TIMEOUT_S
    while time.monotonic() < deadline:
        trace = auditor.call(
            "GET",
            "/v1/audit/entries",
            params={"since": since.isoformat(), "chain": "false"},
        )
        if any(e["seq"] == seq and e["anchor"] for e in trace["entries"]):
            return time.perf_counter() - released_at
        time.sleep(0.02)
    raise RuntimeError(f"entry {seq} was not anchored within {ANCHOR_TIMEOUT_S} s")


def _percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def run(*, requests: int, concurrency: int, progress: Progress) -> GatewayBenchmark:
    with tempfile.TemporaryDirectory(prefix="govledger-bench-gateway-") as temporary:
        data_dir = Path(temporary)
        settings = Settings(data_dir=data_dir, environment="test")
        _prepare_chain(settings, progress)
        with _server(data_dir, progress) as url:
            progress("publishing a dataset and getting a grant")
            requester, grant_id, token = _setup_grant(url, settings, uses=requests + 100)
            auditor = GatewayClient(url, OPERATOR, open_keystore(settings).load(OPERATOR).sm2)
            path = f"/v1/datasets/{DATASET}/data?grant={grant_id}&fields={','.join(FIELDS)}"
            try:
                progress(f"{requests} releases over {concurrency} connections")
                run, wall = _load(url, path, token, requests, concurrency)
                sent = len(run.latencies)
                progress(f"{sent - run.errors} released in {wall:.2f} s, {run.errors} errors")
                # The last release was logged at most its latency ago: polling only the entries
                # since then (and a second) keeps each poll small; the whole run's entries would
                # take longer to list, with their proofs, than the anchor takes to land.
                slowest = max(run.latencies, default=0.0)
                since = datetime.now(UTC) - timedelta(seconds=1 + slowest)
                delays = [_anchor_delay(auditor, run.last_seq, since, time.perf_counter())]
                progress("anchor delay of three quiet releases")
                for _ in range(3):
                    since = datetime.now(UTC) - timedelta(seconds=1)
                    released_at = time.perf_counter()
                    seq = int(requester.call("GET", path)["audit_seq"])
                    delays.append(_anchor_delay(auditor, seq, since, released_at))
            finally:
                requester.close()
                auditor.close()
    ordered = sorted(run.latencies)
    return GatewayBenchmark(
        requests=sent,  # fewer than asked only if the load hit LOAD_TIMEOUT_S
        concurrency=concurrency,
        errors=run.errors,
        wall_s=wall,
        releases_per_s=(sent - run.errors) / wall,
        p50_ms=_percentile(ordered, 0.50) * 1000,
        p99_ms=_percentile(ordered, 0.99) * 1000,
        max_ms=ordered[-1] * 1000,
        anchor_delay_s=max(delays),
    )


def report(result: GatewayBenchmark) -> dict[str, Any]:
    return {
        "requests": result.requests,
        "concurrency": result.concurrency,
        "errors": result.errors,
        "wall_s": round(result.wall_s, 3),
        "releases_per_s": round(result.releases_per_s, 1),
        "p50_ms": round(result.p50_ms, 2),
        "p99_ms": round(result.p99_ms, 2),
        "max_ms": round(result.max_ms, 2),
        "anchor_delay_s": round(result.anchor_delay_s, 3),
    }


def table(result: GatewayBenchmark) -> str:
    return "\n".join(
        [
            f"{result.requests} releases over HTTP, {result.concurrency} concurrent, "
            f"{result.errors} errors, {result.wall_s:.2f} s",
            "",
            f"{'releases/s':<22}{result.releases_per_s:>10.1f}   (goal >= 500)",
            f"{'p50 latency (ms)':<22}{result.p50_ms:>10.2f}",
            f"{'p99 latency (ms)':<22}{result.p99_ms:>10.2f}   (goal < 50)",
            f"{'max latency (ms)':<22}{result.max_ms:>10.2f}",
            f"{'anchor delay (s)':<22}{result.anchor_delay_s:>10.3f}   (goal <= 2)",
        ]
    )
