"""Request and response bodies of the licence service's routes: inputs (``...Create``) and
outputs (``...Public``, lists as ``...sPublic(data, count)``) are separate models."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from ledger.contracts.values import Seal
from licence_service.domain.model import Text
from licence_service.domain.seal import SealPicture, SealType
from licence_service.domain.verify import VerificationReport
from licence_service.ports import StoredBatch, StoredSeal
from licence_service.service import HistoryEntry, LicenceRequest, LicenceState, LicenceStatistics

ReasonCode = Annotated[StrictInt, Field(ge=0, le=0xFFFF)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- seals ---------------------------------------------------------------------------------------


class SealCreate(_Input):
    name: Text
    type: SealType = SealType.ORGANISATION
    valid_from: datetime | None = Field(default=None, description="Default: now")
    valid_to: datetime
    picture: SealPicture | None = Field(default=None, description="Default: a plain drawing")


class SealRevoke(_Input):
    reason_code: ReasonCode


class SealPublic(BaseModel):
    seal_hash: str = Field(description="SM3 of the seal's canonical JSON: its id on chain")
    seal_id: str
    name: str
    owner_code: str
    valid_from: datetime
    valid_to: datetime
    created_at: datetime
    tx_hash: str
    revoked_at: datetime | None
    revocation_reason: int | None
    seal: dict[str, Any] = Field(description="The signed seal (GB/T 38540 structure, JSON)")

    @classmethod
    def of(cls, stored: StoredSeal) -> SealPublic:
        seal = stored.seal
        return cls(
            seal_hash=seal.hash.hex(),
            seal_id=seal.info.seal_id,
            name=seal.info.property.name,
            owner_code=stored.owner_code,
            valid_from=seal.info.property.valid_start,
            valid_to=seal.info.property.valid_end,
            created_at=stored.created_at,
            tx_hash=stored.tx_hash,
            revoked_at=stored.revoked_at,
            revocation_reason=stored.revocation_reason,
            seal=seal.model_dump(mode="json"),
        )


class SealsPublic(BaseModel):
    data: list[SealPublic]
    count: int


class SealRecordPublic(BaseModel):
    """A seal's record on chain (``SealRegistry.getSeal``)."""

    owner_code: str
    holder_key_hashes: list[str] = Field(description="SM3 of each holder's SM2 public key, hex")
    valid_from: datetime
    valid_to: datetime
    registered_at: datetime
    revoked_at: datetime | None
    revocation_reason: int


class DepartmentSealPublic(SealPublic):
    on_chain: SealRecordPublic = Field(description="The record under seal_hash, read from chain")

    @classmethod
    def with_record(cls, stored: StoredSeal, record: Seal) -> DepartmentSealPublic:
        on_chain = SealRecordPublic(
            owner_code=record.owner,
            holder_key_hashes=[key_hash.hex() for key_hash in record.holder_key_hashes],
            valid_from=datetime.fromtimestamp(record.valid_from, UTC),
            valid_to=datetime.fromtimestamp(record.valid_to, UTC),
            registered_at=datetime.fromtimestamp(record.registered_at, UTC),
            revoked_at=(
                None
                if record.revoked_at is None
                else datetime.fromtimestamp(record.revoked_at, UTC)
            ),
            revocation_reason=record.revocation_reason,
        )
        return cls(**SealPublic.of(stored).model_dump(), on_chain=on_chain)


class DepartmentSealsPublic(BaseModel):
    data: list[DepartmentSealPublic]
    count: int


# -- licences ------------------------------------------------------------------------------------


class LicenceCreate(LicenceRequest):
    """One licence to issue (GB/T 36903 particulars); the service assigns its identifier."""


class LicencesCreate(_Input):
    licences: list[LicenceCreate] = Field(min_length=1)


class AnchorPublic(BaseModel):
    """A batch of licences and where its anchoring stands."""

    batch_id: int
    state: Literal["open", "sealed", "anchored", "refused"] = Field(
        description="open (taking licences), sealed (root fixed, anchoring due), anchored, or "
        "refused: the chain refused to anchor it (see reason); set aside until its issuer "
        "retries it (POST /v1/licences/batches/{batch_id}/retry)"
    )
    count: int
    root: str | None
    tx_hash: str | None
    block_number: int | None
    anchored_at: datetime | None
    reason: str | None = Field(description="Why the chain refused the batch (refused only)")
    refused_at: datetime | None

    @classmethod
    def of(cls, batch: StoredBatch) -> AnchorPublic:
        return cls(
            batch_id=batch.batch_id,
            state=batch.state,
            count=batch.count,
            root=None if batch.root is None else batch.root.hex(),
            tx_hash=None if batch.tx is None else batch.tx.tx_hash,
            block_number=None if batch.tx is None else batch.tx.block_number,
            anchored_at=batch.anchored_at,
            reason=batch.refused_reason,
            refused_at=batch.refused_at,
        )


class BatchesPublic(BaseModel):
    data: list[AnchorPublic]
    count: int


class LicencePublic(BaseModel):
    licence_id: str
    issuer_code: str
    previous_id: str | None
    status: str = Field(
        description="pending (batch not anchored yet), refused (the chain refused its batch: "
        "see anchor.reason), or the status on chain: valid, suspended, withdrawn, cancelled, "
        "superseded, revoked; expired when past valid_to"
    )
    reason_code: int | None
    successor_id: str | None = Field(
        description="When superseded (renewed, transferred): the licence that replaced it"
    )
    valid_from: date
    valid_to: date | None
    leaf: str
    anchor: AnchorPublic
    document: dict[str, Any] = Field(description="The full signed document (with its anchor)")

    @classmethod
    def of(cls, state: LicenceState) -> LicencePublic:
        licence = state.licence
        header = licence.document.header
        return cls(
            licence_id=licence.licence_id,
            issuer_code=licence.issuer_code,
            previous_id=licence.previous_id,
            status=state.status,
            reason_code=state.reason_code,
            successor_id=state.successor_id,
            valid_from=header.valid_from,
            valid_to=header.valid_to,
            leaf=licence.leaf.hex(),
            anchor=AnchorPublic.of(licence.batch),
            document=licence.document.model_dump(mode="json"),
        )


class IssuedLicencePublic(LicencePublic):
    """A licence just issued. A single issue is ``pending``: its document has no anchor yet.
    That copy verifies at ``POST /v1/verify`` once the batch is anchored (the service supplies
    the anchor); ``GET /v1/holder/licences/{id}`` then gives a copy that carries it."""

    holder_token: str | None = Field(
        description="Give this to the holder: it opens /v1/holder/licences/{id}"
    )


class LicencesPublic(BaseModel):
    data: list[str] = Field(description="Licence identifiers")
    count: int


class BulkIssuedPublic(BaseModel):
    batches: list[AnchorPublic]
    licence_ids: list[str]
    count: int


class StatusChangeCreate(_Input):
    reason_code: ReasonCode
    reason: Annotated[StrictStr, Field(min_length=1, max_length=2000)]


class RenewCreate(StatusChangeCreate):
    valid_from: date
    valid_to: date | None = None
    issue_date: date | None = None


class TransferCreate(StatusChangeCreate):
    holder_name: Text
    holder_id_type: Annotated[StrictStr, Field(pattern=r"^[0-9A-Z]{3}$")]
    holder_id_number: Text


class HistoryEntryPublic(BaseModel):
    action: str
    status: str
    previous_status: str | None
    reason_code: int
    reason: str | None
    tx_hash: str | None
    block_number: int | None
    at: datetime | None
    successor_id: str | None = Field(
        description="On the change that superseded the licence: the licence that replaced it"
    )

    @classmethod
    def of(cls, entry: HistoryEntry) -> HistoryEntryPublic:
        return cls(
            action=entry.action,
            status=entry.status.name.lower(),
            previous_status=None
            if entry.previous_status is None
            else entry.previous_status.name.lower(),
            reason_code=entry.reason_code,
            reason=entry.reason,
            tx_hash=None if entry.tx is None else entry.tx.tx_hash,
            block_number=None if entry.tx is None else entry.tx.block_number,
            at=entry.at,
            successor_id=entry.successor_id,
        )


class HistoryPublic(BaseModel):
    data: list[HistoryEntryPublic]
    count: int


class HolderTokenPublic(BaseModel):
    holder_token: str


# -- presentations and verification --------------------------------------------------------------


class PresentationCreate(_Input):
    fields: list[Annotated[StrictStr, Field(max_length=80)]] = Field(max_length=200)
    lifetime_s: Annotated[StrictInt, Field(ge=1)] = 600


class PresentationPublic(BaseModel):
    digest: str
    expires_at: datetime
    qr_payload: str = Field(
        description="What the QR code holds: the address of the portal's verify page for this "
        "presentation (<public base URL>/verify/p/<digest>), which any phone camera opens"
    )
    offline_qr_payload: str | None = Field(
        description="The whole presentation for a code read without network (GLP1: and base45 "
        "of its zlib-compressed JSON), when it fits a version-40 code; else null"
    )
    qr_png_url: str
    qr_svg_url: str
    presentation: dict[str, Any]


class CheckPublic(BaseModel):
    ok: bool
    reason: str
    message: str


class VerificationPublic(BaseModel):
    ok: bool
    integrity: CheckPublic
    status: CheckPublic
    issuer: CheckPublic
    seal: CheckPublic
    verified_at: datetime
    licence_id: str | None = Field(
        description="The identifier the input states: the licence's only if integrity is ok"
    )
    fields: dict[str, Any] | None = Field(
        description="The disclosed fields, shown only when integrity is ok (else null)"
    )
    unverified_fields: dict[str, Any] | None = Field(
        description="When integrity fails: the fields as the input claims them, NOT the "
        "licence's (else null)"
    )
    successor_id: str | None = Field(
        description="For a superseded licence: the identifier of the licence that replaced it"
    )
    anchor_supplied: bool = Field(
        description="The document carried no anchor (a copy handed out before its batch was "
        "anchored): the service supplied its batch root and proof, checked as any anchor"
    )

    @classmethod
    def of(cls, report: VerificationReport) -> VerificationPublic:
        def check(result: Any) -> CheckPublic:
            return CheckPublic(**result.to_dict())

        return cls(
            ok=report.ok,
            integrity=check(report.integrity),
            status=check(report.status),
            issuer=check(report.issuer),
            seal=check(report.seal),
            verified_at=report.verified_at,
            licence_id=report.licence_id,
            fields=None if report.fields is None else dict(report.fields),
            unverified_fields=None
            if report.unverified_fields is None
            else dict(report.unverified_fields),
            successor_id=report.successor_id,
            anchor_supplied=report.anchor_supplied,
        )


# -- statistics ----------------------------------------------------------------------------------


class LicenceCountPublic(BaseModel):
    month: str = Field(description="Month issued, YYYY-MM")
    issuer_code: str
    type_code: str
    status: str
    count: int


class LicenceStatisticsPublic(BaseModel):
    data: list[LicenceCountPublic]
    disagreements: list[str] = Field(
        description="Where the chain's events disagree with the database's counts"
    )

    @classmethod
    def of(cls, statistics: LicenceStatistics) -> LicenceStatisticsPublic:
        return cls(
            data=[
                LicenceCountPublic(
                    month=month, issuer_code=issuer, type_code=type_code, status=status, count=n
                )
                for (month, issuer, type_code, status), n in sorted(statistics.counts.items())
            ],
            disagreements=statistics.disagreements,
        )
