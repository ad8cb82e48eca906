"""Seals: made and signed by the seal maker, applied only by a holder within their validity."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from licence_service.domain.errors import SealMismatch
from licence_service.domain.seal import Seal, apply_seal, public_key_bytes
from sm_crypto import InvalidSignature, sm3
from tests.licence_service.domain.conftest import SEAL_VALID_TO, SIGNED, World


def test_a_seal_is_signed_by_its_maker_and_hashed_canonically(world: World) -> None:
    seal = world.seal
    seal.verify_signature()
    assert seal.hash == sm3(seal.canonical())
    copy = Seal.model_validate_json(seal.model_dump_json())
    assert copy == seal
    assert copy.hash == seal.hash
    assert seal.to_sign.maker_public_key == public_key_bytes(world.admin_key.public_key())
    assert seal.info.header.id == "ES"


def test_a_tampered_seal_fails_its_signature(world: World) -> None:
    data = world.seal.model_dump(mode="json")
    data["to_sign"]["info"]["property"]["holder_public_keys"].append(
        public_key_bytes(world.stranger_key.public_key()).hex()
    )
    tampered = Seal.model_validate(data)
    with pytest.raises(InvalidSignature):
        tampered.verify_signature()
    assert tampered.hash != world.seal.hash


def test_seal_structure_is_validated(world: World) -> None:
    data = world.seal.model_dump(mode="json")
    data["to_sign"]["info"]["property"]["valid_end"] = "2025-01-01T00:00:00Z"
    with pytest.raises(ValidationError, match="ends before it starts"):
        Seal.model_validate(data)
    data = world.seal.model_dump(mode="json")
    data["to_sign"]["info"]["header"]["id"] = "XX"
    with pytest.raises(ValidationError):
        Seal.model_validate(data)


def test_a_seal_signature_verifies_with_the_signer_key_only(world: World) -> None:
    applied = apply_seal(
        world.seal,
        data_hash=sm3(b"data"),
        property_info="what was sealed",
        signing_key=world.issuer_key,
        signing_time=SIGNED,
    )
    applied.verify_with(public_key_bytes(world.issuer_key.public_key()))
    with pytest.raises(InvalidSignature):
        applied.verify_with(public_key_bytes(world.stranger_key.public_key()))
    assert applied.to_sign.seal_hash == world.seal.hash


def test_only_a_holder_within_validity_can_apply_a_seal(world: World) -> None:
    with pytest.raises(SealMismatch, match="not a holder"):
        apply_seal(
            world.seal,
            data_hash=sm3(b"data"),
            property_info="x",
            signing_key=world.stranger_key,
            signing_time=SIGNED,
        )
    with pytest.raises(SealMismatch, match="is valid from"):
        apply_seal(
            world.seal,
            data_hash=sm3(b"data"),
            property_info="x",
            signing_key=world.issuer_key,
            signing_time=SEAL_VALID_TO + timedelta(seconds=1),
        )
