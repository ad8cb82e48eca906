"""Operators' probes: ``GET /healthz`` (the process serves) and ``GET /readyz`` (it can do its
work: chain reachable, database reachable, every service's checks, e.g. anchoring not stalled).
See :mod:`govledger.readiness`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text

from govledger.api.deps import PlatformDep
from govledger.readiness import NotReady, ReportsReadiness

router = APIRouter(tags=["health"])
_logger = logging.getLogger(__name__)


class HealthPublic(BaseModel):
    status: Literal["ok"] = "ok"


class ReadinessPublic(BaseModel):
    status: Literal["ready"] = "ready"
    checks: dict[str, str]


@router.get("/healthz", response_model=HealthPublic)
async def healthz() -> HealthPublic:
    """The process is up and answering (it says nothing about the chain or the database)."""
    return HealthPublic()


@router.get("/readyz", response_model=ReadinessPublic)
def readyz(request: Request, platform: PlatformDep) -> ReadinessPublic:
    """Every check passes, or 503 ``not-ready`` naming those that fail and why."""
    checks: dict[str, str | None] = {
        "chain": _failure(platform.open_chain().ledger.block_number),
        "database": _failure(lambda: _select_one(platform)),
    }
    for name, state in getattr(request.app.state, "service_states", {}).items():
        if isinstance(state, ReportsReadiness):
            try:
                checks.update(state.readiness())
            except Exception as exc:  # e.g. its database is gone: the service is not ready
                checks[name] = _described(exc)
    failed = {name: reason for name, reason in checks.items() if reason is not None}
    if failed:
        detail = "; ".join(f"{name}: {reason}" for name, reason in failed.items())
        raise NotReady(detail, user_message=detail, failed=failed)
    return ReadinessPublic(checks=dict.fromkeys(checks, "ok"))


def _select_one(platform: PlatformDep) -> None:
    with platform.session_factory() as session:
        session.execute(text("SELECT 1"))


def _failure(check: Callable[[], object]) -> str | None:
    """None when ``check()`` returns, else the error it raised, in one line."""
    try:
        check()
    except Exception as exc:  # any failure means not ready; the probe itself must answer
        return _described(exc)
    return None


def _described(exc: Exception) -> str:
    _logger.warning("readiness check failed: %s", exc)
    return f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
