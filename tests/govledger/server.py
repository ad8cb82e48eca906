"""A ``govledger`` server (``serve`` or ``run``) in its own process on 127.0.0.1, as a person
starts it, stopped with Ctrl-C (SIGINT) at the end of the block."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from ledger.devnode import free_port
from tests.govledger.test_chain_cli import GOVLEDGER


def cli_environment(data_dir: Path, environment: dict[str, str] | None = None) -> dict[str, str]:
    """The process environment with no ``GOVLEDGER_*`` setting but ``data_dir`` and these."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GOVLEDGER_")}
    env.update(environment or {}, GOVLEDGER_DATA_DIR=str(data_dir))
    return env


@contextmanager
def serving(
    data_dir: Path,
    environment: dict[str, str] | None = None,
    *,
    command: Sequence[str] = ("serve",),
    stdout: Path | None = None,
) -> Iterator[str]:
    """``govledger <command> --port P`` on ``data_dir`` until the block ends; its base URL.
    Its standard output goes to ``stdout``. A clean stop (exit code 0) on SIGINT is checked."""
    port = free_port()
    with open(stdout or os.devnull, "w", encoding="utf-8") as output:
        server = subprocess.Popen(
            [str(GOVLEDGER), *command, "--port", str(port)],
            env=cli_environment(data_dir, environment),
            cwd=data_dir.parent,
            stdout=output,
            stderr=subprocess.PIPE,
            text=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 180
            while True:
                assert server.poll() is None, server.communicate()[1]
                try:
                    with urllib.request.urlopen(f"{url}/healthz", timeout=5):
                        break
                except (urllib.error.URLError, ConnectionError):
                    assert time.monotonic() < deadline, "the server did not start"
                    time.sleep(0.2)
            yield url
        finally:
            server.send_signal(signal.SIGINT)
            try:
                code = server.wait(timeout=60)
            finally:
                server.kill()
                stderr = server.communicate()[1]
        assert code == 0, stderr
