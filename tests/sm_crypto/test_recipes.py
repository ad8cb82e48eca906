"""SM3 and SM4 recipes on every backend: results agree across backends, bad input is refused."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from sm_crypto import (
    SM4CBC,
    SM4GCM,
    DecryptionFailed,
    InvalidKey,
    InvalidParameter,
    InvalidTag,
    derive_key,
    generate_key,
    hmac_sm3,
    open_sealed,
    seal,
    sm3,
    sm3_hasher,
)
from sm_crypto.backends import Backend
from sm_crypto.hazmat.sm4 import ECB

KEY = bytes(range(16))
NONCE = bytes(12)
DATA = b"holder: Zhang San; licence type: business; valid to 2031-12-31"


# SM3 -----------------------------------------------------------------------------------------


def test_hasher_is_hashlib_style(backend: Backend) -> None:
    hasher = sm3_hasher(backend=backend)
    assert (hasher.name, hasher.digest_size, hasher.block_size) == ("sm3", 32, 64)
    for i in range(0, len(DATA), 7):
        hasher.update(DATA[i : i + 7])
    forked = hasher.copy()
    forked.update(b"more")
    assert hasher.digest() == sm3(DATA, backend=backend)
    assert hasher.hexdigest() == sm3(DATA, backend=backend).hex()
    assert forked.digest() == sm3(DATA + b"more", backend=backend)


@pytest.mark.parametrize("size", [0, 55, 56, 63, 64, 65, 1000])
def test_sm3_agrees_with_hashlib_at_padding_boundaries(backend: Backend, size: int) -> None:
    data = bytes(range(256)) * 4
    assert sm3(data[:size], backend=backend) == hashlib.new("sm3", data[:size]).digest()


@pytest.mark.parametrize("key_size", [0, 16, 64, 65, 200])
def test_hmac_sm3_is_rfc2104(backend: Backend, key_size: int) -> None:
    key = b"k" * key_size
    assert hmac_sm3(key, DATA, backend=backend) == hmac.digest(key, DATA, "sm3")


def test_derive_key_is_pbkdf2_hmac_sm3(backend: Backend) -> None:
    salt = b"sixteen byte salt"
    derived = derive_key("通行短语", salt, 40, iterations=20, backend=backend)
    assert derived == hashlib.pbkdf2_hmac("sm3", "通行短语".encode(), salt, 20, 40)
    assert derive_key("通行短语".encode(), salt, 40, iterations=20, backend=backend) == derived


@pytest.mark.parametrize(
    ("salt", "length", "iterations"),
    [(b"short salt", 16, 10), (bytes(16), 0, 10), (bytes(16), 1025, 10), (bytes(16), 16, 0)],
    ids=["short-salt", "zero-length", "too-long", "no-iterations"],
)
def test_derive_key_refuses_bad_parameters(salt: bytes, length: int, iterations: int) -> None:
    with pytest.raises(InvalidParameter):
        derive_key("passphrase", salt, length, iterations=iterations)


# SM4 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 15, 17])
def test_bad_key_lengths_are_refused(backend: Backend, size: int) -> None:
    for cipher in (SM4GCM, SM4CBC, ECB):
        with pytest.raises(InvalidKey):
            cipher(bytes(size), backend=backend)
    with pytest.raises(InvalidKey):
        seal(bytes(size), DATA)


def test_gcm_round_trip_and_cross_backend(backend: Backend, other_backend: Backend) -> None:
    sealed = SM4GCM(KEY, backend=backend).encrypt(NONCE, DATA, b"licence-id")
    assert len(sealed) == len(DATA) + 16
    assert SM4GCM(KEY, backend=other_backend).decrypt(NONCE, sealed, b"licence-id") == DATA


GCM_ALTERATIONS = ["ciphertext", "tag", "aad", "nonce", "key", "truncated", "empty", "short-nonce"]


@pytest.mark.parametrize("altered", GCM_ALTERATIONS)
def test_gcm_refuses_anything_altered(backend: Backend, altered: str) -> None:
    sealed = SM4GCM(KEY, backend=backend).encrypt(NONCE, DATA, b"aad")
    attempts = {
        "ciphertext": (KEY, NONCE, bytes([sealed[0] ^ 1]) + sealed[1:], b"aad"),
        "tag": (KEY, NONCE, sealed[:-1] + bytes([sealed[-1] ^ 1]), b"aad"),
        "aad": (KEY, NONCE, sealed, b"aae"),
        "nonce": (KEY, b"\x01" + NONCE[1:], sealed, b"aad"),
        "key": (bytes(16), NONCE, sealed, b"aad"),
        "truncated": (KEY, NONCE, sealed[:15], b"aad"),
        "empty": (KEY, NONCE, b"", b"aad"),
        "short-nonce": (KEY, NONCE[:8], sealed, b"aad"),
    }
    key, nonce, data, aad = attempts[altered]
    gcm = SM4GCM(key, backend=backend)
    with pytest.raises(InvalidTag):
        gcm.decrypt(nonce, data, aad)


def test_gcm_encrypt_refuses_a_wrong_nonce_length(backend: Backend) -> None:
    with pytest.raises(InvalidParameter):
        SM4GCM(KEY, backend=backend).encrypt(bytes(16), DATA)


@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, 32, 33])
def test_cbc_pads_every_length(backend: Backend, other_backend: Backend, size: int) -> None:
    iv = bytes(range(16, 32))
    ciphertext = SM4CBC(KEY, backend=backend).encrypt(iv, DATA[:size])
    assert len(ciphertext) == (size // 16 + 1) * 16
    assert SM4CBC(KEY, backend=other_backend).decrypt(iv, ciphertext) == DATA[:size]


BAD_PADDING = {
    "zero-count": bytes(16),
    "count-17": bytes(15) + b"\x11",
    "inconsistent": b"A" * 13 + b"\x02\x03\x03",
    "one-wrong-byte": b"A" * 9 + b"\x07" * 5 + b"\x08" + b"\x07",
}


@pytest.mark.parametrize("block", BAD_PADDING.values(), ids=BAD_PADDING.keys())
def test_cbc_refuses_bad_padding_saying_nothing_more(backend: Backend, block: bytes) -> None:
    # With a zero IV, one CBC block is one ECB block: this forges a chosen padded plaintext.
    ciphertext = ECB(KEY, backend=backend).encrypt(block)
    cbc = SM4CBC(KEY, backend=backend)
    with pytest.raises(DecryptionFailed) as refused:
        cbc.decrypt(bytes(16), ciphertext)
    assert str(refused.value) == "bad SM4-CBC data"


@pytest.mark.parametrize("size", [0, 15, 17])
def test_cbc_refuses_partial_blocks(backend: Backend, size: int) -> None:
    cbc = SM4CBC(KEY, backend=backend)
    with pytest.raises(DecryptionFailed):
        cbc.decrypt(bytes(16), bytes(size))


def test_cbc_refuses_a_wrong_iv_length(backend: Backend) -> None:
    cbc = SM4CBC(KEY, backend=backend)
    with pytest.raises(InvalidParameter):
        cbc.encrypt(bytes(12), DATA)


def test_ecb_refuses_partial_blocks(backend: Backend) -> None:
    with pytest.raises(InvalidParameter):
        ECB(KEY, backend=backend).encrypt(bytes(17))


# seal / open ---------------------------------------------------------------------------------


def test_seal_round_trip_with_fresh_nonces() -> None:
    key = generate_key()
    first, second = seal(key, DATA, b"ctx"), seal(key, DATA, b"ctx")
    assert first[:12] != second[:12]
    assert open_sealed(key, first, b"ctx") == open_sealed(key, second, b"ctx") == DATA


def test_open_sealed_refuses_every_alteration() -> None:
    key = generate_key()
    blob = seal(key, DATA)
    for index in range(len(blob)):
        altered = bytearray(blob)
        altered[index] ^= 0x80
        with pytest.raises(InvalidTag):
            open_sealed(key, bytes(altered))
    for size in range(len(blob)):
        with pytest.raises(InvalidTag):
            open_sealed(key, blob[:size])
    with pytest.raises(InvalidTag):
        open_sealed(key, blob, b"other context")
