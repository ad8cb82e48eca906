"""The standards' test vectors (in tests/vectors/, sources in docs/test-vectors.md), per backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from sm_crypto import SM4CBC, SM4GCM, InvalidSignature, InvalidTag, SM2PrivateKey, sm3
from sm_crypto.backends import Backend
from sm_crypto.hazmat import sm2
from sm_crypto.hazmat.sm4 import ECB
from tests.sm_crypto.utils import load_key_value_vectors, load_vectors_from_file

CURVES = {"sm2p256v1": sm2.SM2P256V1, "example-fp256": sm2.EXAMPLE_FP256}


def vectors(path: str) -> list[dict[str, str]]:
    return load_vectors_from_file(Path(path), load_key_value_vectors)


def hexbytes(vector: dict[str, str], name: str) -> bytes:
    return bytes.fromhex(vector[name])


# SM3 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("vector", vectors("sm3/gbt32905-2016-annex-a.txt"))
def test_sm3_digest(backend: Backend, vector: dict[str, str]) -> None:
    assert sm3(hexbytes(vector, "MESSAGE"), backend=backend) == hexbytes(vector, "DIGEST")


# SM4 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "vector",
    vectors("sm4/gbt32907-2016-annex-a.txt") + vectors("sm4/draft-ribose-cfrg-sm4-10-ecb.txt"),
)
def test_sm4_ecb(backend: Backend, vector: dict[str, str]) -> None:
    iterations = int(vector.get("ITERATIONS", "1"))
    if iterations > 1 and backend.name == "python":
        pytest.skip("1,000,000 pure-Python block encryptions take minutes; native runs it")
    cipher = ECB(hexbytes(vector, "KEY"), backend=backend)
    block = hexbytes(vector, "PLAINTEXT")
    for _ in range(iterations):
        block = cipher.encrypt(block)
    assert block == hexbytes(vector, "CIPHERTEXT")
    if iterations == 1:
        assert cipher.decrypt(block) == hexbytes(vector, "PLAINTEXT")


@pytest.mark.parametrize("vector", vectors("sm4/draft-ribose-cfrg-sm4-10-cbc.txt"))
def test_sm4_cbc(backend: Backend, vector: dict[str, str]) -> None:
    # The vectors are whole blocks without padding; the recipe adds one block of PKCS#7 padding
    # after them, which CBC chaining leaves the earlier blocks untouched by.
    cbc = SM4CBC(hexbytes(vector, "KEY"), backend=backend)
    plaintext = hexbytes(vector, "PLAINTEXT")
    ciphertext = cbc.encrypt(hexbytes(vector, "IV"), plaintext)
    assert ciphertext[:-16] == hexbytes(vector, "CIPHERTEXT")
    assert cbc.decrypt(hexbytes(vector, "IV"), ciphertext) == plaintext


@pytest.mark.parametrize("vector", vectors("sm4/rfc8998-gcm.txt"))
def test_sm4_gcm(backend: Backend, vector: dict[str, str]) -> None:
    gcm = SM4GCM(hexbytes(vector, "KEY"), backend=backend)
    nonce, aad = hexbytes(vector, "NONCE"), hexbytes(vector, "AAD")
    sealed = hexbytes(vector, "CIPHERTEXT") + hexbytes(vector, "TAG")
    assert gcm.encrypt(nonce, hexbytes(vector, "PLAINTEXT"), aad) == sealed
    assert gcm.decrypt(nonce, sealed, aad) == hexbytes(vector, "PLAINTEXT")
    with pytest.raises(InvalidTag):
        gcm.decrypt(nonce, sealed[:-1], aad)  # truncated tag


# SM2 -----------------------------------------------------------------------------------------

SIGNATURES = vectors("sm2/signatures.txt")
ENCRYPTIONS = vectors("sm2/encryption.txt")


@pytest.mark.parametrize("vector", SIGNATURES, ids=[v["CURVE"] for v in SIGNATURES])
def test_sm2_signature_with_fixed_nonce(vector: dict[str, str]) -> None:
    curve = CURVES[vector["CURVE"]]
    d = int(vector["D"], 16)
    public = sm2.public_point(d, curve)
    e = sm2.message_digest(public, hexbytes(vector, "MESSAGE"), hexbytes(vector, "UID"), curve)
    r, s = sm2.sign_digest(d, e, curve, k=int(vector["K"], 16))
    assert (r, s) == (int(vector["R"], 16), int(vector["S"], 16))
    sm2.verify_digest(public, e, r, s, curve)
    with pytest.raises(InvalidSignature):
        sm2.verify_digest(public, e, r, s + 1, curve)


RECOMMENDED_CURVE_SIGNATURES = [v for v in SIGNATURES if v["CURVE"] == "sm2p256v1"]


@pytest.mark.parametrize("vector", RECOMMENDED_CURVE_SIGNATURES)
def test_sm2_standard_signature_verifies(backend: Backend, vector: dict[str, str]) -> None:
    key = SM2PrivateKey.from_bytes(hexbytes(vector, "D"), backend=backend)
    signature = sm2.encode_signature(int(vector["R"], 16), int(vector["S"], 16))
    message, uid = hexbytes(vector, "MESSAGE"), hexbytes(vector, "UID")
    key.public_key().verify(signature, message, uid=uid)
    with pytest.raises(InvalidSignature):
        key.public_key().verify(signature, message, uid=b"ALICE123@YAHOO.COM")


@pytest.mark.parametrize("vector", ENCRYPTIONS, ids=[v["CURVE"] for v in ENCRYPTIONS])
def test_sm2_encryption_with_fixed_nonce(vector: dict[str, str]) -> None:
    curve = CURVES[vector["CURVE"]]
    d = int(vector["D"], 16)
    ciphertext = sm2.encrypt(
        sm2.public_point(d, curve), hexbytes(vector, "PLAINTEXT"), curve, k=int(vector["K"], 16)
    )
    assert ciphertext.encode(sm2.CiphertextFormat.DER_C1C3C2, curve) == hexbytes(
        vector, "CIPHERTEXT"
    )
    assert sm2.decrypt(d, ciphertext, curve) == hexbytes(vector, "PLAINTEXT")


@pytest.mark.parametrize("vector", [v for v in ENCRYPTIONS if v["CURVE"] == "sm2p256v1"])
def test_sm2_standard_ciphertext_decrypts(backend: Backend, vector: dict[str, str]) -> None:
    key = SM2PrivateKey.from_bytes(hexbytes(vector, "D"), backend=backend)
    plaintext, found = key.decrypt_with_format(hexbytes(vector, "CIPHERTEXT"))
    assert plaintext == hexbytes(vector, "PLAINTEXT")
    assert found is sm2.CiphertextFormat.DER_C1C3C2
