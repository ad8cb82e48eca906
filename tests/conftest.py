"""Fixtures and hooks shared by the whole suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ledger.devnode import AnvilNode, anvil_binary
from tests.dbutil import (
    ENABLE_HINT,
    POSTGRES_SWITCH_ENV,
    postgres_required,
    postgres_unavailable_reason,
    stop_throwaway_postgres,
)


class _PostgresRun:
    left_out = 0
    reason: str | None = None
    skipped: list[str] = []  # noqa: RUF012  (one run's record, never shared between runs)


@pytest.fixture(scope="session")
def anvil() -> Iterator[AnvilNode]:
    """A real Anvil node on 127.0.0.1 for the whole session. ``make test`` installs Anvil."""
    if anvil_binary() is None:
        pytest.fail("Anvil is not installed: run `make test` (it runs `npm ci`)")
    with AnvilNode() as node:
        yield node


@pytest.hookimpl(trylast=True)  # after -k and -m, so the count is of tests that would have run
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Without a server to use or start, the PostgreSQL tests are left out with one line (below),
    # not reported as hundreds of skips; where they are required they stay in, and fail.
    reason = postgres_unavailable_reason()
    if reason is None or postgres_required():
        return
    left_out = [item for item in items if "postgres" in item.keywords]
    if left_out:
        items[:] = [item for item in items if "postgres" not in item.keywords]
        config.hook.pytest_deselected(items=left_out)
        _PostgresRun.left_out, _PostgresRun.reason = len(left_out), reason


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and "postgres" in report.keywords:
        _PostgresRun.skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    stop_throwaway_postgres()
    # Where PostgreSQL is required (CI), any skipped PostgreSQL test fails the run.
    if postgres_required() and _PostgresRun.skipped and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _PostgresRun.left_out:
        terminalreporter.write_line(
            f"PostgreSQL tests skipped ({_PostgresRun.left_out}): {_PostgresRun.reason}; "
            f"to run them, {ENABLE_HINT}",
            yellow=True,
        )
    if postgres_required() and _PostgresRun.skipped:
        terminalreporter.write_line(
            f"FAILED: {len(_PostgresRun.skipped)} PostgreSQL tests were skipped although "
            f"{POSTGRES_SWITCH_ENV}=require, e.g. {_PostgresRun.skipped[0]}",
            red=True,
        )
