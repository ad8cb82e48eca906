"""Electronic seals in the manner of GB/T 38540, encoded as canonical JSON instead of the
standard's DER: :class:`SealInfo` (SES_SealInfo), :class:`Seal` (SES_Seal) and
:class:`SealSignature` (SES_Signature). docs/licences.md ("Seals") maps every field.
"""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum
from functools import cached_property, lru_cache
from typing import Annotated, Final, Literal, Self

from pydantic import Field, StrictInt, StrictStr, model_validator

from licence_service.domain.canonical import canonical_text, canonical_utf8, format_timestamp
from licence_service.domain.encoded import (
    Base64Bytes,
    CanonicalModel,
    Hash,
    PublicKeyBytes,
    SignatureBytes,
    Timestamp,
)
from licence_service.domain.errors import SealMismatch
from licence_service.domain.model import USCC, Text
from sm_crypto import SM2PrivateKey, SM2PublicKey, sm3

SEAL_HEADER_ID: Final = "ES"
SEAL_VERSION: Final = 4


class SealType(IntEnum):
    """SES_ESPropertyInfo.type."""

    ORGANISATION = 1
    PERSONAL = 2


@lru_cache(maxsize=1024)
def sm2_public_key(data: bytes) -> SM2PublicKey:
    """The key object for 64-byte ``x || y`` (or 65-byte ``04 || x || y``) key bytes.

    Loading a key checks its point, which costs more than verifying a signature with it; a
    verifier meets the same few department keys again and again, so they are kept (the objects
    are immutable). Raises ``sm_crypto.InvalidKey`` for bytes that are not a key.
    """
    return SM2PublicKey.from_bytes(data)


def public_key_bytes(public_key: SM2PublicKey) -> bytes:
    """The 64-byte ``x || y`` form of a key, as seals, documents and the chain carry it."""
    return public_key.to_bytes()[1:]


def holder_key_hash(public_key: bytes) -> bytes:
    """SM3 of a holder's 64-byte ``x || y`` public key: what the seal registry lists."""
    return sm3(public_key)


class SealHeader(CanonicalModel):
    id: Literal["ES"] = SEAL_HEADER_ID
    version: Literal[4] = SEAL_VERSION
    vendor: Text


class SealProperty(CanonicalModel):
    type: SealType
    name: Text
    holder_public_keys: tuple[PublicKeyBytes, ...] = Field(min_length=1)
    created_at: Timestamp
    valid_start: Timestamp
    valid_end: Timestamp

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.valid_end < self.valid_start:
            raise ValueError("a seal's validity ends before it starts")
        if len(set(self.holder_public_keys)) != len(self.holder_public_keys):
            raise ValueError("a seal lists a holder key twice")
        return self


class SealPicture(CanonicalModel):
    type: Literal["png", "jpg", "bmp", "svg", "ofd"]
    data: Base64Bytes
    width_mm: Annotated[StrictInt, Field(gt=0, le=1000)]
    height_mm: Annotated[StrictInt, Field(gt=0, le=1000)]


class SealInfo(CanonicalModel):
    header: SealHeader
    seal_id: Annotated[StrictStr, Field(pattern=r"^[0-9A-Za-z._-]{1,64}$")]
    property: SealProperty
    picture: SealPicture


class SealContent(CanonicalModel):
    """What the seal maker signs: the seal info, who made it, with which key, and when."""

    info: SealInfo
    maker_code: USCC
    maker_public_key: PublicKeyBytes
    signed_at: Timestamp


class Seal(CanonicalModel):
    """A seal signed by its maker."""

    to_sign: SealContent
    signature: SignatureBytes

    @property
    def info(self) -> SealInfo:
        return self.to_sign.info

    @cached_property
    def hash(self) -> bytes:
        """SM3 of the seal's canonical encoding: the seal's id in the seal registry."""
        return sm3(self.canonical())

    def verify_signature(self) -> None:
        """Return if the maker's signature is good; raise ``sm_crypto.InvalidSignature`` (or
        ``InvalidKey`` for a maker key that is not a point on the curve) otherwise."""
        sm2_public_key(self.to_sign.maker_public_key).verify(
            self.signature, self.to_sign.canonical()
        )

    def check_can_sign(self, public_key: bytes, signing_time: datetime) -> None:
        """Raise :class:`SealMismatch` unless the key holds this seal and the time is within the
        seal's own validity period."""
        if public_key not in self.info.property.holder_public_keys:
            raise SealMismatch(f"the signing key is not a holder of seal {self.info.seal_id}")
        valid = self.info.property
        if not valid.valid_start <= signing_time <= valid.valid_end:
            raise SealMismatch(
                f"seal {self.info.seal_id} is valid from {valid.valid_start} to "
                f"{valid.valid_end}, not at {signing_time}"
            )


def make_seal(
    info: SealInfo, *, maker_code: str, maker_key: SM2PrivateKey, signed_at: datetime
) -> Seal:
    """Sign ``info`` as the seal maker (a SEAL_ADMIN department) with its registered key."""
    content = SealContent(
        info=info,
        maker_code=maker_code,
        maker_public_key=public_key_bytes(maker_key.public_key()),
        signed_at=signed_at,
    )
    return Seal(to_sign=content, signature=maker_key.sign(content.canonical()))


class SealSignatureContent(CanonicalModel):
    """What a seal signature signs (TBS_Sign)."""

    version: Literal[4] = SEAL_VERSION
    seal_id: StrictStr
    seal_hash: Hash
    signing_time: Timestamp
    data_hash: Hash
    # What was signed; for a licence, its identifier.
    property_info: Text
    signer_public_key: PublicKeyBytes

    def canonical(self) -> bytes:
        # Signed once per licence issued and verified: written from a template (members in
        # canonical order, values through canonical_text) instead of dumping the model and
        # running the general encoder; the tests compare the two on random contents.
        return canonical_utf8(
            f'{{"data_hash":"{self.data_hash.hex()}",'
            f'"property_info":{canonical_text(self.property_info)},'
            f'"seal_hash":"{self.seal_hash.hex()}",'
            f'"seal_id":{canonical_text(self.seal_id)},'
            f'"signer_public_key":"{self.signer_public_key.hex()}",'
            f'"signing_time":"{format_timestamp(self.signing_time)}",'
            f'"version":{canonical_text(self.version)}}}'
        )


class SealSignature(CanonicalModel):
    """A seal applied to data: the content and the signer's SM2 signature over its canonical
    encoding."""

    to_sign: SealSignatureContent
    signature: SignatureBytes

    def canonical(self) -> bytes:
        # As SealSignatureContent.canonical: "signature" sorts before "to_sign".
        return (
            f'{{"signature":"{self.signature.hex()}","to_sign":'.encode()
            + self.to_sign.canonical()
            + b"}"
        )

    @cached_property
    def hash(self) -> bytes:
        """SM3 of the canonical encoding of the whole signature, signature bytes included."""
        return sm3(self.canonical())

    def verify_with(self, public_key: bytes) -> None:
        """Return if the signature verifies with ``public_key`` (64 or 65 bytes); raise
        ``sm_crypto.InvalidSignature`` or ``InvalidKey`` otherwise."""
        sm2_public_key(public_key).verify(self.signature, self.to_sign.canonical())


def apply_seal(
    seal: Seal,
    *,
    data_hash: bytes,
    property_info: str,
    signing_key: SM2PrivateKey,
    signing_time: datetime,
) -> SealSignature:
    """Seal the data whose SM3 hash is ``data_hash``; the key must hold the seal and the time be
    within the seal's validity (else :class:`SealMismatch`)."""
    signer = public_key_bytes(signing_key.public_key())
    seal.check_can_sign(signer, signing_time)
    # Built from a validated seal and values the caller computed: no need to validate again.
    content = SealSignatureContent.model_construct(
        seal_id=seal.info.seal_id,
        seal_hash=seal.hash,
        signing_time=signing_time,
        data_hash=data_hash,
        property_info=property_info,
        signer_public_key=signer,
    )
    return SealSignature.model_construct(
        to_sign=content, signature=signing_key.sign(content.canonical())
    )
