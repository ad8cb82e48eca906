"""The gateway's edge: ids and codes the database or the chain encoders cannot hold are refused
with 422 before any route code runs, and a contract's refusal is its own problem type."""

from __future__ import annotations

import pytest

from govledger.errors import JSONTooDeep
from sharing_gateway.domain.records import Field, Schema, UploadFormat, parse_upload
from tests.sharing_gateway.world import AUDITOR, PROBLEM, PROVIDER, REQUESTER, World

HUGE = 2**64  # beyond SQLite's INTEGER and PostgreSQL's BIGINT
NOT_ASCII = "%E6%95%B0%E6%8D%AE"


@pytest.mark.parametrize(
    ("method", "path", "caller"),
    [
        ("GET", f"/v1/grants/{HUGE}", REQUESTER),
        ("GET", f"/v1/grants/{2**63}", REQUESTER),
        ("GET", "/v1/grants/0", REQUESTER),
        ("POST", f"/v1/grants/{HUGE}/revoke", PROVIDER),
        ("GET", f"/v1/requests/{HUGE}", REQUESTER),
        ("GET", "/v1/requests/-1", REQUESTER),
        ("POST", f"/v1/requests/{HUGE}/approve", PROVIDER),
        ("POST", f"/v1/requests/{HUGE}/reject", PROVIDER),
        ("GET", f"/v1/datasets/edge-1/data?grant={HUGE}&fields=name", REQUESTER),
        ("GET", f"/v1/datasets/{NOT_ASCII}/data?grant=1&fields=name", REQUESTER),
        ("GET", f"/v1/datasets/{NOT_ASCII}", REQUESTER),
        ("POST", f"/v1/datasets/{NOT_ASCII}/versions", PROVIDER),
        ("GET", f"/v1/audit/entries?grant={HUGE}", AUDITOR),
        ("GET", f"/v1/audit/entries?dataset={NOT_ASCII}", AUDITOR),
        ("GET", f"/v1/audit/entries?requester={NOT_ASCII}", AUDITOR),
    ],
)
def test_out_of_range_parameters_are_invalid_input(
    world: World, method: str, path: str, caller: str
) -> None:
    body = {"reason": "x"} if path.endswith(("revoke", "reject")) else {}
    response = world.call(method, path, caller, json=body if method == "POST" else None)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "invalid-input"


def test_a_non_ascii_dataset_id_in_a_body_is_invalid_input(world: World) -> None:
    response = world.request("数据", ["name"])
    assert (response.status_code, response.json()["code"]) == (422, "invalid-input")


def test_an_expiry_in_the_past_is_the_callers_input_not_a_conflict(world: World) -> None:
    world.dataset("edge-2")
    response = world.request("edge-2", ["name"], hours=-1)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "chain-sharing-invalid-expiry"
    assert problem["error"].startswith("SharingInvalidExpiry(expiresAt=")


DEEP_UPLOAD = b"[" * 100_000 + b"]" * 100_000
CSV_RECORD = b"name,licence_no,employees,active\nx,L-1,1,true\n"
JSON_RECORD = b'[{"name": "x", "licence_no": "L-1", "employees": 1, "active": true}]'


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        # A body the size middleware does not take for JSON is still never parsed as JSON.
        ("text/plain", DEEP_UPLOAD, (415, "upload-media-type-unsupported")),
        ("application/xml", b"<records/>", (415, "upload-media-type-unsupported")),
        ("text/csv2", CSV_RECORD, (415, "upload-media-type-unsupported")),
        # The route parses JSON through the bounded helper, whatever the middleware did.
        ("application/json", DEEP_UPLOAD, (422, "json-too-deep")),
        ("application/json", b'[{"name": ', (422, "invalid-input")),
        # Media types are case-insensitive and their parameters ignored.
        ("TEXT/CSV; charset=utf-8", CSV_RECORD, (201, None)),
        ("Application/JSON; charset=utf-8", JSON_RECORD, (201, None)),
    ],
    ids=["plain-deep", "xml", "csv2", "json-deep", "json-cut", "CSV", "JSON"],
)
def test_an_upload_is_json_or_csv_by_its_media_type(
    world: World,
    request: pytest.FixtureRequest,
    content_type: str,
    body: bytes,
    expected: tuple[int, str | None],
) -> None:
    status, code = expected
    dataset_id = f"up-{request.node.callspec.id}"
    world.dataset(dataset_id)
    response = world.call(
        "POST",
        f"/v1/datasets/{dataset_id}/versions",
        PROVIDER,
        content=body,
        headers={"content-type": content_type},
    )
    assert response.status_code == status, response.text
    if code is not None:
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["code"] == code
    assert world.call("GET", f"/v1/datasets/{dataset_id}", PROVIDER).status_code == 200


def test_the_upload_parser_bounds_json_nesting_itself() -> None:
    # Behind the body limits too: a route that reads its body parses it only through the
    # bounded helper.
    schema = Schema((Field("name", "string"),))
    with pytest.raises(JSONTooDeep):
        parse_upload(schema, DEEP_UPLOAD, UploadFormat.JSON)
