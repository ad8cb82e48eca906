"""Where the primitives come from: the native backend (system OpenSSL 3 libcrypto for SM2, hashlib
for SM3, ``cryptography`` for SM4) or the pure-Python one.

The default is chosen once, on first use: ``SM_CRYPTO_BACKEND=native`` or ``=python`` forces
one (``native`` raises :class:`~sm_crypto.exceptions.CryptoBackendUnavailable` if it cannot load);
unset, native is used when it loads and python otherwise. ``SM_CRYPTO_LIBCRYPTO`` names the
libcrypto to load instead of the one the system's loader finds.

The python backend is not constant time: it refuses SM2 private keys (generating, loading, hence
signing and decrypting) with :class:`~sm_crypto.exceptions.UnsafeBackendRefused` unless
``SM_CRYPTO_ALLOW_PYTHON_PRIVATE_KEYS=1``, or a caller asks for
``get_backend("python", allow_unsafe_private_keys=True)`` (tests, benchmarks). Verifying and
encrypting with public keys work on it regardless.

Every key and cipher object keeps the backend that made it, so objects from both backends can
live side by side (the test suite runs everything against both and across them).
"""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING, Protocol, Self

from sm_crypto.exceptions import CryptoBackendUnavailable

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

BACKEND_ENV_VAR = "SM_CRYPTO_BACKEND"
LIBCRYPTO_ENV_VAR = "SM_CRYPTO_LIBCRYPTO"
ALLOW_PRIVATE_KEYS_ENV_VAR = "SM_CRYPTO_ALLOW_PYTHON_PRIVATE_KEYS"
BACKEND_NAMES = ("native", "python")


class HashObject(Protocol):
    """The hashlib interface."""

    @property
    def name(self) -> str: ...
    @property
    def digest_size(self) -> int: ...
    @property
    def block_size(self) -> int: ...
    def update(self, data: ReadableBuffer, /) -> None: ...
    def digest(self) -> bytes: ...
    def hexdigest(self) -> str: ...
    def copy(self) -> Self: ...


class SM4ECBImpl(Protocol):
    def encrypt(self, data: bytes) -> bytes: ...
    def decrypt(self, data: bytes) -> bytes: ...


class SM4CBCImpl(Protocol):
    """Raw CBC over whole blocks; padding is the caller's job."""

    def encrypt(self, iv: bytes, data: bytes) -> bytes: ...
    def decrypt(self, iv: bytes, data: bytes) -> bytes: ...


class SM4GCMImpl(Protocol):
    """GCM with a 12-byte nonce; the output is ciphertext || 16-byte tag."""

    def encrypt(self, nonce: bytes, data: bytes, aad: bytes) -> bytes: ...
    def decrypt(self, nonce: bytes, data: bytes, aad: bytes) -> bytes: ...


class SM2PublicImpl(Protocol):
    def verify_digest(self, signature: bytes, digest: bytes) -> None: ...
    def encrypt(self, plaintext: bytes) -> bytes:
        """DER C1C3C2."""
        ...


class SM2PrivateImpl(Protocol):
    def scalar(self) -> int: ...
    def public_point(self) -> bytes:
        """``04 || x || y``."""
        ...

    def sign_digest(self, digest: bytes) -> bytes:
        """DER SEQUENCE(r, s) over e."""
        ...

    def decrypt(self, ciphertext: bytes) -> bytes:
        """From DER C1C3C2."""
        ...


class Backend(Protocol):
    """What a backend provides. Inputs arrive already checked for length and range."""

    @property
    def name(self) -> str: ...

    def sm3(self, data: bytes = b"") -> HashObject: ...
    def hmac_sm3(self, key: bytes, data: bytes) -> bytes: ...
    def pbkdf2_hmac_sm3(
        self, password: bytes, salt: bytes, iterations: int, length: int
    ) -> bytes: ...

    def sm4_ecb(self, key: bytes) -> SM4ECBImpl: ...
    def sm4_cbc(self, key: bytes) -> SM4CBCImpl: ...
    def sm4_gcm(self, key: bytes) -> SM4GCMImpl: ...

    def generate_sm2_private_key(self) -> SM2PrivateImpl: ...
    def sm2_private_key_from_scalar(self, d: int) -> SM2PrivateImpl: ...
    def sm2_private_key_from_pem(self, data: bytes, password: bytes | None) -> SM2PrivateImpl:
        """Load a PEM private key, checking it is a consistent SM2 key pair."""
        ...

    def sm2_public_key_from_point(self, point: bytes) -> SM2PublicImpl:
        """From ``04 || x || y``, refusing points off the curve."""
        ...


@cache
def _load(
    name: str, *, allow_unsafe_private_keys: bool = False
) -> Backend | CryptoBackendUnavailable:
    # A failure is cached too: probing for libcrypto once is enough.
    try:
        if name == "native":
            from sm_crypto._native import NativeBackend  # noqa: PLC0415

            return NativeBackend.load(os.environ.get(LIBCRYPTO_ENV_VAR) or None)
        if name == "python":
            from sm_crypto._python import PythonBackend  # noqa: PLC0415

            allowed = os.environ.get(ALLOW_PRIVATE_KEYS_ENV_VAR, "").strip() == "1"
            return PythonBackend(allow_private_keys=allow_unsafe_private_keys or allowed)
    except CryptoBackendUnavailable as exc:
        return exc
    return CryptoBackendUnavailable(
        f"unknown sm_crypto backend {name!r}: choose one of {', '.join(BACKEND_NAMES)}"
    )


def get_backend(name: str | None = None, *, allow_unsafe_private_keys: bool = False) -> Backend:
    """The backend called ``name``, or the default one when ``name`` is None.

    ``allow_unsafe_private_keys`` lets the python backend make SM2 private keys although its
    arithmetic is not constant time: for tests and benchmarks, never for keys that matter.
    """
    if name is None:
        return default_backend()
    loaded = _load(name, allow_unsafe_private_keys=allow_unsafe_private_keys and name == "python")
    if isinstance(loaded, CryptoBackendUnavailable):
        raise loaded
    return loaded


@cache
def default_backend() -> Backend:
    """The backend used when none is passed explicitly (see the module docstring)."""
    forced = os.environ.get(BACKEND_ENV_VAR, "").strip().lower()
    if forced:
        return get_backend(forced)
    native = _load("native")
    return get_backend("python") if isinstance(native, CryptoBackendUnavailable) else native


def resolve(backend: Backend | None) -> Backend:
    """``backend`` itself, or the default backend when it is None."""
    return default_backend() if backend is None else backend


def available_backends() -> list[str]:
    """The names of the backends that load on this machine."""
    return [name for name in BACKEND_NAMES if not isinstance(_load(name), CryptoBackendUnavailable)]


def backend_name() -> str:
    """The name of the default backend: ``"native"`` or ``"python"``."""
    return default_backend().name
