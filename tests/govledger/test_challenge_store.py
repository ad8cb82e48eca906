"""The challenge store's one promise: a challenge is consumed once, whoever reads it first."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine

from govledger.auth.challenges import Challenge
from govledger.auth.clock import utc_now
from govledger.auth.sqlstore import SqlChallengeStore
from govledger.db import make_session_factory, session_scope


def test_two_sessions_that_both_saw_it_unused_consume_it_once(engine: Engine) -> None:
    factory = make_session_factory(engine)
    now = utc_now()
    challenge = Challenge("c-1", "D-1", "nonce", "message", now, now + timedelta(minutes=2))
    with session_scope(factory) as session:
        SqlChallengeStore(session).add(challenge)

    with session_scope(factory) as first, session_scope(factory) as second:
        first_store, second_store = SqlChallengeStore(first), SqlChallengeStore(second)
        assert first_store.get("c-1") == challenge
        assert second_store.get("c-1") == challenge  # both read it unused
        assert first_store.consume("c-1", now)
        first.commit()
        assert not second_store.consume("c-1", now)

    with session_scope(factory) as session:
        stored = SqlChallengeStore(session).get("c-1")
    assert stored is not None
    assert stored.consumed_at == now


def test_an_expired_challenge_is_not_consumed_and_is_purged_later(engine: Engine) -> None:
    factory = make_session_factory(engine)
    now = utc_now()
    expired = Challenge("c-old", "D-1", "nonce", "message", now, now - timedelta(seconds=1))
    with session_scope(factory) as session:
        store = SqlChallengeStore(session)
        store.add(expired)
        assert not store.consume("c-old", now)
        assert store.purge_expired(now - timedelta(seconds=2)) == 0
        assert store.purge_expired(now) == 1
        assert store.get("c-old") is None
