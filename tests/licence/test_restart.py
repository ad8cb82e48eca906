"""Durability: after a restart on the same data dir everything still verifies, and licences
stored but not anchored when the process was killed (SIGKILL) are anchored on the next start.
On every backend: the embedded chain persists in the data dir, Anvil keeps running."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from govledger.settings import Settings
from ledger.contracts import Role
from licence_service.settings import LicenceSettings
from tests.licence.world import (
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
from govledger.app import open_platform
from licence_service.plugin import LicencePlugin, build_service
from licence_service.service import LicenceRequest
from licence_service.settings import LicenceSettings
from tests.licence.world import ISSUER_A, data_dir_settings, licence_body

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


# The settings the crashing process needs to reach the same database and chain.
BACKEND_FIELDS = {"database_url", "chain_backend", "chain_rpc_url", "chain_id"}


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
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CRASHING_ISSUER,
            str(settings.data_dir),
            settings.model_dump_json(include=BACKEND_FIELDS),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert child.stdout is not None
        stored = json.loads(child.stdout.readline())
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        if child.stdout is not None:
            child.stdout.close()
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
