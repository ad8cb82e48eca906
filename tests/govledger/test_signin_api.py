"""Sign-in over real HTTP (FastAPI TestClient), a real database (SQLite and PostgreSQL), real SM2.

Each refusal is checked with the bad input itself, for its status, its problem ``code``, and that
nothing changed (the challenge is still unused, no token was issued).
"""

from __future__ import annotations

import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from httpx import Response

from govledger.auth.challenges import format_timestamp
from govledger.auth.directory import DepartmentRecord
from govledger.auth.signin import sign_challenge
from sm_crypto import SM2PrivateKey
from tests.govledger.conftest import AUDIENCE, ISSUER_DEPARTMENT, PLAIN_DEPARTMENT, SignInWorld

PROBLEM = "application/problem+json"


def assert_refused(response: Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["code"] == code
    assert problem["status"] == status
    assert problem["type"].endswith("/" + code)
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"


def test_a_department_signs_in_and_uses_its_token(world: SignInWorld) -> None:
    before = world.clock()
    challenge = world.challenge(ISSUER_DEPARTMENT)
    after = world.clock()
    expires_at = datetime.fromisoformat(challenge["expires_at"])
    assert challenge["message"].split("\n") == [
        "govledger-signin-v1",
        f"audience: {AUDIENCE}",
        f"department: {ISSUER_DEPARTMENT}",
        f"challenge: {challenge['challenge_id']}",
        f"nonce: {challenge['nonce']}",
        f"expires: {format_timestamp(expires_at)}",
    ]
    # 120 s from the request, rounded down to whole seconds.
    assert before + timedelta(seconds=119) < expires_at <= after + timedelta(seconds=120)

    signature = sign_challenge(challenge["message"], world.department_keys[ISSUER_DEPARTMENT])
    response = world.exchange(challenge["challenge_id"], signature)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    bearer = {"Authorization": f"Bearer {body['access_token']}"}

    me = world.client.get("/probe/me", headers=bearer)
    assert me.json() == {"code": ISSUER_DEPARTMENT, "roles": ["ISSUER"]}
    assert world.client.get("/probe/issuer-only", headers=bearer).status_code == 200
    assert [consumed is not None for _, consumed in world.challenge_rows()] == [True]


def test_a_replayed_challenge_is_refused(world: SignInWorld) -> None:
    challenge = world.challenge(ISSUER_DEPARTMENT)
    signature = sign_challenge(challenge["message"], world.department_keys[ISSUER_DEPARTMENT])
    assert world.exchange(challenge["challenge_id"], signature).status_code == 200
    assert_refused(world.exchange(challenge["challenge_id"], signature), 401, "challenge-replayed")


def test_concurrent_replays_get_exactly_one_token(world: SignInWorld) -> None:
    challenge = world.challenge(ISSUER_DEPARTMENT)
    signature = sign_challenge(challenge["message"], world.department_keys[ISSUER_DEPARTMENT])
    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(
            pool.map(lambda _: world.exchange(challenge["challenge_id"], signature), range(8))
        )
    assert sorted(response.status_code for response in responses) == [200] + [401] * 7
    for response in responses:
        if response.status_code == 401:
            assert_refused(response, 401, "challenge-replayed")


def test_an_unknown_challenge_is_refused(world: SignInWorld) -> None:
    signature = sign_challenge("anything", world.department_keys[ISSUER_DEPARTMENT])
    assert_refused(world.exchange("no-such-challenge", signature), 401, "challenge-unknown")


def test_an_expired_challenge_is_refused_and_stays_unused(world: SignInWorld) -> None:
    challenge = world.challenge(ISSUER_DEPARTMENT)
    signature = sign_challenge(challenge["message"], world.department_keys[ISSUER_DEPARTMENT])
    world.clock.offset = timedelta(seconds=121)
    assert_refused(world.exchange(challenge["challenge_id"], signature), 401, "challenge-expired")
    assert world.challenge_rows() == [(challenge["challenge_id"], None)]


def test_a_signature_by_a_foreign_key_is_refused_and_changes_nothing(world: SignInWorld) -> None:
    challenge = world.challenge(ISSUER_DEPARTMENT)
    forged = sign_challenge(challenge["message"], SM2PrivateKey.generate())
    assert_refused(world.exchange(challenge["challenge_id"], forged), 401, "signature-invalid")
    assert world.challenge_rows() == [(challenge["challenge_id"], None)]
    # The refusal spent nothing: the department's own signature still works.
    genuine = sign_challenge(challenge["message"], world.department_keys[ISSUER_DEPARTMENT])
    assert world.exchange(challenge["challenge_id"], genuine).status_code == 200


def test_a_signature_over_another_message_is_refused(world: SignInWorld) -> None:
    first = world.challenge(ISSUER_DEPARTMENT)
    second = world.challenge(ISSUER_DEPARTMENT)
    key = world.department_keys[ISSUER_DEPARTMENT]
    # A valid signature, but over the other challenge's message (and over a look-alike one).
    other = sign_challenge(second["message"], key)
    assert_refused(world.exchange(first["challenge_id"], other), 401, "signature-invalid")
    edited = sign_challenge(first["message"].replace(AUDIENCE, "other-service"), key)
    assert_refused(world.exchange(first["challenge_id"], edited), 401, "signature-invalid")
    assert all(consumed is None for _, consumed in world.challenge_rows())


@pytest.mark.parametrize(
    "signature",
    [
        "zz" * 70,  # not hex
        "abc",  # odd length
        "3006020101020101"[:-2],  # truncated DER: s has no content
        "3006020101020101" + "00",  # a byte after the SEQUENCE
        "30080202000102020001",  # r and s with a needless leading zero (non-canonical DER)
        "3006020101020101".replace("30", "31", 1),  # a SET, not a SEQUENCE
    ],
)
def test_a_malformed_signature_is_refused(world: SignInWorld, signature: str) -> None:
    challenge = world.challenge(ISSUER_DEPARTMENT)
    response = world.exchange(challenge["challenge_id"], signature)
    assert_refused(response, 401, "signature-malformed")
    assert world.challenge_rows() == [(challenge["challenge_id"], None)]


def test_an_unknown_department_gets_no_challenge(world: SignInWorld) -> None:
    response = world.client.post("/v1/auth/challenge", json={"department_code": "D-NOBODY"})
    assert_refused(response, 401, "department-unknown")
    assert world.challenge_rows() == []


def test_a_suspended_department_is_refused_at_every_step(world: SignInWorld) -> None:
    token = world.sign_in(ISSUER_DEPARTMENT)
    challenge = world.challenge(ISSUER_DEPARTMENT)
    signature = sign_challenge(challenge["message"], world.department_keys[ISSUER_DEPARTMENT])

    record = world.directory.get(ISSUER_DEPARTMENT)
    assert record is not None
    world.directory.put(replace(record, active=False))

    response = world.client.post("/v1/auth/challenge", json={"department_code": ISSUER_DEPARTMENT})
    assert_refused(response, 401, "department-suspended")
    assert_refused(
        world.exchange(challenge["challenge_id"], signature), 401, "department-suspended"
    )
    assert_refused(
        world.client.get("/probe/me", headers={"Authorization": f"Bearer {token}"}),
        401,
        "department-suspended",
    )
    assert sum(consumed is None for _, consumed in world.challenge_rows()) == 1


def test_a_department_removed_after_its_challenge_is_refused(world: SignInWorld) -> None:
    challenge = world.challenge(PLAIN_DEPARTMENT)
    signature = sign_challenge(challenge["message"], world.department_keys[PLAIN_DEPARTMENT])
    world.directory.remove(PLAIN_DEPARTMENT)
    assert_refused(world.exchange(challenge["challenge_id"], signature), 401, "department-unknown")


def test_a_missing_role_is_forbidden(world: SignInWorld) -> None:
    token = world.sign_in(PLAIN_DEPARTMENT)
    response = world.client.get("/probe/issuer-only", headers={"Authorization": f"Bearer {token}"})
    assert_refused(response, 403, "role-missing")


def test_a_role_revoked_after_sign_in_stops_the_token_at_the_next_request(
    world: SignInWorld,
) -> None:
    token = world.sign_in(ISSUER_DEPARTMENT)
    bearer = {"Authorization": f"Bearer {token}"}
    assert world.client.get("/probe/issuer-only", headers=bearer).status_code == 200
    record = world.directory.get(ISSUER_DEPARTMENT)
    assert record is not None
    world.directory.put(replace(record, roles=frozenset()))
    assert_refused(world.client.get("/probe/issuer-only", headers=bearer), 403, "role-missing")
    assert world.client.get("/probe/me", headers=bearer).json()["roles"] == []
    # A role granted after sign-in is not in the token: it takes a new sign-in.
    world.directory.put(replace(record, roles=frozenset({"ISSUER", "AUDITOR"})))
    assert world.client.get("/probe/me", headers=bearer).json()["roles"] == ["ISSUER"]


def test_a_key_rotated_after_sign_in_stops_the_token_at_the_next_request(
    world: SignInWorld,
) -> None:
    token = world.sign_in(ISSUER_DEPARTMENT)
    claims = world.client.app.state.platform.tokens.verify(token, kind="department").claims
    assert claims["key_version"] == 1
    record = world.directory.get(ISSUER_DEPARTMENT)
    assert record is not None
    new_key = SM2PrivateKey.generate()
    world.directory.put(
        replace(record, sm2_public_key=new_key.public_key().to_bytes(), key_version=2)
    )
    response = world.client.get("/probe/me", headers={"Authorization": f"Bearer {token}"})
    assert_refused(response, 401, "token-key-rotated")
    old_key, world.department_keys[ISSUER_DEPARTMENT] = (
        world.department_keys[ISSUER_DEPARTMENT],
        new_key,
    )
    try:
        renewed = world.sign_in(ISSUER_DEPARTMENT)  # a new sign-in, with the new key
    finally:
        world.department_keys[ISSUER_DEPARTMENT] = old_key
    assert world.client.get("/probe/me", headers={"Authorization": f"Bearer {renewed}"}).json() == {
        "code": ISSUER_DEPARTMENT,
        "roles": ["ISSUER"],
    }


def test_requests_without_a_usable_token_are_refused(world: SignInWorld) -> None:
    assert_refused(world.client.get("/probe/me"), 401, "token-missing")
    assert_refused(
        world.client.get("/probe/me", headers={"Authorization": "Basic dXNlcjpwYXNz"}),
        401,
        "token-missing",
    )
    token = world.sign_in(ISSUER_DEPARTMENT)
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload[:-2]}{'A' if payload[-2] != 'A' else 'B'}{payload[-1]}.{signature}"
    assert_refused(
        world.client.get("/probe/me", headers={"Authorization": f"Bearer {forged}"}),
        401,
        "token-invalid",
    )


def test_an_expired_token_is_refused(world: SignInWorld) -> None:
    world.clock.offset = -timedelta(hours=1)  # signed in an hour ago, for 15 minutes
    token = world.sign_in(ISSUER_DEPARTMENT)
    world.clock.offset = timedelta(0)
    response = world.client.get("/probe/me", headers={"Authorization": f"Bearer {token}"})
    assert_refused(response, 401, "token-expired")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"department_code": "D-ISSUER\naudience: other"},  # would forge a line of the message
        {"department_code": "D-ISSUER", "extra": 1},
    ],
)
def test_invalid_challenge_requests_are_422_problems(world: SignInWorld, body: object) -> None:
    response = world.client.post("/v1/auth/challenge", json=body)
    assert_refused(response, 422, "invalid-input")
    assert response.json()["errors"]
    assert world.challenge_rows() == []


@pytest.mark.openssl_cli
def test_a_department_signing_with_the_openssl_cli_signs_in(
    world: SignInWorld, tmp_path: Path
) -> None:
    """The documented message and signature format work with a standard SM2 tool."""
    if shutil.which("openssl") is None:
        pytest.fail("the openssl command line tool is not installed")
    key_file = tmp_path / "department.pem"
    subprocess.run(["openssl", "genpkey", "-algorithm", "SM2", "-out", key_file], check=True)
    public_key = SM2PrivateKey.from_pem(key_file.read_bytes()).public_key().to_bytes()
    world.directory.put(
        DepartmentRecord("D-CLI", "Department D-CLI", public_key, frozenset({"ISSUER"}), True, 1)
    )
    challenge = world.challenge("D-CLI")
    (tmp_path / "message").write_text(challenge["message"], encoding="utf-8")
    signature = subprocess.run(
        ["openssl", "pkeyutl", "-sign", "-rawin", "-digest", "sm3", "-inkey", key_file,
         "-in", tmp_path / "message", "-pkeyopt", "distid:1234567812345678"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    response = world.exchange(challenge["challenge_id"], signature.hex())
    assert response.status_code == 200, response.text
