"""Hostile input never kills or confuses the server or the CLI: deeply nested JSON, huge bodies
(with and without a Content-Length) and out-of-range ids, against a real ``govledger serve``
process on 127.0.0.1, which must still answer afterwards."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from govledger.auth.signin import sign_challenge
from govledger.errors import JSONTooDeep
from govledger.keystore import open_keystore
from govledger.settings import Settings
from tests.govledger.test_chain_cli import CODE, GOVLEDGER, Result, refused
from tests.imports import ROOT

PROBLEM = "application/problem+json"
JSON = {"content-type": "application/json"}
# About 200 KB of nested arrays: enough to overflow the C stack of a JSON parser without a guard.
DEEP = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 30_000 + b"1" + b"}" * 30_000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def clean_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("GOVLEDGER_")}
    return {**env, "GOVLEDGER_DATA_DIR": str(data_dir), "GOVLEDGER_ENVIRONMENT": "test", **extra}


@dataclass(frozen=True)
class Server:
    process: subprocess.Popen[bytes]
    port: int
    data_dir: Path

    def request(
        self,
        method: str,
        path: str,
        body: bytes | Iterator[bytes] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(
                method,
                path,
                body=body,
                headers=headers or {},
                encode_chunked=body is not None and not isinstance(body, bytes),
            )
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def post_json(self, path: str, body: object) -> dict[str, str]:
        answer = self.request("POST", path, json.dumps(body).encode(), JSON)
        assert answer[0] == 200, answer[2]
        document: dict[str, str] = json.loads(answer[2])
        return document

    def bearer(self, code: str) -> dict[str, str]:
        """Signed in as ``code`` with its key from the data dir's keystore."""
        challenge = self.post_json("/v1/auth/challenge", {"department_code": code})
        keys = open_keystore(Settings(data_dir=self.data_dir, environment="test")).load(code)
        signed = {
            "challenge_id": challenge["challenge_id"],
            "signature": sign_challenge(challenge["message"], keys.sm2),
        }
        token = self.post_json("/v1/auth/token", signed)
        return {"Authorization": f"Bearer {token['access_token']}"}

    def alive(self) -> bool:
        return self.process.poll() is None and self.request("GET", "/openapi.json")[0] == 200


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``govledger serve`` in its own process, with small body limits so the test stays cheap,
    on a chain where :data:`CODE` holds every gateway role."""
    data_dir = tmp_path_factory.mktemp("served")
    port = free_port()
    env = clean_env(
        data_dir,
        GOVLEDGER_MAX_BODY_BYTES=str(256 * 1024),
        GOVLEDGER_MAX_UPLOAD_BYTES=str(1024 * 1024),
    )
    roles = "DATA_PROVIDER,DATA_REQUESTER,AUDITOR,SEAL_ADMIN"
    for command in (
        ["chain", "init"],
        ["department", "register", CODE, "--name", "x", "--roles", roles],
    ):
        subprocess.run(
            [str(GOVLEDGER), *command], env=env, cwd=data_dir, check=True, capture_output=True
        )
    process = subprocess.Popen(
        [str(GOVLEDGER), "serve", "--port", str(port)],
        env=env,
        cwd=data_dir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = Server(process, port, data_dir)
    try:
        for _ in range(600):  # the first start deploys the contracts: allow up to a minute
            if process.poll() is not None:
                pytest.fail(f"govledger serve exited with {process.returncode}")
            try:
                if server.alive():
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("govledger serve did not start")
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)


def assert_problem(answer: tuple[int, dict[str, str], bytes], status: int, code: str) -> None:
    got_status, headers, body = answer
    assert got_status == status, body[:300]
    assert headers["content-type"] == PROBLEM
    assert json.loads(body)["code"] == code


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["arrays", "objects"])
@pytest.mark.parametrize("path", ["/v1/verify", "/v1/auth/challenge", "/v1/licences"])
def test_deep_nesting_is_refused_and_the_server_lives(
    server: Server, path: str, body: bytes
) -> None:
    answer = server.request("POST", path, body, {"content-type": "application/json"})
    assert_problem(answer, 422, "json-too-deep")
    assert server.alive()


def test_huge_bodies_are_refused_before_they_are_read(server: Server) -> None:
    huge = b"[" + b"1," * (2 * 1024 * 1024) + b"1]"
    json_headers = {"content-type": "application/json"}
    too_large = 413, "body-too-large"
    assert_problem(server.request("POST", "/v1/verify", huge, json_headers), *too_large)
    # Chunked, without a Content-Length: refused once the bytes received pass the limit.
    chunks = iter([huge[i : i + 65536] for i in range(0, len(huge), 65536)])
    assert_problem(server.request("POST", "/v1/verify", chunks, json_headers), *too_large)
    # An upload route takes more, but not without bound, and not before signing in.
    upload = "/v1/datasets/ds-1/versions"
    assert_problem(server.request("POST", upload, huge, json_headers), *too_large)
    assert_problem(server.request("POST", upload, huge[: 512 * 1024]), 401, "token-missing")
    assert server.alive()


@pytest.mark.parametrize(
    "path",
    [
        f"/v1/grants/{2**70}",
        f"/v1/requests/{2**64}",
        f"/v1/datasets/ds-1/data?grant={2**64}&fields=a",
        "/v1/datasets/%E6%95%B0%E6%8D%AE",
        f"/v1/audit/entries?grant={2**64}",
        "/v1/audit/entries?dataset=%E6%95%B0%E6%8D%AE",
        "/v1/audit/entries?requester=%E6%95%B0%E6%8D%AE",
        "/v1/seals?owner=%E6%95%B0%E6%8D%AE",
    ],
)
def test_out_of_range_ids_are_refused_at_the_edge(server: Server, path: str) -> None:
    assert_problem(server.request("GET", path, headers=server.bearer(CODE)), 422, "invalid-input")
    assert server.alive()


def test_routes_bound_ids_through_the_shared_type() -> None:
    # The bound is written once (govledger.api.params): a route that spells it out can drift.
    spelled_out = [
        str(path.relative_to(ROOT))
        for path in sorted(ROOT.glob("*/api/routes/*.py"))
        if "2**63" in path.read_text(encoding="utf-8")
    ]
    assert spelled_out == []


def test_the_server_still_answers_after_the_hammering(server: Server) -> None:
    for _ in range(3):
        for body in (DEEP, b"[" + b"0," * 300_000 + b"0]"):
            server.request("POST", "/v1/verify", body, {"content-type": "application/json"})
        server.request("GET", f"/v1/grants/{2**80}", headers=server.bearer(CODE))
    status, _, body = server.request("POST", "/v1/verify", b'{"format": "govledger-licence/1"}')
    assert status == 422
    assert json.loads(body)["code"]
    assert server.alive()


def run_cli(tmp_path: Path, *args: str) -> Result:
    done = subprocess.run(
        [str(GOVLEDGER), *args],
        capture_output=True,
        text=True,
        env=clean_env(tmp_path / "data"),
        cwd=tmp_path,
        check=False,
        timeout=300,
    )
    return Result(done.returncode, done.stdout, done.stderr)


@pytest.mark.parametrize(
    "command",
    [
        ("licence", "verify"),
        ("licence", "issue", "--as", CODE),
        ("audit", "verify"),
    ],
)
def test_cli_refuses_deep_nesting_in_one_line(tmp_path: Path, command: tuple[str, ...]) -> None:
    (tmp_path / "deep.json").write_bytes(DEEP_OBJECT)
    result = run_cli(tmp_path, *command[:2], "deep.json", *command[2:])
    line = refused(result, JSONTooDeep.exit_code)
    assert line.startswith(f"({JSONTooDeep.__name__})"), line
    assert "deep.json" in line
    assert "nest" in line


def test_the_recursion_limit_stays_the_interpreters() -> None:
    # py_ecc and py-evm raise it when imported (to 100000 and 12288); a limit that high lets a
    # deeply nested document overflow the C stack instead of raising RecursionError.
    script = (
        "import sys; before = sys.getrecursionlimit()\n"
        "import govledger.cli, govledger.app, ledger.backends.embedded, eth, py_ecc\n"
        "print(before, sys.getrecursionlimit())"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    before, after = done.stdout.split()
    assert after == before
