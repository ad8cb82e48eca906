"""The native backend: SM2 from the system's OpenSSL 3 libcrypto through ctypes, SM3 from hashlib,
SM4 from ``cryptography``.

``cryptography`` carries its own OpenSSL; nothing crosses between it and the libcrypto loaded
here, only bytes. SM2 signing hashes e = SM3(Z || M) in Python (Z is cached per key) and hands
the 32-byte e to ``EVP_PKEY_sign``, so one initialised context per key serves every user ID.
Contexts are pooled per key and operation: each call borrows one, so threads never share a
context and a busy key never re-initialises one. Every OpenSSL object is freed by its owner's
finalizer.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import hmac
import weakref
from typing import Any

from cryptography.exceptions import InvalidTag as CryptographyInvalidTag
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from sm_crypto import _keyformats
from sm_crypto.exceptions import (
    CryptoBackendUnavailable,
    DecryptionFailed,
    InvalidKey,
    InvalidSignature,
    InvalidTag,
)
from sm_crypto.hazmat.sm2 import SM2P256V1, check_private_scalar

_POINTER = ctypes.c_void_p
_INT = ctypes.c_int
_SIZE = ctypes.c_size_t
_BYTES = ctypes.c_char_p
_PASSWORD_CALLBACK = ctypes.CFUNCTYPE(_INT, ctypes.POINTER(ctypes.c_char), _INT, _INT, _POINTER)

# name, return type, argument types: the C signatures of everything used below (OpenSSL 3.0).
_SIGNATURES: list[tuple[str, Any, list[Any]]] = [
    ("OpenSSL_version_num", ctypes.c_ulong, []),
    ("ERR_clear_error", None, []),
    ("EVP_PKEY_CTX_new_from_name", _POINTER, [_POINTER, _BYTES, _POINTER]),
    ("EVP_PKEY_CTX_new", _POINTER, [_POINTER, _POINTER]),
    ("EVP_PKEY_CTX_free", None, [_POINTER]),
    ("EVP_PKEY_keygen_init", _INT, [_POINTER]),
    ("EVP_PKEY_generate", _INT, [_POINTER, ctypes.POINTER(_POINTER)]),
    ("EVP_PKEY_free", None, [_POINTER]),
    ("EVP_PKEY_is_a", _INT, [_POINTER, _BYTES]),
    ("EVP_PKEY_check", _INT, [_POINTER]),
    ("EVP_PKEY_get_bn_param", _INT, [_POINTER, _BYTES, ctypes.POINTER(_POINTER)]),
    ("BN_bn2binpad", _INT, [_POINTER, _BYTES, _INT]),
    ("BN_clear_free", None, [_POINTER]),
    ("EVP_PKEY_sign_init", _INT, [_POINTER]),
    ("EVP_PKEY_sign", _INT, [_POINTER, _BYTES, ctypes.POINTER(_SIZE), _BYTES, _SIZE]),
    ("EVP_PKEY_verify_init", _INT, [_POINTER]),
    ("EVP_PKEY_verify", _INT, [_POINTER, _BYTES, _SIZE, _BYTES, _SIZE]),
    ("EVP_PKEY_encrypt_init", _INT, [_POINTER]),
    ("EVP_PKEY_encrypt", _INT, [_POINTER, _BYTES, ctypes.POINTER(_SIZE), _BYTES, _SIZE]),
    ("EVP_PKEY_decrypt_init", _INT, [_POINTER]),
    ("EVP_PKEY_decrypt", _INT, [_POINTER, _BYTES, ctypes.POINTER(_SIZE), _BYTES, _SIZE]),
    ("d2i_PUBKEY", _POINTER, [_POINTER, ctypes.POINTER(_BYTES), ctypes.c_long]),
    ("d2i_AutoPrivateKey", _POINTER, [_POINTER, ctypes.POINTER(_BYTES), ctypes.c_long]),
    ("BIO_new_mem_buf", _POINTER, [_BYTES, _INT]),
    ("BIO_free", _INT, [_POINTER]),
    ("PEM_read_bio_PrivateKey", _POINTER, [_POINTER, _POINTER, _PASSWORD_CALLBACK, _POINTER]),
]


class _LibCrypto:
    """libcrypto's functions with their C signatures declared, as attributes."""

    def __init__(self, path: str) -> None:
        try:
            library = ctypes.CDLL(path)
            for name, restype, argtypes in _SIGNATURES:
                function = getattr(library, name)
                function.restype = restype
                function.argtypes = argtypes
                setattr(self, name, function)
        except (OSError, AttributeError) as exc:
            raise CryptoBackendUnavailable(
                f"cannot load OpenSSL 3 libcrypto from {path}: {exc}"
            ) from exc

    def __getattr__(self, name: str) -> Any:  # for the type checker: attributes set above
        raise AttributeError(name)


def _locate_libcrypto() -> str:
    return ctypes.util.find_library("crypto") or "libcrypto.so.3"


def _bignum_bytes(lib: _LibCrypto, pkey: int, name: bytes) -> bytes:
    bignum = _POINTER()
    if lib.EVP_PKEY_get_bn_param(pkey, name, ctypes.byref(bignum)) != 1:
        lib.ERR_clear_error()
        raise InvalidKey(f"cannot read {name.decode()} from the key")
    try:
        out = ctypes.create_string_buffer(32)
        if lib.BN_bn2binpad(bignum, out, 32) != 32:
            raise InvalidKey(f"{name.decode()} does not fit 32 bytes")
        return out.raw
    finally:
        lib.BN_clear_free(bignum)


class _Pkey:
    """An owned EVP_PKEY*, with pools of contexts initialised for each operation on it."""

    __slots__ = ("__weakref__", "_pools", "handle", "lib")

    def __init__(self, lib: _LibCrypto, handle: int) -> None:
        self.lib = lib
        self.handle = handle
        self._pools: dict[str, list[int]] = {}
        weakref.finalize(self, _free_pkey, lib, handle, self._pools)

    def point(self) -> bytes:
        return (
            b"\x04"
            + _bignum_bytes(self.lib, self.handle, b"qx")
            + _bignum_bytes(self.lib, self.handle, b"qy")
        )

    def borrow(self, operation: str) -> int:
        """A context initialised for ``operation`` ("sign", "verify", ...), for this call only."""
        pool = self._pools.setdefault(operation, [])
        try:
            return pool.pop()  # atomic: two threads never get the same context
        except IndexError:
            pass
        ctx = self.lib.EVP_PKEY_CTX_new(self.handle, None)
        if not ctx:
            raise MemoryError("EVP_PKEY_CTX_new failed")
        if getattr(self.lib, f"EVP_PKEY_{operation}_init")(ctx) != 1:
            self.lib.EVP_PKEY_CTX_free(ctx)
            self.lib.ERR_clear_error()
            raise InvalidKey(f"this key cannot {operation}")
        return int(ctx)

    def give_back(self, operation: str, ctx: int) -> None:
        self._pools[operation].append(ctx)

    def run(self, operation: str, data: bytes, error: type[Exception]) -> bytes:
        """EVP_PKEY_<operation>(ctx, out, &outlen, data): sign, encrypt and decrypt alike. A first
        call without ``out`` asks OpenSSL how much room the result needs."""
        function = getattr(self.lib, f"EVP_PKEY_{operation}")
        ctx = self.borrow(operation)
        try:
            size = _SIZE(0)
            if function(ctx, None, ctypes.byref(size), data, len(data)) == 1:
                out = ctypes.create_string_buffer(size.value)
                if function(ctx, out, ctypes.byref(size), data, len(data)) == 1:
                    return out.raw[: size.value]
            self.lib.ERR_clear_error()
            raise error(f"SM2 {operation} failed")
        finally:
            self.give_back(operation, ctx)


def _free_pkey(lib: _LibCrypto, handle: int, pools: dict[str, list[int]]) -> None:
    for pool in pools.values():
        for ctx in pool:
            lib.EVP_PKEY_CTX_free(ctx)
    lib.EVP_PKEY_free(handle)


class NativePublicKey:
    __slots__ = ("_pkey",)

    def __init__(self, pkey: _Pkey) -> None:
        self._pkey = pkey

    def verify_digest(self, signature: bytes, digest: bytes) -> None:
        pkey = self._pkey
        ctx = pkey.borrow("verify")
        try:
            # 1 is valid; 0 a wrong signature; negative a malformed one (OpenSSL checks strict DER
            # and r, s in [1, n-1]).
            valid = pkey.lib.EVP_PKEY_verify(ctx, signature, len(signature), digest, len(digest))
        finally:
            pkey.give_back("verify", ctx)
        if valid != 1:
            pkey.lib.ERR_clear_error()
            raise InvalidSignature("signature does not verify")

    def encrypt(self, plaintext: bytes) -> bytes:
        return self._pkey.run("encrypt", plaintext, DecryptionFailed)


class NativePrivateKey:
    __slots__ = ("_pkey",)

    def __init__(self, pkey: _Pkey) -> None:
        self._pkey = pkey

    def scalar(self) -> int:
        return int.from_bytes(_bignum_bytes(self._pkey.lib, self._pkey.handle, b"priv"), "big")

    def public_point(self) -> bytes:
        return self._pkey.point()

    def sign_digest(self, digest: bytes) -> bytes:
        return self._pkey.run("sign", digest, InvalidKey)

    def decrypt(self, ciphertext: bytes) -> bytes:
        return self._pkey.run("decrypt", ciphertext, DecryptionFailed)


class _SM4GCM:
    __slots__ = ("_algorithm",)

    def __init__(self, key: bytes) -> None:
        self._algorithm = algorithms.SM4(key)

    def encrypt(self, nonce: bytes, data: bytes, aad: bytes) -> bytes:
        encryptor = Cipher(self._algorithm, modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(aad)
        ciphertext = encryptor.update(data) + encryptor.finalize()
        return ciphertext + encryptor.tag

    def decrypt(self, nonce: bytes, data: bytes, aad: bytes) -> bytes:
        decryptor = Cipher(self._algorithm, modes.GCM(nonce, data[-16:])).decryptor()
        decryptor.authenticate_additional_data(aad)
        try:
            return decryptor.update(data[:-16]) + decryptor.finalize()
        except CryptographyInvalidTag:
            raise InvalidTag("authentication failed") from None


class _SM4CBC:
    __slots__ = ("_algorithm",)

    def __init__(self, key: bytes) -> None:
        self._algorithm = algorithms.SM4(key)

    def encrypt(self, iv: bytes, data: bytes) -> bytes:
        return Cipher(self._algorithm, modes.CBC(iv)).encryptor().update(data)

    def decrypt(self, iv: bytes, data: bytes) -> bytes:
        return Cipher(self._algorithm, modes.CBC(iv)).decryptor().update(data)


class _SM4ECB:
    __slots__ = ("_decryptor", "_encryptor")

    def __init__(self, key: bytes) -> None:
        # ECB holds no state between blocks, so one encryptor serves every call.
        cipher = Cipher(algorithms.SM4(key), modes.ECB())  # noqa: S305 - hazmat's raw ECB
        self._encryptor = cipher.encryptor()
        self._decryptor = cipher.decryptor()

    def encrypt(self, data: bytes) -> bytes:
        return self._encryptor.update(data)

    def decrypt(self, data: bytes) -> bytes:
        return self._decryptor.update(data)


class NativeBackend:
    name = "native"

    def __init__(self, lib: _LibCrypto) -> None:
        self._lib = lib
        # The SubjectPublicKeyInfo DER before the 65 point bytes: turns a raw point into a key.
        self._spki_prefix = _keyformats.encode_spki(bytes(65))[:-65]
        self._sm3_empty = hashlib.new("sm3")  # load() checked hashlib has it

    @classmethod
    def load(cls, path: str | None = None) -> NativeBackend:
        """Load libcrypto (from ``path``, or wherever the system finds it) and check it has SM2."""
        lib = _LibCrypto(path or _locate_libcrypto())
        if lib.OpenSSL_version_num() < 0x30000000:
            raise CryptoBackendUnavailable("the native backend needs OpenSSL 3")
        probe = lib.EVP_PKEY_CTX_new_from_name(None, b"SM2", None)
        if not probe:
            lib.ERR_clear_error()
            raise CryptoBackendUnavailable("this libcrypto has no SM2")
        lib.EVP_PKEY_CTX_free(probe)
        if "sm3" not in hashlib.algorithms_available:
            raise CryptoBackendUnavailable("hashlib has no SM3 on this machine")
        try:
            Cipher(algorithms.SM4(bytes(16)), modes.GCM(bytes(12))).encryptor()
        except UnsupportedAlgorithm as exc:
            raise CryptoBackendUnavailable("cryptography has no SM4-GCM on this machine") from exc
        return cls(lib)

    # SM3 --------------------------------------------------------------------------------------

    def sm3(self, data: bytes = b"") -> hashlib._Hash:
        # Copying an empty hasher skips hashlib.new's look-up of the name: half the cost of
        # hashing a short message, and SM3 runs dozens of times per licence.
        hasher = self._sm3_empty.copy()
        hasher.update(data)
        return hasher

    def hmac_sm3(self, key: bytes, data: bytes) -> bytes:
        return hmac.digest(key, data, "sm3")

    def pbkdf2_hmac_sm3(self, password: bytes, salt: bytes, iterations: int, length: int) -> bytes:
        return hashlib.pbkdf2_hmac("sm3", password, salt, iterations, length)

    # SM4 --------------------------------------------------------------------------------------

    def sm4_ecb(self, key: bytes) -> _SM4ECB:
        return _SM4ECB(key)

    def sm4_cbc(self, key: bytes) -> _SM4CBC:
        return _SM4CBC(key)

    def sm4_gcm(self, key: bytes) -> _SM4GCM:
        return _SM4GCM(key)

    # SM2 --------------------------------------------------------------------------------------

    def _own(self, handle: int | None, what: str) -> _Pkey:
        """Take ownership of a freshly made EVP_PKEY* and check it is an SM2 key."""
        lib = self._lib
        if not handle:
            lib.ERR_clear_error()
            raise InvalidKey(f"not a valid {what}")
        pkey = _Pkey(lib, handle)  # from here on, freed by its finalizer
        if lib.EVP_PKEY_is_a(handle, b"SM2") != 1:
            raise InvalidKey(f"not an SM2 {what}")
        return pkey

    def _private(self, handle: int | None) -> NativePrivateKey:
        pkey = self._own(handle, "private key")
        ctx = self._lib.EVP_PKEY_CTX_new(pkey.handle, None)
        if not ctx:
            raise MemoryError("EVP_PKEY_CTX_new failed")
        try:
            # The full pair check: the scalar's range, the point on the curve, and Q = dG.
            if self._lib.EVP_PKEY_check(ctx) != 1:
                self._lib.ERR_clear_error()
                raise InvalidKey("the private key fails OpenSSL's consistency check")
        finally:
            self._lib.EVP_PKEY_CTX_free(ctx)
        key = NativePrivateKey(pkey)
        check_private_scalar(key.scalar(), SM2P256V1)
        return key

    def generate_sm2_private_key(self) -> NativePrivateKey:
        lib = self._lib
        ctx = lib.EVP_PKEY_CTX_new_from_name(None, b"SM2", None)
        handle = _POINTER()
        try:
            if (
                lib.EVP_PKEY_keygen_init(ctx) != 1
                or lib.EVP_PKEY_generate(ctx, ctypes.byref(handle)) != 1
            ):
                lib.ERR_clear_error()
                raise MemoryError("SM2 key generation failed")
        finally:
            lib.EVP_PKEY_CTX_free(ctx)
        return self._private(handle.value)

    def sm2_private_key_from_scalar(self, d: int) -> NativePrivateKey:
        # Without a public key in the structure, OpenSSL computes it from d.
        der = _keyformats.encode_pkcs8(d, None)
        cursor = _BYTES(der)
        return self._private(self._lib.d2i_AutoPrivateKey(None, ctypes.byref(cursor), len(der)))

    def sm2_private_key_from_pem(self, data: bytes, password: bytes | None) -> NativePrivateKey:
        def give_password(buffer: Any, size: int, _writing: int, _user: Any) -> int:
            # Never NULL: OpenSSL would prompt on the terminal. -1 refuses.
            if password is None or len(password) > size:
                return -1
            ctypes.memmove(buffer, password, len(password))
            return len(password)

        callback = _PASSWORD_CALLBACK(give_password)
        lib = self._lib
        bio = lib.BIO_new_mem_buf(data, len(data))
        try:
            handle = lib.PEM_read_bio_PrivateKey(bio, None, callback, None)
        finally:
            lib.BIO_free(bio)
        if not handle and password is not None:
            lib.ERR_clear_error()
            raise InvalidKey("cannot read the private key: wrong password or damaged file")
        return self._private(handle)

    def sm2_public_key_from_point(self, point: bytes) -> NativePublicKey:
        # d2i_PUBKEY refuses points off the curve and unreduced coordinates; with cofactor 1
        # that is the whole validation. EVP_PKEY_public_check would add an n*Q = O scalar
        # multiplication that cannot fail here and makes loading a key dearer than verifying.
        der = self._spki_prefix + point
        cursor = _BYTES(der)
        handle = self._lib.d2i_PUBKEY(None, ctypes.byref(cursor), len(der))
        return NativePublicKey(self._own(handle, "public key"))
