"""Licence statistics for auditors: counts from the database by month, issuer, type and
status, and every count the chain's events do not confirm named as a disagreement."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from licence_service.tables import BatchRow
from tests.licence_service.world import AUDITOR, ISSUER_A, TYPE_CODE, Api, bulk


def counts(api: Api) -> dict[str, Any]:
    response = api.get("/v1/stats/licences", AUDITOR)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def tally(body: dict[str, Any], status: str) -> int:
    return sum(
        row["count"]
        for row in body["data"]
        if (row["issuer_code"], row["type_code"], row["status"]) == (ISSUER_A, TYPE_CODE, status)
    )


def test_counts_follow_issuing_and_status_changes(api: Api) -> None:
    before = counts(api)
    first, _ = bulk(api, ISSUER_A, [900, 901])
    reason = {"reason_code": 3, "reason": "整改"}
    assert api.post(f"/v1/licences/{first}/suspend", ISSUER_A, json=reason).status_code == 200
    after = counts(api)
    assert tally(after, "valid") == tally(before, "valid") + 1
    assert tally(after, "suspended") == tally(before, "suspended") + 1
    assert after["disagreements"] == []
    assert all(len(row["month"]) == len("2026-12") for row in after["data"])


def test_a_count_the_chain_does_not_confirm_is_named(api: Api) -> None:
    (licence_id,) = bulk(api, ISSUER_A, [902])
    engine = api.client.app.state.platform_context.engine  # type: ignore[attr-defined]
    batch_id = api.get(f"/v1/licences/{licence_id}", ISSUER_A).json()["anchor"]["batch_id"]
    with engine.begin() as connection:
        connection.execute(update(BatchRow).where(BatchRow.id == batch_id).values(state="sealed"))
    try:
        disagreements = counts(api)["disagreements"]
        assert len(disagreements) == 1
        assert disagreements[0].startswith(f"{ISSUER_A}: ")
        assert disagreements[0].endswith(" on chain")
    finally:
        with engine.begin() as connection:
            connection.execute(
                update(BatchRow).where(BatchRow.id == batch_id).values(state="anchored")
            )
    assert counts(api)["disagreements"] == []


def test_only_auditors_read_the_statistics(api: Api) -> None:
    refused = api.get("/v1/stats/licences", ISSUER_A)
    assert refused.status_code == 403
    assert refused.json()["code"] == "role-missing"
