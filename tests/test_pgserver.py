"""The suite's own PostgreSQL: a throwaway cluster that starts, serves and leaves nothing behind,
and the one-line skip (or, where required, the failure) where no server can be had."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from tests.dbutil import POSTGRES_SWITCH_ENV, POSTGRES_URL_ENV
from tests.pgserver import ThrowawayPostgres, server_bindir

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.postgres
def test_throwaway_cluster_serves_the_test_database_and_is_removed() -> None:
    bindir = server_bindir()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries")
    server = ThrowawayPostgres(bindir)
    try:
        url = server.start()
        assert url.startswith("postgresql+psycopg://postgres@127.0.0.1:")
        with psycopg.connect(f"host=127.0.0.1 port={server.port} user=postgres dbname=test") as db:
            assert db.execute("SELECT current_database()").fetchone() == ("test",)
    finally:
        server.stop()
    assert not server.folder.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(f"host=127.0.0.1 port={server.port} user=postgres connect_timeout=2")


# Runs PostgreSQL tests in a child pytest where no server binaries are found and no URL is set.
_WITHOUT_SERVER = """
import sys, pytest, tests.dbutil
tests.dbutil.server_bindir = lambda: None
sys.exit(pytest.main(["-p", "no:cacheprovider", "tests/govledger/test_db.py", "-k", "migrations"]))
"""


def _run_without_server(**switch: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in (POSTGRES_URL_ENV, POSTGRES_SWITCH_ENV)}
    return subprocess.run(
        [sys.executable, "-c", _WITHOUT_SERVER],
        cwd=ROOT, env=env | switch, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_without_a_server_postgres_tests_skip_with_one_line_saying_how_to_enable_them() -> None:
    done = _run_without_server()
    assert done.returncode == 0, done.stdout
    lines = [line for line in done.stdout.splitlines() if "PostgreSQL" in line]
    assert len(lines) == 1, done.stdout
    assert lines[0].startswith("PostgreSQL tests skipped (2): no PostgreSQL server binaries found")
    assert POSTGRES_URL_ENV in lines[0]
    assert " 2 passed" in done.stdout  # the SQLite halves still run


def test_where_postgres_is_required_its_absence_fails_the_run() -> None:
    done = _run_without_server(**{POSTGRES_SWITCH_ENV: "require"})
    assert done.returncode != 0, done.stdout
    assert " 2 passed" in done.stdout
    assert " 2 errors" in done.stdout
    assert "no PostgreSQL server binaries found" in done.stdout
