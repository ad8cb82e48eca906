"""The sign-in flow: a department proves possession of the SM2 key the registry holds for it.

1. ``start``: the department names itself and gets a challenge (nonce, expiry, message to sign).
2. ``finish``: it returns the challenge id with its SM2 signature over the message; if the
   signature verifies under its registered key, the challenge is consumed (once, atomically)
   and a department token is issued with the roles the registry gives it and the version of
   the key that signed in (each request checks both against the registry again).

Every refusal is a typed error and changes nothing: a challenge is consumed only on success.
"""

from __future__ import annotations

import binascii
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from govledger.auth.challenges import Challenge, ChallengeStore, signin_message
from govledger.auth.clock import Clock, utc_now
from govledger.auth.directory import DepartmentDirectory, DepartmentRecord, check_department_code
from govledger.auth.errors import (
    ChallengeExpired,
    ChallengeReplayed,
    ChallengeUnknown,
    DepartmentSuspended,
    DepartmentUnknown,
    SignatureInvalid,
    SignatureMalformed,
)
from govledger.auth.tokens import DEPARTMENT_KIND, IssuedToken, TokenService
from govledger.errors import ConfigurationError
from sm_crypto import InvalidSignature, SM2PrivateKey, SM2PublicKey, SMCryptoError

# Expired challenges are kept this long so that a late or replayed attempt is told why it failed.
CHALLENGE_RETENTION = timedelta(hours=1)


@dataclass(frozen=True)
class SignInPolicy:
    challenge_lifetime: timedelta
    token_lifetime: timedelta


def parse_signature(text: str) -> bytes:
    """Hex-encoded DER ``SEQUENCE { INTEGER r, INTEGER s }``, canonical, to DER bytes."""
    try:
        der = bytes.fromhex(text)
        r, s = decode_dss_signature(der)
    except (ValueError, binascii.Error):
        raise SignatureMalformed("signature must be hex-encoded DER (r, s)") from None
    if encode_dss_signature(r, s) != der:
        raise SignatureMalformed("signature DER is not canonical")
    return der


def sign_challenge(message: str, key: SM2PrivateKey) -> str:
    """What a department does with the challenge's message: hex of the DER SM2 signature."""
    return key.sign(message.encode("utf-8")).hex()


class SignInService:
    """The two sign-in steps over a challenge store, the department directory and the tokens."""

    def __init__(
        self,
        *,
        store: ChallengeStore,
        directory: DepartmentDirectory,
        tokens: TokenService,
        policy: SignInPolicy,
        clock: Clock = utc_now,
    ) -> None:
        self._store = store
        self._directory = directory
        self._tokens = tokens
        self._policy = policy
        self._clock = clock

    def start(self, department_code: str) -> Challenge:
        self._active_department(check_department_code(department_code))
        now = self._clock()
        self._store.purge_expired(now - CHALLENGE_RETENTION)
        expires_at = (now + self._policy.challenge_lifetime).replace(microsecond=0)
        challenge_id = secrets.token_urlsafe(24)
        nonce = secrets.token_hex(32)
        challenge = Challenge(
            challenge_id=challenge_id,
            department_code=department_code,
            nonce=nonce,
            message=signin_message(
                audience=self._tokens.audience,
                department_code=department_code,
                challenge_id=challenge_id,
                nonce=nonce,
                expires_at=expires_at,
            ),
            issued_at=now,
            expires_at=expires_at,
        )
        self._store.add(challenge)
        return challenge

    def finish(self, challenge_id: str, signature: str) -> IssuedToken:
        challenge = self._store.get(challenge_id)
        now = self._clock()
        if challenge is None:
            raise ChallengeUnknown("no such sign-in challenge")
        self._refuse_if_spent(challenge, now)
        department = self._active_department(challenge.department_code)
        der = parse_signature(signature)
        try:
            public_key = SM2PublicKey.from_bytes(department.sm2_public_key)
        except SMCryptoError as exc:
            raise ConfigurationError(
                f"the registry holds an unusable SM2 key for {department.code}"
            ) from exc
        try:
            public_key.verify(der, challenge.message.encode("utf-8"))
        except InvalidSignature:
            raise SignatureInvalid("the signature does not verify") from None
        if not self._store.consume(challenge_id, now):
            # Someone else won the race, or time ran out meanwhile: say which, as above.
            spent = self._store.get(challenge_id)
            if spent is None:
                raise ChallengeUnknown("no such sign-in challenge")
            self._refuse_if_spent(spent, now)
            raise ChallengeReplayed("the challenge was already used")
        return self._tokens.issue(
            department.code,
            DEPARTMENT_KIND,
            {"roles": sorted(department.roles), "key_version": department.key_version},
            self._policy.token_lifetime,
        )

    def _active_department(self, code: str) -> DepartmentRecord:
        department = self._directory.get(code)
        if department is None:
            raise DepartmentUnknown(f"department {code} is not registered")
        if not department.active:
            raise DepartmentSuspended(f"department {code} is suspended")
        return department

    @staticmethod
    def _refuse_if_spent(challenge: Challenge, now: datetime) -> None:
        if challenge.consumed_at is not None:
            raise ChallengeReplayed("the challenge was already used")
        if challenge.expires_at <= now:
            raise ChallengeExpired("the challenge has expired")
