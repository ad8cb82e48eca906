"""``govledger seal`` and ``govledger licence``: issue, show, present, verify (exit codes),
change a status; and the clear refusal while the HTTP app holds the embedded chain."""

from __future__ import annotations

import copy
import json
import os
import socket
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image

from govledger.app import create_app, default_services
from govledger.errors import ChainUnavailable, Forbidden
from govledger.platform import open_platform
from govledger.settings import Settings
from licence_service.plugin import build_service
from licence_service.service import LicenceRequest
from licence_service.settings import LicenceSettings
from tests.govledger.test_chain_cli import GOVLEDGER, Run, refused, succeeded
from tests.licence_service.world import ISSUER_A, licence_body

__all__ = ["run"]

from tests.govledger.test_chain_cli import run


def test_licence_commands(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    succeeded(run("chain", "init"))
    succeeded(run("department", "register", ISSUER_A, "--name", "测试局", "--roles", "ISSUER"))
    refused(run("seal", "create", "--as", ISSUER_A, "--name", "专用章"), 9)  # no SEAL_ADMIN
    succeeded(run("department", "set-roles", ISSUER_A, "--roles", "ISSUER,SEAL_ADMIN"))
    assert "专用章" in succeeded(run("seal", "create", "--as", ISSUER_A, "--name", "专用章"))

    body = licence_body(1)
    (tmp_path / "one.json").write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    licence_id = succeeded(run("licence", "issue", "one.json", "--as", ISSUER_A)).split()[0]
    many = json.dumps([licence_body(5), licence_body(6)], ensure_ascii=False)
    (tmp_path / "many.json").write_text(many, encoding="utf-8")
    bulk = run("licence", "issue", "many.json", "--as", ISSUER_A, "--bulk")
    assert succeeded(bulk).count("1.2.156.3005.2.") == 2
    assert "2/2 stored" in bulk.stderr  # progress, on stderr
    shown = json.loads(succeeded(run("licence", "show", licence_id)))
    assert (shown["status"], shown["anchor"]["state"]) == ("valid", "anchored")
    (tmp_path / "doc.json").write_text(json.dumps(shown["document"]), encoding="utf-8")
    verified = succeeded(run("licence", "verify", "doc.json"))
    assert "VALID" in verified
    assert "  fields:" in verified
    # An edited copy: no status, and its fields are shown as unverified claims.
    edited = copy.deepcopy(shown["document"])
    edited["header"]["valid_to"] = "2099-12-31"
    (tmp_path / "edited.json").write_text(json.dumps(edited), encoding="utf-8")
    failing = run("licence", "verify", "edited.json")
    assert failing.returncode == 1
    assert "(identifier unverified): NOT VALID" in failing.stdout
    assert "status    FAILED licence-unverified" in failing.stdout
    assert "fields UNVERIFIED" in failing.stdout
    assert "2099" not in failing.stdout
    wrong_check = licence_id[:-1] + ("0" if licence_id[-1] != "0" else "1")
    assert "(InvalidLicenceId)" in refused(run("licence", "show", wrong_check), 3)

    presented = run(
        "licence",
        "present",
        licence_id,
        "--fields",
        "holder_name",
        "--lifetime",
        "600",
        "--out",
        "p.json",
        "--qr",
        "p.png",
    )
    assert "a reference to it" in succeeded(presented)
    assert (tmp_path / "p.png").read_bytes().startswith(b"\x89PNG")
    # With the portal's address known, the code opens its verify page.
    monkeypatch.setenv("GOVLEDGER_PUBLIC_BASE_URL", "https://licences.example.gov.cn")
    linked = run(
        "licence",
        "present",
        licence_id,
        "--fields",
        "holder_name",
        "--out",
        "q.json",
        "--qr",
        "q.png",
    )
    assert "the verify page https://licences.example.gov.cn/verify/p/" in succeeded(linked)
    (code,) = zxingcpp.read_barcodes(Image.open(tmp_path / "q.png"))
    assert code.text.startswith("https://licences.example.gov.cn/verify/p/")
    monkeypatch.delenv("GOVLEDGER_PUBLIC_BASE_URL")
    succeeded(run("licence", "verify", "p.json"))

    succeeded(run("licence", "suspend", licence_id, "--as", ISSUER_A, "--reason-code", "3"))
    failing = run("licence", "verify", "doc.json")
    assert failing.returncode == 1
    assert "status    FAILED licence-suspended" in failing.stdout
    assert "NOT VALID" in failing.stdout
    line = refused(run("licence", "reinstate", licence_id, "--as", "91350100M000100Y43"), 6)
    assert "issued by" in line

    renewed = succeeded(
        run("licence", "renew", licence_id, "--as", ISSUER_A, "--valid-from", "2026-03-01")
    )
    successor = renewed.splitlines()[1]
    assert successor.split(".")[-2] == "002"
    old = json.loads(succeeded(run("licence", "show", licence_id)))
    assert (old["status"], old["successor_id"]) == ("superseded", successor)
    assert f"superseded by {successor}" in run("licence", "verify", "doc.json").stdout
    assert f"by {successor}" in succeeded(run("licence", "history", licence_id))
    assert json.loads(succeeded(run("licence", "show", successor)))["status"] == "valid"


def test_a_change_is_refused_while_the_app_holds_the_chain(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", environment="test")
    env = {key: value for key, value in os.environ.items() if not key.startswith("GOVLEDGER_")}
    env["GOVLEDGER_DATA_DIR"] = str(settings.data_dir)
    with TestClient(create_app(settings)):
        result = subprocess.run(
            [str(GOVLEDGER), "seal", "create", "--as", ISSUER_A, "--name", "专用章"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    assert result.returncode != 0
    assert "in use" in result.stderr


def test_a_second_serve_on_the_same_data_dir_is_one_line(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", environment="test")
    env = {key: value for key, value in os.environ.items() if not key.startswith("GOVLEDGER_")}
    env["GOVLEDGER_DATA_DIR"] = str(settings.data_dir)
    with socket.socket() as probe:  # a free port, should the refusal not come first
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    with TestClient(create_app(settings)):
        result = subprocess.run(
            [str(GOVLEDGER), "serve", "--port", port],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
    assert result.returncode == ChainUnavailable.exit_code, result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("(ChainUnavailable)")
    assert "in use" in line


def test_refused_batches_are_listed_with_their_reason_and_retried(run: Run, tmp_path: Path) -> None:
    succeeded(run("chain", "init"))
    roles = "ISSUER,SEAL_ADMIN"
    succeeded(run("department", "register", ISSUER_A, "--name", "测试局", "--roles", roles))
    succeeded(run("seal", "create", "--as", ISSUER_A, "--name", "专用章"))
    settings = Settings(data_dir=tmp_path / "data", environment="test")
    with open_platform(settings, default_services()) as context:
        service = build_service(context, LicenceSettings())
        issued = service.issue(ISSUER_A, LicenceRequest.model_validate(licence_body(1)))
    succeeded(run("department", "suspend", ISSUER_A, "--reason", "9"))

    (tmp_path / "two.json").write_text(json.dumps(licence_body(2), ensure_ascii=False))
    line = refused(run("licence", "issue", "two.json", "--as", ISSUER_A), Forbidden.exit_code)
    assert line.startswith(f"(IssuerSuspended) department {ISSUER_A} is suspended on chain")
    # Any licence command anchors what is due: the suspended issuer's batch is set aside.
    listed = succeeded(run("licence", "batches", "--as", ISSUER_A, "--state", "refused"))
    batch_id = issued.state.licence.batch.batch_id
    assert listed.startswith(f"batch {batch_id} ")
    assert "refused: the chain refused to anchor batch" in listed
    assert "DepartmentSuspended" in listed
    shown = json.loads(succeeded(run("licence", "show", issued.state.licence.licence_id)))
    assert shown["status"] == "refused"
    assert "DepartmentSuspended" in shown["anchor"]["reason"]

    succeeded(run("department", "reinstate", ISSUER_A, "--reason", "9"))
    retried = succeeded(run("licence", "retry-batch", str(batch_id), "--as", ISSUER_A))
    assert retried.startswith(f"batch {batch_id} ")
    assert ": anchored tx 0x" in retried
    line = refused(run("licence", "retry-batch", str(batch_id), "--as", ISSUER_A), 5)
    assert line == f"(BatchNotRefused) batch {batch_id} is anchored, not refused"
    line = refused(run("licence", "batches", "--as", ISSUER_A, "--state", "lost"), 3)
    assert line.startswith("(InvalidInput) --state is one of")
