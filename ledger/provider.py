"""web3's provider interface over any :class:`~ledger.backends.base.Backend`.

``Web3(BackendProvider(backend), middleware=[])`` behaves the same on the embedded chain and on a
node. The request path, outermost first::

    web3.eth.*  →  BackendProvider.make_request
                     → params made JSON-native (bytes → 0x-hex), for every backend alike
                     → layers, in order (DEFAULT_LAYERS: log_requests, retry_unavailable)
                     → backend.make_request
                   ←  raise_for_rpc_error: the ONE place a JSON-RPC error object becomes a typed
                      exception (revert → ledger.revert.decode_revert, -32601 → MethodUnavailable,
                      anything else → RPCError; a malformed reply → BadResponse)

web3's own default middleware (ENS names, gas price strategy, attribute dicts, validation,
buffered gas estimate) is not used: transactions are signed locally with explicit gas and sent
raw, so none of it applies.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar, runtime_checkable

from web3.providers.base import BaseProvider
from web3.types import RPCEndpoint, RPCResponse

from ledger.backends.base import EXECUTION_REVERTED, METHOD_NOT_FOUND, Backend
from ledger.backends.rpc import JSONRPCRequest
from ledger.exceptions import (
    BackendUnavailable,
    BadResponse,
    ContractRevert,
    MethodUnavailable,
    RPCError,
)
from ledger.revert import decode_revert

RequestFn = Callable[[str, list[Any]], dict[str, Any]]
BatchFn = Callable[[Sequence[JSONRPCRequest]], list[dict[str, Any]]]

logger = logging.getLogger(__name__)
_T = TypeVar("_T")


@runtime_checkable
class BatchBackend(Backend, Protocol):
    """A backend that can send several requests in one round trip (a JSON-RPC array)."""

    def make_batch_request(self, requests: Sequence[JSONRPCRequest]) -> list[dict[str, Any]]: ...


class ProviderLayer(Protocol):
    """A named concern around backend requests; it wraps single and batched calls alike."""

    def wrap(self, call: RequestFn) -> RequestFn: ...

    def wrap_batch(self, call: BatchFn) -> BatchFn: ...


class RetryUnavailable:
    """Retry a request a bounded number of times while the backend is unreachable.

    Safe for every method this package sends: reads are idempotent, and re-sending the same
    signed transaction cannot execute it twice (same nonce, same hash); the client settles the
    "already known" / "nonce too low" answers a resend may get.
    """

    def __init__(self, attempts: int = 4, first_backoff_s: float = 0.05) -> None:
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        self.attempts = attempts
        self.first_backoff_s = first_backoff_s

    def _run(self, attempt: Callable[[], _T]) -> _T:
        backoff = self.first_backoff_s
        for remaining in range(self.attempts - 1, -1, -1):
            try:
                return attempt()
            except BackendUnavailable:
                if remaining == 0:
                    raise
                time.sleep(backoff)
                backoff *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    def wrap(self, call: RequestFn) -> RequestFn:
        return lambda method, params: self._run(lambda: call(method, params))

    def wrap_batch(self, call: BatchFn) -> BatchFn:
        return lambda requests: self._run(lambda: call(requests))


class LogRequests:
    """Log each request and its outcome at DEBUG level (method, error code, milliseconds)."""

    def __init__(self, log: logging.Logger = logger) -> None:
        self.log = log

    def wrap(self, call: RequestFn) -> RequestFn:
        def logged(method: str, params: list[Any]) -> dict[str, Any]:
            if not self.log.isEnabledFor(logging.DEBUG):
                return call(method, params)
            started = time.perf_counter()
            response = call(method, params)
            error = response.get("error")
            self.log.debug(
                "%s -> %s in %.1f ms",
                method,
                f"error {error.get('code')}" if isinstance(error, dict) else "ok",
                (time.perf_counter() - started) * 1000,
            )
            return response

        return logged

    def wrap_batch(self, call: BatchFn) -> BatchFn:
        def logged(requests: Sequence[JSONRPCRequest]) -> list[dict[str, Any]]:
            started = time.perf_counter()
            responses = call(requests)
            self.log.debug(
                "batch of %d -> in %.1f ms", len(requests), (time.perf_counter() - started) * 1000
            )
            return responses

        return logged


def default_layers() -> list[tuple[str, ProviderLayer]]:
    """The layer stack, outermost first. Keep docs/ledger.md in step with this list."""
    return [("log_requests", LogRequests()), ("retry_unavailable", RetryUnavailable())]


def to_json_params(value: Any) -> Any:
    """Make request parameters JSON-native the same way for every backend (bytes → 0x-hex)."""
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if isinstance(value, list | tuple):
        return [to_json_params(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_json_params(item) for key, item in value.items()}
    return value


def _revert_data(error: dict[str, Any]) -> bytes:
    """Revert data from an error object: a hex string, or nested as ``{"data": "0x…"}``."""
    data = error.get("data")
    if isinstance(data, dict):
        data = data.get("data")
    if isinstance(data, str) and data.startswith("0x"):
        try:
            return bytes.fromhex(data[2:])
        except ValueError:
            return b""
    return b""


def _is_revert(error: dict[str, Any]) -> bool:
    # Geth, Anvil and the embedded chain use code 3; Besu answers -32000 "Execution reverted".
    message = str(error.get("message", "")).lower()
    return error.get("code") == EXECUTION_REVERTED or message.startswith("execution reverted")


def raise_for_rpc_error(
    response: Any, decode: Callable[[bytes], ContractRevert] = decode_revert
) -> dict[str, Any]:
    """Return a well-formed success response, or raise the typed exception for its error."""
    if not isinstance(response, dict) or response.get("jsonrpc") != "2.0":
        raise BadResponse(f"not a JSON-RPC 2.0 response: {response!r:.200}")
    has_result, has_error = "result" in response, "error" in response
    if has_result == has_error:
        raise BadResponse(f"a response needs exactly one of result and error: {response!r:.200}")
    if has_result:
        return response
    error = response["error"]
    if not (
        isinstance(error, dict)
        and isinstance(error.get("code"), int)
        and isinstance(error.get("message"), str)
    ):
        raise BadResponse(f"malformed JSON-RPC error object: {error!r:.200}")
    if _is_revert(error):
        raise decode(_revert_data(error))
    if error["code"] == METHOD_NOT_FOUND:
        raise MethodUnavailable(error["code"], error["message"], error.get("data"), response)
    raise RPCError(error["code"], error["message"], error.get("data"), response)


class BackendProvider(BaseProvider):
    """A synchronous web3 provider that answers from a :class:`Backend`."""

    def __init__(
        self,
        backend: Backend,
        *,
        layers: Sequence[tuple[str, ProviderLayer]] | None = None,
    ) -> None:
        super().__init__()
        self.backend = backend
        self.layers = list(default_layers() if layers is None else layers)
        request: RequestFn = backend.make_request
        batch: BatchFn = (
            backend.make_batch_request
            if isinstance(backend, BatchBackend)
            else lambda requests: [backend.make_request(m, p) for m, p in requests]
        )
        for _name, layer in reversed(self.layers):
            request, batch = layer.wrap(request), layer.wrap_batch(batch)
        self._request, self._batch = request, batch

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        response = self._request(str(method), to_json_params(list(params or [])))
        return raise_for_rpc_error(response)  # type: ignore[return-value]

    def request(self, method: str, params: Sequence[Any] = ()) -> Any:
        """One request without web3's formatting: the raw JSON ``result`` (or a typed error)."""
        return raise_for_rpc_error(self._request(method, to_json_params(list(params))))["result"]

    def request_batch(self, requests: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        """Several requests in one round trip where the backend can; each a result or an error.

        Errors are returned (as the typed exception objects), not raised, so one bad request
        does not hide the answers to the others.
        """
        responses = self._batch([(m, to_json_params(list(p))) for m, p in requests])
        results: list[Any] = []
        for response in responses:
            try:
                results.append(raise_for_rpc_error(response)["result"])
            except (RPCError, ContractRevert) as exc:
                results.append(exc)
        return results

    def is_connected(self, show_traceback: bool = False) -> bool:
        try:
            self.request("eth_chainId")
        except (BackendUnavailable, BadResponse, RPCError):
            if show_traceback:
                raise
            return False
        return True
