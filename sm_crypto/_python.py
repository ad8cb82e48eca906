"""The pure-Python backend: works wherever Python does, at a fraction of the native speed.

SM2 comes from :mod:`sm_crypto.hazmat.sm2`, SM3 and SM4 from this package's own pure
implementations; nonces come from :mod:`secrets`. Nothing here is constant time, so SM2 private
keys are refused unless the backend was made with ``allow_private_keys`` (see
:mod:`sm_crypto.backends`); public-key operations are always available.
"""

from __future__ import annotations

import hmac

from sm_crypto import _keyformats
from sm_crypto._pure_sm3 import PureSM3
from sm_crypto._pure_sm4 import PureSM4CBC, PureSM4ECB, PureSM4GCM
from sm_crypto.backends import ALLOW_PRIVATE_KEYS_ENV_VAR
from sm_crypto.exceptions import InvalidKey, UnsafeBackendRefused
from sm_crypto.hazmat import sm2


class PythonPublicKey:
    __slots__ = ("_point",)

    def __init__(self, point: sm2.Point) -> None:
        self._point = point

    def verify_digest(self, signature: bytes, digest: bytes) -> None:
        r, s = sm2.decode_signature(signature)
        sm2.verify_digest(self._point, digest, r, s)

    def encrypt(self, plaintext: bytes) -> bytes:
        return sm2.encrypt(self._point, plaintext).encode(sm2.CiphertextFormat.DER_C1C3C2)


class PythonPrivateKey:
    __slots__ = ("_d", "_point")

    def __init__(self, d: int, point: bytes | None = None) -> None:
        """``point``, when the key file carried one, must be the public key of ``d``."""
        computed = sm2.public_point(d)
        if point is not None and sm2.decode_point(point) != computed:
            raise InvalidKey("the public key in the file does not match the private key")
        self._d = d
        self._point = computed

    def scalar(self) -> int:
        return self._d

    def public_point(self) -> bytes:
        return sm2.encode_point(self._point)

    def sign_digest(self, digest: bytes) -> bytes:
        return sm2.encode_signature(*sm2.sign_digest(self._d, digest))

    def decrypt(self, ciphertext: bytes) -> bytes:
        parts = sm2.Ciphertext.decode(ciphertext, sm2.CiphertextFormat.DER_C1C3C2)
        return sm2.decrypt(self._d, parts)


class PythonBackend:
    name = "python"

    def __init__(self, *, allow_private_keys: bool) -> None:
        self.allow_private_keys = allow_private_keys

    def _check_private_keys_allowed(self) -> None:
        # Every private key is made by one of the three constructors below, so refusing there
        # refuses signing and decryption too.
        if not self.allow_private_keys:
            raise UnsafeBackendRefused(
                "SM2 private keys are refused on the pure-Python backend: it is not constant "
                "time. Make OpenSSL 3's libcrypto (SM_CRYPTO_LIBCRYPTO) loadable for the native "
                f"backend, or set {ALLOW_PRIVATE_KEYS_ENV_VAR}=1 to accept the risk"
            )

    def sm3(self, data: bytes = b"") -> PureSM3:
        return PureSM3(data)

    def hmac_sm3(self, key: bytes, data: bytes) -> bytes:
        return hmac.new(key, data, PureSM3).digest()

    def pbkdf2_hmac_sm3(self, password: bytes, salt: bytes, iterations: int, length: int) -> bytes:
        # RFC 8018, 5.2. The keyed HMAC is built once and copied per round.
        keyed = hmac.new(password, digestmod=PureSM3)

        def prf(message: bytes) -> bytes:
            mac = keyed.copy()
            mac.update(message)
            return mac.digest()

        blocks = []
        for index in range(1, -(-length // 32) + 1):
            u = prf(salt + index.to_bytes(4, "big"))
            total = int.from_bytes(u, "big")
            for _ in range(iterations - 1):
                u = prf(u)
                total ^= int.from_bytes(u, "big")
            blocks.append(total.to_bytes(32, "big"))
        return b"".join(blocks)[:length]

    def sm4_ecb(self, key: bytes) -> PureSM4ECB:
        return PureSM4ECB(key)

    def sm4_cbc(self, key: bytes) -> PureSM4CBC:
        return PureSM4CBC(key)

    def sm4_gcm(self, key: bytes) -> PureSM4GCM:
        return PureSM4GCM(key)

    def generate_sm2_private_key(self) -> PythonPrivateKey:
        self._check_private_keys_allowed()
        return PythonPrivateKey(sm2.generate_private_scalar())

    def sm2_private_key_from_scalar(self, d: int) -> PythonPrivateKey:
        self._check_private_keys_allowed()
        return PythonPrivateKey(d)

    def sm2_private_key_from_pem(self, data: bytes, password: bytes | None) -> PythonPrivateKey:
        self._check_private_keys_allowed()
        label, headers, der = _keyformats.pem_decode(data, _keyformats.PRIVATE_KEY_LABELS)
        if label == "ENCRYPTED PRIVATE KEY":
            if password is None:
                raise InvalidKey("the private key is encrypted: a password is needed")
            d, point = _keyformats.decode_pkcs8(_keyformats.decrypt_pkcs8(der, password, self))
        elif label == "PRIVATE KEY":
            d, point = _keyformats.decode_pkcs8(der)
        elif "Proc-Type" in headers:
            raise InvalidKey(
                "the python backend does not read legacy encrypted PEM; convert it with "
                "`openssl pkcs8 -topk8 -v2 sm4-cbc`"
            )
        else:
            d, point = _keyformats.decode_sec1(der)
        return PythonPrivateKey(d, point)

    def sm2_public_key_from_point(self, point: bytes) -> PythonPublicKey:
        return PythonPublicKey(sm2.decode_point(point))
