"""SM4 recipes: authenticated SM4-GCM, SM4-CBC with PKCS#7 for interoperability, and seal/open."""

from __future__ import annotations

import secrets

from sm_crypto.backends import Backend, resolve
from sm_crypto.exceptions import DecryptionFailed, InvalidKey, InvalidParameter, InvalidTag

KEY_SIZE = 16
BLOCK_SIZE = 16
NONCE_SIZE = 12
TAG_SIZE = 16


def check_key(key: bytes) -> bytes:
    if len(key) != KEY_SIZE:
        raise InvalidKey(f"an SM4 key is {KEY_SIZE} bytes, not {len(key)}")
    return bytes(key)


def generate_key() -> bytes:
    """A fresh random SM4 key."""
    return secrets.token_bytes(KEY_SIZE)


class SM4GCM:
    """SM4 in Galois/Counter Mode (RFC 8998): 12-byte nonces, 16-byte tags appended.

    Never encrypt twice under one key with the same nonce; :func:`seal` picks random nonces.
    """

    __slots__ = ("_impl",)

    def __init__(self, key: bytes, *, backend: Backend | None = None) -> None:
        self._impl = resolve(backend).sm4_gcm(check_key(key))

    def encrypt(self, nonce: bytes, data: bytes, aad: bytes = b"") -> bytes:
        """ciphertext || tag. ``aad`` is authenticated, not encrypted."""
        if len(nonce) != NONCE_SIZE:
            raise InvalidParameter(f"an SM4-GCM nonce is {NONCE_SIZE} bytes, not {len(nonce)}")
        return self._impl.encrypt(nonce, data, aad)

    def decrypt(self, nonce: bytes, data: bytes, aad: bytes = b"") -> bytes:
        """The plaintext; :class:`InvalidTag` whatever was wrong (key, nonce, aad, data, length)."""
        if len(nonce) != NONCE_SIZE or len(data) < TAG_SIZE:
            raise InvalidTag("authentication failed")
        return self._impl.decrypt(nonce, data, aad)


def _pad(data: bytes) -> bytes:
    count = BLOCK_SIZE - len(data) % BLOCK_SIZE
    return data + bytes([count]) * count


def _unpad(padded: bytes) -> bytes:
    count = padded[-1]
    # Look at the whole last block whatever the count, and fail in one way only: neither the
    # error nor an early exit tells which byte was wrong (a padding oracle's signal).
    wrong = int(not 1 <= count <= BLOCK_SIZE)
    for position in range(1, BLOCK_SIZE + 1):
        inside = int(position <= count)
        wrong |= inside * (padded[-position] ^ count)
    if wrong:
        raise DecryptionFailed("bad SM4-CBC data")
    return padded[:-count]


class SM4CBC:
    """SM4-CBC with PKCS#7 padding, for exchanging data with systems that speak only CBC.

    Unauthenticated: prefer :class:`SM4GCM` or :func:`seal` for anything new.
    """

    __slots__ = ("_impl",)

    def __init__(self, key: bytes, *, backend: Backend | None = None) -> None:
        self._impl = resolve(backend).sm4_cbc(check_key(key))

    @staticmethod
    def _check_iv(iv: bytes) -> None:
        if len(iv) != BLOCK_SIZE:
            raise InvalidParameter(f"an SM4-CBC IV is {BLOCK_SIZE} bytes, not {len(iv)}")

    def encrypt(self, iv: bytes, data: bytes) -> bytes:
        self._check_iv(iv)
        return self._impl.encrypt(iv, _pad(data))

    def decrypt(self, iv: bytes, data: bytes) -> bytes:
        """The plaintext; :class:`DecryptionFailed` for a bad length or bad padding."""
        self._check_iv(iv)
        if not data or len(data) % BLOCK_SIZE:
            raise DecryptionFailed("bad SM4-CBC data")
        return _unpad(self._impl.decrypt(iv, data))


def seal(key: bytes, data: bytes, aad: bytes = b"") -> bytes:
    """Encrypt and authenticate ``data``: random 12-byte nonce || SM4-GCM ciphertext || tag."""
    nonce = secrets.token_bytes(NONCE_SIZE)
    return nonce + SM4GCM(key).encrypt(nonce, data, aad)


def open_sealed(key: bytes, blob: bytes, aad: bytes = b"") -> bytes:
    """Reverse :func:`seal`; :class:`InvalidTag` if anything was altered, truncated or wrong."""
    return SM4GCM(key).decrypt(blob[:NONCE_SIZE], blob[NONCE_SIZE:], aad)
