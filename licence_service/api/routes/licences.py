"""Licences: ``/v1/licences`` (issuing departments issue, read and change their own)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from govledger.api.deps import CurrentDepartment, check_role
from govledger.api.limits import UPLOAD
from govledger.api.params import Id
from licence_service.api.deps import Issuer, LicenceIdPath, ServiceDep
from licence_service.errors import NotLicenceIssuer
from licence_service.schemas import (
    AnchorPublic,
    BatchesPublic,
    BulkIssuedPublic,
    HistoryEntryPublic,
    HistoryPublic,
    HolderTokenPublic,
    IssuedLicencePublic,
    LicenceCreate,
    LicencePublic,
    LicencesCreate,
    LicencesPublic,
    RenewCreate,
    StatusChangeCreate,
    TransferCreate,
)
from licence_service.service import IssuedLicence, Reason, StatusAction, SuccessorAction

router = APIRouter(prefix="/v1/licences", tags=["licences"])


def _issued(issued: IssuedLicence) -> IssuedLicencePublic:
    public = LicencePublic.of(issued.state)
    return IssuedLicencePublic(**public.model_dump(), holder_token=issued.holder_token)


@router.post("", response_model=IssuedLicencePublic, status_code=201)
def issue_licence(
    body: LicenceCreate, department: Issuer, service: ServiceDep
) -> IssuedLicencePublic:
    """Issue one licence. It joins the department's open batch: ``pending`` until the
    batcher anchors it (see ``anchor.state``); ``GET /v1/licences/{id}`` shows the change."""
    return _issued(service.issue(department.code, body))


@router.post("/bulk", response_model=BulkIssuedPublic, status_code=201, openapi_extra=UPLOAD)
def issue_licences(
    body: LicencesCreate, department: Issuer, service: ServiceDep
) -> BulkIssuedPublic:
    """Issue many licences as batches of their own, anchored before the response when the
    chain answers. Holder tokens: ``POST /v1/licences/{id}/holder-token``."""
    issued = service.issue_bulk(department.code, body.licences)
    return BulkIssuedPublic(
        batches=[AnchorPublic.of(batch) for batch in issued.batches],
        licence_ids=issued.licence_ids,
        count=len(issued.licence_ids),
    )


@router.get("", response_model=LicencesPublic)
def list_licences(
    department: Issuer,
    service: ServiceDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> LicencesPublic:
    ids, total = service.licence_ids(department.code, limit, offset)
    return LicencesPublic(data=ids, count=total)


@router.get("/batches", response_model=BatchesPublic)
def list_batches(
    department: Issuer,
    service: ServiceDep,
    state: Annotated[Literal["open", "sealed", "anchored", "refused"] | None, Query()] = None,
) -> BatchesPublic:
    """The department's batches, oldest first (``?state=refused``: those the chain refused,
    with the reason)."""
    batches = [AnchorPublic.of(batch) for batch in service.batches(department.code, state)]
    return BatchesPublic(data=batches, count=len(batches))


@router.post("/batches/{batch_id}/retry", response_model=AnchorPublic)
def retry_batch(
    batch_id: Id,
    department: Issuer,
    service: ServiceDep,
) -> AnchorPublic:
    """Send a refused batch to the chain again (once its cause is gone); it comes back
    anchored, or refused again with the new reason."""
    return AnchorPublic.of(service.retry_batch(department.code, batch_id))


def _own(service: ServiceDep, department: Issuer, licence_id: str) -> None:
    if service.licence(licence_id).issuer_code != department.code:
        raise NotLicenceIssuer(f"{licence_id} was issued by another department")


@router.get("/{licence_id}", response_model=LicencePublic)
def read_licence(
    licence_id: LicenceIdPath, department: Issuer, service: ServiceDep
) -> LicencePublic:
    _own(service, department, licence_id)
    return LicencePublic.of(service.state(licence_id))


@router.get("/{licence_id}/history", response_model=HistoryPublic)
def read_history(
    licence_id: LicenceIdPath, department: CurrentDepartment, service: ServiceDep
) -> HistoryPublic:
    """Issuance and every status change, from the chain's events and the stored reasons
    (for its issuer, and for auditors, who trace any licence)."""
    if "AUDITOR" not in department.roles:
        check_role(department, "ISSUER")
        _own(service, department, licence_id)
    entries = [HistoryEntryPublic.of(entry) for entry in service.history(licence_id)]
    return HistoryPublic(data=entries, count=len(entries))


@router.post("/{licence_id}/holder-token", response_model=HolderTokenPublic)
def new_holder_token(
    licence_id: LicenceIdPath, department: Issuer, service: ServiceDep
) -> HolderTokenPublic:
    """A new holder token for the licence; the previous one stops working."""
    return HolderTokenPublic(holder_token=service.new_holder_token(department.code, licence_id))


def _status_route(action: StatusAction) -> Callable[..., LicencePublic]:
    def change_status(
        licence_id: LicenceIdPath, body: StatusChangeCreate, department: Issuer, service: ServiceDep
    ) -> LicencePublic:
        state = service.change_status(
            department.code, licence_id, action, Reason(body.reason_code, body.reason)
        )
        return LicencePublic.of(state)

    change_status.__name__ = f"{action.value}_licence"
    change_status.__doc__ = f"{action.value.capitalize()} the licence on chain (issuer only)."
    return change_status


for _action in StatusAction:
    router.add_api_route(
        f"/{{licence_id}}/{_action.value}",
        _status_route(_action),
        methods=["POST"],
        response_model=LicencePublic,
        name=f"{_action.value}_licence",
    )


@router.post("/{licence_id}/renew", response_model=IssuedLicencePublic, status_code=201)
def renew_licence(
    licence_id: LicenceIdPath, body: RenewCreate, department: Issuer, service: ServiceDep
) -> IssuedLicencePublic:
    """Issue the next version with new validity dates; the old one is superseded on chain."""
    changes = body.model_dump(include={"valid_from", "valid_to", "issue_date"}, exclude_none=True)
    if "valid_to" not in changes:
        changes["valid_to"] = None
    reason = Reason(body.reason_code, body.reason)
    return _issued(
        service.supersede(department.code, licence_id, SuccessorAction.RENEW, changes, reason)
    )


@router.post("/{licence_id}/transfer", response_model=IssuedLicencePublic, status_code=201)
def transfer_licence(
    licence_id: LicenceIdPath, body: TransferCreate, department: Issuer, service: ServiceDep
) -> IssuedLicencePublic:
    """Issue the next version to a new holder; the old one is superseded on chain."""
    changes = body.model_dump(include={"holder_name", "holder_id_type", "holder_id_number"})
    reason = Reason(body.reason_code, body.reason)
    return _issued(
        service.supersede(department.code, licence_id, SuccessorAction.TRANSFER, changes, reason)
    )
