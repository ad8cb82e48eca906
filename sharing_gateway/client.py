"""A small client of the gateway for requesting departments: sign in with SM2, fetch a
release, open its envelope with the department's private key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from govledger.auth.signin import sign_challenge
from govledger.errors import GovLedgerError
from sharing_gateway.domain.envelope import open_envelope
from sharing_gateway.domain.records import Record
from sm_crypto import SM2PrivateKey


class GatewayRefused(GovLedgerError):
    """The gateway answered with a problem; ``code`` is the problem's."""

    title = "Refused by the gateway"

    def __init__(self, problem: dict[str, Any]) -> None:
        super().__init__(f"{problem.get('code')}: {problem.get('detail') or problem.get('title')}")
        self.problem_code = str(problem.get("code"))


@dataclass(frozen=True)
class Fetched:
    records: list[Record]
    provenance: dict[str, Any]
    uses_left: int


class GatewayClient:
    def __init__(
        self,
        base_url: str,
        code: str,
        key: SM2PrivateKey,
        *,
        timeout: float = 30,
        http: httpx.Client | None = None,
    ) -> None:
        """``http``: an existing client to send through (its base URL is used)."""
        self._http = http or httpx.Client(base_url=base_url, timeout=timeout)
        self._code = code
        self._key = key
        self._token: str | None = None

    def close(self) -> None:
        self._http.close()

    def _checked(self, response: httpx.Response) -> dict[str, Any]:
        body: dict[str, Any] = response.json()
        if response.is_error:
            raise GatewayRefused(body)
        return body

    def sign_in(self) -> str:
        challenge = self._checked(
            self._http.post("/v1/auth/challenge", json={"department_code": self._code})
        )
        token = self._checked(
            self._http.post(
                "/v1/auth/token",
                json={
                    "challenge_id": challenge["challenge_id"],
                    "signature": sign_challenge(challenge["message"], self._key),
                },
            )
        )
        self._token = str(token["access_token"])
        return self._token

    def call(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        """An authenticated request; the JSON answer, or :class:`GatewayRefused`."""
        token = self._token or self.sign_in()
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        return self._checked(self._http.request(method, url, headers=headers, **kwargs))

    def fetch(self, dataset_id: str, grant_id: int, fields: list[str]) -> Fetched:
        body = self.call(
            "GET",
            f"/v1/datasets/{dataset_id}/data",
            params={"grant": grant_id, "fields": ",".join(fields)},
        )
        return Fetched(
            open_envelope(self._key, body["envelope"]), body["provenance"], body["uses_left"]
        )
