"""``/v1/datasets``: the catalogue (never the data), publishing versions, and the release."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers

from govledger.api.deps import PlatformDep, TokenDep, authenticate
from govledger.api.limits import UPLOAD, is_json, media_type
from govledger.api.params import Id
from ledger.contracts.values import ShareClass
from sharing_gateway.api.deps import Department, GatewayDep, Provider
from sharing_gateway.domain.records import Field, Schema, UploadFormat
from sharing_gateway.errors import UploadMediaTypeUnsupported
from sharing_gateway.ports import PublishedVersion
from sharing_gateway.schemas import (
    DatasetCreate,
    DatasetId,
    DatasetPublic,
    DatasetsPublic,
    FieldSpec,
    ReleasePublic,
    VersionPublic,
)
from sharing_gateway.service import Listing

router = APIRouter(prefix="/v1/datasets", tags=["datasets"])


def _version_public(row: PublishedVersion) -> VersionPublic:
    return VersionPublic(
        version=row.version,
        record_count=row.record_count,
        content_hash=row.content_hash,
        signature=row.signature,
        tx_hash=row.tx_hash,
        block_number=row.block_number,
        published_at=row.published_at,
    )


def _dataset_public(listing: Listing) -> DatasetPublic:
    row = listing.dataset
    return DatasetPublic(
        dataset_id=row.dataset_id,
        title=row.title,
        provider=row.provider_code,
        share_class=row.share_class,
        fields=[
            FieldSpec(name=f.name, type=f.type) for f in Schema.from_json(row.schema_json).fields
        ],
        schema_hash=row.schema_hash,
        tx_hash=row.tx_hash,
        versions=[_version_public(version) for version in listing.versions],
    )


@router.post(
    "",
    response_model=DatasetPublic,
    status_code=status.HTTP_201_CREATED,
)
def register_dataset(body: DatasetCreate, provider: Provider, gateway: GatewayDep) -> DatasetPublic:
    dataset = gateway.register_dataset(
        provider.code,
        dataset_id=body.dataset_id,
        title=body.title,
        share_class=ShareClass[body.share_class.upper()],
        fields=[Field(spec.name, spec.type) for spec in body.fields],
    )
    return _dataset_public(Listing(dataset, []))


@router.post(
    "/{dataset_id}/versions",
    response_model=VersionPublic,
    status_code=status.HTTP_201_CREATED,
    openapi_extra={
        **UPLOAD,
        # Read by the route itself (JSON or CSV), so FastAPI cannot derive it.
        "requestBody": {
            "description": "The records, in the dataset's schema: one object each, or CSV rows",
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"type": "array", "items": {"type": "object"}},
                },
                "text/csv": {"schema": {"type": "string"}},
            },
        },
    },
)
async def publish_version(
    dataset_id: DatasetId, request: Request, provider: Provider, gateway: GatewayDep
) -> VersionPublic:
    """The body is the records: JSON (an array of objects) or ``text/csv``; any other media type
    is 415."""
    upload_format = _upload_format(request.headers)
    content = await request.body()  # at most max_upload_bytes (govledger.api.limits)
    row = await run_in_threadpool(
        gateway.publish_version, provider.code, dataset_id, content, upload_format
    )
    return _version_public(row)


def _upload_format(headers: Headers) -> UploadFormat:
    # JSON exactly when the body limits take the body for JSON, so no JSON goes unscanned.
    if is_json(headers):
        return UploadFormat.JSON
    if media_type(headers) == "text/csv":
        return UploadFormat.CSV
    raise UploadMediaTypeUnsupported(
        f"a dataset version is JSON or text/csv, not {headers.get('content-type')!r}"
    )


@router.get("", response_model=DatasetsPublic)
def list_datasets(_: Department, gateway: GatewayDep) -> DatasetsPublic:
    data = [_dataset_public(listing) for listing in gateway.listings()]
    return DatasetsPublic(data=data, count=len(data))


@router.get("/{dataset_id}", response_model=DatasetPublic)
def get_dataset(dataset_id: DatasetId, _: Department, gateway: GatewayDep) -> DatasetPublic:
    return _dataset_public(gateway.listing(dataset_id))


@router.get("/{dataset_id}/data", response_model=ReleasePublic)
async def release(
    dataset_id: DatasetId,
    *,
    token: TokenDep,
    platform: PlatformDep,
    gateway: GatewayDep,
    grant: Id,
    fields: Annotated[str, Query(min_length=1, description="Comma-separated field names")],
) -> Response:
    # The hot path: the sign-in check (DATA_REQUESTER) and the release share one hand-off to a
    # worker thread, where a ``Requester`` dependency would add a second.
    names = [name.strip() for name in fields.split(",") if name.strip()]

    def run() -> Response:
        requester = authenticate(platform, token, "DATA_REQUESTER")
        released = gateway.release(requester.code, dataset_id, grant, names)
        # Built from the gateway's own typed values and serialised once: returned as a model,
        # the response would be validated and encoded again, envelope included.
        body = ReleasePublic.model_construct(
            grant_id=released.grant_id,
            dataset_id=released.dataset_id,
            version=released.version,
            fields=list(released.fields),
            envelope=released.envelope,
            provenance=released.provenance,
            uses_left=released.uses_left,
            audit_seq=released.log_seq,
        )
        return Response(body.model_dump_json(), media_type="application/json")

    return await run_in_threadpool(run)
