"""A representative subset on Anvil (backend ``rpc``): release, revocation at once, and
``govledger audit export`` / ``audit verify`` from the command line against the chain."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from govledger.cli import app as cli
from ledger import ReceiptTimeout
from ledger.devnode import AnvilNode
from sharing_gateway.domain.envelope import open_envelope
from sharing_gateway.tables import AccessLogEntryRow, GrantUsageRow
from tests.dbutil import sqlite_url
from tests.sharing_gateway.world import OPERATOR, PROVIDER, RECORDS, REQUESTER, World, gateway_world

pytestmark = pytest.mark.anvil


@pytest.fixture(scope="module")
def anvil_world(anvil: AnvilNode, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    directory = tmp_path_factory.mktemp("gateway-anvil")
    with gateway_world(
        directory, sqlite_url(directory), rpc_url=anvil.url, chain_id=anvil.chain_id
    ) as built:
        yield built


def use_cli_against(
    world: World, anvil: AnvilNode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Environment for the CLI: its own data dir with only the gateway chain's deployment
    manifest (the gateway's data dir is locked by its process), the gateway's database and
    keystore."""
    settings = world.settings
    cli_dir = tmp_path / "cli"
    cli_dir.mkdir()
    shutil.copy(settings.data_dir / "deployment.json", cli_dir / "deployment.json")
    for name, value in {
        "DATA_DIR": str(cli_dir),
        "DATABASE_URL": settings.resolved_database_url,
        "KEYSTORE_DIR": str(settings.resolved_keystore_dir),
        "CHAIN_BACKEND": "rpc",
        "CHAIN_RPC_URL": anvil.url,
        "CHAIN_ID": str(anvil.chain_id),
        "GATEWAY_OPERATOR_CODE": OPERATOR,
    }.items():
        monkeypatch.setenv(f"GOVLEDGER_{name}", value)


def test_release_and_revocation_on_anvil(anvil_world: World) -> None:
    world = anvil_world
    grant_id = world.granted("anv-1", ["name", "active"])
    response = world.release("anv-1", grant_id, "active")
    assert response.status_code == 200, response.text
    records = open_envelope(world.keys(REQUESTER).sm2, response.json()["envelope"])
    assert records == [{"active": record["active"]} for record in RECORDS]
    revoked = world.call("POST", f"/v1/grants/{grant_id}/revoke", PROVIDER, json={"reason": "x"})
    assert revoked.status_code == 200, revoked.text
    refused = world.release("anv-1", grant_id, "active")
    assert refused.json()["code"] == "release-grant-revoked"


def test_cli_exports_and_verifies_the_log_and_names_a_deleted_entry(
    anvil_world: World, anvil: AnvilNode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = anvil_world
    world.anchorer.run_once()
    use_cli_against(world, anvil, tmp_path, monkeypatch)
    runner = CliRunner()
    exported = tmp_path / "log.json"
    result = runner.invoke(cli, ["audit", "export", "--output", str(exported)])
    assert result.exit_code == 0, (result.output, result.exception)
    result = runner.invoke(cli, ["audit", "verify", str(exported), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["ok"] is True

    document = json.loads(exported.read_text())
    del document["entries"][1]
    exported.write_text(json.dumps(document))
    result = runner.invoke(cli, ["audit", "verify", str(exported), "--json"])
    assert result.exit_code != 0
    verdict = json.loads(result.output.splitlines()[0])
    assert (verdict["ok"], verdict["seq"]) == (False, 1)

    # The log id comes from the settings, not from the file.
    relabelled = json.loads(exported.read_text()) | {"log_id": "my-own-log"}
    exported.write_text(json.dumps(relabelled))
    result = runner.invoke(cli, ["audit", "verify", str(exported)])
    assert result.exit_code != 0
    assert "not of this deployment's log 'sharing-gateway'" in str(result.exception)


def test_governance_revokes_a_grant_from_the_command_line(
    anvil_world: World, anvil: AnvilNode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = anvil_world
    grant_id = world.granted("anv-2", ["name"])
    assert world.release("anv-2", grant_id, "name").status_code == 200
    use_cli_against(world, anvil, tmp_path, monkeypatch)
    result = CliRunner().invoke(cli, ["dataset", "revoke-grant", str(grant_id), "--reason", "5"])
    assert result.exit_code == 0, (result.output, result.exception)
    assert f"revoked grant {grant_id}" in result.output
    assert world.release("anv-2", grant_id, "name").json()["code"] == "release-grant-revoked"


def test_a_use_record_whose_receipt_timed_out_is_counted_once(anvil_world: World) -> None:
    world = anvil_world
    grant_id = world.granted("anv-use", ["name"])
    sharing = world.chain.registries.sharing
    ledger = world.chain.ledger
    world.anchorer.stop()
    try:
        for _ in range(2):
            assert world.release("anv-use", grant_id, "name").status_code == 200
        world.anchorer.run_once(record_uses=False)  # the log is anchored: only uses are left
        # The node stops mining: the record is sent, its receipt does not come in time.
        saved_timeout, ledger.receipt_timeout_s = ledger.receipt_timeout_s, 0.5
        ledger.provider.request("evm_setAutomine", [False])
        try:
            with pytest.raises(ReceiptTimeout):
                world.anchorer.run_once()
        finally:
            ledger.provider.request("evm_setAutomine", [True])
            ledger.receipt_timeout_s = saved_timeout
        ledger.provider.request("evm_mine", [])
        assert sharing.get_grant(grant_id).used == 2  # it was mined after all
        world.anchorer.run_once()  # the next round sends it again: the chain counts it once
        assert sharing.get_grant(grant_id).used == 2
        with world.session_factory() as session:
            usage = session.get(GrantUsageRow, grant_id)
            assert usage is not None
            assert (usage.used, usage.chain_recorded, usage.chain_error) == (2, 2, None)
    finally:
        world.anchorer.start()
    assert world.release("anv-use", grant_id, "name").json()["uses_left"] == 2


def test_a_round_after_a_receipt_time_out_neither_reverts_nor_sends_twice(
    anvil_world: World,
) -> None:
    """A round whose transaction outlives the receipt wait is not retried blindly: the next
    round settles the outbox and reads the chain first, so the segment is not sent again
    (which would revert AuditNotContiguous for ever) and no use is put on chain twice."""
    world = anvil_world
    anchorer, ledger = world.anchorer, world.chain.ledger
    grant_id = world.granted("anv-3", ["name"], max_uses=10)
    anchorer.stop()  # rounds are driven by the test from here
    timeout = ledger.receipt_timeout_s
    try:
        assert world.release("anv-3", grant_id, "name").status_code == 200
        ledger.receipt_timeout_s = 0.3
        ledger.provider.request("evm_setAutomine", [False])
        with pytest.raises(ReceiptTimeout):
            anchorer.run_once(record_uses=False)  # the segment waits in the node's pool
        anchorer.run_once(record_uses=False)  # still in the pool: nothing new is sent
        assert ledger.provider.request("txpool_status", [])["pending"] == "0x1"
        ledger.provider.request("evm_mine", [])
        ledger.provider.request("evm_setAutomine", [True])
        assert world.release("anv-3", grant_id, "name").status_code == 200
        anchorer.run_once(record_uses=False)  # anchors the new entry after the mined segment
        log_id = world.gateway.log_id.encode().ljust(32, b"\0")
        with world.session_factory() as session:
            last_seq = session.scalar(select(func.max(AccessLogEntryRow.seq)))
        chain_log = world.chain.registries.audit.get_log(log_id)
        assert chain_log is not None
        assert last_seq is not None
        assert chain_log.next_seq == last_seq + 1

        ledger.provider.request("evm_setAutomine", [False])
        with pytest.raises(ReceiptTimeout):
            anchorer.run_once()  # consumeUses waits in the pool
        anchorer.run_once()
        assert ledger.provider.request("txpool_status", [])["pending"] == "0x1"
        ledger.provider.request("evm_mine", [])
        ledger.provider.request("evm_setAutomine", [True])
        anchorer.run_once()
        with world.session_factory() as session:
            usage = session.get(GrantUsageRow, grant_id)
            assert usage is not None
            assert (usage.used, usage.chain_recorded, usage.chain_error) == (2, 2, None)
        assert world.chain.registries.sharing.get_grant(grant_id).used == 2
    finally:
        ledger.provider.request("evm_setAutomine", [True])
        ledger.receipt_timeout_s = timeout
        anchorer.start()
