"""A backend that forwards JSON-RPC to a node over HTTP: Anvil in tests, Besu/QBFT in production.

One ``httpx.Client`` keeps connections alive and is shared by all threads (httpx's pool is
thread-safe). The node's error objects are returned as they are, like every backend does; this
module raises only when there is no usable answer: :class:`BackendUnavailable` when the node
cannot be reached or times out (worth retrying), :class:`BadResponse` when it answers with
something that is not JSON-RPC.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from typing import Any

import httpx

from ledger.exceptions import BackendUnavailable, BadResponse

JSONRPCRequest = tuple[str, list[Any]]

# Proxies in front of a node answer 502/503/504 while it restarts: that is "unavailable".
_TRANSIENT_HTTP_STATUSES = frozenset({502, 503, 504})


class JSONRPCBackend:
    """Ethereum JSON-RPC over HTTP(S) to ``url``.

    ``timeout_s`` bounds every request (connect, write, read). Safe to use from many threads.
    """

    def __init__(self, url: str, *, timeout_s: float = 10.0, max_connections: int = 16) -> None:
        self.url = url
        self._ids = itertools.count(1)
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout_s),
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            headers={"Content-Type": "application/json"},
        )
        self._closed = False

    def make_request(self, method: str, params: list[Any]) -> dict[str, Any]:
        request_id = next(self._ids)
        reply = self._post({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        if not isinstance(reply, dict):
            raise BadResponse(f"{method}: expected a JSON-RPC object, got {_preview(reply)}")
        return reply

    def make_batch_request(self, requests: Sequence[JSONRPCRequest]) -> list[dict[str, Any]]:
        """Send several requests as one JSON-RPC array; answers come back in request order.

        Unlike web3's ``batch_requests`` this accepts ``eth_sendRawTransaction``. A node that
        refuses the whole batch with one error object gets that error repeated for each request.
        """
        if not requests:
            return []
        ids = [next(self._ids) for _ in requests]
        payload = [
            {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}
            for request_id, (method, params) in zip(ids, requests, strict=True)
        ]
        reply = self._post(payload)
        if isinstance(reply, dict) and "error" in reply:
            return [{**reply, "id": request_id} for request_id in ids]
        if not isinstance(reply, list):
            raise BadResponse(f"batch: expected a JSON-RPC array, got {_preview(reply)}")
        # The spec lets a server answer a batch in any order: match answers to requests by id.
        by_id = {item.get("id"): item for item in reply if isinstance(item, dict)}
        missing = [request_id for request_id in ids if request_id not in by_id]
        if missing:
            raise BadResponse(f"batch: no answer for {len(missing)} of {len(ids)} requests")
        return [by_id[request_id] for request_id in ids]

    def _post(self, payload: dict[str, Any] | list[dict[str, Any]]) -> Any:
        if self._closed:
            raise BackendUnavailable(f"the connection to {self.url} is closed")
        try:
            response = self._client.post(self.url, content=json.dumps(payload).encode())
        except httpx.TimeoutException as exc:
            raise BackendUnavailable(f"{self.url} did not answer in time ({exc})") from exc
        except httpx.TransportError as exc:
            raise BackendUnavailable(f"cannot reach {self.url}: {exc}") from exc
        if response.status_code in _TRANSIENT_HTTP_STATUSES:
            raise BackendUnavailable(f"{self.url} answered HTTP {response.status_code}")
        try:
            return response.json()
        except ValueError as exc:
            # Some nodes send JSON-RPC errors with HTTP 4xx; those parse above. This did not.
            raise BadResponse(
                f"{self.url} answered HTTP {response.status_code} with non-JSON "
                f"{_preview(response.text)}"
            ) from exc

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._client.close()


def _preview(value: object, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."
