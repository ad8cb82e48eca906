"""``/v1/requests``: access requests, the provider's answers, and who sees which."""

from __future__ import annotations

import json

from fastapi import APIRouter, status
from sqlalchemy import or_, select

from govledger.api.params import Id
from sharing_gateway.api.deps import Department, GatewayDep, Provider, Requester
from sharing_gateway.domain.release import GrantView
from sharing_gateway.errors import RequestUnknown
from sharing_gateway.schemas import Approval, Refusal, RequestCreate, RequestPublic, RequestsPublic
from sharing_gateway.service import Gateway
from sharing_gateway.tables import GrantUsageRow, RequestRow

router = APIRouter(prefix="/v1/requests", tags=["requests"])


def request_public(gateway: Gateway, row: RequestRow) -> RequestPublic:
    """A request as the chain has it now, with the gateway's exact use count (never below the
    chain's) and why the chain refused its uses, if it did."""
    gateway.view.sync()
    chain_grant = gateway.view.grant(row.grant_id)
    if chain_grant is None:
        raise RequestUnknown(f"grant {row.grant_id} is not on this chain")
    grant = GrantView.from_chain(chain_grant)
    with gateway.session_factory() as session:
        usage = session.get(GrantUsageRow, row.grant_id)
    return RequestPublic(
        grant_id=row.grant_id,
        dataset_id=row.dataset_id,
        requester=row.requester_code,
        provider=row.provider_code,
        status=grant.status.name.lower(),
        requested_fields=json.loads(row.fields_json),
        granted_fields=list(grant.fields) if grant.status.name != "PENDING" else [],
        purpose=row.purpose,
        use_scenario=row.use_scenario,
        expires_at=grant.expires_at,
        max_uses=grant.max_uses,
        used=max(0 if usage is None else usage.used, grant.used_on_chain),
        used_on_chain=grant.used_on_chain,
        blocked=None if usage is None else usage.chain_error,
        overdue=gateway.is_overdue(row, grant.status),
        reason=row.reason,
        signature=row.signature,
        tx_hash=row.tx_hash,
    )


def visible_request(gateway: Gateway, grant_id: int, code: str) -> RequestRow:
    """The request, if ``code`` is its requester or provider (others are told it is unknown)."""
    with gateway.session_factory() as session:
        row = session.get(RequestRow, grant_id)
    if row is None or code not in (row.requester_code, row.provider_code):
        raise RequestUnknown(f"no request {grant_id} of yours")
    return row


@router.post(
    "",
    response_model=RequestPublic,
    status_code=status.HTTP_201_CREATED,
    operation_id="requests-create",
)
def create_request(body: RequestCreate, requester: Requester, gateway: GatewayDep) -> RequestPublic:
    row = gateway.request_access(
        requester.code,
        dataset_id=body.dataset_id,
        fields=body.fields,
        purpose=body.purpose,
        use_scenario=body.use_scenario,
        scenario_code=body.scenario_code,
        expires_at=body.expires_at,
        max_uses=body.max_uses,
    )
    return request_public(gateway, row)


@router.get("", response_model=RequestsPublic, operation_id="requests-list")
def list_requests(department: Department, gateway: GatewayDep) -> RequestsPublic:
    """The caller's requests, and the requests for the caller's datasets."""
    with gateway.session_factory() as session:
        rows = list(
            session.scalars(
                select(RequestRow)
                .where(
                    or_(
                        RequestRow.requester_code == department.code,
                        RequestRow.provider_code == department.code,
                    )
                )
                .order_by(RequestRow.grant_id)
            )
        )
    data = [request_public(gateway, row) for row in rows]
    return RequestsPublic(data=data, count=len(data))


@router.get("/{grant_id}", response_model=RequestPublic, operation_id="requests-get")
def get_request(grant_id: Id, department: Department, gateway: GatewayDep) -> RequestPublic:
    return request_public(gateway, visible_request(gateway, grant_id, department.code))


@router.post("/{grant_id}/approve", response_model=RequestPublic, operation_id="requests-approve")
def approve(grant_id: Id, body: Approval, provider: Provider, gateway: GatewayDep) -> RequestPublic:
    gateway.approve(
        provider.code,
        grant_id,
        fields=body.fields,
        expires_at=body.expires_at,
        max_uses=body.max_uses,
    )
    return request_public(gateway, visible_request(gateway, grant_id, provider.code))


@router.post("/{grant_id}/reject", response_model=RequestPublic, operation_id="requests-reject")
def reject(grant_id: Id, body: Refusal, provider: Provider, gateway: GatewayDep) -> RequestPublic:
    gateway.reject(provider.code, grant_id, reason=body.reason, reason_code=body.reason_code)
    return request_public(gateway, visible_request(gateway, grant_id, provider.code))
