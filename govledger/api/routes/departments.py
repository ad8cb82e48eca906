"""Departments as the chain's registry has them, for anyone: ``GET /v1/departments`` and
``GET /v1/departments/{code}`` (SM2 key history, roles, status). A verifier without a node of
its own reads an issuer's keys here; each key carries the block and transaction that installed
it, to check against any copy of the chain."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from govledger.api.deps import PlatformDep
from govledger.api.params import DepartmentCode
from govledger.errors import NotFound
from ledger.contracts.values import Department

router = APIRouter(prefix="/v1/departments", tags=["departments"])


class DepartmentKeyPublic(BaseModel):
    key_version: int
    sm2_public_key: str = Field(description="Uncompressed point 04 || x || y, hex")
    effective_at: datetime
    block_number: int
    tx_hash: str


class DepartmentPublic(BaseModel):
    code: str
    name: str
    active: bool
    roles: list[str]
    accounts: list[str]
    key_version: int = Field(description="The version of the key in force")
    sm2_public_key: str = Field(description="The key in force: 04 || x || y, hex")
    registered_at: datetime


class DepartmentDetailPublic(DepartmentPublic):
    key_history: list[DepartmentKeyPublic] = Field(description="Every key it has had, oldest first")


class DepartmentsPublic(BaseModel):
    data: list[DepartmentPublic]
    count: int


def _utc(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def _public(department: Department) -> DepartmentPublic:
    return DepartmentPublic(
        code=department.code,
        name=department.name,
        active=department.active,
        roles=sorted(role.name for role in department.roles),
        accounts=list(department.accounts),
        key_version=department.key_version,
        sm2_public_key="04" + department.public_key.hex(),
        registered_at=_utc(department.registered_at),
    )


@router.get("", response_model=DepartmentsPublic)
def list_departments(platform: PlatformDep) -> DepartmentsPublic:
    """Every registered department, in registration order."""
    registry = platform.open_chain().registries.departments
    listed = [_public(registry.get_department(code)) for code in registry.registered_codes()]
    return DepartmentsPublic(data=listed, count=len(listed))


@router.get("/{code}", response_model=DepartmentDetailPublic)
def read_department(code: DepartmentCode, platform: PlatformDep) -> DepartmentDetailPublic:
    """One department with its SM2 key history."""
    registry = platform.open_chain().registries.departments
    department = registry.find_department(code)
    if department is None:
        raise NotFound(f"department {code} is not registered")
    history = [
        DepartmentKeyPublic(
            key_version=change.key_version,
            sm2_public_key="04" + change.public_key.hex(),
            effective_at=_utc(change.effective_at),
            block_number=change.block_number,
            tx_hash=change.tx_hash,
        )
        for change in registry.key_history(code)
    ]
    return DepartmentDetailPublic(**_public(department).model_dump(), key_history=history)
