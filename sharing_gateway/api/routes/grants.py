"""``/v1/grants``: a grant's state, early revocation by its provider, and the grants the chain
refused uses of (for auditors, the operator among them)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from govledger.api.params import Id
from sharing_gateway.api.deps import Auditor, Department, GatewayDep, Provider
from sharing_gateway.api.routes.requests import request_public, visible_request
from sharing_gateway.schemas import Refusal, RequestPublic, RequestsPublic
from sharing_gateway.tables import GrantUsageRow, RequestRow

router = APIRouter(prefix="/v1/grants", tags=["grants"])


@router.get("/blocked", response_model=RequestsPublic, operation_id="grants-blocked")
def blocked_grants(auditor: Auditor, gateway: GatewayDep) -> RequestsPublic:
    """Grants whose uses the chain refused to record (``blocked`` says why): they release
    nothing until an operator settles them."""
    with gateway.session_factory() as session:
        rows = list(
            session.scalars(
                select(RequestRow)
                .join(GrantUsageRow, GrantUsageRow.grant_id == RequestRow.grant_id)
                .where(GrantUsageRow.chain_error.is_not(None))
                .order_by(RequestRow.grant_id)
            )
        )
    data = [request_public(gateway, row) for row in rows]
    return RequestsPublic(data=data, count=len(data))


@router.get("/{grant_id}", response_model=RequestPublic, operation_id="grants-get")
def get_grant(grant_id: Id, department: Department, gateway: GatewayDep) -> RequestPublic:
    return request_public(gateway, visible_request(gateway, grant_id, department.code))


@router.post("/{grant_id}/revoke", response_model=RequestPublic, operation_id="grants-revoke")
def revoke(grant_id: Id, body: Refusal, provider: Provider, gateway: GatewayDep) -> RequestPublic:
    """Revoke at once: the next release reads the revocation from the chain."""
    gateway.revoke(provider.code, grant_id, reason=body.reason, reason_code=body.reason_code)
    return request_public(gateway, visible_request(gateway, grant_id, provider.code))
