"""``/v1/audit``: trace the access log (with inclusion proofs and the chain's events), export,
and check an export against the chain."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from govledger.api.limits import UPLOAD
from govledger.api.params import DepartmentCode, Id
from govledger.errors import InvalidInput
from sharing_gateway.api.deps import Auditor, GatewayDep
from sharing_gateway.domain.accesslog import export_csv, export_json, parse_export
from sharing_gateway.ports import TraceFilter
from sharing_gateway.schemas import (
    AuditEntryPublic,
    AuditTracePublic,
    AuditVerdictPublic,
    DatasetId,
)

router = APIRouter(prefix="/v1/audit", tags=["audit"])


@router.get("/entries", response_model=AuditTracePublic)
def trace(  # noqa: PLR0917  (query parameters)
    _: Auditor,
    gateway: GatewayDep,
    dataset: DatasetId | None = None,
    requester: DepartmentCode | None = None,
    grant: Id | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    chain: Annotated[bool, Query(description="Include the chain's events")] = True,
) -> AuditTracePublic:
    found = gateway.trace(TraceFilter(dataset, requester, grant, since, until), chain=chain)
    return AuditTracePublic(
        log_id=gateway.log_id,
        entries=[
            AuditEntryPublic(**entry.to_json(), anchor=found.proofs.get(entry.body.seq))
            for entry in found.entries
        ],
        chain_events=found.chain_events,
        count=len(found.entries),
    )


@router.get(
    "/export",
    response_class=Response,
    responses={
        200: {
            "description": "The whole log: JSON (default) or CSV",
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    },
)
def export(_: Auditor, gateway: GatewayDep, format: Literal["json", "csv"] = "json") -> Response:
    """The whole log, in order, for ``govledger audit verify``."""
    selected = gateway.entries()
    if format == "csv":
        return Response(export_csv(selected), media_type="text/csv")
    return Response(export_json(gateway.log_id, selected), media_type="application/json")


@router.post(
    "/verify",
    response_model=AuditVerdictPublic,
    openapi_extra={
        **UPLOAD,
        "requestBody": {
            "description": "An export, as GET /v1/audit/export gives it",
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "text/csv": {"schema": {"type": "string"}},
            },
        },
    },
)
async def verify(request: Request, _: Auditor, gateway: GatewayDep) -> AuditVerdictPublic:
    """Check an export against the log on chain, as ``govledger audit verify`` does: the hash
    chain, every anchored Merkle root, and that entries due to be anchored are. A failed check
    is a verdict (``ok`` false, ``problem``, ``seq``), not an error."""
    try:
        text = (await request.body()).decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("the export is not UTF-8 text") from None
    export = parse_export(text, "the request body")
    verdict = await run_in_threadpool(gateway.verify_export, export)
    return AuditVerdictPublic(**asdict(verdict), ok=verdict.ok)
