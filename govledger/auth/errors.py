"""Sign-in refusals. Each has its own stable ``code``; all are 401 except a missing role (403).

A refusal says what was wrong with the request, never anything secret: a signature by a foreign
key and a signature over another message cannot be told apart, so both are ``signature-invalid``.
"""

from __future__ import annotations

from govledger.errors import Forbidden, Unauthenticated


class ChallengeUnknown(Unauthenticated):
    """No challenge has this id (never issued, or purged long after it expired)."""

    code = "challenge-unknown"
    title = "Unknown sign-in challenge"


class ChallengeExpired(Unauthenticated):
    """The challenge's lifetime is over; ask for a new one."""

    code = "challenge-expired"
    title = "Sign-in challenge expired"


class ChallengeReplayed(Unauthenticated):
    """The challenge was already exchanged for a token: each challenge is good for one token."""

    code = "challenge-replayed"
    title = "Sign-in challenge already used"


class SignatureMalformed(Unauthenticated):
    """The signature is not hex-encoded DER ``SEQUENCE { INTEGER r, INTEGER s }``."""

    code = "signature-malformed"
    title = "Malformed signature"


class SignatureInvalid(Unauthenticated):
    """The signature does not verify under the department's registered key over the message."""

    code = "signature-invalid"
    title = "Invalid signature"


class DepartmentUnknown(Unauthenticated):
    """The department code is not in the department directory (the registry on the chain)."""

    code = "department-unknown"
    title = "Unknown department"


class DepartmentSuspended(Unauthenticated):
    """The department is registered but not active."""

    code = "department-suspended"
    title = "Department suspended"


class TokenMissing(Unauthenticated):
    """No ``Authorization: Bearer`` token came with the request."""

    code = "token-missing"
    title = "Access token required"


class TokenExpired(Unauthenticated):
    """The access token's ``exp`` has passed."""

    code = "token-expired"
    title = "Access token expired"


class TokenInvalid(Unauthenticated):
    """The token is malformed, altered, signed by another key, or lacks a required claim."""

    code = "token-invalid"
    title = "Invalid access token"


class TokenAlgorithmRefused(Unauthenticated):
    """The token's ``alg`` is not SM2 (e.g. ``none`` or ``HS256``: algorithm confusion)."""

    code = "token-algorithm-refused"
    title = "Token algorithm refused"


class TokenAudienceMismatch(Unauthenticated):
    """The token was issued for another audience (another service)."""

    code = "token-audience-mismatch"
    title = "Token audience mismatch"


class TokenKindMismatch(Unauthenticated):
    """The token is of another kind than the endpoint accepts (e.g. a holder token)."""

    code = "token-kind-mismatch"
    title = "Token kind mismatch"


class TokenKeyRotated(Unauthenticated):
    """The department's key changed (or the token names none) since the token was issued: the
    token was proven with a key no longer in force, so it takes a new sign-in."""

    code = "token-key-rotated"
    title = "Department key rotated since sign-in"


class RoleMissing(Forbidden):
    """The signed-in department lacks the role the operation needs."""

    code = "role-missing"
    title = "Role missing"
