"""Sign-in challenges: what a department signs, and the store that makes each one single-use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

SIGNIN_MESSAGE_HEADER = "govledger-signin-v1"


@dataclass(frozen=True)
class Challenge:
    """A challenge as issued; ``message`` is the exact text the department signs (UTF-8)."""

    challenge_id: str
    department_code: str
    nonce: str
    message: str
    issued_at: datetime
    expires_at: datetime
    consumed_at: datetime | None = None


class ChallengeStore(Protocol):
    """Where challenges live between the two sign-in requests."""

    def add(self, challenge: Challenge) -> None: ...

    def get(self, challenge_id: str) -> Challenge | None: ...

    def consume(self, challenge_id: str, now: datetime) -> bool:
        """Mark the challenge used if it is unused and unexpired at ``now``, in one atomic step.

        Returns True for exactly one caller, however many try at the same time.
        """
        ...

    def purge_expired(self, before: datetime) -> int:
        """Delete challenges that expired before ``before``; return how many."""
        ...


def format_timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with whole seconds, e.g. ``2026-11-03T08:15:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def signin_message(
    *, audience: str, department_code: str, challenge_id: str, nonce: str, expires_at: datetime
) -> str:
    """The canonical text a department signs: bound to one service, department, nonce and expiry.

    One ``key: value`` per line, joined by ``\\n``, no trailing newline. Department codes and
    nonces cannot contain line breaks, so no field can forge another line.
    """
    return "\n".join(
        [
            SIGNIN_MESSAGE_HEADER,
            f"audience: {audience}",
            f"department: {department_code}",
            f"challenge: {challenge_id}",
            f"nonce: {nonce}",
            f"expires: {format_timestamp(expires_at)}",
        ]
    )
