"""A live server on 127.0.0.1 and a headless Chromium driving it, for the portal's browser tests.

Chromium comes from the system (Debian's ``chromium``; ``.ci/run`` installs it), driven by
Playwright through that executable: Playwright's own browser download is not used. Without
Chromium the browser tests are skipped with the reason, unless ``GOVLEDGER_TEST_BROWSER=require``
(as in CI), where they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, sync_playwright

from govledger.app import create_app
from govledger.platform import ServicePlugin
from govledger.settings import Settings

if TYPE_CHECKING:
    from tests.govledger.portal.world import PortalWorld

BROWSER_SWITCH_ENV = "GOVLEDGER_TEST_BROWSER"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def chromium_executable() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class LiveServer:
    """An app served by uvicorn in a thread, on a free port of 127.0.0.1."""

    app: FastAPI
    url: str
    settings: Settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def live_settings(data_dir: Path, port: int) -> Settings:
    return Settings(
        data_dir=data_dir, environment="test", public_base_url=f"http://127.0.0.1:{port}"
    )


@contextmanager
def serving(
    settings: Settings, port: int, services: Sequence[ServicePlugin] | None = None
) -> Iterator[LiveServer]:
    """``create_app(settings, services)`` served on 127.0.0.1:``port`` until the block ends."""
    app = create_app(settings, services)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the live server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(app, f"http://127.0.0.1:{port}", settings)
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    port = free_port()
    with serving(live_settings(tmp_path_factory.mktemp("portal-live"), port), port) as server:
        yield server


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PortalWorld]:
    """One world of departments for the portal's journeys (each uses identifiers of its own)."""
    from tests.govledger.portal.world import portal_world

    with portal_world(tmp_path_factory.mktemp("portal-world")) as world:
        yield world


# Per module: while Playwright's sync API runs, its event loop counts as running in the main
# thread, and later tests that call asyncio.run (the benchmarks) would fail.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium_executable()
    if executable is None:
        reason = "Chromium is not installed (apt-get install chromium)"
        if os.environ.get(BROWSER_SWITCH_ENV) == "require":
            pytest.fail(f"{reason} although {BROWSER_SWITCH_ENV}=require")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()
