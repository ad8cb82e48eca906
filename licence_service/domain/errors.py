"""The licence domain's errors.

Every one is a :class:`govledger.errors.InvalidInput` (HTTP 422, CLI exit 3) and also a
``ValueError``, so that pydantic validators can raise them directly and report their message.
A bad *licence* is not an error: :func:`licence_service.domain.verify.verify` reports it.
"""

from __future__ import annotations

from govledger.errors import InvalidInput


class LicenceInputError(InvalidInput, ValueError):
    """Root of the licence domain's errors: the input breaks a rule of the domain."""

    code = "invalid-licence-input"
    title = "Invalid licence input"


class InvalidIdentifier(LicenceInputError):
    """A licence identifier, unified social credit code or resident ID number is malformed or
    fails its check character."""

    code = "invalid-identifier"
    title = "Invalid identifier"


class NotCanonicalisable(LicenceInputError):
    """A value cannot be put in canonical JSON (a float, a non-string key, a lone surrogate...)."""

    code = "not-canonicalisable"
    title = "Value has no canonical encoding"


class SealMismatch(LicenceInputError):
    """A seal cannot be applied as asked: the signing key is not one of its holders, or the
    signing time is outside its validity period."""

    code = "seal-mismatch"
    title = "Seal cannot be applied"


class UnknownField(LicenceInputError):
    """A presentation asked to reveal a field the licence does not have."""

    code = "unknown-field"
    title = "Unknown licence field"


class NotALicence(LicenceInputError):
    """The input given to the verifier is neither a licence document nor a presentation."""

    code = "not-a-licence"
    title = "Not a licence or presentation"
