"""Durability: after a restart on the same data dir everything still verifies, and licences
stored but not anchored when the process was killed (SIGKILL) are anchored on the next start.
On every backend: the embedded chain persists in the data dir, Anvil keeps running."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from govledger.settings import Settings
from ledger.contracts.values import Role
from licence_service.domain.document import PROCESS_POOL_MIN_LICENCES
from licence_service.settings import LicenceSettings
from tests.licence_service.world import (
    ISSUER_A,
    bulk,
    licence_body,
    prepare,
    running,
    verify,
    wait_anchored,
)

FAST = LicenceSettings(batch_max_wait_s=0.2)

CRASHING_ISSUER = """
import json, sys, time
from pathlib import Path
from govledger.platform import open_platform
from licence_service.plugin import LicencePlugin, build_service
from licence_service.service import LicenceRequest
from licence_service.settings import LicenceSettings
from tests.licence_service.world import ISSUER_A, data_dir_settings, licence_body

settings = data_dir_settings(Path(sys.argv[1]), **json.loads(sys.argv[2]))
plugin = LicencePlugin(LicenceSettings(batch_max_wait_s=3600))
with open_platform(settings, [plugin]) as context:
    service = build_service(context, plugin.settings)
    def issue(number):
        request = LicenceRequest.model_validate(licence_body(number))
        return service.issue(ISSUER_A, request).state.licence.licence_id
    sealed = issue(3)
    issue(4)
    assert service.seal_due(everything=True)
    still_open = issue(5)
    print(json.dumps({i: service.state(i).status for i in (sealed, still_open)}), flush=True)
    time.sleep(600)
"""


# A bulk issue large enough to be sealed by a pool of worker processes (forked).
BULK_ISSUER = """
import json, sys
from pathlib import Path
from govledger.platform import open_platform
from licence_service.plugin import LicencePlugin, build_service
from licence_service.service import LicenceRequest
from licence_service.settings import LicenceSettings
from tests.licence_service.world import ISSUER_A, data_dir_settings, licence_body

settings = data_dir_settings(Path(sys.argv[1]), **json.loads(sys.argv[2]))
plugin = LicencePlugin(LicenceSettings(sign_threads=2))
with open_platform(settings, [plugin]) as context:
    service = build_service(context, plugin.settings)
    requests = [LicenceRequest.model_validate(licence_body(n)) for n in range(int(sys.argv[3]))]
    print("issuing", flush=True)
    service.issue_bulk(ISSUER_A, requests)
"""

# The settings the crashing process needs to reach the same database and chain.
BACKEND_FIELDS = {"database_url", "chain_backend", "chain_rpc_url", "chain_id"}


@contextmanager
def child_process(script: str, settings: Settings, *args: str) -> Iterator[subprocess.Popen[str]]:
    """``script`` run by Python on ``settings``' data dir and backend, killed with SIGKILL at
    the end of the block if still running."""
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            script,
            str(settings.data_dir),
            settings.model_dump_json(include=BACKEND_FIELDS),
            *args,
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        yield child
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        if child.stdout is not None:
            child.stdout.close()


def _processes() -> Iterator[tuple[int, int, str]]:
    """(pid, parent pid, state) of every process, from /proc."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # ended meanwhile
                continue
            state, parent = stat.rsplit(")", 1)[1].split()[:2]
            yield int(entry.name), int(parent), state


def children_of(pid: int) -> set[int]:
    return {child for child, parent, _ in _processes() if parent == pid}


def alive(pids: set[int]) -> set[int]:
    """Those of ``pids`` still running (a zombie waiting to be reaped holds nothing)."""
    return {pid for pid, _, state in _processes() if pid in pids and state != "Z"}


def eventually(condition: Callable[[], bool], timeout_s: float) -> bool:
    """Poll ``condition`` until it holds (True) or ``timeout_s`` passes (False)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def test_restart_and_recovery_of_unanchored_batches(settings: Settings) -> None:
    prepare(settings, [(ISSUER_A, [Role.ISSUER, Role.SEAL_ADMIN])])
    with running(settings, FAST) as api:
        api.create_seal(ISSUER_A)
        (bulk_id,) = bulk(api, ISSUER_A, [1])
        single = api.post("/v1/licences", ISSUER_A, json=licence_body(2)).json()
        wait_anchored(api, ISSUER_A, single["licence_id"])
        assert (
            api.post(
                f"/v1/licences/{bulk_id}/suspend", ISSUER_A, json={"reason_code": 1, "reason": "x"}
            ).json()["status"]
            == "suspended"
        )

    # A process stores licences, leaves one batch sealed (root fixed) but unanchored and one
    # open, says so, and is killed with SIGKILL: no shutdown hook runs.
    with child_process(CRASHING_ISSUER, settings) as child:
        assert child.stdout is not None
        stored = json.loads(child.stdout.readline())
    assert set(stored.values()) == {"pending"}

    with running(settings, FAST) as api:
        for licence_id in stored:
            body = wait_anchored(api, ISSUER_A, licence_id)
            assert verify(api, body["document"])["ok"]
        # What was there before the restart still verifies, with its status as it was.
        single_doc = api.get(f"/v1/licences/{single['licence_id']}", ISSUER_A).json()
        assert verify(api, single_doc["document"])["ok"]
        bulk_doc = api.get(f"/v1/licences/{bulk_id}", ISSUER_A).json()
        assert bulk_doc["status"] == "suspended"
        assert verify(api, bulk_doc["document"])["status"]["reason"] == "licence-suspended"
        holder = {"Authorization": f"Bearer {single['holder_token']}"}
        assert (
            api.get(f"/v1/holder/licences/{single['licence_id']}", headers=holder).status_code
            == 200
        )


def test_kill_9_during_a_bulk_issue_leaves_no_worker_and_the_restart_just_works(
    settings: Settings,
) -> None:
    prepare(settings, [(ISSUER_A, [Role.ISSUER, Role.SEAL_ADMIN])])
    with running(settings, FAST) as api:
        api.create_seal(ISSUER_A)
    count = str(PROCESS_POOL_MIN_LICENCES)
    with child_process(BULK_ISSUER, settings, count) as child:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "issuing"
        # Killed while its worker processes seal the batch.
        workers: set[int] = set()
        assert eventually(lambda: bool(workers.update(children_of(child.pid)) or workers), 120)
        os.kill(child.pid, signal.SIGKILL)
    # No worker holds the chain or the outbox: the service starts again at once on the same
    # data dir and issues; and no worker outlives the issuing process.
    with running(settings, FAST) as api:
        ids = bulk(api, ISSUER_A, [1, 2])
        document = api.get(f"/v1/licences/{ids[0]}", ISSUER_A).json()["document"]
        assert verify(api, document)["ok"]
    assert eventually(lambda: not alive(workers), timeout_s=60), alive(workers)
