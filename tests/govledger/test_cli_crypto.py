"""`govledger crypto` and `bench crypto` through the real CLI: Typer's runner for the work,
the installed entry point in a subprocess wherever the root error handler's one line matters."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from govledger.cli import app
from sm_crypto import SM2PrivateKey, SM2PublicKey, sm3

runner = CliRunner()


def invoke(*args: str | Path, data_dir: Path | None = None, **env: str) -> str:
    if data_dir is not None:
        env["GOVLEDGER_DATA_DIR"] = str(data_dir)
    result = runner.invoke(app, [str(arg) for arg in args], env=env)
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def run_main(*args: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The real entry point, so errors go through the root handler."""
    return subprocess.run(
        [sys.executable, "-c", "from govledger.cli import main; main()", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )


@pytest.fixture
def document(tmp_path: Path) -> Path:
    path = tmp_path / "licence.json"
    path.write_text('{"licence_number": "DEMO-1", "holder": "李四"}', encoding="utf-8")
    return path


@pytest.fixture
def key_pair(tmp_path: Path) -> tuple[Path, Path]:
    """(private key, public key) written by `crypto keygen`, the private one encrypted."""
    private, public = tmp_path / "key.pem", tmp_path / "pub.pem"
    public.write_text(
        invoke("crypto", "keygen", "--out", private, "--password-env", "KEY_PW", KEY_PW="s3cret")
    )
    return private, public


def test_keygen_writes_an_encrypted_owner_only_key(key_pair: tuple[Path, Path]) -> None:
    private, public = key_pair
    assert private.stat().st_mode & 0o777 == 0o600
    key = SM2PrivateKey.from_pem(private.read_bytes(), b"s3cret")
    assert SM2PublicKey.from_pem(public.read_bytes()) == key.public_key()
    shown = invoke("crypto", "pubkey", private, "--password-env", "KEY_PW", KEY_PW="s3cret")
    assert shown.encode() == public.read_bytes()
    shown_hex = invoke("crypto", "pubkey", private, "--hex", "--password-env", "P", P="s3cret")
    assert shown_hex.strip() == key.public_key().to_bytes().hex()


def test_sign_and_verify_both_signature_forms(
    key_pair: tuple[Path, Path], document: Path, tmp_path: Path
) -> None:
    private, public = key_pair
    signature_hex = tmp_path / "signature.hex"
    signature_hex.write_text(
        invoke("crypto", "sign", "--key", private, "--password-env", "P", document, P="s3cret")
    )
    signature_der = tmp_path / "signature.der"
    invoke("crypto", "sign", "--key", private, "--password-env", "P", document,
           "--out", signature_der, P="s3cret")  # fmt: skip
    SM2PublicKey.from_pem(public.read_bytes()).verify(
        signature_der.read_bytes(), document.read_bytes()
    )
    for signature in (signature_hex, signature_der):
        output = invoke("crypto", "verify", "--pubkey", public, "--signature", signature, document)
        assert output == "valid\n"


def test_uid_option_changes_what_is_signed(
    key_pair: tuple[Path, Path], document: Path, tmp_path: Path
) -> None:
    private, public = key_pair
    signature = tmp_path / "signature.der"
    invoke("crypto", "sign", "--key", private, "--password-env", "P", "--uid", "dept-7",
           document, "--out", signature, P="s3cret")  # fmt: skip
    invoke("crypto", "verify", "--pubkey", public, "--signature", signature, "--uid", "dept-7",
           document)  # fmt: skip
    refused = runner.invoke(
        app, ["crypto", "verify", "--pubkey", str(public), "--signature", str(signature),
              str(document)],
    )  # fmt: skip
    assert refused.exit_code != 0


def test_forged_signature_fails_with_one_line(
    key_pair: tuple[Path, Path], document: Path, tmp_path: Path
) -> None:
    _, public = key_pair
    forged = tmp_path / "forged.der"
    forged.write_bytes(SM2PrivateKey.generate().sign(document.read_bytes()))
    result = run_main("crypto", "verify", "--pubkey", public, "--signature", forged, document)
    assert result.returncode == 7
    assert result.stdout == ""
    assert result.stderr.splitlines() == ["(VerificationFailed) signature does not verify"]


def test_keygen_refuses_to_overwrite_and_a_missing_password_is_one_line(
    key_pair: tuple[Path, Path], document: Path
) -> None:
    private, _ = key_pair
    before = private.read_bytes()
    overwrite = run_main("crypto", "keygen", "--out", private)
    assert overwrite.returncode == 5
    assert overwrite.stderr.splitlines() == [
        f"(Conflict) {private} already exists; refusing to overwrite a key"
    ]
    assert private.read_bytes() == before
    locked = run_main("crypto", "sign", "--key", private, document)
    assert locked.returncode == 3
    assert locked.stderr.splitlines() == [
        "(InvalidInput) the private key is encrypted: a password is needed"
    ]


def test_sm3_prints_the_digest(document: Path) -> None:
    assert invoke("crypto", "sm3", document) == f"{sm3(document.read_bytes()).hex()}  {document}\n"


def test_bench_crypto_json_smoke() -> None:
    args = ["bench", "crypto", "--seconds", "0.2", "--rounds", "1", "--backend", "native"]
    report = json.loads(invoke(*args, "--json"))
    for name in (
        "sm2_sign_per_s",
        "sm2_verify_per_s",
        "openssl_sign_per_s",
        "openssl_verify_per_s",
        "sm3_mb_per_s",
        "hashlib_sm3_mb_per_s",
    ):
        assert report[name] > 0, name
    assert report["backend"] == "native"


def test_private_keys_on_the_pure_python_fallback_are_refused_in_one_line(tmp_path: Path) -> None:
    out = tmp_path / "key.pem"
    result = run_main(
        "crypto", "keygen", "--out", out, SM_CRYPTO_LIBCRYPTO="/nonexistent/libcrypto.so.3"
    )
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("(ConfigurationError) SM2 private keys are refused")
    assert "SM_CRYPTO_ALLOW_PYTHON_PRIVATE_KEYS=1" in line
    assert not out.exists()
