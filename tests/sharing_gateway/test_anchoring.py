"""The background anchorer, and recovery after a crash between a chain write and its row."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

from govledger.errors import ConfigurationError
from sharing_gateway.anchoring import Anchorer
from sharing_gateway.tables import AccessLogSegmentRow, GrantUsageRow
from tests.sharing_gateway.world import AUDITOR, World


def anchored_segment(world: World, seq: int) -> AccessLogSegmentRow | None:
    with world.session_factory() as session:
        return session.scalar(
            select(AccessLogSegmentRow).where(
                AccessLogSegmentRow.first_seq <= seq, AccessLogSegmentRow.last_seq >= seq
            )
        )


def test_the_background_anchorer_anchors_every_committed_entry(world: World) -> None:
    grant_id = world.granted("anc-1", ["name"])
    released = world.release("anc-1", grant_id, "name").json()["audit_seq"]
    log_id = world.gateway.log_id.encode().ljust(32, b"\0")
    # The app's anchorer runs every 0.2 s here; nothing in the test drives it.
    deadline = time.monotonic() + 30
    while (segment := anchored_segment(world, released)) is None:
        assert time.monotonic() < deadline, "the anchorer did not anchor the release"
        time.sleep(0.05)
    assert segment is not None
    assert (
        bytes.fromhex(segment.root)
        == world.chain.registries.audit.find_segment(log_id, released).root
    )


def test_recovery_restores_lost_segment_rows_and_never_records_a_use_twice(world: World) -> None:
    anchorer = world.anchorer
    assert anchorer is not None
    grant_id = world.granted("rec-1", ["name"], max_uses=5)
    world.release("rec-1", grant_id, "name")
    world.release("rec-1", grant_id, "name")
    anchorer.run_once()
    sharing = world.chain.registries.sharing
    assert sharing.get_grant(grant_id).used == 2
    # A crash after the chain writes, before their rows: the rows forget them.
    with world.session_factory.begin() as session:
        last = session.scalar(select(func.max(AccessLogSegmentRow.segment_index)))
        lost = session.get(AccessLogSegmentRow, last)
        assert lost is not None
        lost_root = lost.root
        session.execute(
            delete(AccessLogSegmentRow).where(AccessLogSegmentRow.segment_index == last)
        )
        session.execute(
            update(GrantUsageRow).where(GrantUsageRow.grant_id == grant_id).values(chain_recorded=0)
        )
    anchorer.run_once()  # every round reconciles with the chain first
    assert sharing.get_grant(grant_id).used == 2
    with world.session_factory() as session:
        restored = session.get(AccessLogSegmentRow, last)
        assert restored is not None
        assert restored.root == lost_root
        usage = session.get(GrantUsageRow, grant_id)
        assert usage is not None
        assert (usage.used, usage.chain_recorded) == (2, 2)


def test_a_round_anchors_what_was_committed_before_it_and_ends_under_a_stream_of_entries(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    anchorer = world.anchorer
    audit = anchorer.registries.audit
    anchor_segment = audit.anchor_segment
    this_round: list[int] = []

    def anchor_while_releases_go_on(*args: Any, **kwargs: Any) -> Any:
        written = anchor_segment(*args, **kwargs)
        if threading.get_ident() == threading.main_thread().ident:
            this_round.append(args[3])  # the segment's last sequence number
            if len(this_round) < 20:  # bounded, so a round that chases the stream still ends
                world.gateway.writer.submit(
                    lambda _, log: log.append(
                        action="release", outcome="released", code="released", caller="test"
                    )
                )
        return written

    grant_id = world.granted("anc-stream", ["name"])
    anchorer.stop()  # this test drives the rounds itself
    try:
        before = world.release("anc-stream", grant_id, "name").json()["audit_seq"]
        monkeypatch.setattr(audit, "anchor_segment", anchor_while_releases_go_on)
        anchorer.run_once(record_uses=False)
        # One segment, up to the entry committed before the round; the entry appended while
        # it was being anchored is left to the next round.
        assert this_round == [before]
        assert anchored_segment(world, before) is not None
        assert anchored_segment(world, before + 1) is None
        anchorer.run_once(record_uses=False)
        assert this_round == [before, before + 1]
    finally:
        monkeypatch.undo()
        anchorer.start()


def test_an_operator_that_is_not_a_log_operator_is_refused_at_start(world: World) -> None:
    with pytest.raises(ConfigurationError, match="govledger audit operator"):
        Anchorer(world.gateway, AUDITOR).start()
