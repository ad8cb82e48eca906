"""Request and response bodies of the gateway's HTTP API (never any data or key material,
except the sealed envelope of a release)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

ShareClassName = Literal["unconditional", "conditional", "not_shareable"]
# In bodies, paths and queries alike: ASCII, so it always fits the chain's bytes32.
DatasetId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FieldSpec(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    type: Literal["string", "integer", "boolean", "date"]


class DatasetCreate(_Strict):
    dataset_id: DatasetId
    title: str = Field(min_length=1, max_length=200)
    share_class: ShareClassName
    fields: list[FieldSpec] = Field(min_length=1, max_length=64)


class VersionPublic(BaseModel):
    version: int
    record_count: int
    content_hash: str
    signature: str
    tx_hash: str
    block_number: int
    published_at: datetime


class DatasetPublic(BaseModel):
    dataset_id: str
    title: str
    provider: str
    share_class: ShareClassName
    fields: list[FieldSpec]
    schema_hash: str
    tx_hash: str
    versions: list[VersionPublic]


class DatasetsPublic(BaseModel):
    data: list[DatasetPublic]
    count: int


class RequestCreate(_Strict):
    dataset_id: DatasetId
    fields: list[str] = Field(min_length=1, max_length=64)
    purpose: str = Field(min_length=1, max_length=2000)
    use_scenario: str = Field(min_length=1, max_length=2000)
    scenario_code: int = Field(default=0, ge=0, le=65535)
    expires_at: datetime
    max_uses: int = Field(ge=1, le=2**32 - 1)


class Approval(_Strict):
    fields: list[str] | None = None
    expires_at: datetime | None = None
    max_uses: int | None = Field(default=None, ge=1, le=2**32 - 1)


class Refusal(_Strict):
    reason: str = Field(min_length=1, max_length=2000)
    reason_code: int = Field(default=1, ge=0, le=65535)


class RequestPublic(BaseModel):
    grant_id: int
    dataset_id: str
    requester: str
    provider: str
    status: Literal["pending", "granted", "rejected", "revoked"]
    requested_fields: list[str]
    granted_fields: list[str]
    purpose: str
    use_scenario: str
    expires_at: int
    max_uses: int
    used: int
    used_on_chain: int
    # Set when the chain refused to record uses the gateway released: the grant is blocked.
    blocked: str | None
    overdue: bool
    reason: str | None
    signature: str
    tx_hash: str


class RequestsPublic(BaseModel):
    data: list[RequestPublic]
    count: int


class ReleasePublic(BaseModel):
    grant_id: int
    dataset_id: str
    version: int
    fields: list[str]
    envelope: dict[str, Any]
    provenance: dict[str, Any]
    uses_left: int
    audit_seq: int


class AuditEntryPublic(BaseModel):
    seq: int
    time: str
    action: str
    outcome: str
    code: str
    caller: str
    grant_id: int | None
    dataset_id: str | None
    fields: list[str]
    purpose: str
    prev_hash: str
    entry_hash: str
    anchor: dict[str, Any] | None


class AuditTracePublic(BaseModel):
    log_id: str
    entries: list[AuditEntryPublic]
    chain_events: list[dict[str, Any]]
    count: int


class AuditVerdictPublic(BaseModel):
    """The verdict on an export (see ``govledger audit verify``); ``problem`` says what failed."""

    ok: bool
    entries: int
    anchored_entries: int
    segments: int
    verified_entries: int
    seq: int | None = Field(description="The first bad entry, when one is to blame")
    problem: str | None
    notes: list[str]
    incomplete: bool = Field(description="The export ends inside an anchored segment")


class OutcomeCountPublic(BaseModel):
    outcome: str = Field(description="released or refused")
    code: str = Field(description="released, or the refusal's problem type")
    count: int


class SharingStatisticsPublic(BaseModel):
    releases: list[OutcomeCountPublic]
    requests: dict[str, int] = Field(description="Requests by status on chain")
    answered: int
    overdue: int = Field(description="Pending past the answer deadline")
    uses_on_chain: int = Field(description="Uses the chain records (it lags the log a little)")
    disagreements: list[str]
