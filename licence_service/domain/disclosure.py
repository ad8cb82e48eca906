"""Selective disclosure by salted per-field hashes, and the licence's document digest and leaf.

All three hash inputs are canonical JSON of distinct shapes, so no hash input can be read as
another kind. docs/licences.md ("The document, its digest and its leaf") gives the formulas.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import date
from functools import cached_property
from typing import Final, NamedTuple, Self

from pydantic import model_validator

from licence_service.domain.canonical import JSONScalar, canonical_text, canonical_utf8
from licence_service.domain.encoded import SALT_SIZE, CanonicalModel, Salt
from licence_service.domain.ids import LicenceId
from licence_service.domain.model import FieldValue, LicenceIdText
from licence_service.domain.seal import SealSignature
from sm_crypto import sm3

LICENCE_FORMAT: Final = "govledger-licence/1"
LEAF_FORMAT: Final = "govledger-licence-leaf/1"


class SaltedField(NamedTuple):
    """A field's value and the salt it is hashed with; in JSON, ``[salt_hex, value]``. A tuple,
    not a model: a licence has a dozen of these and a batch tens of thousands of licences."""

    salt: Salt
    value: FieldValue


class LicenceHeader(CanonicalModel):
    """What every copy and presentation of a licence shows: its identifier, the version it
    replaces, and its validity period (the verifier needs it to tell an expired licence)."""

    licence_id: LicenceIdText
    previous_id: LicenceIdText | None = None
    valid_from: date
    # None: valid without end.
    valid_to: date | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError(f"valid_to {self.valid_to} is before valid_from {self.valid_from}")
        if (
            self.previous_id is not None
            and LicenceId.parse(self.previous_id).next_version() != self.parsed_id
        ):
            raise ValueError(f"{self.licence_id} is not the next version of {self.previous_id}")
        return self

    @cached_property
    def parsed_id(self) -> LicenceId:
        # Kept: the verifier asks for the issuer code of every document it checks.
        return LicenceId.parse(self.licence_id)

    @property
    def issuer_code(self) -> str:
        return self.parsed_id.issuer_code


def salt_fields(values: Mapping[str, JSONScalar]) -> dict[str, SaltedField]:
    """Give each field a fresh random salt (one read of the system's CSPRNG for all)."""
    randomness = secrets.token_bytes(SALT_SIZE * len(values))
    return {
        name: SaltedField(randomness[i * SALT_SIZE : (i + 1) * SALT_SIZE], value)
        for i, (name, value) in enumerate(values.items())
    }


# The three hash inputs have fixed shapes, so they are written from templates (members in
# canonical order, values through canonical_text) rather than through the general encoder: they
# run about fifteen times per licence. The tests compare each with canonical_json of the same
# structure on random values.
_LICENCE_FORMAT_JSON: Final = canonical_text(LICENCE_FORMAT)
_LEAF_FORMAT_JSON: Final = canonical_text(LEAF_FORMAT)


def field_digest(name: str, field: SaltedField) -> bytes:
    """SM3 of canonical ``[salt_hex, name, value]``."""
    text = f'["{field.salt.hex()}",{canonical_text(name)},{canonical_text(field.value)}]'
    return sm3(canonical_utf8(text))


def field_digests(fields: Mapping[str, SaltedField]) -> list[bytes]:
    return [field_digest(name, field) for name, field in fields.items()]


def document_digest(header: LicenceHeader, digests: Iterable[bytes]) -> bytes:
    """SM3 of canonical ``{"format", "licence_id", "previous_id", "valid_from", "valid_to",
    "field_digests": [sorted hex]}``."""
    listed = ",".join(f'"{digest}"' for digest in sorted(digest.hex() for digest in digests))
    valid_to = None if header.valid_to is None else header.valid_to.isoformat()
    text = (
        f'{{"field_digests":[{listed}],"format":{_LICENCE_FORMAT_JSON},'
        f'"licence_id":{canonical_text(header.licence_id)},'
        f'"previous_id":{canonical_text(header.previous_id)},'
        f'"valid_from":{canonical_text(header.valid_from.isoformat())},'
        f'"valid_to":{canonical_text(valid_to)}}}'
    )
    return sm3(canonical_utf8(text))


def licence_leaf(digest: bytes, seal_signature: SealSignature) -> bytes:
    """SM3 of canonical ``{"format", "document_digest", "seal_signature"}``, the last the SM3
    hash of the whole seal signature."""
    text = (
        f'{{"document_digest":"{digest.hex()}","format":{_LEAF_FORMAT_JSON},'
        f'"seal_signature":"{seal_signature.hash.hex()}"}}'
    )
    return sm3(canonical_utf8(text))
