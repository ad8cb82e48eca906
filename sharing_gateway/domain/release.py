"""The release checks, in their fixed order, over what the chain and the store say.

Each failing check raises its own :class:`~sharing_gateway.errors.ReleaseRefused`; the service
logs the refusal and releases nothing. Provenance (content hash and signature) and the provider's
status are checked by the service after these, in that order, because they need the stored data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ledger.contracts.values import Grant, GrantStatus
from sharing_gateway import errors
from sharing_gateway.domain.records import from_bytes32


@dataclass(frozen=True)
class GrantView:
    """A grant as the release checks need it; ``used_on_chain`` is the count ``consumeUses``
    has recorded, which the gateway's own exact count may only exceed."""

    grant_id: int
    requester: str
    dataset_id: str
    fields: tuple[str, ...]
    status: GrantStatus
    expires_at: int
    max_uses: int
    used_on_chain: int

    @classmethod
    def from_chain(cls, grant: Grant) -> GrantView:
        return cls(
            grant_id=grant.grant_id,
            requester=grant.requester,
            dataset_id=from_bytes32(grant.dataset_id),
            fields=tuple(from_bytes32(name) for name in grant.fields),
            status=grant.status,
            expires_at=grant.expires_at,
            max_uses=grant.max_uses,
            used_on_chain=grant.used,
        )


_STATUS_REFUSALS: dict[GrantStatus, type[errors.ReleaseRefused]] = {
    GrantStatus.PENDING: errors.GrantPending,
    GrantStatus.REJECTED: errors.GrantRejected,
    GrantStatus.REVOKED: errors.GrantRevoked,
}


def check_grant(
    grant: GrantView | None,
    *,
    caller: str,
    dataset_id: str,
    fields: Sequence[str],
    now: int,
    used: int,
    blocked: str | None,
) -> None:
    """Caller, grant existence, status, expiry, uses left, fields; raise the first failure.

    ``used`` is the gateway's count (0 without a row), ``blocked`` why the chain refused to
    record its uses (None if it did not): uses are left only if neither the gateway's count nor
    the chain's has reached the limit, and the chain took every use it was sent."""
    if grant is None:
        raise errors.NoGrant("no such grant on chain")
    if grant.requester != caller:
        raise errors.WrongCaller(f"grant {grant.grant_id} was not given to {caller}")
    if grant.dataset_id != dataset_id:
        raise errors.NoGrant(f"grant {grant.grant_id} is not for dataset {dataset_id}")
    refusal = _STATUS_REFUSALS.get(grant.status)
    if refusal is not None:
        raise refusal(f"grant {grant.grant_id} is {grant.status.name.lower()}")
    if now >= grant.expires_at:
        raise errors.GrantExpired(f"grant {grant.grant_id} expired at {grant.expires_at}")
    if max(used, grant.used_on_chain) >= grant.max_uses:
        raise errors.UsesExhausted(f"grant {grant.grant_id} has used all {grant.max_uses} uses")
    if blocked is not None:
        raise errors.GrantBlocked(f"the chain refused uses of grant {grant.grant_id}: {blocked}")
    outside = [name for name in fields if name not in grant.fields]
    if not fields or outside:
        raise errors.FieldNotGranted(
            f"fields {outside or '(none asked)'} are not in grant {grant.grant_id}",
            granted=list(grant.fields),
        )
