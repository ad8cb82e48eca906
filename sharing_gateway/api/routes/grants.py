"""``/v1/grants``: a grant's state, and early revocation by its provider."""

from __future__ import annotations

from fastapi import APIRouter

from govledger.api.params import Id
from sharing_gateway.api.deps import Department, GatewayDep, Provider
from sharing_gateway.api.routes.requests import request_public, visible_request
from sharing_gateway.schemas import Refusal, RequestPublic

router = APIRouter(prefix="/v1/grants", tags=["grants"])


@router.get("/{grant_id}", response_model=RequestPublic, operation_id="grants-get")
def get_grant(grant_id: Id, department: Department, gateway: GatewayDep) -> RequestPublic:
    return request_public(gateway, visible_request(gateway, grant_id, department.code))


@router.post("/{grant_id}/revoke", response_model=RequestPublic, operation_id="grants-revoke")
def revoke(grant_id: Id, body: Refusal, provider: Provider, gateway: GatewayDep) -> RequestPublic:
    """Revoke at once: the next release reads the revocation from the chain."""
    gateway.revoke(provider.code, grant_id, reason=body.reason, reason_code=body.reason_code)
    return request_public(gateway, visible_request(gateway, grant_id, provider.code))
