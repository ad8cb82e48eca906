"""Contract reverts as problems: every custom error of the contracts has its own problem type.

The ledger decodes a revert into one class per Solidity error (``ledger.revert``); here each gets
a platform error class of the same name, a subclass of :class:`ChainRejected`, with the code
``chain-<error-in-kebab-case>`` and the status this one table gives it by whose fault it was:
422 when the caller's input was wrong (an expiry in the past), 404 when it names something the
chain does not have, 403 when the caller may not do it, 409 when the state does not allow it. A
revert that is not a known custom error stays the generic 409 ``chain-rejected``.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Final

from govledger.errors import ChainRejected

INPUT: Final = 422
UNKNOWN: Final = 404
FORBIDDEN: Final = 403
CONFLICT: Final = 409

CONTRACT_ERROR_STATUS: Final[dict[str, int]] = {
    # AuditAnchors
    "AuditZeroAddress": INPUT,
    "AuditZeroId": INPUT,
    "AuditZeroRoot": INPUT,
    "AuditInvalidRange": INPUT,
    "AuditNotContiguous": CONFLICT,
    "AuditNotLogOwner": FORBIDDEN,
    "AuditUnknownSegment": UNKNOWN,
    "AuditSeqNotAnchored": UNKNOWN,
    "AuditNotGovernance": FORBIDDEN,
    "AuditUnknownDepartment": UNKNOWN,
    "AuditNotLogOperator": FORBIDDEN,
    # DataSharing
    "SharingZeroAddress": INPUT,
    "SharingZeroId": INPUT,
    "SharingZeroHash": INPUT,
    "SharingInvalidShareClass": INPUT,
    "SharingDatasetExists": CONFLICT,
    "SharingUnknownDataset": UNKNOWN,
    "SharingNotProvider": FORBIDDEN,
    "SharingNotShareable": CONFLICT,
    "SharingNoFields": INPUT,
    "SharingDuplicateField": INPUT,
    "SharingInvalidExpiry": INPUT,
    "SharingZeroUses": INPUT,
    "SharingUnknownGrant": UNKNOWN,
    "SharingRequestNotPending": CONFLICT,
    "SharingGrantNotActive": CONFLICT,
    "SharingFieldNotRequested": INPUT,
    "SharingExpiryWidened": INPUT,
    "SharingUsesWidened": INPUT,
    "SharingGrantExpired": CONFLICT,
    "SharingUsesExceeded": CONFLICT,
    "SharingRequesterMissingRole": FORBIDDEN,
    "SharingUsesOutOfStep": CONFLICT,
    # DepartmentRegistry
    "DepartmentZeroAddress": INPUT,
    "DepartmentNotGovernance": FORBIDDEN,
    "DepartmentInvalidCode": INPUT,
    "DepartmentExists": CONFLICT,
    "DepartmentUnknown": UNKNOWN,
    "DepartmentEmptyName": INPUT,
    "DepartmentInvalidPublicKey": INPUT,
    "DepartmentSameKey": INPUT,
    "DepartmentZeroAccount": INPUT,
    "DepartmentAccountTaken": CONFLICT,
    "DepartmentAccountNotBound": CONFLICT,
    "DepartmentUnknownAccount": UNKNOWN,
    "DepartmentUnknownRole": INPUT,
    "DepartmentSuspended": CONFLICT,
    "DepartmentNotSuspended": CONFLICT,
    "DepartmentMissingRole": FORBIDDEN,
    # Governance
    "GovernanceInvalidMember": INPUT,
    "GovernanceDuplicateMember": INPUT,
    "GovernanceInvalidThreshold": INPUT,
    "GovernanceNotMember": FORBIDDEN,
    "GovernanceOnlySelf": FORBIDDEN,
    "GovernanceTargetNotContract": INPUT,
    "GovernanceZeroDescription": INPUT,
    "GovernanceUnknownProposal": UNKNOWN,
    "GovernanceAlreadyApproved": CONFLICT,
    "GovernanceAlreadyExecuted": CONFLICT,
    "GovernanceProposalCancelled": CONFLICT,
    "GovernanceProposalExpired": CONFLICT,
    "GovernanceNotProposer": FORBIDDEN,
    "GovernanceInvalidLifetime": INPUT,
    "GovernanceThresholdNotReached": CONFLICT,
    # LicenceRegistry
    "LicenceZeroAddress": INPUT,
    "LicenceZeroRoot": INPUT,
    "LicenceZeroLeaf": INPUT,
    "LicenceEmptyBatch": INPUT,
    "LicenceBatchExists": CONFLICT,
    "LicenceUnknownBatch": UNKNOWN,
    "LicenceNotBatchIssuer": FORBIDDEN,
    "LicenceInvalidTransition": CONFLICT,
    "LicenceInvalidSuccessor": INPUT,
    # SealRegistry
    "SealZeroAddress": INPUT,
    "SealZeroId": INPUT,
    "SealExists": CONFLICT,
    "SealUnknown": UNKNOWN,
    "SealNoHolders": INPUT,
    "SealZeroHolder": INPUT,
    "SealDuplicateHolder": INPUT,
    "SealInvalidValidity": INPUT,
    "SealNotOwner": FORBIDDEN,
    "SealAlreadyRevoked": CONFLICT,
}

_WORD_START = re.compile(r"(?<!^)(?=[A-Z])")


@cache
def rejection_class(error_name: str) -> type[ChainRejected]:
    """The platform error for the contract error ``error_name`` (generic for one not in the
    table). One class per name, so ``except`` clauses and tests can name it."""
    status = CONTRACT_ERROR_STATUS.get(error_name)
    if status is None:
        return ChainRejected
    words = _WORD_START.sub(" ", error_name).lower()
    attributes = {
        "__doc__": f"The ledger refused the call with the contract error {error_name}.",
        "__module__": __name__,
        "code": "chain-" + words.replace(" ", "-"),
        "title": f"Refused by the ledger: {words}",
        "http_status": status,
    }
    return type(error_name, (ChainRejected,), attributes)
