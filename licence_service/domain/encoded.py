"""How binary values and moments appear in the domain's JSON: pydantic field types.

Bytes are lowercase hex (base64 for a seal picture), moments are ``YYYY-MM-DDTHH:MM:SSZ`` in UTC
and whole seconds (see :func:`~licence_service.domain.canonical.format_timestamp`), and public
keys are the 64-byte ``x || y`` the chain stores.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

from licence_service.domain.canonical import canonical_json, format_timestamp

HASH_SIZE = 32
SALT_SIZE = 16
PUBLIC_KEY_SIZE = 64
MAX_SIGNATURE_SIZE = 80


def _from_hex(value: Any) -> Any:
    if isinstance(value, str):
        # Only the one form we write: lower case, no spaces (bytes.fromhex would take those), so
        # the bytes must give the same text back. A document has dozens of hex values: this is
        # the same test as matching (?:[0-9a-f]{2})*, in two C calls.
        try:
            data = bytes.fromhex(value)
        except ValueError:
            raise ValueError("not lower-case hex") from None
        if data.hex() != value:
            raise ValueError("not lower-case hex")
        return data
    return value


def _from_base64(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except binascii.Error:
            raise ValueError("not base64") from None
    return value


def _whole_utc_second(value: datetime) -> datetime:
    # Refusing rather than rounding: a moment must hash the same after a round trip.
    format_timestamp(value)
    return value


_hex = PlainSerializer(bytes.hex, return_type=str)

# In each type the lengths come before the decoding validator, so pydantic checks them in its
# core bytes schema (after the decoding, which runs first) instead of in a Python validator.
Hash = Annotated[
    bytes,
    Field(min_length=HASH_SIZE, max_length=HASH_SIZE),
    BeforeValidator(_from_hex),
    _hex,
]
Salt = Annotated[
    bytes,
    Field(min_length=SALT_SIZE, max_length=SALT_SIZE),
    BeforeValidator(_from_hex),
    _hex,
]
PublicKeyBytes = Annotated[
    bytes,
    Field(min_length=PUBLIC_KEY_SIZE, max_length=PUBLIC_KEY_SIZE),
    BeforeValidator(_from_hex),
    _hex,
]
SignatureBytes = Annotated[
    bytes, Field(min_length=8, max_length=MAX_SIGNATURE_SIZE), BeforeValidator(_from_hex), _hex
]
Base64Bytes = Annotated[
    bytes,
    Field(min_length=1),
    BeforeValidator(_from_base64),
    PlainSerializer(lambda data: base64.b64encode(data).decode("ascii"), return_type=str),
]
Timestamp = Annotated[
    datetime,
    AfterValidator(_whole_utc_second),
    PlainSerializer(format_timestamp, return_type=str),
]


class CanonicalModel(BaseModel):
    """A frozen model that refuses unknown fields and has one canonical encoding."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def canonical(self) -> bytes:
        """The canonical JSON bytes of this value: what is hashed and signed."""
        return canonical_json(self.model_dump(mode="json"))
