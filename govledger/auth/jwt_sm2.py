"""The JWS algorithm "SM2" for pyjwt: SM2 signatures (over SM3, default signer ID) on JWTs.

The JWS signature is the raw ``r || s``, 32 bytes each, big-endian, as RFC 7518 does for the ECDSA
algorithms; sm_crypto speaks DER, so the two are converted here. The algorithm is registered on a
private ``PyJWS`` instance (see :mod:`govledger.auth.tokens`), never on pyjwt's global one.
"""

from __future__ import annotations

from typing import Any, NoReturn

from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from jwt.algorithms import Algorithm
from jwt.exceptions import InvalidKeyError

from sm_crypto import InvalidSignature, SM2PrivateKey, SM2PublicKey

SM2_JWS_ALGORITHM = "SM2"
_SCALAR_SIZE = 32


def der_to_raw(signature: bytes) -> bytes:
    r, s = decode_dss_signature(signature)
    return r.to_bytes(_SCALAR_SIZE, "big") + s.to_bytes(_SCALAR_SIZE, "big")


def raw_to_der(signature: bytes) -> bytes:
    if len(signature) != 2 * _SCALAR_SIZE:
        raise ValueError("an SM2 JWS signature is 64 bytes (r || s)")
    r = int.from_bytes(signature[:_SCALAR_SIZE], "big")
    s = int.from_bytes(signature[_SCALAR_SIZE:], "big")
    return encode_dss_signature(r, s)


class SM2Algorithm(Algorithm):
    """Signs with an :class:`SM2PrivateKey`; verifies with an :class:`SM2PublicKey` (or private)."""

    def prepare_key(self, key: Any) -> SM2PrivateKey | SM2PublicKey:
        # Only key objects: a string or bytes key would invite HS256-style key confusion.
        if isinstance(key, SM2PrivateKey | SM2PublicKey):
            return key
        raise InvalidKeyError("the SM2 algorithm takes sm_crypto SM2 key objects only")

    def sign(self, msg: bytes, key: SM2PrivateKey | SM2PublicKey) -> bytes:
        if not isinstance(key, SM2PrivateKey):
            raise InvalidKeyError("signing needs an SM2 private key")
        return der_to_raw(key.sign(msg))

    def verify(self, msg: bytes, key: SM2PrivateKey | SM2PublicKey, sig: bytes) -> bool:
        public_key = key.public_key() if isinstance(key, SM2PrivateKey) else key
        try:
            public_key.verify(raw_to_der(sig), msg)
        except (ValueError, InvalidSignature):
            return False
        return True

    @staticmethod
    def to_jwk(key_obj: Any, as_dict: bool = False) -> NoReturn:
        raise NotImplementedError("no registered JWK representation for SM2 keys")

    @staticmethod
    def from_jwk(jwk: Any) -> NoReturn:
        raise NotImplementedError("no registered JWK representation for SM2 keys")
