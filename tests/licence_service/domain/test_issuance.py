"""Batch issuance: every document reads back, hashes to its leaf, is signed and anchored."""

from __future__ import annotations

import gc
import multiprocessing
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.merkle import verify_proof
from licence_service.domain import document as document_module
from licence_service.domain.disclosure import field_digest
from licence_service.domain.document import LicenceDocument, issue_batch
from licence_service.domain.errors import LicenceInputError, SealMismatch
from licence_service.domain.model import LicenceInput
from licence_service.domain.seal import public_key_bytes
from tests.licence_service.domain.conftest import ISSUER_CODE, SIGNED, World, licence_input


def test_documents_read_back_and_hash_to_their_anchored_leaves(world: World) -> None:
    batch = world.batch
    assert len(set(batch.leaves)) == len(batch.documents) == 3
    for document, leaf in zip(batch.documents, batch.leaves, strict=True):
        copy = LicenceDocument.model_validate_json(document.model_dump_json())
        assert copy == document
        assert copy.leaf() == leaf
        assert copy.seal_signature.to_sign.data_hash == copy.digest()
        assert copy.anchor is not None
        assert copy.anchor.root == batch.root
        verify_proof(leaf, copy.anchor.proof, batch.root)
        copy.seal_signature.verify_with(public_key_bytes(world.issuer_key.public_key()))


def test_each_field_has_its_own_fresh_salt(world: World) -> None:
    salts = [field.salt for doc in world.batch.documents for field in doc.fields.values()]
    assert len(set(salts)) == len(salts)
    # The same holder in two licences: equal values, different digests.
    first, second = world.batch.documents[:2]
    assert first.fields["holder_name"].value == second.fields["holder_name"].value
    assert field_digest("holder_name", first.fields["holder_name"]) != field_digest(
        "holder_name", second.fields["holder_name"]
    )


def test_metadata_reads_back(world: World) -> None:
    metadata = world.document.metadata()
    assert metadata.issuer_code == ISSUER_CODE
    assert metadata.issuer_name == world.authority.name
    assert metadata.surface["投诉举报电话"] == 12315
    assert metadata.licence_number == licence_input(1).licence_number


def test_renewal_is_issued_as_the_next_version(world: World) -> None:
    renewal = world.document.metadata().successor(
        valid_from=date(2031, 3, 1), valid_to=date(2036, 2, 28)
    )
    batch = issue_batch(
        [renewal],
        issuer=world.authority,
        seal=world.seal,
        signing_key=world.issuer_key,
        signing_time=SIGNED,
        threads=1,
    )
    header = batch.documents[0].header
    assert header.previous_id == world.document.header.licence_id
    assert header.parsed_id == world.document.header.parsed_id.next_version()


def test_an_empty_batch_is_refused(world: World) -> None:
    with pytest.raises(LicenceInputError, match="at least one"):
        issue_batch([], issuer=world.authority, seal=world.seal, signing_key=world.issuer_key)


def test_a_key_that_does_not_hold_the_seal_cannot_issue(world: World) -> None:
    with pytest.raises(SealMismatch):
        issue_batch(
            [licence_input(9)],
            issuer=world.authority,
            seal=world.seal,
            signing_key=world.stranger_key,
            signing_time=SIGNED,
        )


def test_the_garbage_collector_is_left_as_it_was(world: World) -> None:
    def issue() -> None:
        issue_batch(
            [licence_input(30)],
            issuer=world.authority,
            seal=world.seal,
            signing_key=world.issuer_key,
            signing_time=SIGNED,
        )

    assert gc.isenabled()
    issue()
    assert gc.isenabled()
    gc.disable()
    try:
        issue()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_threads_give_the_same_kind_of_batch(world: World) -> None:
    inputs = [licence_input(n) for n in range(20, 29)]
    for threads in (1, 3):
        batch = issue_batch(
            inputs,
            issuer=world.authority,
            seal=world.seal,
            signing_key=world.issuer_key,
            signing_time=SIGNED,
            threads=threads,
        )
        ids = [doc.header.licence_id for doc in batch.documents]
        assert ids == [item.licence_id(ISSUER_CODE).format() for item in inputs]
        for document, leaf in zip(batch.documents, batch.leaves, strict=True):
            assert document.leaf() == leaf


def test_worker_processes_give_the_same_kind_of_batch(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The pool normally starts at thousands of licences; here at a few, in chunks of three.
    monkeypatch.setattr(document_module, "PROCESS_POOL_MIN_LICENCES", 2)
    monkeypatch.setattr(document_module, "_PROCESS_CHUNK", 3)
    inputs = [licence_input(n) for n in range(40, 50)]
    batch = issue_batch(
        inputs,
        issuer=world.authority,
        seal=world.seal,
        signing_key=world.issuer_key,
        signing_time=SIGNED,
        threads=2,
    )
    assert multiprocessing.active_children() == []
    ids = [doc.header.licence_id for doc in batch.documents]
    assert ids == [item.licence_id(ISSUER_CODE).format() for item in inputs]
    salts = [field.salt for doc in batch.documents for field in doc.fields.values()]
    assert len(set(salts)) == len(salts)
    for document, leaf in zip(batch.documents, batch.leaves, strict=True):
        assert document.leaf() == leaf
        assert document.seal_signature.to_sign.data_hash == document.digest()
        assert document.anchor is not None
        verify_proof(leaf, document.anchor.proof, batch.root)
        document.seal_signature.verify_with(public_key_bytes(world.issuer_key.public_key()))


surface_values = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.text(st.characters(exclude_categories=["Cs", "Cc"]), min_size=1, max_size=20).filter(
        str.strip
    )
)


@settings(max_examples=40, deadline=None)
@given(
    st.dictionaries(
        st.text(st.characters(exclude_categories=["Cs", "Cc"]), min_size=1, max_size=10).filter(
            str.strip
        ),
        surface_values,
        max_size=5,
    ),
    st.text(st.characters(exclude_categories=["Cs", "Cc"]), min_size=1, max_size=20).filter(
        str.strip
    ),
)
def test_stored_json_is_what_the_model_writes(
    world: World, surface: dict[str, object], holder_name: str
) -> None:
    # The issuer writes each document's JSON itself; it must be what pydantic writes for the
    # document it describes, which validates and leads to the same leaf.
    item = LicenceInput.model_validate(
        {**licence_input(60).model_dump(), "surface": surface, "holder_name": holder_name}
    )
    batch = issue_batch(
        [item],
        issuer=world.authority,
        seal=world.seal,
        signing_key=world.issuer_key,
        signing_time=SIGNED,
        threads=1,
    )
    (sealed,) = batch.licences
    document = LicenceDocument.model_validate_json(sealed.document_json)
    assert document.model_dump_json(exclude={"anchor"}) == sealed.document_json
    assert document.leaf() == sealed.leaf
    assert document.header.licence_id == sealed.licence_id
    assert document.metadata().surface == item.surface
