"""Errors as RFC 9457 problem details (``application/problem+json``), rendered in one place.

- Every :class:`~govledger.errors.GovLedgerError`, and every library error the platform's error
  table maps, becomes its problem: ``type``, ``title``, ``status``, ``detail``, ``instance``,
  ``code``. Server-side failures (5xx) leave the detail out (it goes to the log) unless they carry
  a ``user_message`` meant for the caller.
- Request validation errors become a 422 ``invalid-input`` problem listing the field errors.
- HTTP errors raised by the framework (unknown route, wrong method) become problems too.
- Anything else is a bug: a bare 500 problem with nothing of the internals.

The app's OpenAPI says so (:data:`PROBLEM_RESPONSES`, :func:`document_problems`): every operation
answers its errors with the ``Problem`` schema, not FastAPI's ``HTTPValidationError``.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from govledger.errors import (
    PROBLEM_TYPE_BASE,
    Conflict,
    Forbidden,
    GovLedgerError,
    InvalidInput,
    NotFound,
    Unauthenticated,
    as_govledger_error,
    mapped_error_types,
)

PROBLEM_MEDIA_TYPE = "application/problem+json"
_logger = logging.getLogger(__name__)


class Problem(BaseModel):
    """RFC 9457 problem details, as every error is answered; ``code`` is stable, and some
    problems carry more members (``errors``, ``error``, ``max_bytes``...)."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    code: str


def _problem_response(description: str) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/Problem"}
    return {"description": description, "content": {PROBLEM_MEDIA_TYPE: {"schema": schema}}}


# Declared for every router the app includes; with its own 422, FastAPI adds no
# HTTPValidationError of its own.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    422: _problem_response("Invalid input: parameters or body (invalid-input, json-too-deep...)"),
    "default": _problem_response("Any other refusal or failure, with its code"),
}


def document_problems(app: FastAPI) -> None:
    """Add the ``Problem`` schema that :data:`PROBLEM_RESPONSES` refers to to the app's OpenAPI."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas["Problem"] = Problem.model_json_schema()
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


_FRAMEWORK_HTTP_ERRORS: dict[int, type[GovLedgerError]] = {
    401: Unauthenticated,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    422: InvalidInput,
}


def _problem(
    body: dict[str, Any], status: int, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _bare_problem(error_type: type[GovLedgerError], status: int, instance: str) -> dict[str, Any]:
    return {
        "type": PROBLEM_TYPE_BASE + error_type.code,
        "title": error_type.title,
        "status": status,
        "instance": instance,
        "code": error_type.code,
    }


def render_problem(error: GovLedgerError, instance: str) -> JSONResponse:
    """The response for ``error`` at the request path ``instance``."""
    if error.http_status < 500 or error.user_message is not None:
        body = error.to_problem(instance)
    else:
        _logger.error("%s on %s: %s", error.code, instance, error.detail, exc_info=error)
        body = _bare_problem(type(error), error.http_status, instance)
    # RFC 9110: a 401 names the scheme the client should use.
    headers = {"WWW-Authenticate": "Bearer"} if error.http_status == 401 else None
    return _problem(body, error.http_status, headers)


async def _platform_error(request: Request, exc: Exception) -> JSONResponse:
    error = as_govledger_error(exc)
    if error is None:  # registered only for mapped types; kept total for safety
        return await _unexpected_error(request, exc)
    return render_problem(error, request.url.path)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Field errors without the offending input: it may be a secret (a signature, a token).
    errors = [
        {"loc": list(error["loc"]), "msg": error["msg"], "type": error["type"]}
        for error in exc.errors()
    ]
    return render_problem(InvalidInput("the request is not valid", errors=errors), request.url.path)


async def _framework_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    error_type = _FRAMEWORK_HTTP_ERRORS.get(exc.status_code)
    if error_type is not None:
        response = render_problem(error_type(str(exc.detail)), request.url.path)
        response.headers.update(exc.headers or {})
        return response
    status = HTTPStatus(exc.status_code)
    body = {
        "type": "about:blank",
        "title": status.phrase,
        "status": status.value,
        "detail": str(exc.detail),
        "instance": request.url.path,
        "code": f"http-{status.value}",
    }
    return _problem(body, status.value, dict(exc.headers) if exc.headers else None)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # Starlette re-raises after this response is sent, so the traceback reaches the server log.
    return _problem(_bare_problem(GovLedgerError, 500, request.url.path), 500)


def install_problem_handlers(app: FastAPI) -> None:
    """Render every error the app can raise as problem+json (see the module docstring)."""
    for error_type in mapped_error_types():
        if issubclass(error_type, Exception):
            app.add_exception_handler(error_type, _platform_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _framework_http_error)
    app.add_exception_handler(Exception, _unexpected_error)
