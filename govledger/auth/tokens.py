"""Access tokens: JWTs signed by the service with SM2 (``alg: SM2``), for departments and
holders.

A token that passed is remembered until its own ``exp``, keyed by the token string, so its
signature is checked once. docs/platform.md ("Tokens") has the claims and the checks.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any, cast

import jwt
from jwt.api_jws import PyJWS

from govledger.auth.clock import Clock, utc_now
from govledger.auth.errors import (
    TokenAlgorithmRefused,
    TokenAudienceMismatch,
    TokenExpired,
    TokenInvalid,
    TokenKindMismatch,
)
from govledger.auth.jwt_sm2 import SM2_JWS_ALGORITHM, SM2Algorithm
from govledger.errors import InvalidInput
from govledger.lru import DEFAULT_MAXSIZE, LRUCache
from sm_crypto import SM2PrivateKey

DEPARTMENT_KIND = "department"
# A citizen holding one licence (the licence service issues these; subject = licence id).
HOLDER_KIND = "holder"
RESERVED_CLAIMS = frozenset({"sub", "kind", "iat", "exp", "nbf", "jti", "aud", "iss"})
_REQUIRED_CLAIMS = ["sub", "kind", "iat", "exp", "jti", "aud", "iss"]


@dataclass(frozen=True)
class IssuedToken:
    token: str = field(repr=False)
    token_id: str
    issued_at: datetime
    expires_at: datetime

    @property
    def expires_in(self) -> int:
        """Lifetime in whole seconds, as OAuth's ``expires_in``."""
        return int((self.expires_at - self.issued_at).total_seconds())


@dataclass(frozen=True)
class VerifiedToken:
    """A token that passed every check; ``claims`` holds all of its claims."""

    subject: str
    kind: str
    token_id: str
    issued_at: datetime
    expires_at: datetime
    claims: Mapping[str, Any]

    @property
    def roles(self) -> frozenset[str]:
        roles = self.claims.get("roles", [])
        return frozenset(role for role in roles if isinstance(role, str))

    @property
    def key_version(self) -> int | None:
        """The version of the department's key at sign-in (``key_version``; None if absent)."""
        version = self.claims.get("key_version")
        return version if isinstance(version, int) and not isinstance(version, bool) else None


class _SM2OnlyJWT(jwt.PyJWT):
    """pyjwt's claim checks over a JWS that knows the SM2 algorithm and nothing else."""

    def __init__(self) -> None:
        super().__init__()
        jws = PyJWS(algorithms=[], options=self._get_sig_options())
        jws.register_algorithm(SM2_JWS_ALGORITHM, SM2Algorithm())
        # pyjwt keeps its JWS in this attribute; replacing it keeps registration off the global.
        self._jws = jws


class TokenService:
    """Issues and verifies this service's tokens. The signing key comes from the keystore."""

    def __init__(
        self,
        signing_key: SM2PrivateKey,
        *,
        issuer: str,
        audience: str,
        clock: Clock = utc_now,
        cache_entries: int = DEFAULT_MAXSIZE,
    ) -> None:
        """``cache_entries`` bounds the verified tokens remembered (a few hundred bytes each)."""
        self._signing_key = signing_key
        self._verification_key = signing_key.public_key()
        self.issuer = issuer
        self.audience = audience
        self._clock = clock
        self._jwt = _SM2OnlyJWT()
        self._verified: LRUCache[str, VerifiedToken] = LRUCache(cache_entries)

    def __repr__(self) -> str:
        return f"TokenService(issuer={self.issuer!r}, audience={self.audience!r})"

    def issue(
        self,
        subject: str,
        kind: str,
        claims: Mapping[str, Any] | None,
        lifetime: timedelta,
    ) -> IssuedToken:
        """A token for ``subject`` of ``kind``, valid for ``lifetime`` from now."""
        extra = dict(claims or {})
        if clash := RESERVED_CLAIMS & extra.keys():
            raise InvalidInput(f"claims {sorted(clash)} are set by the token service")
        issued_at = self._clock().astimezone(UTC).replace(microsecond=0)
        expires_at = issued_at + lifetime
        token_id = secrets.token_urlsafe(16)
        payload = {
            **extra,
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "kind": kind,
            "iat": int(issued_at.timestamp()),
            "exp": int(expires_at.timestamp()),
            "jti": token_id,
        }
        # pyjwt's annotations list only its own key types; the SM2 algorithm takes sm_crypto's.
        signing_key = cast("Any", self._signing_key)
        token = self._jwt.encode(payload, signing_key, algorithm=SM2_JWS_ALGORITHM)
        return IssuedToken(token, token_id, issued_at, expires_at)

    def verify(self, token: str, *, kind: str) -> VerifiedToken:
        """Check algorithm, signature, audience, issuer, expiry and kind; refuse on any failure."""
        verified = self._remembered(token)
        # What is remembered is the token's own validity; the kind is the caller's question.
        if verified is None:
            verified = self._decode(token)
            self._check_expiry(verified)
            self._verified.put(token, verified)
        if verified.kind != kind:
            raise TokenKindMismatch(f"a {kind} token is required")
        return verified

    def _remembered(self, token: str) -> VerifiedToken | None:
        """The earlier verification of ``token``, while it has not expired."""
        verified = self._verified.get(token)
        if verified is None:
            return None
        try:
            self._check_expiry(verified)
        except TokenExpired:
            self._verified.pop(token)
            raise
        return verified

    def _check_expiry(self, verified: VerifiedToken) -> None:
        """pyjwt's expiry check (expired once now >= exp, no leeway), where now is the later of
        the wall clock (pyjwt's) and the service's clock: never more lenient than pyjwt."""
        now = max(time.time(), self._clock().timestamp())
        if now >= verified.expires_at.timestamp():
            raise TokenExpired("the access token has expired")

    def _decode(self, token: str) -> VerifiedToken:
        """Every check but the kind, with the signature."""
        try:
            claims = self._jwt.decode(
                token,
                cast("Any", self._verification_key),
                algorithms=[SM2_JWS_ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": _REQUIRED_CLAIMS, "strict_aud": True},
            )
        except jwt.ExpiredSignatureError:
            raise TokenExpired("the access token has expired") from None
        except jwt.InvalidAlgorithmError:
            raise TokenAlgorithmRefused("only SM2-signed tokens are accepted") from None
        except jwt.InvalidAudienceError:
            raise TokenAudienceMismatch("the access token is for another audience") from None
        except jwt.PyJWTError:
            raise TokenInvalid("the access token is not valid") from None
        return VerifiedToken(
            subject=claims["sub"],
            kind=claims["kind"],
            token_id=claims["jti"],
            issued_at=datetime.fromtimestamp(claims["iat"], UTC),
            expires_at=datetime.fromtimestamp(claims["exp"], UTC),
            claims=MappingProxyType(claims),  # shared by every request that shows the token
        )
