"""sm_crypto's errors: flat, and saying nothing on purpose where detail would help an attacker."""

from __future__ import annotations


class SMCryptoError(Exception):
    """Root of every error sm_crypto raises."""


class InvalidSignature(SMCryptoError):
    """A signature did not verify (wrong key, altered message, malformed or out-of-range r/s)."""


class InvalidTag(SMCryptoError):
    """Authenticated decryption failed: wrong key, nonce, associated data, or altered ciphertext."""


class InvalidKey(SMCryptoError):
    """Unusable key material: point off the curve or at infinity, scalar 0 or >= n, bad encoding."""


class DecryptionFailed(SMCryptoError):
    """Decryption failed: a malformed SM2 ciphertext, the wrong key, a C3 check value mismatch, or
    SM4-CBC data of a bad length or with bad padding (never saying which byte was wrong)."""


class InvalidParameter(SMCryptoError, ValueError):
    """An argument has the wrong length or range: a nonce, IV, salt, user ID or empty plaintext."""


class CryptoBackendUnavailable(SMCryptoError):
    """The requested crypto backend cannot be loaded on this machine."""


class UnsafeBackendRefused(CryptoBackendUnavailable):
    """A private-key operation (key generation, loading, signing, decryption) was asked of the
    pure-Python backend, which is not constant time, without it being allowed explicitly."""
