"""The platform's one exception hierarchy.

Every error a user can cause or meet derives from :class:`GovLedgerError`. Its class attributes
say how it is shown: ``code`` is a stable machine-readable name (the last part of the problem
``type`` URI in HTTP), ``title`` a short human summary, ``http_status`` the HTTP status, and
``exit_code`` the CLI exit status of its family. Tests assert on ``code``, never on wording.
"""

from __future__ import annotations

from typing import Any, ClassVar

PROBLEM_TYPE_BASE = "https://govledger.example/problems/"


class GovLedgerError(Exception):
    """Root of every error the platform raises on purpose."""

    code: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Internal error"
    http_status: ClassVar[int] = 500
    exit_code: ClassVar[int] = 1

    def __init__(self, detail: str, *, user_message: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.user_message = user_message
        self.extra = extra

    @property
    def problem_type(self) -> str:
        return PROBLEM_TYPE_BASE + self.code

    def to_problem(self, instance: str | None = None) -> dict[str, Any]:
        """Render as an RFC 9457 problem details object."""
        problem: dict[str, Any] = {
            "type": self.problem_type,
            "title": self.title,
            "status": self.http_status,
            "detail": self.user_message or self.detail,
            "code": self.code,
        }
        if instance is not None:
            problem["instance"] = instance
        problem.update(self.extra)
        return problem


class ConfigurationError(GovLedgerError):
    """Settings are missing or inconsistent (e.g. no deployment manifest for the chain)."""

    code = "configuration-error"
    title = "Configuration error"
    http_status = 500
    exit_code = 2


class InvalidInput(GovLedgerError):
    """The caller's input is malformed or violates a rule."""

    code = "invalid-input"
    title = "Invalid input"
    http_status = 422
    exit_code = 3


class JSONTooDeep(InvalidInput):
    """A JSON document nests arrays and objects deeper than anything the platform reads."""

    code = "json-too-deep"
    title = "JSON nested too deeply"


class BodyTooLarge(GovLedgerError):
    """A request body is larger than the route accepts; refused before it is read."""

    code = "body-too-large"
    title = "Request body too large"
    http_status = 413
    exit_code = 3


class NotFound(GovLedgerError):
    """The thing asked for does not exist."""

    code = "not-found"
    title = "Not found"
    http_status = 404
    exit_code = 4


class Conflict(GovLedgerError):
    """The request conflicts with the current state (e.g. it already exists)."""

    code = "conflict"
    title = "Conflict"
    http_status = 409
    exit_code = 5


class Unauthenticated(GovLedgerError):
    """The caller did not prove who it is (missing, bad, expired or replayed credentials)."""

    code = "unauthenticated"
    title = "Authentication required"
    http_status = 401
    exit_code = 6


class Forbidden(GovLedgerError):
    """The caller is known but not allowed to do this."""

    code = "forbidden"
    title = "Forbidden"
    http_status = 403
    exit_code = 6


class VerificationFailed(GovLedgerError):
    """A signature, proof or hash did not verify."""

    code = "verification-failed"
    title = "Verification failed"
    http_status = 422
    exit_code = 7


class ChainUnavailable(GovLedgerError):
    """The ledger backend could not be reached or failed."""

    code = "chain-unavailable"
    title = "Ledger unavailable"
    http_status = 503
    exit_code = 8


class ChainRejected(GovLedgerError):
    """A contract refused the call; ``error`` names its custom error and the arguments."""

    code = "chain-rejected"
    title = "Rejected by the ledger"
    http_status = 409
    exit_code = 9


# Library errors become platform errors through this one table, most specific class first.
def _library_error_table() -> list[tuple[type[BaseException], type[GovLedgerError]]]:
    import pydantic  # noqa: PLC0415

    import ledger.contracts.values as lcontracts  # noqa: PLC0415
    import ledger.exceptions as lex  # noqa: PLC0415
    import ledger.merkle as lmerkle  # noqa: PLC0415
    import sm_crypto.exceptions as smx  # noqa: PLC0415

    return [
        (smx.InvalidSignature, VerificationFailed),
        (smx.InvalidTag, VerificationFailed),
        (smx.DecryptionFailed, VerificationFailed),
        (smx.InvalidKey, InvalidInput),
        (smx.CryptoBackendUnavailable, ConfigurationError),
        (smx.SMCryptoError, InvalidInput),
        # Out of gas is the gas limit the server chose, not the caller's request.
        (lex.OutOfGas, ChainUnavailable),
        (lex.ContractRevert, ChainRejected),
        (lcontracts.InvalidArgument, InvalidInput),
        (lmerkle.InvalidProof, VerificationFailed),
        (lmerkle.MerkleError, InvalidInput),
        (lex.DeploymentError, ConfigurationError),
        (lex.BackendUnavailable, ChainUnavailable),
        (lex.LedgerError, ChainUnavailable),
        (pydantic.ValidationError, InvalidInput),
    ]


def as_govledger_error(exc: BaseException) -> GovLedgerError | None:
    """Return ``exc`` as a platform error, or None when it is unexpected (a bug: HTTP 500)."""
    if isinstance(exc, GovLedgerError):
        return exc
    from govledger.contract_errors import rejection_class  # noqa: PLC0415
    from ledger.exceptions import ContractCustomError  # noqa: PLC0415

    platform_type = next(
        (platform for library, platform in _library_error_table() if isinstance(exc, library)),
        None,
    )
    if platform_type is None:
        return None
    extra: dict[str, Any] = {}
    if platform_type is ChainRejected:
        # A contract's custom error (name and arguments) is useful to the caller: pass it on,
        # as the problem type the contract error table gives it.
        extra["error"] = str(exc)
        if isinstance(exc, ContractCustomError):
            platform_type = rejection_class(exc.name)
    error = platform_type(str(exc), **extra)
    error.__cause__ = exc
    return error


def mapped_error_types() -> tuple[type[BaseException], ...]:
    """Every exception type :func:`as_govledger_error` maps: an HTTP app handles these, no more."""
    return (GovLedgerError, *(library_type for library_type, _ in _library_error_table()))
