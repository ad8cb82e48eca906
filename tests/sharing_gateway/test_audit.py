"""The access log: tracing with inclusion proofs against anchored roots, export, and
verification against the log the deployment names: it finds the first altered, removed or
inserted entry, refuses another log or owner, fails on entries overdue for anchoring, and takes
an earlier export for the prefix it is."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest

from govledger.errors import InvalidInput
from ledger.merkle import verify_proof
from sharing_gateway.adapters.chainview import ChainAnchoredLog
from sharing_gateway.audit import verify_export
from sharing_gateway.domain.accesslog import (
    AnchoredSegment,
    Entry,
    EntryBody,
    Verdict,
    parse_export,
    segment_root,
    verify_log,
)
from sharing_gateway.settings import GatewaySettings
from sm_crypto import sm3
from tests.sharing_gateway.world import AUDITOR, OPERATOR, PROBLEM, REQUESTER, World


@pytest.fixture(scope="module")
def anchored(world: World) -> str:
    """A log with releases and refusals, all anchored; the JSON export."""
    grant_id = world.granted("aud-1", ["name", "employees"], max_uses=3)
    for fields in ("name", "employees", "name,active", "name"):
        world.release("aud-1", grant_id, fields)
        world.anchorer.run_once()
    response = world.call("GET", "/v1/audit/export?format=json", AUDITOR)
    assert response.status_code == 200, response.text
    return response.text


def verdict_of(
    world: World, text: str, settings: GatewaySettings | None = None, later: float = 0
) -> Verdict:
    """``govledger audit verify`` of ``text`` with the gateway's settings (or ``settings``),
    now or ``later`` seconds from now."""
    now = world.clock() + timedelta(seconds=later)
    settings = settings or world.gateway.settings
    log = ChainAnchoredLog(world.chain.registries, settings.log_id)
    return verify_export(parse_export(text), log, settings, now)


def test_only_auditors_read_the_log(world: World, anchored: str) -> None:
    response = world.call("GET", "/v1/audit/entries", REQUESTER)
    assert response.status_code == 403
    assert response.json()["code"] == "role-missing"


def test_trace_by_dataset_gives_entries_with_proofs_against_the_chain(
    world: World, anchored: str
) -> None:
    response = world.call("GET", "/v1/audit/entries?dataset=aud-1", AUDITOR)
    assert response.status_code == 200, response.text
    body = response.json()
    outcomes = [(e["action"], e["outcome"], e["code"]) for e in body["entries"]]
    assert outcomes[-4:] == [
        ("release", "released", "released"),
        ("release", "released", "released"),
        ("release", "refused", "release-field-not-granted"),
        ("release", "released", "released"),
    ]
    audit_contract = world.chain.registries.audit
    log_id = world.gateway.log_id.encode().ljust(32, b"\0")
    for entry in body["entries"]:
        anchor = entry["anchor"]
        segment = audit_contract.find_segment(log_id, entry["seq"])
        assert bytes.fromhex(anchor["root"]) == segment.root
        verify_proof(
            bytes.fromhex(entry["entry_hash"]),
            [bytes.fromhex(node) for node in anchor["proof"]],
            segment.root,
        )
    events = {event["event"] for event in body["chain_events"]}
    assert {"DatasetRegistered", "AccessRequested", "AccessGranted"} <= events
    grant_id = body["entries"][-1]["grant_id"]
    by_grant = world.call("GET", f"/v1/audit/entries?grant={grant_id}&chain=false", AUDITOR)
    assert {e["grant_id"] for e in by_grant.json()["entries"]} == {grant_id}
    last = body["entries"][-1]
    window = {"since": last["time"], "chain": "false"}
    by_time = world.call("GET", "/v1/audit/entries", AUDITOR, params=window).json()["entries"]
    assert [e["seq"] for e in by_time] == [last["seq"]]
    by_requester = world.call(
        "GET", f"/v1/audit/entries?requester={REQUESTER}&chain=false", AUDITOR
    )
    assert {e["caller"] for e in by_requester.json()["entries"]} == {REQUESTER}


def test_an_intact_export_verifies_as_json_and_csv(world: World, anchored: str) -> None:
    verdict = verdict_of(world, anchored)
    assert verdict.ok, verdict.problem
    assert verdict.anchored_entries == verdict.entries
    csv_text = world.call("GET", "/v1/audit/export?format=csv", AUDITOR).text
    assert verdict_of(world, csv_text).ok


def test_post_verify_gives_the_verdict_over_http(world: World, anchored: str) -> None:
    intact = world.call(
        "POST",
        "/v1/audit/verify",
        AUDITOR,
        content=anchored,
        headers={"Content-Type": "application/json"},
    )
    assert intact.status_code == 200, intact.text
    assert (intact.json()["ok"], intact.json()["problem"]) == (True, None)
    assert intact.json()["verified_entries"] == intact.json()["entries"]
    csv_text = world.call("GET", "/v1/audit/export?format=csv", AUDITOR).text
    as_csv = world.call(
        "POST", "/v1/audit/verify", AUDITOR, content=csv_text, headers={"Content-Type": "text/csv"}
    )
    assert as_csv.json()["ok"]

    def flip_outcome(entries: list[dict[str, Any]]) -> None:
        entries[3]["outcome"] = "refused"

    tampered = world.call(
        "POST",
        "/v1/audit/verify",
        AUDITOR,
        content=edited(anchored, flip_outcome),
        headers={"Content-Type": "application/json"},
    )
    assert tampered.status_code == 200
    assert (tampered.json()["ok"], tampered.json()["seq"]) == (False, 3)
    assert "altered" in tampered.json()["problem"]


@pytest.mark.parametrize("body", [b"not an export", b"\xff\xfe"])
def test_post_verify_refuses_what_is_not_an_export(world: World, body: bytes) -> None:
    response = world.call(
        "POST", "/v1/audit/verify", AUDITOR, content=body, headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "invalid-input"


def test_only_auditors_verify_over_http(world: World, anchored: str) -> None:
    response = world.call("POST", "/v1/audit/verify", REQUESTER, content=anchored)
    assert response.status_code == 403


def edited(text: str, change: Any) -> str:
    document = json.loads(text)
    change(document["entries"])
    return json.dumps(document)


def test_an_edited_entry_is_found(world: World, anchored: str) -> None:
    def flip_outcome(entries: list[dict[str, Any]]) -> None:
        entries[3]["outcome"] = "refused"

    verdict = verdict_of(world, edited(anchored, flip_outcome))
    assert (verdict.ok, verdict.seq) == (False, 3)
    assert "altered" in (verdict.problem or "")


def test_an_edited_entry_with_recomputed_hashes_fails_its_segment_root(
    world: World, anchored: str
) -> None:
    entries = parse_export(anchored).entries
    rewritten: list[Entry] = []
    previous = "0" * 64
    for entry in entries:
        values = {**entry.body.__dict__, "prev_hash": previous}
        if entry.body.seq == 2:
            values["caller"] = "SOMEONE-ELSE"
        body = EntryBody(**values)
        rewritten.append(Entry(body, body.digest()))
        previous = rewritten[-1].entry_hash
    segments = ChainAnchoredLog(world.chain.registries, world.gateway.log_id).segments()
    verdict = verify_log(rewritten, segments)
    assert not verdict.ok
    first_of_segment = next(s.first_seq for s in segments if s.first_seq <= 2 <= s.last_seq)
    assert verdict.seq == first_of_segment


def test_a_deleted_entry_is_found(world: World, anchored: str) -> None:
    verdict = verdict_of(world, edited(anchored, lambda entries: entries.pop(2)))
    assert (verdict.ok, verdict.seq) == (False, 2)


def test_an_inserted_entry_is_found(world: World, anchored: str) -> None:
    def insert_copy(entries: list[dict[str, Any]]) -> None:
        entries.insert(2, dict(entries[1]))

    verdict = verdict_of(world, edited(anchored, insert_copy))
    assert (verdict.ok, verdict.seq) == (False, 1)
    assert "inserted" in (verdict.problem or "")


def test_an_export_of_another_log_or_owner_is_refused(world: World, anchored: str) -> None:
    def relabel(document: dict[str, Any]) -> str:
        return json.dumps({**document, "log_id": "another-log"})

    other_log = verdict_of(world, relabel(json.loads(anchored)))
    assert (other_log.ok, other_log.seq) == (False, None)
    assert "not of this deployment's log 'sharing-gateway'" in (other_log.problem or "")
    # The auditor's settings name the operator: a log kept by anyone else is not the gateway's.
    wrong_operator = world.gateway.settings.model_copy(update={"operator_code": AUDITOR})
    not_the_owner = verdict_of(world, anchored, wrong_operator)
    assert not not_the_owner.ok
    assert f"kept on chain by department {OPERATOR}" in (not_the_owner.problem or "")


@pytest.mark.parametrize("text", ['{"entries": [{"seq": 0}]}', "[1, 2]", "seq,time\n0\n"])
def test_what_is_not_an_export_is_refused(world: World, text: str) -> None:
    with pytest.raises(InvalidInput, match="not an access-log export"):
        verdict_of(world, text)


def test_entries_overdue_for_anchoring_fail(world: World, anchored: str) -> None:
    """A log nobody anchored (here: the same entries under a log id no one ever anchored, as
    a rewritten log would be) is fine while fresh and fails once its entries are overdue."""
    settings = world.gateway.settings.model_copy(update={"log_id": "never-anchored"})
    text = json.dumps({**json.loads(anchored), "log_id": "never-anchored"})
    fresh = verdict_of(world, text, settings)
    assert fresh.ok, fresh.problem
    assert (fresh.anchored_entries, fresh.verified_entries) == (0, 0)
    assert "not anchored yet" in fresh.notes[0]
    overdue = verdict_of(world, text, settings, later=settings.anchor_deadline_seconds + 60)
    assert (overdue.ok, overdue.seq) == (False, 0)
    assert "should be anchored by now" in (overdue.problem or "")
    # The gateway's own log is anchored: no deadline applies to it.
    assert verdict_of(world, anchored, later=3600).ok


def test_an_earlier_export_is_an_honest_prefix_of_the_grown_log(
    world: World, anchored: str
) -> None:
    world.anchorer.stop()  # so that one round anchors all the new entries in one segment
    try:
        grant_id = world.granted("aud-2", ["name"], max_uses=3)
        world.release("aud-2", grant_id, "name")
        world.anchorer.run_once()
    finally:
        world.anchorer.start()
    verdict = verdict_of(world, anchored)
    count = len(json.loads(anchored)["entries"])
    assert verdict.ok, verdict.problem
    assert (verdict.entries, verdict.verified_entries) == (count, count)
    assert verdict.anchored_entries > count
    assert f"verified up to entry {count - 1}" in verdict.notes[0]
    assert "the log continues on chain" in verdict.notes[0]
    # An export that ends inside a segment: what precedes that segment is verified by root; the
    # rest cannot be checked from the export, which fails without being called tampered.
    last = ChainAnchoredLog(world.chain.registries, world.gateway.log_id).segments()[-1]
    assert last.last_seq > last.first_seq, "one round anchored the new entries together"
    grown = world.call("GET", "/v1/audit/export?format=json", AUDITOR).text
    cut = edited(grown, lambda entries: entries.pop())
    partial = verdict_of(world, cut)
    assert (partial.ok, partial.incomplete) == (False, True)
    assert partial.verified_entries == last.first_seq
    assert f"entries {last.first_seq}..{last.last_seq - 1} lie in anchored segment" in (
        partial.problem or ""
    )


def test_an_entry_hash_is_sm3_of_the_canonical_json_of_its_body() -> None:
    body = EntryBody(
        seq=3,
        time="2026-01-01T00:00:00.000000Z",
        action="release",
        outcome="released",
        code="released",
        caller="11350000000000102X",
        grant_id=7,
        dataset_id="licences",
        fields=("name", "licence_no"),
        purpose="核验",
        prev_hash="0" * 64,
    )
    written_out = (
        '{"action":"release","caller":"11350000000000102X","code":"released",'
        '"dataset_id":"licences","fields":["name","licence_no"],"grant_id":7,'
        '"outcome":"released","prev_hash":"' + "0" * 64 + '","purpose":"核验","seq":3,'
        '"time":"2026-01-01T00:00:00.000000Z"}'
    )
    assert body.digest() == sm3(written_out.encode()).hex()
    assert Entry(body, body.digest()).to_json() == {
        **json.loads(written_out),
        "entry_hash": body.digest(),
    }


def logged(count: int, caller: str, after: Sequence[Entry] = ()) -> list[Entry]:
    """``after`` continued up to ``count`` well-chained entries by ``caller`` (a forger's log
    differs from the honest one only there)."""
    entries = list(after)
    previous = entries[-1].entry_hash if entries else "0" * 64
    for seq in range(len(entries), count):
        body = EntryBody(
            seq=seq,
            time="2026-01-01T00:00:00.000000+00:00",
            action="release",
            outcome="released",
            code="released",
            caller=caller,
            grant_id=1,
            dataset_id="licences",
            fields=("name",),
            purpose="check",
            prev_hash=previous,
        )
        entries.append(Entry(body, body.digest()))
        previous = entries[-1].entry_hash
    return entries


def anchored_as(entries: list[Entry], *bounds: tuple[int, int]) -> list[AnchoredSegment]:
    return [
        AnchoredSegment(
            index, first, last, segment_root([e.entry_hash for e in entries[first : last + 1]])
        )
        for index, (first, last) in enumerate(bounds)
    ]


HONEST = logged(200, "11350000000000102X")
FORGED = logged(200, "SOMEONE-ELSE")


@pytest.mark.parametrize(
    ("export", "verified", "segment"),
    [
        # Forged from the start, ending inside the first segment: no root covers any of it.
        (FORGED[:99], 0, "segment 0"),
        # Honest up to a segment's end, forged after it, ending inside the next segment.
        (logged(150, "SOMEONE-ELSE", HONEST[:100]), 100, "segment 1"),
        # Honest, but ending inside a segment all the same: it cannot be told from a forgery.
        (HONEST[:150], 100, "segment 1"),
    ],
    ids=["forged-0..98", "forged-100..149", "honest-0..149"],
)
def test_an_export_ending_inside_an_anchored_segment_does_not_pass(
    export: list[Entry], verified: int, segment: str
) -> None:
    segments = anchored_as(HONEST, (0, 99), (100, 199))
    verdict = verify_log(export, segments)
    assert not verdict.ok
    assert verdict.incomplete
    assert "tamper" not in (verdict.problem or "")
    assert verdict.verified_entries == verified
    reach = f"entries {verified}..{len(export) - 1} lie in anchored {segment}"
    assert reach in (verdict.problem or ""), verdict.problem
    assert "export the log again" in (verdict.problem or "")
    if verified:
        assert f"verified up to entry {verified - 1}" in (verdict.problem or "")


def test_an_export_whose_tail_is_not_anchored_yet_is_an_honest_prefix() -> None:
    segments = anchored_as(HONEST, (0, 99))
    verdict = verify_log(HONEST[:150], segments)
    assert verdict.ok, verdict.problem
    assert verdict.verified_entries == 100
    assert "entries 100..149 are not anchored yet" in verdict.notes[0]
    # A forged tail after the last anchored segment is caught once it is overdue, not before.
    boundary = verify_log(HONEST[:100], anchored_as(HONEST, (0, 99), (100, 199)))
    assert boundary.ok, boundary.problem
    assert "verified up to entry 99" in boundary.notes[0]
