"""The portal's key-file script (the vendored sm-crypto underneath) run in Node: it reads both
PEM forms, and its SM2 signatures verify with our verifier and with OpenSSL."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from govledger.portal.rendering import STATIC_DIR
from sm_crypto import SM2PrivateKey
from tests.govledger.portal.keyfiles import openssl_encrypted_pem, openssl_verifies, plain_pem

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="Node is not installed")

RUN = """
const keyfile = require(process.argv[1]);
const [pem, passphrase, message] = JSON.parse(require("fs").readFileSync(0, "utf8"));
const say = (answer) => console.log(JSON.stringify(answer));
keyfile.readPrivateKey(pem, passphrase).then(
  (key) => say({ signature: keyfile.sign(key, message), publicKey: key.publicKey }),
  (error) => say({ error: error.message, known: error instanceof keyfile.KeyFileError }));
"""
MESSAGE = "govledger sign-in 登录 challenge"


def run_keyfile(pem: bytes, passphrase: str = "", message: str = MESSAGE) -> dict[str, Any]:
    env = os.environ | {"GOVLEDGER_VENDOR": str(STATIC_DIR / "vendor")}
    result = subprocess.run(
        ["node", "-e", RUN, str(STATIC_DIR / "js" / "keyfile.js")],
        input=json.dumps([pem.decode("ascii"), passphrase, message]),
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


@pytest.mark.parametrize("form", ["plain", "openssl-encrypted", "govledger-encrypted"])
def test_signature_verifies_with_our_verifier_and_openssl(form: str, tmp_path: Path) -> None:
    key = SM2PrivateKey.generate()
    pem = {
        "plain": lambda: plain_pem(key),
        "openssl-encrypted": lambda: openssl_encrypted_pem(key, "correct horse 马", tmp_path),
        "govledger-encrypted": lambda: key.to_pem("correct horse 马".encode()),
    }[form]()
    answer = run_keyfile(pem, "correct horse 马")
    assert bytes.fromhex(answer["publicKey"]) == key.public_key().to_bytes()
    der = bytes.fromhex(answer["signature"])
    key.public_key().verify(der, MESSAGE.encode())
    assert openssl_verifies(key, MESSAGE.encode(), der, tmp_path)


def test_a_tampered_signature_fails_openssl(tmp_path: Path) -> None:
    # The OpenSSL check can fail: a signature over another message is refused.
    key = SM2PrivateKey.generate()
    der = bytes.fromhex(run_keyfile(plain_pem(key))["signature"])
    assert not openssl_verifies(key, b"another message", der, tmp_path)


@pytest.mark.parametrize(
    ("pem", "passphrase", "message"),
    [
        (b"hello", "", "not a PKCS#8 private key file"),
        (b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "", "damaged"),
    ],
)
def test_bad_key_files_are_refused_with_a_message(
    pem: bytes, passphrase: str, message: str
) -> None:
    answer = run_keyfile(pem, passphrase)
    assert answer["known"]
    assert message in answer["error"]


def test_wrong_or_missing_passphrase_is_refused(tmp_path: Path) -> None:
    pem = openssl_encrypted_pem(SM2PrivateKey.generate(), "right", tmp_path)
    assert "Wrong passphrase" in run_keyfile(pem, "wrong")["error"]
    assert "enter its passphrase" in run_keyfile(pem, "")["error"]


def test_a_key_of_another_curve_is_refused() -> None:
    command = ["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]
    pem = subprocess.run(command, check=True, capture_output=True).stdout
    assert run_keyfile(pem)["error"] == "This key is not an SM2 key."
