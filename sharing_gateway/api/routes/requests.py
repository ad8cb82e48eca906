"""``/v1/requests``: access requests, the provider's answers, and who sees which."""

from __future__ import annotations

from fastapi import APIRouter, status

from govledger.api.params import Id
from sharing_gateway.api.deps import Department, GatewayDep, Provider, Requester
from sharing_gateway.schemas import Approval, Refusal, RequestCreate, RequestPublic, RequestsPublic
from sharing_gateway.service import RequestState

router = APIRouter(prefix="/v1/requests", tags=["requests"])


def request_public(state: RequestState) -> RequestPublic:
    """A request as the chain has it now, with the gateway's exact use count (never below the
    chain's) and why the chain refused its uses, if it did."""
    row, grant, usage = state.request, state.grant, state.usage
    return RequestPublic(
        grant_id=row.grant_id,
        dataset_id=row.dataset_id,
        requester=row.requester_code,
        provider=row.provider_code,
        status=grant.status.name.lower(),
        requested_fields=list(row.fields),
        granted_fields=list(grant.fields) if grant.status.name != "PENDING" else [],
        purpose=row.purpose,
        use_scenario=row.use_scenario,
        expires_at=grant.expires_at,
        max_uses=grant.max_uses,
        used=max(0 if usage is None else usage.used, grant.used_on_chain),
        used_on_chain=grant.used_on_chain,
        blocked=None if usage is None else usage.blocked,
        overdue=state.overdue,
        reason=row.reason,
        signature=row.signature,
        tx_hash=row.tx_hash,
    )


@router.post(
    "",
    response_model=RequestPublic,
    status_code=status.HTTP_201_CREATED,
)
def create_request(body: RequestCreate, requester: Requester, gateway: GatewayDep) -> RequestPublic:
    request = gateway.request_access(
        requester.code,
        dataset_id=body.dataset_id,
        fields=body.fields,
        purpose=body.purpose,
        use_scenario=body.use_scenario,
        scenario_code=body.scenario_code,
        expires_at=body.expires_at,
        max_uses=body.max_uses,
    )
    return request_public(gateway.request_state(request))


@router.get("", response_model=RequestsPublic)
def list_requests(department: Department, gateway: GatewayDep) -> RequestsPublic:
    """The caller's requests, and the requests for the caller's datasets."""
    data = [request_public(state) for state in gateway.requests_of(department.code)]
    return RequestsPublic(data=data, count=len(data))


@router.get("/{grant_id}", response_model=RequestPublic)
def get_request(grant_id: Id, department: Department, gateway: GatewayDep) -> RequestPublic:
    return request_public(gateway.visible_request(grant_id, department.code))


@router.post("/{grant_id}/approve", response_model=RequestPublic)
def approve(grant_id: Id, body: Approval, provider: Provider, gateway: GatewayDep) -> RequestPublic:
    gateway.approve(
        provider.code,
        grant_id,
        fields=body.fields,
        expires_at=body.expires_at,
        max_uses=body.max_uses,
    )
    return request_public(gateway.visible_request(grant_id, provider.code))


@router.post("/{grant_id}/reject", response_model=RequestPublic)
def reject(grant_id: Id, body: Refusal, provider: Provider, gateway: GatewayDep) -> RequestPublic:
    gateway.reject(provider.code, grant_id, reason=body.reason, reason_code=body.reason_code)
    return request_public(gateway.visible_request(grant_id, provider.code))
