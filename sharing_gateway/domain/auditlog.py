"""The access log: hash-chained entries, anchored on chain as Merkle roots of segments.

Entry hash (SM3) over the canonical JSON of the entry's fields, the previous entry's hash
included::

    entry_hash = SM3(canonical_json({"seq", "time", "action", "outcome", "code", "caller",
                                     "grant_id", "dataset_id", "fields", "purpose",
                                     "prev_hash"}))

The first entry's ``prev_hash`` is 64 zeros. A segment ``first..last`` is anchored with the root of
the Merkle tree (:mod:`ledger.merkle`) whose leaves are the entries' hashes in order.

:func:`verify_log` checks an exported log against the anchored segments and reports the first
entry that was altered, removed or inserted.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Protocol

from ledger.merkle import MerkleTree
from sharing_gateway.domain.records import canonical_json
from sm_crypto import sm3

GENESIS_HASH = "0" * 64
EXPORT_FORMAT = "govledger-access-log-v1"
CSV_COLUMNS = (
    "seq",
    "time",
    "action",
    "outcome",
    "code",
    "caller",
    "grant_id",
    "dataset_id",
    "fields",
    "purpose",
    "prev_hash",
    "entry_hash",
)


@dataclass(frozen=True)
class EntryBody:
    """What an entry says; ``time`` is RFC 3339 UTC with microseconds."""

    seq: int
    time: str
    action: str
    outcome: str
    code: str
    caller: str
    grant_id: int | None
    dataset_id: str | None
    fields: tuple[str, ...]
    purpose: str
    prev_hash: str

    def as_document(self) -> dict[str, Any]:
        """The body as JSON values (``fields`` a list). Built by hand, not with
        ``dataclasses.asdict``, which deep-copies every value: this runs for every entry."""
        document = {name: getattr(self, name) for name in _BODY_FIELDS}
        document["fields"] = list(self.fields)
        return document

    def digest(self) -> str:
        return sm3(canonical_json(self.as_document())).hex()


_BODY_FIELDS = tuple(item.name for item in fields(EntryBody))


@dataclass(frozen=True)
class Entry:
    body: EntryBody
    entry_hash: str

    def to_json(self) -> dict[str, Any]:
        document = self.body.as_document()
        document["entry_hash"] = self.entry_hash
        return document

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> Entry:
        grant = document.get("grant_id")
        body = EntryBody(
            seq=int(document["seq"]),
            time=str(document["time"]),
            action=str(document["action"]),
            outcome=str(document["outcome"]),
            code=str(document["code"]),
            caller=str(document["caller"]),
            grant_id=None if grant in (None, "") else int(grant),
            dataset_id=document.get("dataset_id") or None,
            fields=tuple(document["fields"]),
            purpose=str(document["purpose"]),
            prev_hash=str(document["prev_hash"]),
        )
        return cls(body, str(document["entry_hash"]))


def segment_root(entry_hashes: Sequence[str]) -> bytes:
    return MerkleTree([bytes.fromhex(value) for value in entry_hashes]).root


# -- export ----------------------------------------------------------------------------------------


def export_json(log_id: str, entries: Sequence[Entry]) -> str:
    return json.dumps(
        {"format": EXPORT_FORMAT, "log_id": log_id, "entries": [e.to_json() for e in entries]},
        ensure_ascii=False,
        indent=1,
    )


def export_csv(entries: Sequence[Entry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        row = entry.to_json()
        row["fields"] = ";".join(entry.body.fields)
        row["grant_id"] = "" if entry.body.grant_id is None else entry.body.grant_id
        row["dataset_id"] = entry.body.dataset_id or ""
        writer.writerow([row[column] for column in CSV_COLUMNS])
    return out.getvalue()


def parse_export(text: str) -> list[Entry]:
    """Entries of a JSON or CSV export (told apart by the first character)."""
    if text.lstrip().startswith("{"):
        return [Entry.from_json(item) for item in json.loads(text)["entries"]]
    entries = []
    for row in csv.DictReader(io.StringIO(text)):
        document: dict[str, Any] = dict(row)
        document["fields"] = [name for name in row["fields"].split(";") if name]
        entries.append(Entry.from_json(document))
    return entries


# -- verification ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnchoredSegment:
    index: int
    first_seq: int
    last_seq: int
    root: bytes


class AnchoredLog(Protocol):
    """The segments anchored on chain for one log, in order."""

    def segments(self) -> list[AnchoredSegment]: ...


@dataclass(frozen=True)
class Verdict:
    """``problem`` None means the export is intact. ``seq`` is the first bad entry's number."""

    entries: int
    anchored_entries: int
    segments: int
    seq: int | None = None
    problem: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_log(  # noqa: PLR0911  (one return per kind of damage)
    entries: Sequence[Entry], segments: Sequence[AnchoredSegment]
) -> Verdict:
    """Check the hash chain, the numbering and every anchored segment's Merkle root."""
    anchored = segments[-1].last_seq + 1 if segments else 0
    count = len(entries)

    def bad(seq: int, problem: str) -> Verdict:
        return Verdict(count, anchored, len(segments), seq, problem)

    previous = GENESIS_HASH
    for position, entry in enumerate(entries):
        seq = entry.body.seq
        if seq < position:
            return bad(seq, f"entry {seq} inserted: it repeats or reorders a sequence number")
        if seq > position:
            return bad(position, f"entry {position} removed: the export jumps to {seq}")
        if entry.body.digest() != entry.entry_hash:
            return bad(seq, f"entry {seq} altered: its content does not hash to its entry hash")
        if entry.body.prev_hash != previous:
            return bad(seq, f"entry {seq} inserted or its predecessor altered: chain link broken")
        previous = entry.entry_hash
    if count < anchored:
        return bad(count, f"entry {count} removed: the chain anchors entries up to {anchored - 1}")
    hashes = [entry.entry_hash for entry in entries]
    for segment in segments:
        root = segment_root(hashes[segment.first_seq : segment.last_seq + 1])
        if root != segment.root:
            return bad(
                segment.first_seq,
                f"segment {segment.index} (entries {segment.first_seq}..{segment.last_seq}) "
                "does not match its anchored root: an entry in it was rewritten (hashes "
                "recomputed)",
            )
    notes = []
    if count > anchored:
        notes.append(
            f"entries {anchored}..{count - 1} are not anchored yet: checked by hash chain only"
        )
    return Verdict(count, anchored, len(segments), notes=notes)
