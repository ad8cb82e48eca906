"""Readiness: what ``GET /readyz`` asks of the platform and of each service.

A service's state (what its plugin's ``open`` yields) takes part by having a ``readiness()``
method: each of its checks by name, with None when the check passes and otherwise why not, in
words an operator can act on. The platform adds its own checks (chain, database) and answers
503 ``not-ready`` naming every check that failed.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from govledger.errors import GovLedgerError


@runtime_checkable
class ReportsReadiness(Protocol):
    def readiness(self) -> dict[str, str | None]:
        """Each check's name → None when ready, otherwise why not."""
        ...


class NotReady(GovLedgerError):
    """Something the service needs is not working: the chain, the database, or anchoring."""

    code = "not-ready"
    title = "Not ready"
    http_status = 503
    exit_code = 8
