"""Interoperability with the real OpenSSL command line tool, both ways, on every backend."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from sm_crypto import (
    DEFAULT_UID,
    SM4CBC,
    CiphertextFormat,
    InvalidKey,
    InvalidSignature,
    SM2PrivateKey,
    SM2PublicKey,
    derive_key,
    sm3,
)
from sm_crypto.backends import Backend

pytestmark = pytest.mark.openssl_cli

DISTID = f"distid:{DEFAULT_UID.decode()}"


def run(openssl: str, *args: str | Path, stdin: bytes = b"") -> bytes:
    result = subprocess.run(
        [openssl, *map(str, args)], input=stdin, capture_output=True, check=False
    )
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout


@pytest.fixture
def openssl_key(openssl: str, tmp_path: Path) -> Path:
    """A private key made by `openssl genpkey -algorithm SM2`."""
    path = tmp_path / "openssl-key.pem"
    run(openssl, "genpkey", "-algorithm", "SM2", "-out", path)
    return path


@pytest.fixture
def message(tmp_path: Path) -> Path:
    path = tmp_path / "message.txt"
    path.write_bytes("电子证照 e-licence 42\n".encode())
    return path


def test_openssl_key_and_public_key_load(openssl: str, openssl_key: Path, backend: Backend) -> None:
    key = SM2PrivateKey.from_pem(openssl_key.read_bytes(), backend=backend)
    public_pem = run(openssl, "pkey", "-in", openssl_key, "-pubout")
    assert SM2PublicKey.from_pem(public_pem, backend=backend) == key.public_key()
    assert key.public_key().to_pem() == public_pem


def test_openssl_signature_verifies_here(
    openssl: str, openssl_key: Path, message: Path, backend: Backend
) -> None:
    signature = run(
        openssl, "pkeyutl", "-sign", "-rawin", "-digest", "sm3",
        "-inkey", openssl_key, "-pkeyopt", DISTID, "-in", message,
    )  # fmt: skip
    public = SM2PrivateKey.from_pem(openssl_key.read_bytes(), backend=backend).public_key()
    public.verify(signature, message.read_bytes())
    with pytest.raises(InvalidSignature):
        public.verify(signature, message.read_bytes() + b"!")


def test_our_signature_verifies_with_openssl(
    openssl: str, message: Path, tmp_path: Path, backend: Backend
) -> None:
    key = SM2PrivateKey.generate(backend=backend)
    public_path = tmp_path / "public.pem"
    public_path.write_bytes(key.public_key().to_pem())
    signature_path = tmp_path / "signature.der"
    signature_path.write_bytes(key.sign(message.read_bytes()))
    verify = (
        "pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pubin", "-inkey", public_path,
        "-pkeyopt", DISTID, "-in", message, "-sigfile", signature_path,
    )  # fmt: skip
    assert b"Signature Verified Successfully" in run(openssl, *verify)
    # And OpenSSL refuses it for a different message: the check above can fail.
    message.write_bytes(message.read_bytes() + b"!")
    refused = subprocess.run([openssl, *map(str, verify)], capture_output=True, check=False)
    assert refused.returncode != 0


def test_our_encrypted_pem_opens_with_openssl(
    openssl: str, tmp_path: Path, backend: Backend
) -> None:
    key = SM2PrivateKey.generate(backend=backend)
    path = tmp_path / "encrypted.pem"
    path.write_bytes(key.to_pem(password=b"correct horse"))
    assert path.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    public_pem = run(openssl, "pkey", "-in", path, "-passin", "pass:correct horse", "-pubout")
    assert public_pem == key.public_key().to_pem()
    wrong = subprocess.run(
        [openssl, "pkey", "-in", str(path), "-passin", "pass:wrong", "-noout"],
        capture_output=True,
        check=False,
    )
    assert wrong.returncode != 0


def test_openssl_encrypted_pem_opens_here(
    openssl: str, openssl_key: Path, tmp_path: Path, backend: Backend
) -> None:
    path = tmp_path / "sm4.pem"
    run(openssl, "pkcs8", "-topk8", "-v2", "sm4-cbc", "-in", openssl_key,
        "-passout", "pass:s3cret", "-out", path)  # fmt: skip
    key = SM2PrivateKey.from_pem(path.read_bytes(), password=b"s3cret", backend=backend)
    assert key == SM2PrivateKey.from_pem(openssl_key.read_bytes(), backend=backend)
    with pytest.raises(InvalidKey):
        SM2PrivateKey.from_pem(path.read_bytes(), password=b"wrong", backend=backend)


def test_aes_encrypted_openssl_pem(openssl: str, tmp_path: Path, backend: Backend) -> None:
    """OpenSSL's own default (AES-256-CBC): native reads it; python states the gap."""
    path = tmp_path / "aes.pem"
    run(openssl, "genpkey", "-algorithm", "SM2", "-aes-256-cbc", "-pass", "pass:x", "-out", path)
    if backend.name == "python":
        with pytest.raises(InvalidKey, match="reads SM4-CBC"):
            SM2PrivateKey.from_pem(path.read_bytes(), password=b"x", backend=backend)
    else:
        key = SM2PrivateKey.from_pem(path.read_bytes(), password=b"x", backend=backend)
        public_pem = run(openssl, "pkey", "-in", path, "-passin", "pass:x", "-pubout")
        assert key.public_key().to_pem() == public_pem


def test_sec1_pem_from_openssl_ec(
    openssl: str, openssl_key: Path, tmp_path: Path, backend: Backend
) -> None:
    path = tmp_path / "sec1.pem"
    run(openssl, "ec", "-in", openssl_key, "-out", path)
    assert path.read_bytes().startswith(b"-----BEGIN SM2 PRIVATE KEY-----")
    key = SM2PrivateKey.from_pem(path.read_bytes(), backend=backend)
    assert key == SM2PrivateKey.from_pem(openssl_key.read_bytes(), backend=backend)


@pytest.mark.parametrize("size", [1, 19, 4096])
def test_openssl_ciphertext_decrypts_here(
    openssl: str, openssl_key: Path, tmp_path: Path, backend: Backend, size: int
) -> None:
    plaintext = bytes(range(256)) * (size // 256) + bytes(range(size % 256))
    public_path = tmp_path / "public.pem"
    public_path.write_bytes(run(openssl, "pkey", "-in", openssl_key, "-pubout"))
    ciphertext = run(
        openssl, "pkeyutl", "-encrypt", "-pubin", "-inkey", public_path, stdin=plaintext
    )
    key = SM2PrivateKey.from_pem(openssl_key.read_bytes(), backend=backend)
    assert key.decrypt_with_format(ciphertext) == (plaintext, CiphertextFormat.DER_C1C3C2)


def test_our_ciphertext_decrypts_with_openssl(
    openssl: str, openssl_key: Path, backend: Backend
) -> None:
    public = SM2PrivateKey.from_pem(openssl_key.read_bytes(), backend=backend).public_key()
    ciphertext = public.encrypt(b"a data-sharing grant")
    assert run(openssl, "pkeyutl", "-decrypt", "-inkey", openssl_key, stdin=ciphertext) == (
        b"a data-sharing grant"
    )


def test_sm3_matches_openssl_dgst(openssl: str, message: Path, backend: Backend) -> None:
    output = run(openssl, "dgst", "-sm3", "-r", message)
    assert output.split()[0].decode() == sm3(message.read_bytes(), backend=backend).hex()


def test_sm4_cbc_with_padding_matches_openssl_enc(openssl: str, backend: Backend) -> None:
    key, iv = bytes(range(16)), bytes(range(16, 32))
    plaintext = b"seventeen bytes!!" * 3
    args = ("-K", key.hex(), "-iv", iv.hex())
    ours = SM4CBC(key, backend=backend).encrypt(iv, plaintext)
    assert run(openssl, "enc", "-sm4-cbc", *args, stdin=plaintext) == ours
    assert SM4CBC(key, backend=backend).decrypt(iv, ours) == plaintext
    assert run(openssl, "enc", "-d", "-sm4-cbc", *args, stdin=ours) == plaintext


def test_derive_key_matches_openssl_kdf(openssl: str, backend: Backend) -> None:
    salt = bytes(range(16))
    output = run(
        openssl, "kdf", "-keylen", "24", "-kdfopt", "digest:SM3", "-kdfopt", "pass:passphrase",
        "-kdfopt", f"hexsalt:{salt.hex()}", "-kdfopt", "iter:50", "PBKDF2",
    )  # fmt: skip
    expected = bytes.fromhex(output.decode().strip().replace(":", ""))
    assert derive_key("passphrase", salt, 24, iterations=50, backend=backend) == expected
