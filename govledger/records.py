"""Personal data at rest: a row's sensitive content sealed with SM4-GCM, bound to the row.

One recipe for every table that keeps personal data (docs/platform.md, "Personal data at rest"):
the key comes from the keystore (a service's data key, never in the database), and the
associated data is the row's identity, so a sealed value copied into another row does not open.
"""

from __future__ import annotations

from govledger.errors import VerificationFailed
from govledger.keystore import Keystore
from sm_crypto import SMCryptoError, hmac_sm3, open_sealed, seal

_FORMAT = b"govledger-record-v1"
_SM4_KEY_SIZE = 16


class RecordDamaged(VerificationFailed):
    """A sealed record does not open: altered, moved from another row, or sealed under another
    data key (the keystore's is not the one the rows were sealed with)."""

    code = "record-damaged"
    title = "Stored record damaged"
    http_status = 500


class RecordCipher:
    """Seals and opens rows' personal data under one data key."""

    def __init__(self, data_key: bytes) -> None:
        # A key of its own for this use, so the data key can root other keys later.
        self._key = hmac_sm3(data_key, _FORMAT + b" sm4-gcm")[:_SM4_KEY_SIZE]

    @classmethod
    def from_keystore(cls, keystore: Keystore, name: str) -> RecordCipher:
        """Under the keystore's data key ``name`` (made on first use)."""
        return cls(keystore.data_key(name))

    def __repr__(self) -> str:
        return "RecordCipher(...)"

    def seal(self, plaintext: bytes, identity: str) -> bytes:
        """``plaintext`` sealed for the row ``identity`` (e.g. ``"licences/<id>"``)."""
        return seal(self._key, plaintext, _associated_data(identity))

    def open(self, sealed: bytes, identity: str) -> bytes:
        """What :meth:`seal` sealed for ``identity``; :class:`RecordDamaged` otherwise."""
        try:
            return open_sealed(self._key, sealed, _associated_data(identity))
        except SMCryptoError:
            raise RecordDamaged(f"the stored record {identity} does not open") from None


def _associated_data(identity: str) -> bytes:
    return _FORMAT + b"\x00" + identity.encode("utf-8")
