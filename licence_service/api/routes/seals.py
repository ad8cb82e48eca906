"""Seals: ``/v1/seals`` (a SEAL_ADMIN department makes and revokes its own), and
``/v1/departments/{code}/seals`` for anyone: each seal with its record as the chain has it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from govledger.api.deps import CurrentDepartment, PlatformDep
from govledger.api.params import DepartmentCode
from licence_service.api.deps import SealAdmin, ServiceDep
from licence_service.schemas import (
    DepartmentSealPublic,
    DepartmentSealsPublic,
    SealCreate,
    SealPublic,
    SealRevoke,
    SealsPublic,
)

router = APIRouter(prefix="/v1/seals", tags=["seals"])
department_router = APIRouter(prefix="/v1/departments", tags=["seals"])


@router.post("", response_model=SealPublic, status_code=201)
def create_seal(body: SealCreate, department: SealAdmin, service: ServiceDep) -> SealPublic:
    """Make the department's seal (held by its current SM2 key), sign it and register it."""
    stored = service.create_seal(
        department.code,
        name=body.name,
        seal_type=body.type,
        valid_start=body.valid_from,
        valid_end=body.valid_to,
        picture=body.picture,
    )
    return SealPublic.of(stored)


@router.post("/{seal_hash}/revoke", response_model=SealPublic)
def revoke_seal(
    seal_hash: Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")],
    body: SealRevoke,
    department: SealAdmin,
    service: ServiceDep,
) -> SealPublic:
    return SealPublic.of(
        service.revoke_seal(department.code, bytes.fromhex(seal_hash), body.reason_code)
    )


@router.get("", response_model=SealsPublic)
def list_seals(
    department: CurrentDepartment,
    service: ServiceDep,
    owner: DepartmentCode | None = None,
) -> SealsPublic:
    """Seals of ``owner`` (default: the caller's department)."""
    seals = [SealPublic.of(stored) for stored in service.seals(owner or department.code)]
    return SealsPublic(data=seals, count=len(seals))


@department_router.get("/{code}/seals", response_model=DepartmentSealsPublic)
def department_seals(
    code: DepartmentCode, service: ServiceDep, platform: PlatformDep
) -> DepartmentSealsPublic:
    """The department's seals, for a verifier without a node of its own: each signed seal
    (GB/T 38540 structure) with its record read from the chain now (holders, validity,
    revocation)."""
    registry = platform.open_chain().registries.seals
    seals = [
        DepartmentSealPublic.with_record(stored, registry.get_seal(stored.seal.hash))
        for stored in service.seals(code)
    ]
    return DepartmentSealsPublic(data=seals, count=len(seals))
