"""The gateway's refusals, each with a stable ``code`` (tests and clients match on it).

Release refusals derive from :class:`ReleaseRefused`; the gateway logs every one of them in the
access log before it answers, and releases nothing.
"""

from __future__ import annotations

from govledger.errors import Conflict, Forbidden, GovLedgerError, InvalidInput, NotFound


class ReleaseRefused(GovLedgerError):
    """A release check failed (see docs/sharing-gateway.md, "Release checks")."""

    code = "release-refused"
    title = "Release refused"
    http_status = 403
    exit_code = 6


class WrongCaller(ReleaseRefused):
    """The caller is not the department the grant was given to."""

    code = "release-wrong-caller"
    title = "Not the grant's requester"


class NoGrant(ReleaseRefused):
    """No grant with this id exists on chain for this dataset."""

    code = "release-no-grant"
    title = "No such grant"
    http_status = 404


class GrantPending(ReleaseRefused):
    code = "release-grant-pending"
    title = "Request not yet approved"


class GrantRejected(ReleaseRefused):
    code = "release-grant-rejected"
    title = "Request rejected"


class GrantRevoked(ReleaseRefused):
    code = "release-grant-revoked"
    title = "Grant revoked"


class GrantExpired(ReleaseRefused):
    code = "release-grant-expired"
    title = "Grant expired"


class UsesExhausted(ReleaseRefused):
    code = "release-uses-exhausted"
    title = "No uses left"


class GrantBlocked(ReleaseRefused):
    """The chain refused to record a use the gateway released (``consumeUses`` reverted): the
    grant releases nothing more until the gateway's count and the chain's agree again."""

    code = "release-grant-blocked"
    title = "Grant blocked: the chain refused its recorded uses"
    http_status = 409


class FieldNotGranted(ReleaseRefused):
    code = "release-field-not-granted"
    title = "Field outside the grant"


class ContentMismatch(ReleaseRefused):
    """The stored data does not open, or does not hash to the version anchored on chain."""

    code = "release-content-mismatch"
    title = "Stored data does not match the chain"
    http_status = 409


class VersionMissing(ContentMismatch):
    """The version the chain names as the dataset's latest has no stored row here (deleted,
    or its publication not yet settled): no other version is released in its place."""

    code = "release-version-missing"
    title = "The chain's latest version is not stored"


class ReleaseSignatureInvalid(ReleaseRefused):
    """The provider's signature does not match the chain's hash or the provider's key."""

    code = "release-signature-invalid"
    title = "Provider signature invalid"
    http_status = 409


class ProviderSuspended(ReleaseRefused):
    code = "release-provider-suspended"
    title = "Provider department suspended"


class DatasetNotShareable(Conflict):
    """The dataset is of class not-shareable: it is listed, never released."""

    code = "dataset-not-shareable"
    title = "Dataset not shareable"


class DatasetUnknown(NotFound):
    code = "dataset-unknown"
    title = "Unknown dataset"


class RequestUnknown(NotFound):
    code = "request-unknown"
    title = "Unknown request or grant"


class NotProvider(Forbidden):
    """Only the dataset's provider department may do this."""

    code = "not-provider"
    title = "Not the dataset's provider"


class RecordsInvalid(InvalidInput):
    """Uploaded records do not match the dataset's schema."""

    code = "records-invalid"
    title = "Records do not match the schema"


class UploadMediaTypeUnsupported(InvalidInput):
    """A dataset version upload is neither JSON nor ``text/csv``."""

    code = "upload-media-type-unsupported"
    title = "Upload media type unsupported"
    http_status = 415


class EnvelopeInvalid(GovLedgerError):
    """A released envelope does not open with this key, or was altered."""

    code = "envelope-invalid"
    title = "Envelope does not open"
    http_status = 422
    exit_code = 7
