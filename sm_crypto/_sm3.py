"""SM3 recipes: one-shot and incremental hashing, HMAC-SM3, and a passphrase KDF."""

from __future__ import annotations

from sm_crypto.backends import Backend, HashObject, resolve
from sm_crypto.exceptions import InvalidParameter

DEFAULT_KDF_ITERATIONS = 100_000
"""PBKDF2 rounds for :func:`derive_key` unless the caller asks for others."""
MIN_SALT_SIZE = 16


def sm3(data: bytes, *, backend: Backend | None = None) -> bytes:
    """The 32-byte SM3 digest of ``data`` (GB/T 32905-2016)."""
    return resolve(backend).sm3(data).digest()


def sm3_hasher(data: bytes = b"", *, backend: Backend | None = None) -> HashObject:
    """A hashlib-style SM3 object: ``update``, ``digest``, ``hexdigest``, ``copy``."""
    return resolve(backend).sm3(data)


def hmac_sm3(key: bytes, data: bytes, *, backend: Backend | None = None) -> bytes:
    """HMAC (RFC 2104) with SM3: 32 bytes. Compare MACs with ``hmac.compare_digest``."""
    return resolve(backend).hmac_sm3(key, data)


def derive_key(
    passphrase: str | bytes,
    salt: bytes,
    length: int = 16,
    *,
    iterations: int = DEFAULT_KDF_ITERATIONS,
    backend: Backend | None = None,
) -> bytes:
    """A key from a passphrase with PBKDF2-HMAC-SM3 (RFC 8018, section 5.2, with HMAC-SM3 as PRF).

    ``salt`` must be at least 16 random bytes, stored next to whatever the key protects; a
    ``str`` passphrase is UTF-8 encoded. The default 100,000 rounds take about a tenth of a
    second with the native backend (many seconds with the pure-Python one).
    """
    if len(salt) < MIN_SALT_SIZE:
        raise InvalidParameter(f"the salt must be at least {MIN_SALT_SIZE} bytes")
    if not 1 <= length <= 1024:
        raise InvalidParameter("the key length must be between 1 and 1024 bytes")
    if iterations < 1:
        raise InvalidParameter("the iteration count must be positive")
    secret = passphrase.encode() if isinstance(passphrase, str) else passphrase
    return resolve(backend).pbkdf2_hmac_sm3(secret, salt, iterations, length)
