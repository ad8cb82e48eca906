"""Request bodies at the edge: their size is bounded before they are read, the nesting of JSON
bodies before they are parsed (docs/platform.md, "Hostile input").

One ASGI middleware does both for every route, signed in or not, so a route cannot forget it:
a body larger than ``Settings.max_body_bytes`` (``max_upload_bytes`` for a route marked with
:data:`UPLOAD`) is refused with 413 as soon as its ``Content-Length`` or, for a chunked body,
the bytes received so far say so; a JSON body that nests too deep is refused with 422.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from govledger.api.problems import render_problem
from govledger.errors import BodyTooLarge, GovLedgerError
from govledger.jsonlimits import check_nesting
from govledger.settings import Settings

# Marks a route whose body may be as large as ``max_upload_bytes`` (in its OpenAPI operation
# too, so clients see it): ``@router.post(..., openapi_extra=UPLOAD)``.
UPLOAD_EXTENSION = "x-govledger-upload"
UPLOAD: dict[str, Any] = {UPLOAD_EXTENSION: True}


def upload_routes(routes: Iterable[BaseRoute]) -> list[APIRoute]:
    """The routes among ``routes`` marked with :data:`UPLOAD`."""
    return [
        route
        for route in routes
        if isinstance(route, APIRoute) and (route.openapi_extra or {}).get(UPLOAD_EXTENSION)
    ]


def media_type(headers: Headers) -> str:
    """The body's media type, lower-cased, without parameters ("" when none is given)."""
    return headers.get("content-type", "").split(";")[0].strip().lower()


def is_json(headers: Headers) -> bool:
    """Whether anything here may parse the body as JSON: ``application/json``, ``+json``, or no
    media type at all (a dataset upload's default). A route that reads its body itself parses
    JSON only when this says so."""
    media = media_type(headers)
    return media in {"", "application/json"} or (
        media.startswith("application/") and media.endswith("+json")
    )


class BodyLimits:
    """The ASGI middleware (see the module docstring). ``uploads`` are the app's upload routes
    (:func:`upload_routes`), matched only against a body larger than ``max_body_bytes``."""

    def __init__(self, app: ASGIApp, *, uploads: Sequence[APIRoute], settings: Settings) -> None:
        self.app = app
        self.uploads = tuple(uploads)
        self.max_body = settings.max_body_bytes
        self.max_upload = settings.max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            message = await self._read_body(scope, receive)
        except GovLedgerError as error:
            await render_problem(error, scope["path"])(scope, receive, send)
            return
        await self.app(scope, _replay(message, receive), send)

    def _limit(self, scope: Scope) -> int:
        if any(route.matches(scope)[0] is Match.FULL for route in self.uploads):
            return self.max_upload
        return self.max_body

    async def _read_body(self, scope: Scope, receive: Receive) -> Message:
        """The whole body as one message (or the disconnect that cut it short)."""
        headers = Headers(scope=scope)
        limit: int | None = None  # looked up once the body is larger than any JSON body

        def check(size: int, exact: bool) -> None:
            nonlocal limit
            if size <= self.max_body:
                return
            limit = self._limit(scope) if limit is None else limit
            if size > limit:
                told = f"{size} bytes" if exact else f"more than {limit} bytes"
                raise BodyTooLarge(
                    f"the request body has {told}; {scope['path']} takes at most {limit}",
                    max_bytes=limit,
                )

        declared = headers.get("content-length", "")
        if declared.isdigit():
            check(int(declared), exact=True)
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return message
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            check(size, exact=False)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if body and is_json(headers):
            check_nesting(body, "the request body")
        return {"type": "http.request", "body": body, "more_body": False}


def _replay(first: Message, receive: Receive) -> Receive:
    """``receive`` that answers ``first`` once, then whatever the server sends next."""
    pending: list[Message] = [first]

    async def replayed() -> Message:
        return pending.pop() if pending else await receive()

    return replayed
