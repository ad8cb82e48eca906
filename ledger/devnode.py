"""Start and stop a local Anvil JSON-RPC node, for development, tests and benchmarks.

Anvil comes from the npm package ``@foundry-rs/anvil-linux-amd64`` that ``make`` installs into
``node_modules``. The node binds to 127.0.0.1 only.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from types import TracebackType

from ledger.exceptions import BackendUnavailable

REPO_ROOT = Path(__file__).resolve().parent.parent
ANVIL_BINARY = REPO_ROOT / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"

# The first of Anvil's well-known development keys (public knowledge: for local nodes only).
ANVIL_DEV_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


def anvil_binary() -> Path | None:
    """The Anvil executable, from ``GOVLEDGER_ANVIL_BINARY`` or node_modules, if present."""
    configured = os.environ.get("GOVLEDGER_ANVIL_BINARY")
    candidate = Path(configured) if configured else ANVIL_BINARY
    return candidate if candidate.is_file() and os.access(candidate, os.X_OK) else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class AnvilNode:
    """One Anvil process. Use as a context manager, or call :meth:`start` and :meth:`stop`.

    With ``state_file`` the chain is saved every second and loaded again on the next start, so a
    restart (even after ``kill -9``) resumes the chain, losing at most the last interval.
    """

    def __init__(
        self,
        *,
        chain_id: int = 31337,
        port: int | None = None,
        state_file: Path | None = None,
        startup_timeout_s: float = 15.0,
    ) -> None:
        self.chain_id = chain_id
        self.port = port or free_port()
        self.state_file = state_file
        self.startup_timeout_s = startup_timeout_s
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> AnvilNode:
        binary = anvil_binary()
        if binary is None:
            raise BackendUnavailable(f"Anvil is not installed at {ANVIL_BINARY} (run `npm ci`)")
        command = [
            str(binary),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--chain-id",
            str(self.chain_id),
            # Like a permissioned Besu network (zeroBaseFee, min-gas-price 0): gas is free, so
            # department accounts need no funding. The EVM version matches the compiled contracts.
            "--hardfork",
            "cancun",
            "--base-fee",
            "0",
            "--gas-price",
            "0",
            "--silent",
        ]
        if self.state_file is not None:
            command += ["--state", str(self.state_file), "--state-interval", "1"]
        self._process = subprocess.Popen(  # noqa: S603  (fixed argument list, no shell)
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self._wait_until_ready()
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout_s
        request = json.dumps(
            {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}
        ).encode()
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise BackendUnavailable(f"Anvil exited with code {self._process.returncode}")
            try:
                http_request = urllib.request.Request(  # noqa: S310  (loopback http only)
                    self.url, data=request, headers={"Content-Type": "application/json"}
                )
                with urllib.request.urlopen(http_request, timeout=1) as reply:  # noqa: S310
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        self.stop(kill=True)
        raise BackendUnavailable(f"Anvil did not answer on {self.url} in {self.startup_timeout_s}s")

    def stop(self, *, kill: bool = False) -> None:
        """Stop the node: gracefully (it saves its state) or, with ``kill``, by SIGKILL."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> AnvilNode:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
