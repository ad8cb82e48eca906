"""SM2, SM3 and SM4 (the Chinese national algorithms) as safe recipes.

- SM3 (GB/T 32905): :func:`sm3`, :func:`sm3_hasher`, :func:`hmac_sm3`, and :func:`derive_key`
  (PBKDF2-HMAC-SM3) for keys from passphrases.
- SM2 (GB/T 32918): :class:`SM2PrivateKey` signs (DER r, s over e = SM3(Z || M), user ID
  :data:`DEFAULT_UID` unless told otherwise) and decrypts; :class:`SM2PublicKey` verifies and
  encrypts (GM/T 0009 DER C1C3C2). Keys travel as PEM (PKCS#8, SubjectPublicKeyInfo) or bytes.
- SM4 (GB/T 32907): :class:`SM4GCM` (authenticated), :class:`SM4CBC` (PKCS#7, for
  interoperability), and :func:`seal` / :func:`open_sealed` with random nonces.

Every error is an :class:`SMCryptoError`. Two backends provide the primitives (see
:mod:`sm_crypto.backends`): ``native`` (OpenSSL 3 through ctypes) and ``python`` (pure Python,
which refuses SM2 private keys unless allowed explicitly: it is not constant time).
Raw primitives live in :mod:`sm_crypto.hazmat`, which applications do not import.
"""

from sm_crypto._sm2 import SM2PrivateKey, SM2PublicKey
from sm_crypto._sm3 import DEFAULT_KDF_ITERATIONS, derive_key, hmac_sm3, sm3, sm3_hasher
from sm_crypto._sm4 import SM4CBC, SM4GCM, generate_key, open_sealed, seal
from sm_crypto.backends import available_backends, backend_name, get_backend
from sm_crypto.exceptions import (
    CryptoBackendUnavailable,
    DecryptionFailed,
    InvalidKey,
    InvalidParameter,
    InvalidSignature,
    InvalidTag,
    SMCryptoError,
    UnsafeBackendRefused,
)
from sm_crypto.hazmat.sm2 import DEFAULT_UID, CiphertextFormat

__all__ = [
    "DEFAULT_KDF_ITERATIONS",
    "DEFAULT_UID",
    "SM4CBC",
    "SM4GCM",
    "CiphertextFormat",
    "CryptoBackendUnavailable",
    "DecryptionFailed",
    "InvalidKey",
    "InvalidParameter",
    "InvalidSignature",
    "InvalidTag",
    "SM2PrivateKey",
    "SM2PublicKey",
    "SMCryptoError",
    "UnsafeBackendRefused",
    "available_backends",
    "backend_name",
    "derive_key",
    "generate_key",
    "get_backend",
    "hmac_sm3",
    "open_sealed",
    "seal",
    "sm3",
    "sm3_hasher",
]
