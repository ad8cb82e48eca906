"""Where the keystore passphrase comes from: given explicitly, or generated once into a private
file under the data dir; never a built-in default."""

from __future__ import annotations

import logging
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from govledger.errors import ConfigurationError
from govledger.keystore import PASSPHRASE_FILE, Keystore, KeystoreLocked, open_keystore
from govledger.settings import Settings


def settings(data_dir: Path, passphrase: str | None = None) -> Settings:
    return Settings(
        data_dir=data_dir,
        environment="test",
        keystore_passphrase=None if passphrase is None else SecretStr(passphrase),
    )


def passphrase_file(data_dir: Path) -> Path:
    return settings(data_dir).resolved_keystore_dir / PASSPHRASE_FILE


def test_there_is_no_default_passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOVLEDGER_KEYSTORE_PASSPHRASE", raising=False)
    assert Settings(_env_file=None).keystore_passphrase is None  # type: ignore[call-arg]


def test_a_fresh_data_dir_gets_a_private_generated_passphrase_that_survives_restarts(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="govledger.keystore"):
        first = open_keystore(settings(tmp_path))
    path = passphrase_file(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    secret = path.read_text().strip()
    assert len(secret) >= 40
    assert secret != "dev"
    assert [record.getMessage() for record in caplog.records] == [
        f"generated a keystore passphrase in {path} (readable by its owner only): keep it "
        "with the data dir, or set GOVLEDGER_KEYSTORE_PASSPHRASE"
    ]
    created = first.create("svc")

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="govledger.keystore"):
        again = open_keystore(settings(tmp_path))  # a restart: the same file, said only once
    assert caplog.records == []
    assert again.load("svc").address == created.address
    assert path.read_text().strip() == secret


def test_an_explicit_passphrase_is_used_and_no_file_is_written(tmp_path: Path) -> None:
    keystore = open_keystore(settings(tmp_path, "an explicit secret"))
    keystore.create("svc")
    assert not passphrase_file(tmp_path).exists()
    assert Keystore(keystore.directory, "an explicit secret").load("svc").name == "svc"


def test_a_wrong_passphrase_is_refused(tmp_path: Path) -> None:
    open_keystore(settings(tmp_path)).create("svc")
    with pytest.raises(KeystoreLocked, match="wrong passphrase"):
        open_keystore(settings(tmp_path, "not the generated one")).load("svc")


def test_a_passphrase_file_others_can_read_is_refused(tmp_path: Path) -> None:
    open_keystore(settings(tmp_path))
    passphrase_file(tmp_path).chmod(0o644)
    with pytest.raises(ConfigurationError, match="chmod 600"):
        open_keystore(settings(tmp_path))


def test_a_keystore_made_with_the_old_default_says_what_to_do(tmp_path: Path) -> None:
    # Data dirs from before generated passphrases: keys sealed with "dev", no passphrase file.
    Keystore(settings(tmp_path).resolved_keystore_dir, "dev").create("svc")
    with pytest.raises(ConfigurationError) as refused:
        open_keystore(settings(tmp_path))
    message = str(refused.value)
    assert "\n" not in message
    assert "GOVLEDGER_KEYSTORE_PASSPHRASE=dev" in message
    assert not passphrase_file(tmp_path).exists()
    assert open_keystore(settings(tmp_path, "dev")).load("svc").name == "svc"


def test_the_cli_refuses_an_old_data_dir_in_one_line(tmp_path: Path) -> None:
    Keystore(settings(tmp_path).resolved_keystore_dir, "dev").create("svc")
    result = subprocess.run(
        [sys.executable, "-c", "from govledger.cli import main; main()", "chain", "init"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "GOVLEDGER_DATA_DIR": str(tmp_path)},
        check=False,
    )
    assert result.returncode == ConfigurationError.exit_code
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("(ConfigurationError)")
    assert "GOVLEDGER_KEYSTORE_PASSPHRASE" in line
