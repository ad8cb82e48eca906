"""SM2 keys: signatures over e = SM3(Z || M) with the GB/T 32918 user ID, and encryption."""

from __future__ import annotations

from typing import Self

from sm_crypto import _keyformats
from sm_crypto.backends import Backend, HashObject, SM2PrivateImpl, SM2PublicImpl, resolve
from sm_crypto.exceptions import DecryptionFailed, InvalidKey, InvalidParameter
from sm_crypto.hazmat.sm2 import (
    DEFAULT_UID,
    SM2P256V1,
    Ciphertext,
    CiphertextFormat,
    check_private_scalar,
    coordinates,
    z_preimage,
)

_SCALAR_SIZE = 32


class SM2PublicKey:
    """An SM2 public key: verifies signatures and encrypts. Equal keys have equal points."""

    __slots__ = ("_backend", "_default_z_hash", "_impl", "_point")

    def __init__(self, impl: SM2PublicImpl, point: bytes, backend: Backend) -> None:
        """Internal: use :meth:`from_bytes` or :meth:`from_pem`."""
        self._impl = impl
        self._point = point
        self._backend = backend
        self._default_z_hash: HashObject | None = None

    @classmethod
    def from_bytes(cls, data: bytes, *, backend: Backend | None = None) -> Self:
        """From the 65-byte uncompressed point ``04 || x || y``, or the 64-byte ``x || y`` that
        the chain stores. Raises :class:`InvalidKey` for a point off the curve or a bad length."""
        point = b"\x04" + coordinates(data)  # the backend checks the curve equation
        resolved = resolve(backend)
        return cls(resolved.sm2_public_key_from_point(point), point, resolved)

    @classmethod
    def from_pem(cls, data: bytes, *, backend: Backend | None = None) -> Self:
        """From a ``PUBLIC KEY`` PEM block (SubjectPublicKeyInfo, as ``openssl pkey -pubout``)."""
        return cls.from_bytes(_keyformats.public_key_from_pem(data), backend=backend)

    def to_bytes(self) -> bytes:
        """The 65-byte uncompressed point ``04 || x || y``."""
        return self._point

    def to_pem(self) -> bytes:
        return _keyformats.public_key_to_pem(self._point)

    def _z_hash(self, uid: bytes) -> HashObject:
        """An SM3 object that has absorbed Z for ``uid``: copy it and add the message."""
        if uid == DEFAULT_UID and self._default_z_hash is not None:
            return self._default_z_hash.copy()
        xy = (int.from_bytes(self._point[1:33], "big"), int.from_bytes(self._point[33:], "big"))
        z = self._backend.sm3(z_preimage(xy, uid, SM2P256V1)).digest()
        z_hash = self._backend.sm3(z)
        if uid == DEFAULT_UID:
            self._default_z_hash = z_hash.copy()
        return z_hash

    def message_digest(self, message: bytes, *, uid: bytes = DEFAULT_UID) -> bytes:
        """e = SM3(Z || M): what an SM2 signature by this key over ``message`` actually signs."""
        hasher = self._z_hash(uid)
        hasher.update(message)
        return hasher.digest()

    def verify(self, signature: bytes, message: bytes, *, uid: bytes = DEFAULT_UID) -> None:
        """Return if ``signature`` (DER r, s) is this key's over ``message`` with ``uid``; else
        raise :class:`InvalidSignature` (also for malformed DER or r, s outside [1, n-1])."""
        self._impl.verify_digest(signature, self.message_digest(message, uid=uid))

    def encrypt(
        self,
        plaintext: bytes,
        *,
        ciphertext_format: CiphertextFormat = CiphertextFormat.DER_C1C3C2,
    ) -> bytes:
        """SM2-encrypt ``plaintext`` (not empty) to this key; GM/T 0009 DER C1C3C2 by default."""
        if not plaintext:
            raise InvalidParameter("SM2 cannot encrypt an empty message")
        der = self._impl.encrypt(plaintext)
        if ciphertext_format is CiphertextFormat.DER_C1C3C2:
            return der
        return Ciphertext.decode(der, CiphertextFormat.DER_C1C3C2).encode(ciphertext_format)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SM2PublicKey):
            return NotImplemented
        return self._point == other._point

    def __hash__(self) -> int:
        return hash((SM2PublicKey, self._point))

    def __repr__(self) -> str:
        return f"<SM2PublicKey {self._point.hex()}>"


class SM2PrivateKey:
    """An SM2 private key: signs and decrypts. Equality and hash go by the public point, and
    neither repr nor str shows private material."""

    __slots__ = ("_backend", "_impl", "_public")

    def __init__(self, impl: SM2PrivateImpl, backend: Backend) -> None:
        """Internal: use :meth:`generate`, :meth:`from_bytes` or :meth:`from_pem`."""
        self._impl = impl
        self._backend = backend
        point = impl.public_point()
        self._public = SM2PublicKey(backend.sm2_public_key_from_point(point), point, backend)

    @classmethod
    def generate(cls, *, backend: Backend | None = None) -> Self:
        resolved = resolve(backend)
        return cls(resolved.generate_sm2_private_key(), resolved)

    @classmethod
    def from_bytes(cls, data: bytes, *, backend: Backend | None = None) -> Self:
        """From the 32-byte big-endian scalar d, which must be in [1, n-2]."""
        if len(data) != _SCALAR_SIZE:
            raise InvalidKey(f"an SM2 private key is {_SCALAR_SIZE} bytes, not {len(data)}")
        d = int.from_bytes(data, "big")
        check_private_scalar(d)
        resolved = resolve(backend)
        return cls(resolved.sm2_private_key_from_scalar(d), resolved)

    @classmethod
    def from_pem(
        cls, data: bytes, password: bytes | None = None, *, backend: Backend | None = None
    ) -> Self:
        """From a PEM private key: PKCS#8 (``PRIVATE KEY``, or ``ENCRYPTED PRIVATE KEY`` with
        ``password``) or SEC 1 ``EC PRIVATE KEY``. A wrong password, a key on another curve, or a
        public part that does not match raise :class:`InvalidKey`."""
        encrypted = _keyformats.private_key_pem_is_encrypted(data)
        if encrypted and password is None:
            raise InvalidKey("the private key is encrypted: a password is needed")
        if not encrypted and password is not None:
            raise InvalidKey("a password was given but the private key is not encrypted")
        resolved = resolve(backend)
        return cls(resolved.sm2_private_key_from_pem(data, password), resolved)

    def to_bytes(self) -> bytes:
        """The 32-byte scalar d. Handle with care."""
        return self._impl.scalar().to_bytes(_SCALAR_SIZE, "big")

    def to_pem(self, password: bytes | None = None) -> bytes:
        """PKCS#8 PEM; with ``password``, encrypted with PBES2 (PBKDF2-HMAC-SHA256, SM4-CBC),
        which ``openssl pkey -passin pass:...`` reads."""
        return _keyformats.private_key_to_pem(
            self._impl.scalar(), self._public.to_bytes(), password, self._backend
        )

    def public_key(self) -> SM2PublicKey:
        return self._public

    def sign(self, message: bytes, *, uid: bytes = DEFAULT_UID) -> bytes:
        """DER SEQUENCE(r, s) over e = SM3(Z || M), with a fresh random nonce."""
        return self._impl.sign_digest(self._public.message_digest(message, uid=uid))

    def decrypt(self, ciphertext: bytes) -> bytes:
        """The plaintext of a DER C1C3C2, raw C1C3C2 or raw C1C2C3 ciphertext."""
        return self.decrypt_with_format(ciphertext)[0]

    def decrypt_with_format(self, ciphertext: bytes) -> tuple[bytes, CiphertextFormat]:
        """(plaintext, the format the ciphertext was in). DER starts with 0x30 and raw forms with
        0x04; the two raw orders are told apart by which one's C3 check value matches."""
        if ciphertext[:1] == b"\x30":
            # Strict DER first: OpenSSL would ignore bytes after the structure.
            Ciphertext.decode(ciphertext, CiphertextFormat.DER_C1C3C2)
            return self._impl.decrypt(ciphertext), CiphertextFormat.DER_C1C3C2
        if ciphertext[:1] == b"\x04":
            for raw_format in (CiphertextFormat.RAW_C1C3C2, CiphertextFormat.RAW_C1C2C3):
                parts = Ciphertext.decode(ciphertext, raw_format)
                try:
                    return self._impl.decrypt(parts.encode(CiphertextFormat.DER_C1C3C2)), raw_format
                except DecryptionFailed:
                    continue
        raise DecryptionFailed("not an SM2 ciphertext for this key")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SM2PrivateKey):
            return NotImplemented
        return self._public == other._public

    def __hash__(self) -> int:
        return hash((SM2PrivateKey, self._public.to_bytes()))

    def __repr__(self) -> str:
        return f"<SM2PrivateKey for public key {self._public.to_bytes().hex()}>"
