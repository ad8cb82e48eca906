"""SM2-signed JWTs: what a token holds, that its signature is standard SM2, and every refusal."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from jwt.api_jws import PyJWS
from jwt.exceptions import InvalidKeyError

from govledger.auth.jwt_sm2 import SM2Algorithm, der_to_raw, raw_to_der
from govledger.auth.tokens import DEPARTMENT_KIND, TokenService
from govledger.errors import GovLedgerError, InvalidInput
from sm_crypto import SM2PrivateKey, SM2PublicKey

ISSUER = "govledger"
AUDIENCE = "govledger-test"
LIFETIME = timedelta(minutes=5)


def b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def service_key() -> SM2PrivateKey:
    return SM2PrivateKey.generate()


@pytest.fixture(scope="module")
def tokens(service_key: SM2PrivateKey) -> TokenService:
    return TokenService(service_key, issuer=ISSUER, audience=AUDIENCE)


def department_token(service: TokenService) -> str:
    return service.issue("D-ISSUER", DEPARTMENT_KIND, {"roles": ["ISSUER"]}, LIFETIME).token


def test_a_department_token_is_an_sm2_jwt_with_every_claim(tokens: TokenService) -> None:
    issued = tokens.issue("D-ISSUER", DEPARTMENT_KIND, {"roles": ["ISSUER"]}, LIFETIME)
    header, payload, signature = issued.token.split(".")
    assert json.loads(b64url_decode(header)) == {"alg": "SM2", "typ": "JWT"}
    assert len(b64url_decode(signature)) == 64  # r || s
    claims = json.loads(b64url_decode(payload))
    assert set(claims) == {"iss", "aud", "sub", "kind", "iat", "exp", "jti", "roles"}
    assert claims["exp"] - claims["iat"] == issued.expires_in == 300

    verified = tokens.verify(issued.token, kind=DEPARTMENT_KIND)
    assert verified.subject == "D-ISSUER"
    assert verified.roles == {"ISSUER"}
    assert verified.token_id == issued.token_id == claims["jti"]
    assert issued.token not in repr(issued)


@pytest.mark.openssl_cli
def test_the_token_signature_verifies_with_the_openssl_cli(
    tokens: TokenService, service_key: SM2PrivateKey, tmp_path: Path
) -> None:
    if shutil.which("openssl") is None:
        pytest.fail("the openssl command line tool is not installed")
    header, payload, signature = department_token(tokens).split(".")
    (tmp_path / "service.pem").write_bytes(service_key.public_key().to_pem())
    (tmp_path / "signature.der").write_bytes(raw_to_der(b64url_decode(signature)))

    def openssl_verifies(signing_input: bytes) -> bool:
        (tmp_path / "input").write_bytes(signing_input)
        result = subprocess.run(
            ["openssl", "pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pubin", "-inkey",
             tmp_path / "service.pem", "-sigfile", tmp_path / "signature.der", "-in",
             tmp_path / "input", "-pkeyopt", "distid:1234567812345678"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        return result.returncode == 0 and "Verified Successfully" in result.stdout

    assert openssl_verifies(f"{header}.{payload}".encode())
    assert not openssl_verifies(f"{header}.{payload}x".encode())


def tampered(tokens: TokenService, key: SM2PrivateKey) -> str:
    header, payload, signature = department_token(tokens).split(".")
    claims = json.loads(b64url_decode(payload))
    claims["roles"] = ["ISSUER", "ADMIN"]
    return f"{header}.{b64url_encode(json.dumps(claims).encode())}.{signature}"


def signed_by_another_key(tokens: TokenService, key: SM2PrivateKey) -> str:
    return department_token(
        TokenService(SM2PrivateKey.generate(), issuer=ISSUER, audience=AUDIENCE)
    )


def from_another_issuer(tokens: TokenService, key: SM2PrivateKey) -> str:
    return department_token(TokenService(key, issuer="elsewhere", audience=AUDIENCE))


def without_jti(tokens: TokenService, key: SM2PrivateKey) -> str:
    now = int(datetime.now(UTC).timestamp())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "D-ISSUER", "kind": DEPARTMENT_KIND}
    claims |= {"iat": now, "exp": now + 300}
    jws = PyJWS(algorithms=[])
    jws.register_algorithm("SM2", SM2Algorithm())
    return jws.encode(json.dumps(claims).encode(), key, algorithm="SM2")


def garbage(tokens: TokenService, key: SM2PrivateKey) -> str:
    return "not.a.jwt"


def unsigned(tokens: TokenService, key: SM2PrivateKey) -> str:
    payload = department_token(tokens).split(".")[1]
    return f"{b64url_encode(json.dumps({'alg': 'none', 'typ': 'JWT'}).encode())}.{payload}."


def hmac_keyed_with_the_public_key(tokens: TokenService, key: SM2PrivateKey) -> str:
    # Algorithm confusion: HS256 with the (public) verification key as the HMAC secret.
    claims = json.loads(b64url_decode(department_token(tokens).split(".")[1]))
    return jwt.encode(claims, key.public_key().to_bytes(), algorithm="HS256")


def for_another_audience(tokens: TokenService, key: SM2PrivateKey) -> str:
    return department_token(TokenService(key, issuer=ISSUER, audience="elsewhere"))


def expired(tokens: TokenService, key: SM2PrivateKey) -> str:
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    past = TokenService(key, issuer=ISSUER, audience=AUDIENCE, clock=lambda: an_hour_ago)
    return department_token(past)


def holder_token(tokens: TokenService, key: SM2PrivateKey) -> str:
    return tokens.issue("110101199001011234", "holder", None, LIFETIME).token


BadToken = Callable[[TokenService, SM2PrivateKey], str]


@pytest.mark.parametrize(
    ("make_token", "code"),
    [
        (tampered, "token-invalid"),
        (signed_by_another_key, "token-invalid"),
        (from_another_issuer, "token-invalid"),
        (without_jti, "token-invalid"),
        (garbage, "token-invalid"),
        (unsigned, "token-algorithm-refused"),
        (hmac_keyed_with_the_public_key, "token-algorithm-refused"),
        (for_another_audience, "token-audience-mismatch"),
        (expired, "token-expired"),
        (holder_token, "token-kind-mismatch"),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_bad_tokens_are_refused_with_their_code(
    tokens: TokenService, service_key: SM2PrivateKey, make_token: BadToken, code: str
) -> None:
    token = make_token(tokens, service_key)
    with pytest.raises(GovLedgerError) as refusal:
        tokens.verify(token, kind=DEPARTMENT_KIND)
    assert refusal.value.code == code
    assert refusal.value.http_status == 401


def test_reserved_claims_cannot_be_overridden(tokens: TokenService) -> None:
    with pytest.raises(InvalidInput):
        tokens.issue("D-ISSUER", DEPARTMENT_KIND, {"aud": "elsewhere"}, LIFETIME)


def test_the_sm2_algorithm_takes_only_sm2_key_objects(service_key: SM2PrivateKey) -> None:
    algorithm = SM2Algorithm()
    for not_a_key in ["secret", b"secret", service_key.public_key().to_pem()]:
        with pytest.raises(InvalidKeyError):
            algorithm.prepare_key(not_a_key)
    with pytest.raises(InvalidKeyError):
        algorithm.sign(b"message", service_key.public_key())

    signature = algorithm.sign(b"message", service_key)
    assert der_to_raw(raw_to_der(signature)) == signature
    assert algorithm.verify(b"message", service_key.public_key(), signature)
    assert not algorithm.verify(b"massage", service_key.public_key(), signature)
    assert not algorithm.verify(b"message", service_key.public_key(), signature[:-1])


# -- verified tokens are remembered until they expire ----------------------------------------


@pytest.fixture
def signature_checks(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The signatures SM2Algorithm.verify is asked to check, in order."""
    checked: list[bytes] = []
    genuine = SM2Algorithm.verify

    def counting(
        algorithm: SM2Algorithm, msg: bytes, key: SM2PrivateKey | SM2PublicKey, sig: bytes
    ) -> bool:
        checked.append(sig)
        return genuine(algorithm, msg, key, sig)

    monkeypatch.setattr(SM2Algorithm, "verify", counting)
    return checked


class MovableClock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def test_a_verified_token_is_checked_once_and_an_altered_one_still_refused(
    service_key: SM2PrivateKey, signature_checks: list[bytes]
) -> None:
    service = TokenService(service_key, issuer=ISSUER, audience=AUDIENCE)
    token = department_token(service)
    for _ in range(3):
        assert service.verify(token, kind=DEPARTMENT_KIND).roles == {"ISSUER"}
    assert len(signature_checks) == 1

    header, payload, signature = token.split(".")
    claims = json.loads(b64url_decode(payload))
    claims["roles"] = ["ISSUER", "ADMIN"]
    altered = f"{header}.{b64url_encode(json.dumps(claims).encode())}.{signature}"
    for _ in range(2):  # a refused token is never remembered: checked again, refused again
        with pytest.raises(GovLedgerError) as refusal:
            service.verify(altered, kind=DEPARTMENT_KIND)
        assert refusal.value.code == "token-invalid"
    assert len(signature_checks) == 3

    with pytest.raises(GovLedgerError) as refusal:  # the kind is asked of a remembered one too
        service.verify(token, kind="holder")
    assert refusal.value.code == "token-kind-mismatch"


def test_a_flood_of_valid_tokens_keeps_the_remembered_ones_within_the_bound(
    service_key: SM2PrivateKey, signature_checks: list[bytes]
) -> None:
    service = TokenService(service_key, issuer=ISSUER, audience=AUDIENCE, cache_entries=8)
    tokens = [department_token(service) for _ in range(30)]
    for token in tokens:
        service.verify(token, kind=DEPARTMENT_KIND)
    assert len(service._verified) == 8
    service.verify(tokens[0], kind=DEPARTMENT_KIND)  # forgotten: its signature checked again
    service.verify(tokens[-1], kind=DEPARTMENT_KIND)  # still remembered
    assert len(signature_checks) == 31


def test_a_remembered_token_is_refused_once_it_expires(service_key: SM2PrivateKey) -> None:
    clock = MovableClock()
    service = TokenService(service_key, issuer=ISSUER, audience=AUDIENCE, clock=clock)
    token = department_token(service)
    service.verify(token, kind=DEPARTMENT_KIND)

    clock.now += LIFETIME  # exp itself is already past
    for _ in range(2):
        with pytest.raises(GovLedgerError) as refusal:
            service.verify(token, kind=DEPARTMENT_KIND)
        assert refusal.value.code == "token-expired"
