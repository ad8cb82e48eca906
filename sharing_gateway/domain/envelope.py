"""Digital envelopes: data sealed to one department's registered SM2 key.

An envelope is JSON::

    {"format": "govledger-envelope-v1",
     "header": {"recipient": CODE, "grant_id": N, "dataset_id": ID, "version": V,
                "fields": [...], "content_hash": HEX},
     "wrapped_key": BASE64(SM2 encrypt(recipient key, k))   # GM/T 0009 DER C1C3C2
     "sealed": BASE64(nonce(12) || SM4-GCM(k, nonce, payload, aad) || tag(16))}

``k`` is a fresh 16-byte SM4 key per envelope; the associated data ``aad`` is the canonical JSON
of ``{"format": ..., "header": ...}``, so an edited header does not open. The payload is the
canonical JSON of the released records (granted fields only).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from sharing_gateway.domain.records import Record, canonical_json
from sharing_gateway.errors import EnvelopeInvalid
from sm_crypto import SM2PrivateKey, SM2PublicKey, SMCryptoError, generate_key, open_sealed, seal

ENVELOPE_FORMAT = "govledger-envelope-v1"


def _aad(header: dict[str, Any]) -> bytes:
    return canonical_json({"format": ENVELOPE_FORMAT, "header": header})


def seal_envelope(
    recipient_key: SM2PublicKey, header: dict[str, Any], records: list[Record]
) -> dict[str, Any]:
    key = generate_key()
    return {
        "format": ENVELOPE_FORMAT,
        "header": header,
        "wrapped_key": base64.b64encode(recipient_key.encrypt(key)).decode("ascii"),
        "sealed": base64.b64encode(seal(key, canonical_json(records), _aad(header))).decode(
            "ascii"
        ),
    }


def open_envelope(private_key: SM2PrivateKey, envelope: dict[str, Any]) -> list[Record]:
    """The records in ``envelope``; :class:`EnvelopeInvalid` whatever went wrong."""
    try:
        if envelope["format"] != ENVELOPE_FORMAT:
            raise EnvelopeInvalid(f"not a {ENVELOPE_FORMAT} envelope")
        key = private_key.decrypt(base64.b64decode(envelope["wrapped_key"], validate=True))
        payload = open_sealed(
            key, base64.b64decode(envelope["sealed"], validate=True), _aad(envelope["header"])
        )
        records: list[Record] = json.loads(payload)
    except (KeyError, TypeError, ValueError, binascii.Error, SMCryptoError):
        raise EnvelopeInvalid("the envelope does not open with this key, or was altered") from None
    return records
