"""Read-only commands on a live system: while ``govledger serve`` runs on a data dir, the
commands that only read open its chain read-only beside the server and work; a command that
changes something is still refused with one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.govledger.server import serving
from tests.govledger.test_chain_cli import Run, succeeded
from tests.licence_service.world import ISSUER_A, licence_body
from tests.sharing_gateway.world import OPERATOR

__all__ = ["run"]

from tests.govledger.test_chain_cli import run


def test_read_only_commands_work_beside_a_running_server(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gateway = {"GOVLEDGER_GATEWAY_OPERATOR_CODE": OPERATOR}
    for name, value in gateway.items():
        monkeypatch.setenv(name, value)
    succeeded(run("chain", "init"))
    roles = "ISSUER,SEAL_ADMIN"
    succeeded(run("department", "register", ISSUER_A, "--name", "测试局", "--roles", roles))
    succeeded(run("department", "register", OPERATOR, "--name", "网关", "--roles", "AUDITOR"))
    assert "is a log operator" in succeeded(run("audit", "operator", OPERATOR))
    succeeded(run("seal", "create", "--as", ISSUER_A, "--name", "专用章"))
    body = json.dumps(licence_body(1), ensure_ascii=False)
    (tmp_path / "one.json").write_text(body, encoding="utf-8")
    licence_id = succeeded(run("licence", "issue", "one.json", "--as", ISSUER_A)).split()[0]
    document = json.loads(succeeded(run("licence", "show", licence_id)))["document"]
    (tmp_path / "doc.json").write_text(json.dumps(document), encoding="utf-8")

    with serving(tmp_path / "data", gateway):
        assert "VALID" in succeeded(run("licence", "verify", "doc.json"))
        assert "issue" in succeeded(run("licence", "history", licence_id))
        assert json.loads(succeeded(run("licence", "show", licence_id)))["status"] == "valid"
        assert "专用章" in succeeded(run("seal", "list"))
        assert "chain id" in succeeded(run("chain", "status"))
        assert ISSUER_A in succeeded(run("department", "list"))
        succeeded(run("audit", "export", "--output", "log.json"))
        assert json.loads(succeeded(run("audit", "verify", "log.json", "--json")))["ok"]
        # A change still needs the writer: one line, non-zero exit, nothing changed.
        refused = run("seal", "create", "--as", ISSUER_A, "--name", "第二章")
        assert refused.returncode != 0
        assert "in use" in refused.stderr
        assert len(refused.stderr.splitlines()) == 1
