"""Versions: the chain names the version released, and a crash between a chain write and its row
(a real SIGKILL at that point) loses neither the dataset nor the version's data key."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import make_transient

from govledger.settings import Settings
from sharing_gateway.domain.envelope import open_envelope
from sharing_gateway.tables import PendingWriteRow, VersionRow
from tests.dbutil import isolated_database
from tests.sharing_gateway.test_release import assert_refused
from tests.sharing_gateway.world import (
    PROVIDER,
    RECORDS,
    REQUESTER,
    World,
    prepared_settings,
    running_world,
)

NEWER = [{"name": "Xiamen Port Co.", "licence_no": "L-0003", "employees": 7, "active": True}]


def released_records(world: World, dataset_id: str, grant_id: int) -> list[dict[str, object]]:
    response = world.release(dataset_id, grant_id, "name,licence_no")
    assert response.status_code == 200, response.text
    return open_envelope(world.keys(REQUESTER).sm2, response.json()["envelope"])


def test_only_the_chains_latest_version_is_released(world: World) -> None:
    grant_id = world.granted("ver-1", ["name", "licence_no"])
    published = world.call("POST", "/v1/datasets/ver-1/versions", PROVIDER, json=NEWER)
    assert published.status_code == 201, published.text
    assert released_records(world, "ver-1", grant_id) == [
        {"name": "Xiamen Port Co.", "licence_no": "L-0003"}
    ]
    # The newest row goes missing: the older version is NOT served in its place.
    with world.session_factory.begin() as session:
        row = session.get(VersionRow, ("ver-1", 2))
        assert row is not None
        session.expunge(row)
        make_transient(row)  # to be inserted again afterwards
        session.execute(
            delete(VersionRow).where(VersionRow.dataset_id == "ver-1", VersionRow.version == 2)
        )
    try:
        assert_refused(
            world, world.release("ver-1", grant_id, "name"), 409, "release-version-missing"
        )
    finally:
        with world.session_factory.begin() as session:
            session.add(row)
    assert released_records(world, "ver-1", grant_id)[0]["licence_no"] == "L-0003"


# A gateway process that stops right after the chain took the write, before its row is written,
# says so and waits to be killed (SIGKILL: no shutdown hook runs).
CRASHING_GATEWAY = """
import json, sys, time
from pathlib import Path
from govledger.platform import open_platform
from govledger.settings import Settings
from ledger.contracts.values import ShareClass
from sharing_gateway.domain.records import Field, UploadFormat
from sharing_gateway.plugin import GatewayPlugin
from sharing_gateway.settings import GatewaySettings

settings = Settings.model_validate_json(sys.argv[1])
step, dataset_id, records = sys.argv[2], sys.argv[3], sys.argv[4]
plugin = GatewayPlugin(GatewaySettings())
with open_platform(settings, [plugin]) as context, plugin.open(context) as state:
    gateway = state.gateway
    sharing = gateway.registries.sharing
    chain_write = getattr(sharing, step)

    def written_then_stopped(*args, **kwargs):
        chain_write(*args, **kwargs)
        print("written", flush=True)
        time.sleep(600)

    setattr(sharing, step, written_then_stopped)
    if step == "register_dataset":
        fields = [Field("name", "string"), Field("licence_no", "string"),
                  Field("employees", "integer"), Field("active", "boolean")]
        gateway.register_dataset(PROVIDER, dataset_id=dataset_id, title="Crashed",
                                 share_class=ShareClass.CONDITIONAL, fields=fields)
    else:
        gateway.publish_version(PROVIDER, dataset_id, records.encode(), UploadFormat.JSON)
""".replace("PROVIDER", repr(PROVIDER))


# What the crashing process needs to reach the same data dir, database and chain.
SHARED_FIELDS = {"environment", "data_dir", "database_url", "chain_backend", "chain_rpc_url"}


def crash_after_chain_write(settings: Settings, step: str, dataset_id: str) -> None:
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CRASHING_GATEWAY,
            settings.model_dump_json(include=SHARED_FIELDS),
            step,
            dataset_id,
            json.dumps(NEWER),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "written"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    with isolated_database(request.param, tmp_path) as url:
        yield prepared_settings(tmp_path, url)


def test_a_crash_after_the_chain_write_loses_no_version_and_no_dataset(settings: Settings) -> None:
    with running_world(settings) as world:
        grant_id = world.granted("crash-v", ["name", "licence_no"])
        assert released_records(world, "crash-v", grant_id)[0]["licence_no"] == "L-0001"
    crash_after_chain_write(settings, "publish_version", "crash-v")
    crash_after_chain_write(settings, "register_dataset", "crash-d")
    with running_world(settings) as world:
        # Settled at start: the version's row, with its data key, and the dataset's row.
        assert released_records(world, "crash-v", grant_id) == [
            {"name": "Xiamen Port Co.", "licence_no": "L-0003"}
        ]
        catalogue = world.call("GET", "/v1/datasets/crash-d", PROVIDER)
        assert catalogue.status_code == 200, catalogue.text
        assert catalogue.json()["title"] == "Crashed"
        published = world.call("POST", "/v1/datasets/crash-d/versions", PROVIDER, json=RECORDS)
        assert published.status_code == 201, published.text
        with world.session_factory() as session:
            assert session.scalar(select(func.count()).select_from(PendingWriteRow)) == 0
