"""A throwaway PostgreSQL server for the test suite: a temporary cluster on a free port.

No server runs on a new machine, so when ``GOVLEDGER_TEST_POSTGRES_URL`` names none the suite
starts its own from the server binaries (``initdb``, ``pg_ctl``) and stops it at the end. The
cluster lives in a temporary folder, listens on 127.0.0.1 only, trusts local connections and
runs without fsync: it holds nothing worth keeping. PostgreSQL refuses to run as root, so as root
the binaries run as the ``postgres`` user that Debian's package creates.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg

DATABASE = "test"
SUPERUSER = "postgres"


class PostgresUnavailable(Exception):
    """No server binaries here, or the throwaway cluster would not start."""


def server_bindir() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``: on PATH, else Debian's newest version."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).resolve().parent
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return candidates[-1].parent if candidates else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ThrowawayPostgres:
    """A cluster made in a temporary folder; ``start()`` returns its URL, ``stop()`` removes it."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.folder = Path(tempfile.mkdtemp(prefix="govledger-pg-"))
        self.data = self.folder / "data"
        self.port = 0
        self._as_owner: list[str] = []
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam(SUPERUSER)
            except KeyError:
                shutil.rmtree(self.folder, ignore_errors=True)
                raise PostgresUnavailable(
                    f"running as root and there is no {SUPERUSER!r} user to run the server as"
                ) from None
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
            self._as_owner = ["runuser", "-u", SUPERUSER, "--"]

    def _run(self, tool: str, *args: str) -> None:
        command = [*self._as_owner, str(self.bindir / tool), *args]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise PostgresUnavailable(f"{tool} failed: {(done.stderr or done.stdout).strip()}")

    def start(self) -> str:
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        options = f"-p {{port}} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        # The port is free when probed but may be taken before the server binds it: try again.
        for _ in range(3):
            self.port = _free_port()
            try:
                self._run(
                    "pg_ctl",
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.folder / "server.log"),
                    "-w",
                    "-t",
                    "60",
                    "-o",
                    options.format(port=self.port),
                    "start",
                )
                break
            except PostgresUnavailable:
                if not self._port_taken():
                    raise
        else:
            raise PostgresUnavailable("no free port for the server after three tries")
        with psycopg.connect(self._dsn("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{DATABASE}"')
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{DATABASE}"

    def _port_taken(self) -> bool:
        log = self.folder / "server.log"
        return log.exists() and "Address already in use" in log.read_text(errors="replace")

    def _dsn(self, database: str) -> str:
        return f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname={database}"

    def stop(self) -> None:
        if self.data.joinpath("postmaster.pid").exists():
            # Already gone is fine: the folder goes all the same.
            with contextlib.suppress(PostgresUnavailable):
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)
