"""Release throughput of the sharing gateway over HTTP, and how soon a release is anchored.

The app (``create_app`` with every service) runs under uvicorn in a child process on 127.0.0.1,
on a fresh temporary data dir with the embedded chain. This process registers a provider, a
requester and an operator (who anchors the log and audits), publishes a dataset, has a grant
approved, then sends exactly N releases from C threads (each with its own keep-alive connection)
and stops. Latency is measured per request at the client; throughput is N over the wall time of
the run. The anchor delay is the time from a release's response until the gateway shows its log
entry anchored on chain (polled every 20 ms through the audit API); the worst of the load's last
release and three quiet ones is reported.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
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
from govledger.chain import (
    committee_signers,
    init_chain,
    open_chain,
    open_keystore,
    register_department,
)
from govledger.directory import uscc_check_character
from govledger.settings import Settings, load_settings
from ledger.contracts import Role
from sharing_gateway.client import GatewayClient

Progress = Callable[[str], None]
DATASET = "bench-licences"
FIELDS = ["name", "licence_no", "employees"]
RECORD_COUNT = 20
STARTUP_TIMEOUT_S = 120.0
ANCHOR_TIMEOUT_S = 30.0


def _code(serial: int) -> str:
    first17 = f"91350100{serial:09d}"
    return first17 + uscc_check_character(first17)


PROVIDER, REQUESTER, OPERATOR = _code(1), _code(2), _code(3)


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
    """The factory the child process's uvicorn runs (settings from the environment)."""
    return create_app(load_settings())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _prepare_chain(settings: Settings, progress: Progress) -> None:
    progress("deploying contracts and registering three departments")
    keystore = open_keystore(settings)
    init_chain(settings, keystore, members=1, threshold=1)
    with open_chain(settings) as chain:
        signers = committee_signers(keystore, chain.registries)
        for code, roles in (
            (PROVIDER, [Role.DATA_PROVIDER]),
            (REQUESTER, [Role.DATA_REQUESTER]),
            (OPERATOR, [Role.AUDITOR]),
        ):
            register_department(chain.registries, keystore, signers, code, name=code, roles=roles)


@contextmanager
def _server(data_dir: Path, progress: Progress) -> Iterator[str]:
    port = _free_port()
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


def _load(
    url: str, path: str, token: str, requests: int, concurrency: int
) -> tuple[list[float], int, float, int]:
    """Exactly ``requests`` GETs from ``concurrency`` threads; latencies (s), errors, wall time
    and the audit sequence number of the last release."""
    remaining = iter(range(requests))
    lock = threading.Lock()
    latencies: list[float] = []
    errors = 0
    last_seq = -1

    def worker() -> None:
        nonlocal errors, last_seq
        with httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as client:
            while True:
                with lock:
                    if next(remaining, None) is None:
                        return
                started = time.perf_counter()
                response = client.get(path)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    if response.status_code == 200:
                        last_seq = max(last_seq, int(response.json()["audit_seq"]))
                    else:
                        errors += 1

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, time.perf_counter() - started, last_seq


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
                progress(f"{requests} releases from {concurrency} threads")
                load_started = datetime.now(UTC) - timedelta(seconds=1)
                latencies, errors, wall, last_seq = _load(url, path, token, requests, concurrency)
                progress(f"{requests - errors} released in {wall:.2f} s, {errors} errors")
                delays = [_anchor_delay(auditor, last_seq, load_started, time.perf_counter())]
                progress("anchor delay of three quiet releases")
                for _ in range(3):
                    since = datetime.now(UTC) - timedelta(seconds=1)
                    released_at = time.perf_counter()
                    seq = int(requester.call("GET", path)["audit_seq"])
                    delays.append(_anchor_delay(auditor, seq, since, released_at))
            finally:
                requester.close()
                auditor.close()
    ordered = sorted(latencies)
    return GatewayBenchmark(
        requests=requests,
        concurrency=concurrency,
        errors=errors,
        wall_s=wall,
        releases_per_s=(requests - errors) / wall,
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
