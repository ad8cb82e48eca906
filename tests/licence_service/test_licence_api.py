"""The licence service end to end over HTTP with real SM2 sign-in, on every backend (SQLite and
PostgreSQL on the embedded chain, SQLite on Anvil): issue → present → verify; every lifecycle
change seen by the status check; each tampering case failing exactly its check; departments and
holders kept to their own licences."""

from __future__ import annotations

import copy
import io
from datetime import UTC, datetime
from typing import Any

import pytest
import zxingcpp
from PIL import Image

from govledger.auth.signin import sign_challenge
from govledger.department_keys import load_department_keys
from govledger.keystore import open_keystore
from ledger import revert_error_class
from ledger.contracts import Registries
from ledger.contracts.values import LicenceStatus
from ledger.merkle import MerkleTree
from licence_service.domain.document import Anchor, LicenceDocument, issue_batch
from licence_service.domain.ids import LicenceId
from licence_service.domain.model import IssuingAuthority, LicenceInput
from licence_service.domain.seal import Seal, SealSignature
from sm_crypto import SM2PrivateKey
from tests.licence_service.world import (
    AUDITOR,
    ISSUER_A,
    ISSUER_B,
    TYPE_CODE,
    VIEWER,
    Api,
    bulk,
    failed,
    licence_body,
    verify,
    wait_anchored,
)

STATUS_ACTIONS = {
    "withdraw": "licence-withdrawn",
    "cancel": "licence-cancelled",
    "revoke": "licence-revoked",
}


def registries(api: Api) -> Registries:
    found: Registries = api.client.app.state.platform_context.chain.registries  # type: ignore[attr-defined]
    return found


def chain_now(api: Api) -> datetime:
    block = registries(api).licences.ledger.provider.request(
        "eth_getBlockByNumber", ["latest", False]
    )
    return max(datetime.now(UTC), datetime.fromtimestamp(int(block["timestamp"], 16), UTC))


def document_of(api: Api, licence_id: str) -> dict[str, Any]:
    body: dict[str, Any] = api.get(f"/v1/licences/{licence_id}", ISSUER_A).json()["document"]
    return body


def change(api: Api, licence_id: str, action: str, as_: str = ISSUER_A) -> Any:
    return api.post(
        f"/v1/licences/{licence_id}/{action}", as_, json={"reason_code": 7, "reason": action}
    )


def sign_own(api: Api, code: str, seal: Seal, number: int) -> tuple[LicenceDocument, bytes]:
    """A licence signed with ``code``'s real key and ``seal`` outside the service (as someone
    holding the department's keys could), with its leaf."""
    key = open_keystore(api.settings).load(code).sm2
    item = LicenceInput.model_validate(
        {**licence_body(number), "serial": f"X{number:09d}", "supersedes": None}
    )
    issued = issue_batch(
        [item],
        issuer=IssuingAuthority(code=code, name=f"部门 {code[-4:]}"),
        seal=seal,
        signing_key=key,
        signing_time=chain_now(api),
        threads=1,
    )
    return issued.documents[0], issued.leaves[0]


def anchor_alone(api: Api, code: str, document: LicenceDocument, leaf: bytes) -> dict[str, Any]:
    """Anchor a one-licence batch as ``code`` and return the document with that anchor."""
    tree = MerkleTree([leaf])
    account = load_department_keys(registries(api), open_keystore(api.settings), code).account
    registries(api).licences.anchor_batch(account, tree.root, 1)
    anchored = document.model_copy(update={"anchor": Anchor(root=tree.root, proof=())})
    return anchored.model_dump(mode="json")


def seal_of(api: Api, code: str, seal_hash: str | None = None) -> Seal:
    seals = api.get("/v1/seals", code).json()["data"]
    chosen = [s for s in seals if seal_hash in (None, s["seal_hash"])][-1]
    return Seal.model_validate(chosen["seal"])


# -- issue, present, verify ----------------------------------------------------------------------


def test_issue_present_verify(api: Api) -> None:
    issued = api.post("/v1/licences", ISSUER_A, json=licence_body(1))
    assert issued.status_code == 201, issued.text
    body = issued.json()
    # Honest about the batcher: a single issue is pending until its batch is anchored.
    assert body["status"] in {"pending", "valid"}
    licence_id, holder = body["licence_id"], body["holder_token"]
    assert licence_id.split(".")[6] == ISSUER_A

    anchored = wait_anchored(api, ISSUER_A, licence_id)
    assert anchored["status"] == "valid"
    assert anchored["anchor"]["tx_hash"].startswith("0x")
    report = verify(api, anchored["document"])
    assert report["ok"], report
    assert report["licence_id"] == licence_id

    holder_auth = {"Authorization": f"Bearer {holder}"}
    own = api.get(f"/v1/holder/licences/{licence_id}", headers=holder_auth)
    assert own.status_code == 200
    assert own.json()["licence_id"] == licence_id
    shown = api.post(
        f"/v1/holder/licences/{licence_id}/presentations",
        headers=holder_auth,
        json={"fields": ["holder_name", "licence_name"], "lifetime_s": 600},
    )
    assert shown.status_code == 201, shown.text
    presentation = shown.json()
    report = verify(api, presentation["presentation"])
    assert report["ok"], report
    assert set(report["fields"]) == {"holder_name", "licence_name"}
    assert "holder_id_number" not in str(presentation["presentation"])

    fetched = api.get(f"/v1/presentations/{presentation['digest']}")
    assert fetched.json()["presentation"] == presentation["presentation"]
    png = api.get(presentation["qr_png_url"])
    assert png.headers["content-type"] == "image/png"
    # The code opens the portal's verify page for it (any phone camera does).
    verify_url = f"http://testserver/verify/p/{presentation['digest']}"
    assert presentation["qr_payload"] == verify_url
    (code,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
    assert code.text == verify_url
    svg = api.get(presentation["qr_svg_url"])
    assert svg.headers["content-type"].startswith("image/svg+xml")

    # A presentation whose expiry was pushed back no longer matches its signature.
    stretched = copy.deepcopy(presentation["presentation"])
    stretched["to_sign"]["expires_at"] = "2099-01-01T00:00:00Z"
    assert failed(verify(api, stretched)) == {"integrity": "presentation-signature-invalid"}


def test_the_copy_handed_out_at_issue_verifies_once_anchored(api: Api) -> None:
    issued = api.post("/v1/licences", ISSUER_A, json=licence_body(2)).json()
    copy_at_issue = issued["document"]
    licence_id = issued["licence_id"]
    wait_anchored(api, ISSUER_A, licence_id)
    # The copy was made before its batch had a root: it carries no anchor. The service
    # supplies the batch's root and proof, which are checked against the chain as any anchor.
    report = verify(api, copy_at_issue)
    assert report["ok"], report
    assert report["anchor_supplied"] is True
    edited = copy.deepcopy(copy_at_issue)
    edited["fields"]["holder_name"][-1] = "冒名公司"
    assert failed(verify(api, edited)) == {
        "integrity": "not-anchored",
        "status": "licence-unverified",
    }
    # The holder can fetch a copy carrying its anchor, verifiable anywhere.
    holder = {"Authorization": f"Bearer {issued['holder_token']}"}
    own = api.get(f"/v1/holder/licences/{licence_id}", headers=holder).json()["document"]
    assert own["anchor"] is not None
    carried = verify(api, own)
    assert carried["ok"]
    assert carried["anchor_supplied"] is False


def test_bulk_issue_anchors_before_returning(api: Api) -> None:
    ids = bulk(api, ISSUER_A, range(100, 140))
    assert len(ids) == len(set(ids)) == 40
    body = api.get(f"/v1/licences/{ids[-1]}", ISSUER_A).json()
    assert body["status"] == "valid"
    assert verify(api, body["document"])["ok"]
    listed = api.get("/v1/licences", ISSUER_A, params={"limit": 5}).json()
    assert listed["count"] >= 40
    assert len(listed["data"]) == 5


# -- lifecycle -----------------------------------------------------------------------------------


def test_suspend_and_reinstate_flip_the_status_check(api: Api) -> None:
    (licence_id,) = bulk(api, ISSUER_A, [200])
    document = document_of(api, licence_id)
    suspended = change(api, licence_id, "suspend")
    assert suspended.status_code == 200
    assert suspended.json()["status"] == "suspended"
    assert failed(verify(api, document)) == {"status": "licence-suspended"}
    assert change(api, licence_id, "reinstate").json()["status"] == "valid"
    assert verify(api, document)["ok"]
    history = api.get(f"/v1/licences/{licence_id}/history", ISSUER_A).json()["data"]
    assert [(e["action"], e["status"], e["reason"]) for e in history] == [
        ("issue", "valid", None),
        ("suspend", "suspended", "suspend"),
        ("reinstate", "valid", "reinstate"),
    ]
    # Auditors trace any licence's history; other departments are refused.
    assert api.get(f"/v1/licences/{licence_id}/history", AUDITOR).json()["data"] == history
    assert api.get(f"/v1/licences/{licence_id}/history", ISSUER_B).status_code == 403
    assert api.get(f"/v1/licences/{licence_id}/history", VIEWER).status_code == 403


@pytest.mark.parametrize(("action", "reason"), sorted(STATUS_ACTIONS.items()))
def test_final_changes_fail_the_status_check_for_good(api: Api, action: str, reason: str) -> None:
    (licence_id,) = bulk(api, ISSUER_A, [300 + len(action)])
    document = document_of(api, licence_id)
    assert change(api, licence_id, action).status_code == 200
    assert failed(verify(api, document)) == {"status": reason}
    refused = change(api, licence_id, "reinstate")
    assert refused.status_code == 409
    assert refused.json()["code"] == "licence-state-conflict"
    assert failed(verify(api, document)) == {"status": reason}


def test_renew_and_transfer_supersede_the_old_version(api: Api) -> None:
    (licence_id,) = bulk(api, ISSUER_A, [400])
    old_document = document_of(api, licence_id)
    renewed = api.post(
        f"/v1/licences/{licence_id}/renew",
        ISSUER_A,
        json={"reason_code": 1, "reason": "renewal", "valid_from": "2026-03-01"},
    )
    assert renewed.status_code == 201, renewed.text
    new = renewed.json()
    assert new["previous_id"] == licence_id
    assert new["valid_to"] is None
    assert new["licence_id"].split(".")[-2] == "002"
    old_report = verify(api, old_document)
    assert failed(old_report) == {"status": "licence-superseded"}
    # A verifier of the old licence learns which licence replaced it, as does its issuer.
    assert old_report["successor_id"] == new["licence_id"]
    assert new["licence_id"] in old_report["status"]["message"]
    old_state = api.get(f"/v1/licences/{licence_id}", ISSUER_A).json()
    assert (old_state["status"], old_state["successor_id"]) == ("superseded", new["licence_id"])
    old_history = api.get(f"/v1/licences/{licence_id}/history", ISSUER_A).json()["data"]
    assert [(e["action"], e["successor_id"]) for e in old_history] == [
        ("issue", None),
        ("renew", new["licence_id"]),
    ]
    new_report = verify(api, new["document"])
    assert new_report["ok"]
    assert new_report["successor_id"] is None

    transferred = api.post(
        f"/v1/licences/{new['licence_id']}/transfer",
        ISSUER_A,
        json={
            "reason_code": 2,
            "reason": "sold",
            "holder_name": "福州另一餐饮有限公司",
            "holder_id_type": "111",
            "holder_id_number": "11010519491231002X",
        },
    )
    assert transferred.status_code == 201, transferred.text
    successor = LicenceDocument.model_validate(transferred.json()["document"])
    assert successor.fields["holder_name"].value == "福州另一餐饮有限公司"
    superseded = verify(api, new["document"])
    assert failed(superseded) == {"status": "licence-superseded"}
    assert superseded["successor_id"] == transferred.json()["licence_id"]
    again = api.post(
        f"/v1/licences/{licence_id}/renew",
        ISSUER_A,
        json={"reason_code": 1, "reason": "twice", "valid_from": "2026-03-01"},
    )
    assert again.status_code == 409


# -- tampering -----------------------------------------------------------------------------------


def test_tampered_field_fails_integrity_and_gives_no_status(api: Api) -> None:
    (licence_id,) = bulk(api, ISSUER_A, [500])
    tampered = document_of(api, licence_id)
    salted = tampered["fields"]["holder_name"]  # [salt, value] in JSON
    salted[-1] = "冒名公司"
    assert LicenceDocument.model_validate(tampered).fields["holder_name"].value == "冒名公司"
    assert failed(verify(api, tampered)) == {
        "integrity": "document-digest-mismatch",
        "status": "licence-unverified",
    }


def test_tampered_dates_are_not_reported_as_the_licence(api: Api) -> None:
    (licence_id,) = bulk(api, ISSUER_A, [504])
    tampered = document_of(api, licence_id)
    tampered["header"]["valid_to"] = "2099-12-31"
    tampered["fields"]["holder_name"][-1] = "冒名公司"
    report = verify(api, tampered)
    assert failed(report) == {
        "integrity": "document-digest-mismatch",
        "status": "licence-unverified",
    }
    assert "2099" not in report["status"]["message"]
    # The claims are echoed only as such, never as the licence's fields.
    assert report["fields"] is None
    assert report["unverified_fields"]["holder_name"] == "冒名公司"
    genuine = verify(api, document_of(api, licence_id))
    assert genuine["ok"]
    assert genuine["unverified_fields"] is None
    assert genuine["fields"]["holder_name"] == "福州某某餐饮管理有限公司"


def test_forged_signature_fails_issuer_only(api: Api) -> None:
    genuine, _ = sign_own(api, ISSUER_A, seal_of(api, ISSUER_A), 501)
    content = genuine.seal_signature.to_sign
    forged_signature = SealSignature(
        to_sign=content, signature=SM2PrivateKey.generate().sign(content.canonical())
    )
    forged = genuine.model_copy(update={"seal_signature": forged_signature})
    # Even anchored by the department's own account, the signature gives it away.
    document = anchor_alone(api, ISSUER_A, forged, forged.leaf())
    assert failed(verify(api, document)) == {"issuer": "signature-invalid"}


def test_foreign_root_fails_integrity_and_gives_no_status(api: Api) -> None:
    (licence_id,) = bulk(api, ISSUER_A, [502])
    document = LicenceDocument.model_validate(document_of(api, licence_id))
    # Department B anchors a batch holding A's leaf: a root A never anchored.
    tree = MerkleTree([document.leaf(), bytes(range(32))])
    account = load_department_keys(registries(api), open_keystore(api.settings), ISSUER_B).account
    registries(api).licences.anchor_batch(account, tree.root, 2)
    moved = document.model_copy(
        update={"anchor": Anchor(root=tree.root, proof=tuple(tree.proof(0)))}
    )
    assert failed(verify(api, moved.model_dump(mode="json"))) == {
        "integrity": "root-issuer-mismatch",
        "status": "licence-unverified",
    }


def test_revoked_seal_fails_seal_only(api: Api) -> None:
    refused = api.post("/v1/licences", ISSUER_B, json=licence_body(503))
    assert refused.status_code == 409
    assert refused.json()["code"] == "no-active-seal"
    seal = api.create_seal(ISSUER_B)
    other = api.post(f"/v1/seals/{seal['seal_hash']}/revoke", ISSUER_A, json={"reason_code": 1})
    assert other.status_code == 403
    assert other.json()["code"] == "not-seal-owner"
    revoked = api.post(f"/v1/seals/{seal['seal_hash']}/revoke", ISSUER_B, json={"reason_code": 9})
    assert revoked.status_code == 200
    assert revoked.json()["revocation_reason"] == 9
    after_revocation = api.post("/v1/licences", ISSUER_B, json=licence_body(503))
    assert after_revocation.json()["code"] == "no-active-seal"
    # Signed with the revoked seal anyway and anchored by B's own account.
    document, leaf = sign_own(api, ISSUER_B, Seal.model_validate(seal["seal"]), 503)
    assert failed(verify(api, anchor_alone(api, ISSUER_B, document, leaf))) == {
        "seal": "seal-revoked-at-signing"
    }


# -- who may do what -----------------------------------------------------------------------------


def test_other_departments_cannot_change_a_licence(api: Api) -> None:
    (licence_id,) = bulk(api, ISSUER_A, [600])
    document = document_of(api, licence_id)
    refused = change(api, licence_id, "suspend", as_=ISSUER_B)
    assert refused.status_code == 403
    assert refused.json()["code"] == "not-licence-issuer"
    assert api.get(f"/v1/licences/{licence_id}", ISSUER_B).status_code == 403
    # The chain refuses B's account too, whatever the service says.
    parsed = LicenceDocument.model_validate(document)
    assert parsed.anchor is not None
    account = load_department_keys(registries(api), open_keystore(api.settings), ISSUER_B).account
    with pytest.raises(revert_error_class("LicenceNotBatchIssuer")):
        registries(api).licences.set_status(
            account, parsed.anchor.root, parsed.leaf(), LicenceStatus.SUSPENDED, 1
        )
    assert verify(api, document)["ok"]
    no_role = api.post("/v1/licences", VIEWER, json=licence_body(601))
    assert no_role.status_code == 403
    assert no_role.json()["code"] == "role-missing"
    assert api.post("/v1/licences", json=licence_body(601)).status_code == 401


def test_a_wrong_check_character_is_an_invalid_id_not_a_missing_licence(api: Api) -> None:
    (licence_id,) = bulk(api, ISSUER_A, [602])
    check = licence_id[-1]
    wrong = licence_id[:-1] + ("0" if check != "0" else "1")
    for path in (f"/v1/licences/{wrong}", f"/v1/licences/{wrong}/history"):
        response = api.get(path, ISSUER_A)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "invalid-licence-id"
    changed = change(api, wrong, "suspend")
    assert changed.json()["code"] == "invalid-licence-id"
    assert api.get(f"/v1/licences/{licence_id}", ISSUER_A).json()["status"] == "valid"
    # A well-formed identifier that was never issued is still "not found".
    parsed = LicenceId.parse(licence_id)
    never = LicenceId(parsed.type_code, parsed.issuer_code, "9999999999", 1).format()
    missing = api.get(f"/v1/licences/{never}", ISSUER_A)
    assert missing.status_code == 404
    assert missing.json()["code"] == "licence-not-found"


def test_holder_tokens_open_only_their_licence(api: Api) -> None:
    first = api.post("/v1/licences", ISSUER_A, json=licence_body(700)).json()
    second = api.post("/v1/licences", ISSUER_A, json=licence_body(701)).json()
    holder = {"Authorization": f"Bearer {first['holder_token']}"}
    other = api.get(f"/v1/holder/licences/{second['licence_id']}", headers=holder)
    assert other.status_code == 403
    assert other.json()["code"] == "not-licence-holder"
    as_department = api.get(f"/v1/holder/licences/{first['licence_id']}", ISSUER_A)
    assert as_department.status_code == 401
    assert as_department.json()["code"] == "token-kind-mismatch"
    as_holder = api.get(f"/v1/licences/{first['licence_id']}", headers=holder)
    assert as_holder.json()["code"] == "token-kind-mismatch"

    renewed = api.post(f"/v1/licences/{first['licence_id']}/holder-token", ISSUER_A)
    assert renewed.status_code == 200
    stale = api.get(f"/v1/holder/licences/{first['licence_id']}", headers=holder)
    assert stale.status_code == 401
    assert stale.json()["code"] == "holder-token-revoked"
    fresh = {"Authorization": f"Bearer {renewed.json()['holder_token']}"}
    assert api.get(f"/v1/holder/licences/{first['licence_id']}", headers=fresh).status_code == 200


def test_sign_in_challenge_cannot_be_replayed(api: Api) -> None:
    key = open_keystore(api.settings).load(ISSUER_A).sm2
    challenge = api.post("/v1/auth/challenge", json={"department_code": ISSUER_A}).json()
    exchange = {
        "challenge_id": challenge["challenge_id"],
        "signature": sign_challenge(challenge["message"], key),
    }
    assert api.post("/v1/auth/token", json=exchange).status_code == 200
    replayed = api.post("/v1/auth/token", json=exchange)
    assert replayed.status_code == 401
    assert replayed.json()["code"] == "challenge-replayed"


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"format": "govledger-licence/1"},
        {"format": "something-else"},
        {"format": "govledger-presentation/1", "to_sign": {}, "signature": "00"},
    ],
)
def test_malformed_verification_input_is_a_422_problem(api: Api, body: Any) -> None:
    response = api.post("/v1/verify", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "body",
    [
        licence_body(800, holder_id_number="110105194912310021"),  # wrong check character
        licence_body(800, valid_to="2020-01-01"),  # ends before it starts
        licence_body(800, type_code="lower"),
        licence_body(800, surface={"x": 1.5}),
        {**licence_body(800), "serial": "1"},  # the service assigns serials
    ],
)
def test_invalid_licences_are_refused(api: Api, body: dict[str, Any]) -> None:
    response = api.post("/v1/licences", ISSUER_A, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid-input"


def test_presentation_lifetime_is_bounded(api: Api) -> None:
    issued = api.post("/v1/licences", ISSUER_A, json=licence_body(900)).json()
    wait_anchored(api, ISSUER_A, issued["licence_id"])
    response = api.post(
        f"/v1/holder/licences/{issued['licence_id']}/presentations",
        headers={"Authorization": f"Bearer {issued['holder_token']}"},
        json={"fields": ["nope"], "lifetime_s": 60},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "unknown-field"
    assert TYPE_CODE in issued["licence_id"]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a leaf of a JSON value."""
    if isinstance(value, dict):
        return [path for key, item in value.items() for path in _paths(item, (*prefix, key))]
    if isinstance(value, list):
        return [path for i, item in enumerate(value) for path in _paths(item, (*prefix, i))]
    return [prefix]


def test_no_mutation_of_a_document_gives_a_500(api: Api) -> None:
    (licence_id,) = bulk(api, ISSUER_A, [950])
    document = document_of(api, licence_id)
    replacements: list[Any] = [None, -1, "", "zz", [], {}, True, "00" * 32]
    for index, path in enumerate(_paths(document)):
        mutated = copy.deepcopy(document)
        target = mutated
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = replacements[index % len(replacements)]
        response = api.post("/v1/verify", json=mutated)
        assert response.status_code in {200, 422}, (path, response.text)
        if response.status_code == 200:
            assert not response.json()["ok"], path
