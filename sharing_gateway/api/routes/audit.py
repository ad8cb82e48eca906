"""``/v1/audit``: trace the access log (with inclusion proofs and the chain's events), export."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from govledger.api.params import DepartmentCode, Id
from sharing_gateway.api.deps import Auditor, GatewayDep
from sharing_gateway.domain.accesslog import export_csv, export_json
from sharing_gateway.ports import TraceFilter
from sharing_gateway.schemas import AuditEntryPublic, AuditTracePublic, DatasetId

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
