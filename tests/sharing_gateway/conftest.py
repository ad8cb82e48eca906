"""One gateway world per module and database (SQLite always, PostgreSQL when marked)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.dbutil import isolated_database
from tests.sharing_gateway.world import World, gateway_world


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    directory = tmp_path_factory.mktemp("gateway")
    with isolated_database(request.param, directory) as url, gateway_world(directory, url) as built:
        yield built


@pytest.fixture
def rounds(world: World) -> Iterator[None]:
    """The test drives the anchorer's rounds itself (none runs in the background)."""
    world.anchorer.stop()
    try:
        yield
    finally:
        world.anchorer.start()
