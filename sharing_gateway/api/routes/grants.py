"""``/v1/grants``: a grant's state, early revocation by its provider, and the grants the chain
refused uses of (for auditors, the operator among them)."""

from __future__ import annotations

from fastapi import APIRouter

from govledger.api.params import Id
from sharing_gateway.api.deps import Auditor, Department, GatewayDep, Provider
from sharing_gateway.api.routes.requests import request_public
from sharing_gateway.schemas import Refusal, RequestPublic, RequestsPublic

router = APIRouter(prefix="/v1/grants", tags=["grants"])


@router.get("/blocked", response_model=RequestsPublic)
def blocked_grants(auditor: Auditor, gateway: GatewayDep) -> RequestsPublic:
    """Grants whose uses the chain refused to record (``blocked`` says why): they release
    nothing until an operator settles them."""
    data = [request_public(state) for state in gateway.blocked_requests()]
    return RequestsPublic(data=data, count=len(data))


@router.get("/{grant_id}", response_model=RequestPublic)
def get_grant(grant_id: Id, department: Department, gateway: GatewayDep) -> RequestPublic:
    return request_public(gateway.visible_request(grant_id, department.code))


@router.post("/{grant_id}/revoke", response_model=RequestPublic)
def revoke(grant_id: Id, body: Refusal, provider: Provider, gateway: GatewayDep) -> RequestPublic:
    """Revoke at once: the next release reads the revocation from the chain."""
    gateway.revoke(provider.code, grant_id, reason=body.reason, reason_code=body.reason_code)
    return request_public(gateway.visible_request(grant_id, provider.code))
