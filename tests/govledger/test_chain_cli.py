"""``govledger chain`` / ``department`` / ``governance`` end to end, through the CLI's entry
point, on the embedded chain in a fresh data dir. One test runs the installed command itself."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from govledger.cli import main
from govledger.errors import (
    ChainRejected,
    ConfigurationError,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
)
from govledger.keystore import open_keystore
from govledger.settings import Settings
from ledger.artifacts import CONTRACT_NAMES, load_artifact
from ledger.devnode import AnvilNode

GOVLEDGER = Path(sys.executable).with_name("govledger")
CODE = "91350100M000100Y43"


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str


Run = Callable[..., Result]


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """Run the CLI's entry point (``govledger.cli:main``, what the installed command calls) in
    this process, on ``tmp_path/data`` and with no other settings from the environment."""
    for key in os.environ:
        if key.startswith("GOVLEDGER_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("GOVLEDGER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)  # the settings also read a .env file from the working directory

    def run_cli(*args: str) -> Result:
        monkeypatch.setattr(sys, "argv", ["govledger", *args])
        capsys.readouterr()
        with pytest.raises(SystemExit) as exited:
            main()
        captured = capsys.readouterr()
        return Result(int(exited.value.code or 0), captured.out, captured.err)

    return run_cli


def succeeded(result: Result) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def refused(result: Result, exit_code: int) -> str:
    """The one stderr line of a refusal with ``exit_code``."""
    assert result.returncode == exit_code, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_the_installed_command_runs_and_refuses_a_tampered_manifest(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("GOVLEDGER_")}
    env["GOVLEDGER_DATA_DIR"] = str(tmp_path / "data")

    def run_installed(*args: str) -> Result:
        done = subprocess.run(
            [str(GOVLEDGER), *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            check=False,
            timeout=120,
        )
        return Result(done.returncode, done.stdout, done.stderr)

    assert "initialised the embedded chain" in succeeded(run_installed("chain", "init"))
    manifest_path = tmp_path / "data" / "deployment.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["contracts"]["Governance"]["code_hash"] = "0x" + "00" * 32
    manifest_path.write_text(json.dumps(manifest))
    line = refused(run_installed("chain", "init"), ConfigurationError.exit_code)
    assert line.startswith("(ConfigurationError) Governance: the code at")


def test_init_status_register_show_and_reuse(run: Run, tmp_path: Path) -> None:
    refused(run("chain", "status"), ConfigurationError.exit_code)

    initialised = run("chain", "init")
    assert "initialised the embedded chain (id 1337)" in succeeded(initialised)
    assert "committee key 3/3" in initialised.stderr  # progress goes to stderr

    status = json.loads(succeeded(run("chain", "status", "--json")))
    assert (status["backend"], status["chain_id"], status["threshold"]) == ("embedded", 1337, 2)
    assert len(status["committee"]) == 3
    assert set(status["contracts"]) == {
        "Governance",
        "DepartmentRegistry",
        "LicenceRegistry",
        "SealRegistry",
        "DataSharing",
        "AuditAnchors",
    }

    registered = succeeded(
        run(
            "department", "register", CODE, "--name", "福州市测试局", "--roles", "ISSUER,seal_admin"
        )
    )
    assert f"registered {CODE}" in registered
    shown = json.loads(succeeded(run("department", "show", CODE, "--json")))
    assert (shown["name"], shown["active"], shown["roles"], shown["key_version"]) == (
        "福州市测试局",
        True,
        ["ISSUER", "SEAL_ADMIN"],
        1,
    )
    # The key on chain is the keystore's.
    keys = open_keystore(Settings(data_dir=tmp_path / "data")).load(CODE)
    assert shown["sm2_public_key"] == keys.sm2.public_key().to_bytes().hex()
    assert shown["accounts"] == [keys.address]

    succeeded(run("department", "suspend", CODE, "--reason", "3"))
    assert f"{CODE}  suspended  ISSUER,SEAL_ADMIN" in succeeded(run("department", "list"))

    again = succeeded(run("chain", "init"))
    assert "already initialised" in again
    assert (
        json.loads(succeeded(run("chain", "status", "--json")))["contracts"] == status["contracts"]
    )


def test_bad_input_is_refused_with_one_line(run: Run) -> None:
    succeeded(run("chain", "init", "--members", "1", "--threshold", "1"))

    bad_code = run("department", "register", "91350100M000100Y44", "--name", "x")
    assert "check character" in refused(bad_code, InvalidInput.exit_code)
    bad_role = run("department", "register", CODE, "--name", "x", "--roles", "ADMIN")
    assert refused(bad_role, InvalidInput.exit_code).startswith("(InvalidInput) unknown role")
    assert refused(run("department", "show", CODE), NotFound.exit_code).startswith("(NotFound)")
    other_size = run("chain", "init", "--members", "2")
    assert refused(other_size, Conflict.exit_code).startswith("(Conflict)")


def test_a_manifest_that_does_not_match_the_chain_is_refused(run: Run, tmp_path: Path) -> None:
    succeeded(run("chain", "init"))
    manifest_path = tmp_path / "data" / "deployment.json"
    manifest = json.loads(manifest_path.read_text())
    contracts = manifest["contracts"]
    contracts["LicenceRegistry"], contracts["SealRegistry"] = (
        contracts["SealRegistry"],
        contracts["LicenceRegistry"],
    )
    manifest_path.write_text(json.dumps(manifest))

    for command in (("chain", "init"), ("chain", "status"), ("department", "list")):
        line = refused(run(*command), ConfigurationError.exit_code)
        assert line.startswith("(ConfigurationError) LicenceRegistry")

    # A committee that the Governance contract was not deployed with.
    contracts["LicenceRegistry"], contracts["SealRegistry"] = (
        contracts["SealRegistry"],
        contracts["LicenceRegistry"],
    )
    manifest["threshold"] = 1
    manifest_path.write_text(json.dumps(manifest))
    line = refused(run("chain", "init"), ConfigurationError.exit_code)
    assert "another committee or threshold" in line


def test_external_committee_proposes_then_members_approve(run: Run, tmp_path: Path) -> None:
    external_committee(run, tmp_path)
    # External members: no local committee keys.
    assert not open_keystore(Settings(data_dir=tmp_path / "data")).exists("committee-1")

    proposed = succeeded(
        run("department", "register", CODE, "--name", "外部委员会局", "--member", "alice")
    )
    assert "proposal 1: 1 of 2 approvals" in proposed
    refused(run("department", "show", CODE), NotFound.exit_code)

    line = refused(run("governance", "approve", "1", "--member", "deployer"), Forbidden.exit_code)
    assert line.startswith("(Forbidden) deployer")
    line = refused(run("governance", "approve", "1", "--member", "alice"), ChainRejected.exit_code)
    assert line.startswith("(GovernanceAlreadyApproved) GovernanceAlreadyApproved(proposalId=1")

    assert "2 of 2 approvals, executed" in succeeded(
        run("governance", "approve", "1", "--member", "bob")
    )
    assert json.loads(succeeded(run("department", "show", CODE, "--json")))["active"]
    # Without --member there is no committee-* key to act with.
    line = refused(run("department", "suspend", CODE), Forbidden.exit_code)
    assert "--member" in line


def external_committee(run: Run, tmp_path: Path) -> None:
    """``chain init`` with members alice, bob and carol (keys in the keystore), 2 of 3."""
    keystore = open_keystore(Settings(data_dir=tmp_path / "data"))
    members = [keystore.create(name) for name in ("alice", "bob", "carol")]
    committee_file = tmp_path / "committee.json"
    committee_file.write_text(
        json.dumps({"members": [keys.address for keys in members], "threshold": 2})
    )
    succeeded(run("chain", "init", "--committee", str(committee_file)))


def shown(run: Run, proposal_id: int) -> dict[str, str]:
    output = succeeded(run("governance", "show", str(proposal_id)))
    return dict(line.split(maxsplit=1) for line in output.splitlines())


def test_proposals_are_cancelled_by_their_proposer_or_the_committee(
    run: Run, tmp_path: Path
) -> None:
    external_committee(run, tmp_path)
    proposed = succeeded(
        run("department", "register", CODE, "--name", "撤回局", "--member", "alice")
    )
    assert re.search(r"before it expires at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", proposed)
    proposal = shown(run, 1)
    assert proposal["state"] == "pending"
    assert proposal["expires"].endswith("UTC")

    # bob did not propose it: his cancel is a proposal to the committee, which carol passes.
    asked = succeeded(run("governance", "cancel", "1", "--member", "bob"))
    assert asked.startswith("proposal 2: 1 of 2 approvals")
    assert "2 of 2 approvals, executed" in succeeded(
        run("governance", "approve", "2", "--member", "carol")
    )
    assert shown(run, 1)["state"] == "cancelled"
    line = refused(run("governance", "approve", "1", "--member", "carol"), Conflict.exit_code)
    assert line == "(Conflict) proposal 1 is cancelled already"
    refused(run("department", "show", CODE), NotFound.exit_code)

    succeeded(run("department", "register", CODE, "--name", "撤回局", "--member", "alice"))
    assert succeeded(run("governance", "cancel", "3", "--member", "alice")) == (
        "proposal 3: cancelled by its proposer\n"
    )
    line = refused(run("governance", "cancel", "9", "--member", "alice"), NotFound.exit_code)
    assert line == "(NotFound) there is no proposal 9"


def test_an_expired_proposal_is_refused_with_one_line(run: Run, tmp_path: Path) -> None:
    external_committee(run, tmp_path)
    succeeded(run("governance", "set-lifetime", "1", "--member", "alice"))
    assert "executed" in succeeded(run("governance", "approve", "1", "--member", "bob"))
    succeeded(run("department", "register", CODE, "--name", "过期局", "--member", "alice"))
    time.sleep(1.5)  # let the proposal's one second pass; the next block is stamped after it
    succeeded(run("governance", "set-lifetime", "3600", "--member", "alice"))
    line = refused(run("governance", "approve", "2", "--member", "bob"), Conflict.exit_code)
    assert re.fullmatch(
        r"\(Conflict\) proposal 2 expired at .* UTC without enough approvals; propose it again",
        line,
    )
    assert shown(run, 2)["state"] == "expired"


BENCH_KEYS = {
    "tx_per_s",
    "anchor_batch_sequential_tx_per_s",
    "anchor_segment_sequential_tx_per_s",
    "anchor_batch_batched_tx_per_s",
    "anchor_segment_batched_tx_per_s",
}


def test_bench_chain_embedded_reports_every_figure(run: Run, tmp_path: Path) -> None:
    report = json.loads(succeeded(run("bench", "chain", "--count", "5", "--json")))

    assert (report["backend"], report["count"]) == ("embedded", 5)
    assert all(report[key] > 0 for key in BENCH_KEYS)
    assert report["gas"]["LicenceRegistry.anchorBatch"] > 21_000
    # Every state-changing function has a row; a governed one is named in its approval's row.
    named = {word for label in report["gas"] for word in re.findall(r"\w+", label)}
    state_changing = {
        str(entry["name"])
        for name in CONTRACT_NAMES
        for entry in load_artifact(name).abi
        if entry.get("type") == "function" and entry["stateMutability"] not in ("view", "pure")
    }
    assert state_changing - named == set()
    assert not (tmp_path / "data").exists()  # a throwaway chain, never the configured one


@pytest.mark.anvil
def test_bench_chain_rpc_uses_the_configured_node_or_starts_anvil(
    run: Run, anvil: AnvilNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = json.loads(
        succeeded(run("bench", "chain", "--backend", "rpc", "--count", "3", "--json"))
    )
    assert started["node"].startswith("Anvil (started for this run")
    assert all(started[key] > 0 for key in BENCH_KEYS)

    monkeypatch.setenv("GOVLEDGER_CHAIN_RPC_URL", anvil.url)
    configured = json.loads(
        succeeded(run("bench", "chain", "--backend", "rpc", "--count", "3", "--json"))
    )
    assert (configured["node"], configured["chain_id"]) == (anvil.url, anvil.chain_id)
    assert configured["gas"].keys() == started["gas"].keys()
