"""Use counts: the chain's count is the authority over the gateway's own rows."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import delete, update

from govledger.departments import reinstate_department, suspend_department
from sharing_gateway import anchoring
from sharing_gateway.tables import GrantUsageRow
from tests.sharing_gateway.test_release import assert_refused
from tests.sharing_gateway.world import OPERATOR, PROVIDER, REQUESTER, World


def set_usage(world: World, grant_id: int, **values: int) -> None:
    """Change the usage row as a restore from a backup, or a lost write, would (no values:
    delete it)."""
    where = GrantUsageRow.grant_id == grant_id
    change = update(GrantUsageRow).where(where).values(**values) if values else None
    with world.session_factory.begin() as session:
        session.execute(change if change is not None else delete(GrantUsageRow).where(where))


def usage(world: World, grant_id: int) -> GrantUsageRow | None:
    with world.session_factory() as session:
        return session.get(GrantUsageRow, grant_id)


def test_a_deleted_usage_row_is_rebuilt_from_the_chain(world: World, rounds: None) -> None:
    grant_id = world.granted("cnt-1", ["name"], max_uses=3)
    assert world.release("cnt-1", grant_id, "name").status_code == 200
    assert world.release("cnt-1", grant_id, "name").status_code == 200
    world.anchorer.run_once()
    assert world.chain.registries.sharing.get_grant(grant_id).used == 2
    set_usage(world, grant_id)
    released = world.release("cnt-1", grant_id, "name")
    assert released.status_code == 200, released.text
    assert released.json()["uses_left"] == 0  # counted from the chain's 2, not from zero
    assert_refused(world, world.release("cnt-1", grant_id, "name"), 403, "release-uses-exhausted")
    row = usage(world, grant_id)
    assert row is not None
    assert (row.used, row.chain_recorded) == (3, 2)
    world.anchorer.run_once()
    assert world.chain.registries.sharing.get_grant(grant_id).used == 3


def test_a_deleted_usage_row_counts_the_releases_the_chain_has_not_recorded_yet(
    world: World, rounds: None
) -> None:
    # Uses reach the chain every few seconds; until then only the row and the access log know
    # them. A row lost in between is rebuilt from the log's releases, not only from the chain.
    grant_id = world.granted("cnt-log", ["name"], max_uses=3)
    for _ in range(2):
        assert world.release("cnt-log", grant_id, "name").status_code == 200
    assert world.chain.registries.sharing.get_grant(grant_id).used == 0
    set_usage(world, grant_id)
    released = world.release("cnt-log", grant_id, "name")
    assert released.status_code == 200, released.text
    assert released.json()["uses_left"] == 0
    assert_refused(world, world.release("cnt-log", grant_id, "name"), 403, "release-uses-exhausted")
    world.anchorer.run_once()
    assert world.chain.registries.sharing.get_grant(grant_id).used == 3


def test_a_used_up_grant_stays_used_up_after_its_row_is_restored_from_a_backup(
    world: World, rounds: None
) -> None:
    grant_id = world.granted("cnt-2", ["name"], max_uses=2)
    for _ in range(2):
        assert world.release("cnt-2", grant_id, "name").status_code == 200
    world.anchorer.run_once()
    set_usage(world, grant_id, used=0, chain_recorded=0)  # as a backup from before the releases
    assert_refused(world, world.release("cnt-2", grant_id, "name"), 403, "release-uses-exhausted")
    set_usage(world, grant_id)
    assert_refused(world, world.release("cnt-2", grant_id, "name"), 403, "release-uses-exhausted")
    world.anchorer.run_once()
    assert world.chain.registries.sharing.get_grant(grant_id).used == 2


def test_a_use_record_is_never_counted_twice(world: World, rounds: None) -> None:
    grant_id = world.granted("cnt-3", ["name"], max_uses=5)
    for _ in range(2):
        assert world.release("cnt-3", grant_id, "name").status_code == 200
    world.anchorer.run_once()
    # The receipt was lost (a time-out, or a crash before the row was written): the row still
    # says nothing is on chain, and the round runs again without a restart.
    set_usage(world, grant_id, chain_recorded=0)
    world.anchorer.run_once()
    assert world.chain.registries.sharing.get_grant(grant_id).used == 2
    row = usage(world, grant_id)
    assert row is not None
    assert (row.used, row.chain_recorded, row.chain_error) == (2, 2, None)
    assert world.release("cnt-3", grant_id, "name").json()["uses_left"] == 2


def test_a_chain_refusal_blocks_the_grant_and_is_reported(
    world: World, rounds: None, caplog: pytest.LogCaptureFixture
) -> None:
    grant_id = world.granted("cnt-4", ["name"], max_uses=5)
    assert world.release("cnt-4", grant_id, "name").status_code == 200
    registries = world.chain.registries
    suspend_department(registries, world.signers, REQUESTER, 3)
    try:
        with caplog.at_level(logging.ERROR, logger="sharing_gateway.anchoring"):
            world.anchorer.run_once()
    finally:
        reinstate_department(registries, world.signers, REQUESTER, 0)
    assert any(
        str(grant_id) in record.getMessage() and "DepartmentSuspended" in record.getMessage()
        for record in caplog.records
    )
    for code in (PROVIDER, REQUESTER):
        shown = world.call("GET", f"/v1/grants/{grant_id}", code).json()
        assert "DepartmentSuspended" in (shown["blocked"] or "")
        assert (shown["used"], shown["used_on_chain"]) == (1, 0)
    blocked = world.call("GET", "/v1/grants/blocked", OPERATOR).json()
    assert [grant["grant_id"] for grant in blocked["data"]] == [grant_id]
    # The requester is active again, the grant is still granted on chain: but the chain refused
    # a use the gateway counted, so nothing more is released until that is settled.
    assert_refused(world, world.release("cnt-4", grant_id, "name"), 409, "release-grant-blocked")
    world.anchorer.run_once()  # a blocked grant is not sent again
    assert world.chain.registries.sharing.get_grant(grant_id).used == 0


def test_a_use_record_that_ran_out_of_gas_is_sent_again_not_blocked(
    world: World, rounds: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    grant_id = world.granted("cnt-5", ["name"], max_uses=5)
    assert world.release("cnt-5", grant_id, "name").status_code == 200
    # Above a transaction's intrinsic cost, far below what consumeUses needs.
    monkeypatch.setattr(anchoring, "CONSUME_USES_GAS", 22_000)
    world.anchorer.run_once()
    row = usage(world, grant_id)
    assert row is not None
    assert (row.used, row.chain_recorded, row.chain_error) == (1, 0, None)
    assert world.release("cnt-5", grant_id, "name").status_code == 200
    monkeypatch.undo()
    world.anchorer.run_once()
    assert world.chain.registries.sharing.get_grant(grant_id).used == 2
