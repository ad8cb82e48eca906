"""The fixed structures hashed and signed per licence are written from templates: each must be
byte for byte what the general canonical encoder writes for the same structure."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from licence_service.domain.canonical import (
    MAX_SAFE_INTEGER,
    canonical_json,
    canonical_text,
)
from licence_service.domain.disclosure import (
    LEAF_FORMAT,
    LICENCE_FORMAT,
    LicenceHeader,
    SaltedField,
    document_digest,
    field_digest,
    licence_leaf,
)
from licence_service.domain.seal import SealSignature, SealSignatureContent
from sm_crypto import sm3

# Any text but lone surrogates (refused by both), non-NFC forms and characters to escape included.
texts = st.text(st.characters(exclude_categories=["Cs"]))
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER)
    | texts
    | st.sampled_from(["e\u0301", "\u212b", '"\\', "\x00\x1f\x7f", "\u2028", "\U0001f600"])
)
hashes = st.binary(min_size=32, max_size=32)
dates = st.dates(date(1, 1, 1), date(9999, 12, 31))
moments = st.datetimes(datetime(1970, 1, 1), datetime(2200, 1, 1), timezones=st.just(UTC)).map(
    lambda moment: moment.replace(microsecond=0)
)


@given(scalars)
def test_canonical_text_of_a_scalar_is_the_general_encoding(value: object) -> None:
    assert canonical_text(value).encode("utf-8") == canonical_json(value)


@given(st.binary(min_size=16, max_size=16), texts, scalars)
def test_field_digest_template(salt: bytes, name: str, value: object) -> None:
    field = SaltedField(salt, value)  # type: ignore[arg-type]
    assert field_digest(name, field) == sm3(canonical_json([salt.hex(), name, value]))


@given(texts, st.none() | texts, dates, st.none() | dates, st.lists(hashes, max_size=20))
def test_document_digest_template(
    licence_id: str,
    previous_id: str | None,
    valid_from: date,
    valid_to: date | None,
    digests: list[bytes],
) -> None:
    header = LicenceHeader.model_construct(
        licence_id=licence_id, previous_id=previous_id, valid_from=valid_from, valid_to=valid_to
    )
    body = {
        "format": LICENCE_FORMAT,
        "licence_id": licence_id,
        "previous_id": previous_id,
        "valid_from": valid_from.isoformat(),
        "valid_to": None if valid_to is None else valid_to.isoformat(),
        "field_digests": sorted(digest.hex() for digest in digests),
    }
    assert document_digest(header, digests) == sm3(canonical_json(body))


@given(
    data_hash=hashes,
    property_info=texts,
    seal_hash=hashes,
    seal_id=texts,
    signing_time=moments,
    signer=st.binary(min_size=64, max_size=64),
    signature=st.binary(min_size=8, max_size=80),
)
def test_seal_signature_and_leaf_templates(
    *,
    data_hash: bytes,
    property_info: str,
    seal_hash: bytes,
    seal_id: str,
    signing_time: datetime,
    signer: bytes,
    signature: bytes,
) -> None:
    content = SealSignatureContent.model_construct(
        seal_id=seal_id,
        seal_hash=seal_hash,
        signing_time=signing_time,
        data_hash=data_hash,
        property_info=property_info,
        signer_public_key=signer,
    )
    sealed = SealSignature.model_construct(to_sign=content, signature=signature)
    assert content.canonical() == canonical_json(content.model_dump(mode="json"))
    assert sealed.canonical() == canonical_json(sealed.model_dump(mode="json"))
    leaf = {
        "format": LEAF_FORMAT,
        "document_digest": data_hash.hex(),
        "seal_signature": sm3(canonical_json(sealed.model_dump(mode="json"))).hex(),
    }
    assert licence_leaf(data_hash, sealed) == sm3(canonical_json(leaf))


def test_signing_time_in_another_timezone_is_written_in_utc() -> None:
    moment = datetime(2026, 3, 1, 10, 0, tzinfo=timezone(timedelta(hours=8)))
    content = SealSignatureContent.model_construct(
        seal_id="s",
        seal_hash=bytes(32),
        signing_time=moment,
        data_hash=bytes(32),
        property_info="p",
        signer_public_key=bytes(64),
    )
    assert b'"signing_time":"2026-03-01T02:00:00Z"' in content.canonical()
    assert content.canonical() == canonical_json(content.model_dump(mode="json"))
