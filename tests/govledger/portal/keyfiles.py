"""SM2 key files as people hold them, and OpenSSL as the independent check of signatures."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sm_crypto import SM2PrivateKey

SIGNER_ID = "1234567812345678"


def plain_pem(key: SM2PrivateKey) -> bytes:
    """An unencrypted PKCS#8 PEM."""
    return key.to_pem()


def openssl_encrypted_pem(key: SM2PrivateKey, passphrase: str, folder: Path) -> bytes:
    """The key as OpenSSL encrypts it: PBES2, PBKDF2-HMAC-SHA256, SM4-CBC."""
    plain = folder / "plain.pem"
    plain.write_bytes(plain_pem(key))
    command = [
        *("openssl", "pkcs8", "-topk8", "-v2", "sm4-cbc", "-v2prf", "hmacWithSHA256"),
        *("-in", str(plain), "-passout", f"pass:{passphrase}"),
    ]
    return subprocess.run(command, check=True, capture_output=True).stdout


def openssl_verifies(key: SM2PrivateKey, message: bytes, signature: bytes, folder: Path) -> bool:
    """``openssl pkeyutl -verify`` with SM3 and the standard signer ID."""
    (folder / "public.pem").write_bytes(key.public_key().to_pem())
    (folder / "message").write_bytes(message)
    (folder / "signature").write_bytes(signature)
    result = subprocess.run(
        [
            *("openssl", "pkeyutl", "-verify", "-rawin", "-digest", "sm3"),
            *("-pubin", "-inkey", str(folder / "public.pem")),
            *("-pkeyopt", f"distid:{SIGNER_ID}"),
            *("-in", str(folder / "message"), "-sigfile", str(folder / "signature")),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode == 0 and "Signature Verified Successfully" in result.stdout
