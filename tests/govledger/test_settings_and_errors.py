"""Settings validation and the error table, through the real CLI entry point."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from govledger.errors import ChainRejected, ChainUnavailable, InvalidInput, as_govledger_error
from govledger.settings import Settings
from ledger.exceptions import ContractCustomError, OutOfGas
from sm_crypto.exceptions import InvalidKey


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from govledger.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_data_dir_decides_database_location(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "a")
    assert settings.resolved_database_url.endswith(str(tmp_path / "a" / "govledger.sqlite"))


def test_prod_refuses_placeholder_passphrase() -> None:
    with pytest.raises(ValueError, match="KEYSTORE_PASSPHRASE"):
        Settings(environment="prod")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"GOVLEDGER_CHAIN_ID": "not-a-number"}, "GOVLEDGER_CHAIN_ID"),
        ({"GOVLEDGER_ENVIRONMENT": "prod"}, "GOVLEDGER_KEYSTORE_PASSPHRASE"),
    ],
)
def test_cli_reports_bad_settings_in_one_line(
    env: dict[str, str], message: str, tmp_path: Path
) -> None:
    result = run_cli("chain", "--help", env={"PATH": "/usr/bin:/bin", **env})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("(ConfigurationError)")
    assert message in lines[0]


def test_library_errors_map_through_one_table() -> None:
    revert = ContractCustomError(b"\x01\x02\x03\x04", "LicenceNotActive", {"leaf": b"\xaa"})
    mapped = as_govledger_error(revert)
    assert isinstance(mapped, ChainRejected)
    assert mapped.to_problem()["error"] == "LicenceNotActive(leaf=0xaa)"
    assert isinstance(as_govledger_error(InvalidKey("off curve")), InvalidInput)
    assert as_govledger_error(RuntimeError("bug")) is None


def test_running_out_of_gas_is_a_chain_fault_not_a_rejection() -> None:
    # Out of gas says the gas limit the server chose was too low, nothing about the request.
    mapped = as_govledger_error(OutOfGas("0xabc", 21_000, 40_000))
    assert isinstance(mapped, ChainUnavailable)
    assert mapped.to_problem()["status"] == 503
