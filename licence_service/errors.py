"""The licence service's refusals (each a platform error with a stable ``code``)."""

from __future__ import annotations

from govledger.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated


class InvalidLicenceId(InvalidInput):
    """A licence looked up by an identifier that is not one (malformed, or a wrong check
    character): a typo, told apart from a licence that does not exist."""

    code = "invalid-licence-id"
    title = "Invalid licence identifier"


class LicenceNotFound(NotFound):
    code = "licence-not-found"
    title = "Licence not found"


class SealNotFound(NotFound):
    code = "seal-not-found"
    title = "Seal not found"


class PresentationNotFound(NotFound):
    code = "presentation-not-found"
    title = "Presentation not found"


class NoActiveSeal(Conflict):
    """The issuing department has no seal it can apply now: create one first."""

    code = "no-active-seal"
    title = "No active seal"


class LicenceNotAnchored(Conflict):
    """The licence's batch is not anchored yet: its status cannot change and it cannot be
    presented until it is."""

    code = "licence-not-anchored"
    title = "Licence not anchored yet"


class LicenceStateConflict(Conflict):
    """The licence's status on chain does not allow this change."""

    code = "licence-state-conflict"
    title = "Licence status does not allow this"


class NotLicenceIssuer(Forbidden):
    """Only the department that issued a licence may change it."""

    code = "not-licence-issuer"
    title = "Not the licence's issuer"


class NotSealOwner(Forbidden):
    code = "not-seal-owner"
    title = "Not the seal's owner"


class HolderTokenRevoked(Unauthenticated):
    """The holder token was replaced by a newer one, or is for another licence."""

    code = "holder-token-revoked"
    title = "Holder token no longer valid"


class NotLicenceHolder(Forbidden):
    """A holder token opens only its own licence."""

    code = "not-licence-holder"
    title = "Not this licence's holder"


class IssuerSuspended(Forbidden):
    """The issuing department is suspended on chain: the chain would refuse to anchor its
    licences, so none are issued."""

    code = "issuer-suspended"
    title = "Issuing department suspended"


class IssuerLacksRole(Forbidden):
    """The issuing department does not hold ISSUER on chain (or the account it acts with is not
    one of its accounts): the chain would refuse to anchor its licences."""

    code = "issuer-lacks-role"
    title = "Not an issuer on chain"


class BatchNotFound(NotFound):
    code = "batch-not-found"
    title = "Batch not found"


class BatchRefused(Conflict):
    """The chain refused to anchor a batch (its issuer suspended, its root anchored by another
    department, ...): the batch is set aside with this reason until its issuer retries it."""

    code = "batch-refused"
    title = "Batch refused by the ledger"


class BatchNotRefused(Conflict):
    """Only a batch the chain refused can be sent again."""

    code = "batch-not-refused"
    title = "Batch not refused"
