"""A live server on a chain with registered departments, for the portal's journeys: the
departments sign in from the browser with key files; the test's own calls go through the same
HTTP API, signed in with the same keys."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page

from govledger.auth.signin import sign_challenge
from govledger.bench.setup import department_code
from govledger.committee import committee_signers
from govledger.department_keys import department_key_name
from govledger.departments import register_department, set_log_operator
from govledger.deployment import init_chain, open_chain
from govledger.keystore import open_keystore
from ledger.contracts.values import Role
from licence_service.plugin import LicencePlugin
from sharing_gateway.plugin import GatewayPlugin
from sharing_gateway.settings import GatewaySettings
from sm_crypto import SM2PrivateKey
from tests.govledger.portal.conftest import LiveServer, free_port, live_settings, serving

BUREAU = department_code("11350200MB", 1)  # issues licences and provides data
REQUESTER = department_code("11350200MB", 2)
AUDITOR = department_code("11350200MB", 3)  # also the gateway's log operator
DEPARTMENTS = {
    BUREAU: [Role.ISSUER, Role.SEAL_ADMIN, Role.DATA_PROVIDER],
    REQUESTER: [Role.DATA_REQUESTER],
    AUDITOR: [Role.AUDITOR],
}


def licence_body(number: int = 1) -> dict[str, Any]:
    return {
        "licence_name": "营业执照",
        "licence_number": f"91350100{number:010d}",
        "type_code": "11100000000013338W002",
        "issue_date": "2026-03-01",
        "valid_from": "2026-03-01",
        "holder_name": "福州某某茶业有限公司",
        "holder_id_type": "111",
        "holder_id_number": "11010519491231002X",
    }


@dataclass
class PortalWorld:
    server: LiveServer
    keys: dict[str, SM2PrivateKey]
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.url

    def call(self, method: str, path: str, code: str, **kwargs: Any) -> httpx.Response:
        if code not in self.tokens:
            challenge = httpx.post(f"{self.url}/v1/auth/challenge", json={"department_code": code})
            body = challenge.json()
            token = httpx.post(
                f"{self.url}/v1/auth/token",
                json={
                    "challenge_id": body["challenge_id"],
                    "signature": sign_challenge(body["message"], self.keys[code]),
                },
            )
            self.tokens[code] = token.json()["access_token"]
        headers = {"Authorization": f"Bearer {self.tokens[code]}"}
        return httpx.request(method, self.url + path, headers=headers, timeout=60, **kwargs)

    def requested(self, dataset_id: str) -> int:
        """A conditional dataset of the bureau, published and requested: the grant id."""
        fields = [{"name": name, "type": "string"} for name in ("name", "licence_no", "address")]
        created = self.call(
            "POST",
            "/v1/datasets",
            BUREAU,
            json={
                "dataset_id": dataset_id,
                "title": "企业名录",
                "share_class": "conditional",
                "fields": fields,
            },
        )
        assert created.status_code == 201, created.text
        records = [{"name": "Fuzhou Tea Co.", "licence_no": "L-1", "address": "五四路1号"}]
        published = self.call("POST", f"/v1/datasets/{dataset_id}/versions", BUREAU, json=records)
        assert published.status_code == 201, published.text
        expires = (datetime.now(UTC) + timedelta(days=30)).isoformat()
        request = self.call(
            "POST",
            "/v1/requests",
            REQUESTER,
            json={
                "dataset_id": dataset_id,
                "fields": ["name", "licence_no", "address"],
                "purpose": "check business licences",
                "use_scenario": "permit application",
                "scenario_code": 3,
                "expires_at": expires,
                "max_uses": 10,
            },
        )
        assert request.status_code == 201, request.text
        grant_id: int = request.json()["grant_id"]
        return grant_id

    def released(self, dataset_id: str) -> int:
        """A request approved and used twice (once refused): the grant id."""
        grant_id = self.requested(dataset_id)
        approved = self.call("POST", f"/v1/requests/{grant_id}/approve", BUREAU, json={})
        assert approved.status_code == 200, approved.text
        for fields in ("name", "name,licence_no", "name,secret"):
            path = f"/v1/datasets/{dataset_id}/data?grant={grant_id}&fields={fields}"
            self.call("GET", path, REQUESTER)
        return grant_id

    def wait_log_anchored(self, timeout_s: float = 30) -> None:
        deadline = time.monotonic() + timeout_s
        while any(
            entry["anchor"] is None
            for entry in self.call("GET", "/v1/audit/entries?chain=false", AUDITOR).json()[
                "entries"
            ]
        ):
            assert time.monotonic() < deadline, "the access log was not anchored"
            time.sleep(0.2)

    def wait_anchored(self, code: str, licence_id: str, timeout_s: float = 30) -> None:
        deadline = time.monotonic() + timeout_s
        while self.call("GET", f"/v1/licences/{licence_id}", code).json()["anchor"]["state"] != (
            "anchored"
        ):
            assert time.monotonic() < deadline, f"{licence_id} was not anchored"
            time.sleep(0.2)


@contextmanager
def portal_world(data_dir: Path) -> Iterator[PortalWorld]:
    port = free_port()
    settings = live_settings(data_dir, port)
    keystore = open_keystore(settings)
    init_chain(settings, keystore, members=1, threshold=1)
    with open_chain(settings) as chain:
        signers = committee_signers(keystore, chain.registries)
        for code, roles in DEPARTMENTS.items():
            register_department(
                chain.registries, keystore, signers, code, name=f"部门 {code[-4:]}", roles=roles
            )
        set_log_operator(chain.registries, signers, AUDITOR)
    keys = {code: keystore.load(department_key_name(code, 1)).sm2 for code in DEPARTMENTS}
    gateway = GatewayPlugin(GatewaySettings(operator_code=AUDITOR, anchor_interval_seconds=0.2))
    with serving(settings, port, [LicencePlugin(), gateway]) as server:
        world = PortalWorld(server, keys)
        valid_to = (datetime.now(UTC) + timedelta(days=3650)).replace(microsecond=0)
        seal = world.call(
            "POST",
            "/v1/seals",
            BUREAU,
            json={"name": "行政审批专用章", "valid_to": valid_to.isoformat()},
        )
        assert seal.status_code == 201, seal.text
        yield world


def sign_in(
    page: Page,
    world: PortalWorld,
    code: str,
    key_file: Path,
    *,
    passphrase: str = "",
    next_page: str = "",
) -> None:
    """Sign in on the portal's page with a key file, as a person does."""
    page.goto(world.url + "/signin" + (f"?next={next_page}" if next_page else ""))
    page.fill("[name=department_code]", code)
    page.set_input_files("[name=keyfile]", str(key_file))
    page.fill("[name=passphrase]", passphrase)
    page.click("button[type=submit]")


# Decodes a PNG screenshot in a canvas and returns the variance of its pixels' brightness.
_VARIANCE = """async (png) => {
  const image = new Image();
  image.src = "data:image/png;base64," + png;
  await image.decode();
  const canvas = document.createElement("canvas");
  [canvas.width, canvas.height] = [image.width, image.height];
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  const data = context.getImageData(0, 0, image.width, image.height).data;
  let sum = 0, squares = 0;
  for (let i = 0; i < data.length; i += 4) {
    const v = (data[i] + data[i + 1] + data[i + 2]) / 3;
    sum += v; squares += v * v;
  }
  const n = data.length / 4;
  return squares / n - (sum / n) ** 2;
}"""


def screenshot_variance(page: Page) -> float:
    """The variance of the brightness of the page's screenshot: a blank page has none."""
    png = base64.b64encode(page.screenshot(full_page=True)).decode("ascii")
    return float(page.evaluate(_VARIANCE, png))
