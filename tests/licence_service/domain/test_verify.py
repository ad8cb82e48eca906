"""The four-check verifier, case by case, with real SM2/SM3 and a chain double.

Every tampering case fails exactly its own check, with its reason code, and verifying changes
nothing on the chain. Where a case rightly fails two checks, the test says so and why.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ledger.contracts.values import LicenceStatus
from ledger.merkle import MerkleTree
from licence_service.domain.document import Anchor, LicenceDocument, issue_batch
from licence_service.domain.errors import NotALicence
from licence_service.domain.ports import (
    ISSUER_ROLE,
    AnchoredBatch,
    LicenceStatusRecord,
)
from licence_service.domain.presentation import (
    Presentation,
    PresentationContent,
    presentation_qr,
    read_qr_payload,
)
from licence_service.domain.seal import Seal, SealSignature, holder_key_hash, public_key_bytes
from licence_service.domain.verify import Check, Reason, VerificationReport, verify
from sm_crypto import SM2PrivateKey
from tests.licence_service.domain.chain_double import ChainDouble
from tests.licence_service.domain.conftest import (
    ANCHORED,
    ISSUER_CODE,
    OTHER_ISSUER_CODE,
    SIGNED,
    VERIFIED,
    World,
    licence_input,
    make_test_seal,
)


def verified(subject: Any, chain: ChainDouble, *, at: datetime = VERIFIED) -> VerificationReport:
    before = copy.deepcopy(chain)
    report = verify(subject, chain, at=at)
    assert chain == before, "verifying must not change the chain"
    return report


@dataclass
class Records:
    """An issuing service's records (``LicenceRecords``) as dicts."""

    anchors: dict[tuple[str, bytes], tuple[bytes, tuple[bytes, ...]]] = field(default_factory=dict)
    successors: dict[tuple[str, bytes, bytes], str] = field(default_factory=dict)

    def anchor_of(self, licence_id: str, leaf: bytes) -> tuple[bytes, tuple[bytes, ...]] | None:
        return self.anchors.get((licence_id, leaf))

    def successor_id(self, licence_id: str, root: bytes, leaf: bytes) -> str | None:
        return self.successors.get((licence_id, root, leaf))


def verified_with(subject: Any, chain: ChainDouble, records: Records) -> VerificationReport:
    return verify(subject, chain, at=VERIFIED, records=records)


def assert_fails_only(report: VerificationReport, check: Check, reason: Reason) -> None:
    assert report.failed() == [check], report.to_dict()
    assert report.checks()[check].reason is reason, report.to_dict()
    assert not report.ok


def assert_unverified(report: VerificationReport, reason: Reason) -> None:
    """Integrity fails with ``reason``, so the content is not the anchored licence: no status
    is read for it, and its fields are shown only as unverified."""
    assert report.failed() == [Check.INTEGRITY, Check.STATUS], report.to_dict()
    assert report.integrity.reason is reason, report.to_dict()
    assert report.status.reason is Reason.LICENCE_UNVERIFIED, report.to_dict()
    assert report.fields is None
    assert report.unverified_fields is not None


def anchored_alone(chain: ChainDouble, document: LicenceDocument) -> LicenceDocument:
    """Anchor ``document`` by the issuer as a batch of its own, as whoever holds the issuer's
    chain account could."""
    tree = MerkleTree([document.leaf()])
    chain.anchor(tree.root, ISSUER_CODE, 1, ANCHORED)
    return document.model_copy(update={"anchor": Anchor(root=tree.root, proof=())})


def resigned(presentation_json: dict[str, Any], key: SM2PrivateKey) -> dict[str, Any]:
    """The presentation with its content as edited, signed again with ``key``."""
    content = PresentationContent.model_validate(presentation_json["to_sign"])
    return Presentation(to_sign=content, signature=key.sign(content.canonical())).model_dump(
        mode="json"
    )


# Passing


def test_a_fresh_document_passes_all_four(world: World, chain: ChainDouble) -> None:
    for form in (world.document, world.document.model_dump_json(), world.document.canonical()):
        report = verified(form, chain)
        assert report.ok, report.to_dict()
        assert {result.reason for result in report.checks().values()} == {Reason.OK}
    assert report.licence_id == world.document.header.licence_id
    assert report.leaf == world.batch.leaves[1]


def test_a_presentation_passes_all_four_and_shows_only_its_fields(
    world: World, chain: ChainDouble
) -> None:
    presentation = world.present("licence_name", "surface.经营项目")
    for form in (presentation, presentation.model_dump(mode="json")):
        report = verified(form, chain)
        assert report.ok, report.to_dict()
        assert report.fields == {
            "licence_name": "食品经营许可证",
            "surface.经营项目": "热食类食品制售",
        }
    scanned = read_qr_payload(presentation_qr(presentation, max_version=40).payload)
    assert verified(scanned, chain).ok


def test_a_presentation_revealing_nothing_still_verifies(world: World, chain: ChainDouble) -> None:
    report = verified(world.present(), chain)
    assert report.ok
    assert report.fields == {}


# Integrity


def test_a_changed_field_value_fails_integrity(world: World, chain: ChainDouble) -> None:
    data = world.document.model_dump(mode="json")
    data["fields"]["holder_name"][1] = "另一家公司"
    assert_unverified(verified(data, chain), Reason.DIGEST_MISMATCH)
    shown = world.present("holder_name").model_dump(mode="json")
    shown["to_sign"]["disclosed"]["holder_name"][1] = "另一家公司"
    assert_unverified(verified(shown, chain), Reason.DIGEST_MISMATCH)


def test_a_renamed_or_moved_field_fails_integrity(world: World, chain: ChainDouble) -> None:
    data = world.document.model_dump(mode="json")
    data["fields"]["holder_alias"] = data["fields"].pop("holder_name")
    assert_unverified(verified(data, chain), Reason.DIGEST_MISMATCH)
    data = world.document.model_dump(mode="json")
    fields = data["fields"]
    fields["licence_name"], fields["issuer_name"] = fields["issuer_name"], fields["licence_name"]
    assert_unverified(verified(data, chain), Reason.DIGEST_MISMATCH)


def test_a_removed_field_or_field_digest_fails_integrity(world: World, chain: ChainDouble) -> None:
    data = world.document.model_dump(mode="json")
    del data["fields"]["holder_id_number"]
    assert_unverified(verified(data, chain), Reason.DIGEST_MISMATCH)
    # Even signed by the issuer's own key, a presentation cannot drop a field's digest.
    shown = world.present("licence_name").model_dump(mode="json")
    shown["to_sign"]["hidden_digests"].pop()
    report = verified(resigned(shown, world.issuer_key), chain)
    assert_unverified(report, Reason.DIGEST_MISMATCH)


def test_tampered_dates_give_no_status_and_unverified_fields(
    world: World, chain: ChainDouble
) -> None:
    # An expired licence whose end date is pushed back: the chain answers VALID for any leaf of
    # an anchored root, so a status read from the edited dates would say "valid to 2099".
    data = world.document.model_dump(mode="json")
    data["header"]["valid_to"] = "2099-12-31"
    data["fields"]["holder_name"][1] = "冒名公司"
    report = verified(data, chain, at=datetime(2032, 1, 1, tzinfo=UTC))
    assert_unverified(report, Reason.DIGEST_MISMATCH)
    assert "2099" not in report.status.message
    assert report.unverified_fields is not None
    assert report.unverified_fields["holder_name"] == "冒名公司"
    shown = report.to_dict()
    assert shown["fields"] is None
    assert shown["unverified_fields"]["holder_name"] == "冒名公司"


def test_a_foreign_root_fails_integrity(world: World, chain: ChainDouble) -> None:
    data = world.document.model_dump(mode="json")
    data["anchor"]["root"] = world.other_batch.root.hex()  # anchored by the same issuer
    assert_unverified(verified(data, chain), Reason.PROOF_INVALID)


def test_a_proof_from_another_batch_fails_integrity(world: World, chain: ChainDouble) -> None:
    data = world.document.model_dump(mode="json")
    other = world.other_batch.documents[0].anchor
    assert other is not None
    data["anchor"]["proof"] = [sibling.hex() for sibling in other.proof]
    assert_unverified(verified(data, chain), Reason.PROOF_INVALID)


def test_a_root_anchored_by_another_department_fails_integrity(
    world: World, chain: ChainDouble
) -> None:
    chain.batches[world.batch.root] = AnchoredBatch(
        world.batch.root, OTHER_ISSUER_CODE, 3, ANCHORED
    )
    assert_unverified(verified(world.document, chain), Reason.ROOT_ISSUER_MISMATCH)


def test_a_root_not_anchored_fails_integrity_and_has_no_status(
    world: World, chain: ChainDouble
) -> None:
    del chain.batches[world.batch.root]
    report = verified(world.document, chain)
    assert_unverified(report, Reason.ROOT_NOT_ANCHORED)


def test_a_document_without_anchor(world: World, chain: ChainDouble) -> None:
    report = verified(world.document.model_copy(update={"anchor": None}), chain)
    assert_unverified(report, Reason.NOT_ANCHORED)


def test_a_copy_without_anchor_is_anchored_from_the_records(
    world: World, chain: ChainDouble
) -> None:
    document = world.batch.documents[1]
    assert document.anchor is not None
    bare = document.model_copy(update={"anchor": None})
    anchors = {
        (document.header.licence_id, document.leaf()): (
            document.anchor.root,
            tuple(document.anchor.proof),
        )
    }
    report = verified_with(bare, chain, Records(anchors=anchors))
    assert report.ok, report.to_dict()
    assert report.anchor_supplied
    # An edited copy has another leaf: the records give it nothing.
    edited = bare.model_dump(mode="json")
    edited["fields"]["holder_name"][1] = "另一家公司"
    report = verified_with(edited, chain, Records(anchors=anchors))
    assert_unverified(report, Reason.NOT_ANCHORED)
    assert not report.anchor_supplied
    # A wrong anchor from the records is checked like any other.
    wrong = {
        key: (world.other_batch.root, root_and_proof[1]) for key, root_and_proof in anchors.items()
    }
    report = verified_with(bare, chain, Records(anchors=wrong))
    assert_unverified(report, Reason.PROOF_INVALID)
    # A document carrying its own anchor is not looked up.
    assert not verified_with(document, chain, Records(anchors=wrong)).anchor_supplied


def test_an_expired_presentation_fails_integrity(world: World, chain: ChainDouble) -> None:
    presentation = world.present("licence_name", lifetime=timedelta(minutes=10))
    expiry = presentation.to_sign.expires_at
    assert verified(presentation, chain, at=expiry - timedelta(seconds=1)).ok
    report = verified(presentation, chain, at=expiry)
    assert_fails_only(report, Check.INTEGRITY, Reason.PRESENTATION_EXPIRED)


def test_a_presentation_from_the_future_fails_integrity(world: World, chain: ChainDouble) -> None:
    presentation = world.present("licence_name")
    report = verified(presentation, chain, at=presentation.to_sign.issued_at - timedelta(seconds=1))
    assert_fails_only(report, Check.INTEGRITY, Reason.PRESENTATION_NOT_YET_VALID)


def test_a_pushed_back_expiry_fails_integrity(world: World, chain: ChainDouble) -> None:
    shown = world.present("licence_name").model_dump(mode="json")
    shown["to_sign"]["expires_at"] = "2099-01-01T00:00:00Z"
    report = verified(shown, chain, at=VERIFIED + timedelta(days=30))
    assert_fails_only(report, Check.INTEGRITY, Reason.PRESENTATION_SIGNATURE_INVALID)


def test_a_presentation_signed_by_another_key_fails_integrity(
    world: World, chain: ChainDouble
) -> None:
    shown = resigned(world.present("licence_name").model_dump(mode="json"), world.stranger_key)
    assert_fails_only(
        verified(shown, chain), Check.INTEGRITY, Reason.PRESENTATION_SIGNATURE_INVALID
    )


# Status


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (LicenceStatus.SUSPENDED, Reason.LICENCE_SUSPENDED),
        (LicenceStatus.WITHDRAWN, Reason.LICENCE_WITHDRAWN),
        (LicenceStatus.CANCELLED, Reason.LICENCE_CANCELLED),
        (LicenceStatus.SUPERSEDED, Reason.LICENCE_SUPERSEDED),
        (LicenceStatus.REVOKED, Reason.LICENCE_REVOKED),
    ],
)
def test_each_lifecycle_status_fails_status(
    world: World, chain: ChainDouble, status: LicenceStatus, reason: Reason
) -> None:
    chain.set_status(world.batch.root, world.batch.leaves[1], status, VERIFIED - timedelta(days=1))
    report = verified(world.document, chain)
    assert_fails_only(report, Check.STATUS, reason)
    assert status.name.lower() in report.status.message
    assert_fails_only(verified(world.present("licence_name"), chain), Check.STATUS, reason)
    # The other licences of the batch are untouched.
    assert verified(world.batch.documents[0], chain).ok


def test_a_superseded_licence_names_its_successor(world: World, chain: ChainDouble) -> None:
    successor = (world.other_batch.root, world.other_batch.leaves[0])
    chain.statuses[(world.batch.root, world.batch.leaves[1])] = LicenceStatusRecord(
        LicenceStatus.SUPERSEDED, 1, VERIFIED - timedelta(days=1), successor
    )
    report = verified(world.document, chain)
    assert_fails_only(report, Check.STATUS, Reason.LICENCE_SUPERSEDED)
    assert world.other_batch.leaves[0].hex() in report.status.message
    assert report.successor_id is None
    # Given the issuer's records (the chain keeps only hashes), the report names the successor.
    records = Records(successors={(world.document.header.licence_id, *successor): "the-successor"})
    named = verify(world.document, chain, at=VERIFIED, records=records)
    assert named.successor_id == "the-successor"
    assert "the-successor" in named.status.message
    assert named.to_dict()["successor_id"] == "the-successor"


def test_validity_dates_are_beijing_calendar_days(world: World, chain: ChainDouble) -> None:
    # valid from 2026-03-01 to 2031-02-28 inclusive, in UTC+8.
    start = datetime(2026, 2, 28, 16, 0, tzinfo=UTC)
    end = datetime(2031, 2, 28, 16, 0, tzinfo=UTC)
    assert verified(world.document, chain, at=start).ok
    report = verified(world.document, chain, at=start - timedelta(seconds=1))
    assert_fails_only(report, Check.STATUS, Reason.LICENCE_NOT_YET_VALID)
    assert verified(world.document, chain, at=end - timedelta(seconds=1)).ok
    assert_fails_only(verified(world.document, chain, at=end), Check.STATUS, Reason.LICENCE_EXPIRED)


# Issuer


def test_a_forged_signature_fails_issuer(world: World, chain: ChainDouble) -> None:
    # Someone with the issuer's chain account but not its SM2 key signs with another key,
    # claims the issuer's key, and anchors the result.
    content = world.document.seal_signature.to_sign
    forged = SealSignature(to_sign=content, signature=world.stranger_key.sign(content.canonical()))
    document = anchored_alone(chain, world.document.model_copy(update={"seal_signature": forged}))
    assert_fails_only(verified(document, chain), Check.ISSUER, Reason.SIGNATURE_INVALID)


def test_a_signature_by_another_seal_holder_fails_issuer(world: World, chain: ChainDouble) -> None:
    # A seal held by two keys; the licence is signed by the one that is not the issuer's.
    shared = make_test_seal(world.admin_key, world.issuer_key, world.stranger_key, seal_id="S2")
    chain.register_seal(world.seal_record(shared))
    batch = issue_batch(
        [licence_input(7)],
        issuer=world.authority,
        seal=shared,
        signing_key=world.stranger_key,
        signing_time=SIGNED,
    )
    chain.anchor(batch.root, ISSUER_CODE, 1, ANCHORED)
    report = verified(batch.documents[0], chain)
    assert_fails_only(report, Check.ISSUER, Reason.SIGNER_NOT_ISSUER_KEY)


def test_a_signature_swapped_after_anchoring_fails_integrity_and_issuer(
    world: World, chain: ChainDouble
) -> None:
    # The anchored leaf commits to the seal signature, so replacing it also breaks integrity.
    data = world.document.model_dump(mode="json")
    content = world.document.seal_signature.to_sign
    data["seal_signature"]["signature"] = world.stranger_key.sign(content.canonical()).hex()
    report = verified(data, chain)
    assert report.failed() == [Check.INTEGRITY, Check.STATUS, Check.ISSUER]
    assert report.integrity.reason is Reason.PROOF_INVALID
    assert report.status.reason is Reason.LICENCE_UNVERIFIED
    assert report.issuer.reason is Reason.SIGNATURE_INVALID


def test_a_suspended_issuer_fails_issuer(world: World, chain: ChainDouble) -> None:
    chain.suspend(ISSUER_CODE)
    assert_fails_only(verified(world.document, chain), Check.ISSUER, Reason.ISSUER_SUSPENDED)


def test_an_unregistered_issuer_fails_issuer(world: World, chain: ChainDouble) -> None:
    del chain.departments[ISSUER_CODE]
    assert_fails_only(verified(world.document, chain), Check.ISSUER, Reason.ISSUER_UNREGISTERED)


def test_an_issuer_without_the_issuer_role_at_anchoring_fails_issuer(
    world: World, chain: ChainDouble
) -> None:
    chain.revoke_role(ISSUER_CODE, ISSUER_ROLE, ANCHORED - timedelta(seconds=1))
    assert_fails_only(verified(world.document, chain), Check.ISSUER, Reason.ISSUER_ROLE_MISSING)
    chain.grant_role(ISSUER_CODE, ISSUER_ROLE, ANCHORED + timedelta(days=1))
    assert_fails_only(verified(world.document, chain), Check.ISSUER, Reason.ISSUER_ROLE_MISSING)


def test_losing_the_role_after_anchoring_does_not_matter(world: World, chain: ChainDouble) -> None:
    chain.revoke_role(ISSUER_CODE, ISSUER_ROLE, ANCHORED + timedelta(seconds=1))
    assert verified(world.document, chain).ok


def test_key_rotation(world: World, chain: ChainDouble) -> None:
    new_key = SM2PrivateKey.generate()
    rotated = chain.departments[ISSUER_CODE]
    chain.rotate_key(
        ISSUER_CODE, public_key_bytes(new_key.public_key()), VERIFIED - timedelta(days=1)
    )
    # Licences anchored before the rotation keep verifying with the key of their time...
    assert verified(world.document, chain).ok
    # ...presentations are signed with the key in force when they are issued.
    shown = world.present("licence_name").model_dump(mode="json")
    assert_fails_only(
        verified(shown, chain), Check.INTEGRITY, Reason.PRESENTATION_SIGNATURE_INVALID
    )
    assert verified(resigned(shown, new_key), chain).ok
    # A rotation before the anchoring makes the batch's signer key the wrong one.
    chain.departments[ISSUER_CODE] = rotated
    chain.rotate_key(
        ISSUER_CODE, public_key_bytes(new_key.public_key()), SIGNED + timedelta(seconds=10)
    )
    assert_fails_only(verified(world.document, chain), Check.ISSUER, Reason.SIGNER_NOT_ISSUER_KEY)


# Seal


def test_a_seal_revoked_before_signing_fails_seal(world: World, chain: ChainDouble) -> None:
    chain.revoke_seal(world.seal.hash, SIGNED - timedelta(days=1))
    assert_fails_only(verified(world.document, chain), Check.SEAL, Reason.SEAL_REVOKED)


def test_a_seal_revoked_after_signing_and_anchoring_is_fine(
    world: World, chain: ChainDouble
) -> None:
    chain.revoke_seal(world.seal.hash, ANCHORED + timedelta(days=1))
    assert verified(world.document, chain).ok
    assert verified(world.present("licence_name"), chain).ok


def test_a_seal_revoked_before_the_anchoring_fails_seal(world: World, chain: ChainDouble) -> None:
    # The signing time is the signer's claim; the anchoring time cannot be backdated.
    chain.revoke_seal(world.seal.hash, SIGNED + timedelta(seconds=10))
    assert_fails_only(verified(world.document, chain), Check.SEAL, Reason.SEAL_REVOKED)


def test_a_seal_outside_its_validity_at_signing_fails_seal(
    world: World, chain: ChainDouble
) -> None:
    record = chain.seals[world.seal.hash]
    chain.register_seal(replace(record, valid_to=SIGNED - timedelta(seconds=1)))
    assert_fails_only(verified(world.document, chain), Check.SEAL, Reason.SEAL_EXPIRED)
    chain.register_seal(replace(record, valid_from=SIGNED + timedelta(seconds=1)))
    assert_fails_only(verified(world.document, chain), Check.SEAL, Reason.SEAL_NOT_YET_VALID)


def test_a_signer_not_among_the_seal_holders_fails_seal(world: World, chain: ChainDouble) -> None:
    record = chain.seals[world.seal.hash]
    stranger = holder_key_hash(public_key_bytes(world.stranger_key.public_key()))
    chain.register_seal(replace(record, holder_key_hashes=frozenset({stranger})))
    report = verified(world.document, chain)
    assert_fails_only(report, Check.SEAL, Reason.SIGNER_NOT_SEAL_HOLDER)


def test_an_unregistered_seal_fails_seal(world: World, chain: ChainDouble) -> None:
    del chain.seals[world.seal.hash]
    assert_fails_only(verified(world.document, chain), Check.SEAL, Reason.SEAL_UNREGISTERED)


def test_a_tampered_carried_seal_fails_seal(world: World, chain: ChainDouble) -> None:
    data = world.document.model_dump(mode="json")
    data["seal"]["to_sign"]["info"]["picture"]["width_mm"] = 50
    assert_fails_only(verified(data, chain), Check.SEAL, Reason.SEAL_MISMATCH)


def test_a_seal_made_by_another_department_fails_seal(world: World, chain: ChainDouble) -> None:
    record = chain.seals[world.seal.hash]
    chain.register_seal(replace(record, owner_code=OTHER_ISSUER_CODE))
    assert_fails_only(verified(world.document, chain), Check.SEAL, Reason.SEAL_MAKER_INVALID)


def test_a_seal_with_a_bad_maker_signature_fails_seal(world: World, chain: ChainDouble) -> None:
    good = world.seal
    bad = Seal(to_sign=good.to_sign, signature=world.stranger_key.sign(good.to_sign.canonical()))
    chain.register_seal(world.seal_record(bad))
    batch = issue_batch(
        [licence_input(8)],
        issuer=world.authority,
        seal=bad,
        signing_key=world.issuer_key,
        signing_time=SIGNED,
    )
    chain.anchor(batch.root, ISSUER_CODE, 1, ANCHORED)
    assert_fails_only(verified(batch.documents[0], chain), Check.SEAL, Reason.SEAL_MAKER_INVALID)


def test_a_signing_time_after_the_anchoring_fails_seal(world: World, chain: ChainDouble) -> None:
    chain.anchor(world.batch.root, ISSUER_CODE, 3, SIGNED - timedelta(hours=1))
    report = verified(world.document, chain)
    assert_fails_only(report, Check.SEAL, Reason.SIGNED_AFTER_ANCHORING)


# Malformed input


def test_malformed_parts_fail_every_check(world: World, chain: ChainDouble) -> None:
    data = world.document.model_dump(mode="json")
    for bad_salt in ("not hex", "AB" * 16, " ".join(["ab"] * 16), "ab" * 15):
        data["fields"]["holder_name"][0] = bad_salt
        report = verified(data, chain)
        assert report.failed() == list(Check)
        assert {result.reason for result in report.checks().values()} == {Reason.MALFORMED}
        assert "fields.holder_name" in report.integrity.message


@pytest.mark.parametrize(
    "subject",
    ["not json", b"[1, 2]", '{"format": "something-else/1"}', {"fields": {}}, 42],
)
def test_input_that_is_not_a_licence_raises(subject: Any, chain: ChainDouble) -> None:
    with pytest.raises(NotALicence):
        verify(subject, chain, at=VERIFIED)


def test_the_report_is_json_ready(world: World, chain: ChainDouble) -> None:
    report = verified(world.document, chain).to_dict()
    assert report["ok"] is True
    assert set(report["checks"]) == {"integrity", "status", "issuer", "seal"}
    assert report["verified_at"].startswith(VERIFIED.date().isoformat())


def test_a_seal_kept_from_earlier_documents_stands_in_only_for_the_same_seal(
    world: World, chain: ChainDouble
) -> None:
    # Seals are validated once per distinct JSON and kept: a document with a changed or a
    # malformed seal after good ones must still fail exactly as before.
    good = world.document.model_dump(mode="json")
    for _ in range(2):
        assert verified(json.dumps(good, ensure_ascii=False), chain).ok
    changed = copy.deepcopy(good)
    changed["seal"]["to_sign"]["info"]["picture"]["width_mm"] = 50
    assert_fails_only(
        verified(json.dumps(changed, ensure_ascii=False), chain), Check.SEAL, Reason.SEAL_MISMATCH
    )
    malformed = copy.deepcopy(good)
    malformed["seal"]["signature"] = "not hex"
    report = verified(json.dumps(malformed, ensure_ascii=False), chain)
    assert report.failed() == list(Check)
    assert report.seal.reason is Reason.MALFORMED
    assert "seal.signature" in report.seal.message
    assert verified(json.dumps(good, ensure_ascii=False), chain).ok
