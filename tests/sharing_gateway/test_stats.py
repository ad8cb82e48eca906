"""Sharing statistics for auditors: releases and refusals by reason, requests answered and
overdue, and what the chain does not confirm."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete

from sharing_gateway.tables import RequestRow
from tests.sharing_gateway.world import AUDITOR, PROVIDER, REQUESTER, World


def statistics(world: World) -> dict[str, Any]:
    response = world.call("GET", "/v1/stats/sharing", AUDITOR)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def releases(body: dict[str, Any]) -> dict[tuple[str, str], int]:
    return {(row["outcome"], row["code"]): row["count"] for row in body["releases"]}


def test_releases_refusals_and_requests_are_counted(world: World) -> None:
    before = statistics(world)
    grant_id = world.granted("st-1", ["name"], max_uses=5)
    for fields in ("name", "name", "employees"):
        world.release("st-1", grant_id, fields)
    world.dataset("st-2")
    pending = world.request("st-2", ["name"]).json()["grant_id"]
    world.clock.offset = timedelta(hours=121)
    try:
        after = statistics(world)
    finally:
        world.clock.offset = timedelta(0)
    counted, earlier = releases(after), releases(before)
    released, refused = ("released", "released"), ("refused", "release-field-not-granted")
    assert counted[released] == earlier.get(released, 0) + 2
    assert counted[refused] == earlier.get(refused, 0) + 1
    assert after["answered"] == before["answered"] + 1
    assert after["requests"]["pending"] == before["requests"].get("pending", 0) + 1
    assert after["overdue"] >= 1
    assert statistics(world)["overdue"] == before["overdue"]
    assert after["disagreements"] == []
    assert world.call("GET", f"/v1/requests/{pending}", PROVIDER).json()["status"] == "pending"


def test_a_request_the_chain_does_not_confirm_is_named(world: World) -> None:
    world.dataset("st-3")
    grant_id = world.request("st-3", ["name"]).json()["grant_id"]
    forged = 10_000 + grant_id
    with world.session_factory() as session, session.begin():
        row = session.get(RequestRow, grant_id)
        values = {column.key: getattr(row, column.key) for column in RequestRow.__table__.columns}
        session.add(RequestRow(**(values | {"grant_id": forged})))
    try:
        assert statistics(world)["disagreements"] == [
            f"request {forged} is in the database, not on chain"
        ]
    finally:
        with world.session_factory() as session, session.begin():
            session.execute(delete(RequestRow).where(RequestRow.grant_id == forged))


def test_only_auditors_read_the_statistics(world: World) -> None:
    assert world.call("GET", "/v1/stats/sharing", REQUESTER).status_code == 403
