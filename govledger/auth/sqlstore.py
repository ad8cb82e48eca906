"""The challenge store on the platform's database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from govledger.auth.challenges import Challenge
from govledger.auth.tables import AuthChallengeRow


class SqlChallengeStore:
    """Challenges as rows of ``auth_challenges``, in the caller's session (its unit of work)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, challenge: Challenge) -> None:
        self._session.add(
            AuthChallengeRow(
                id=challenge.challenge_id,
                department_code=challenge.department_code,
                nonce=challenge.nonce,
                message=challenge.message,
                issued_at=challenge.issued_at,
                expires_at=challenge.expires_at,
                consumed_at=challenge.consumed_at,
            )
        )
        self._session.flush()

    def get(self, challenge_id: str) -> Challenge | None:
        row = self._session.get(AuthChallengeRow, challenge_id, populate_existing=True)
        if row is None:
            return None
        return Challenge(
            challenge_id=row.id,
            department_code=row.department_code,
            nonce=row.nonce,
            message=row.message,
            issued_at=row.issued_at,
            expires_at=row.expires_at,
            consumed_at=row.consumed_at,
        )

    def consume(self, challenge_id: str, now: datetime) -> bool:
        # One conditional UPDATE: the database decides the race, never a read followed by a write.
        result = self._session.execute(
            update(AuthChallengeRow)
            .where(
                AuthChallengeRow.id == challenge_id,
                AuthChallengeRow.consumed_at.is_(None),
                AuthChallengeRow.expires_at > now,
            )
            .values(consumed_at=now)
            .execution_options(synchronize_session=False)
        )
        assert isinstance(result, CursorResult)
        return result.rowcount == 1

    def purge_expired(self, before: datetime) -> int:
        result = self._session.execute(
            delete(AuthChallengeRow)
            .where(AuthChallengeRow.expires_at < before)
            .execution_options(synchronize_session=False)
        )
        assert isinstance(result, CursorResult)
        return result.rowcount
