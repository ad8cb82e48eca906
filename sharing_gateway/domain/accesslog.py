"""The access log: hash-chained entries (SM3 over canonical JSON, the previous entry's hash
included), anchored on chain as Merkle roots of segments; :func:`verify_log` checks an export
against the anchored segments. Entry format and verification rules: docs/sharing-gateway.md,
"The access log".
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Protocol

from govledger.errors import InvalidInput
from govledger.jsonlimits import load_json
from ledger.merkle import MerkleTree
from sharing_gateway.domain.records import canonical_json
from sm_crypto import sm3

GENESIS_HASH = "0" * 64
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
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


def format_time(moment: datetime) -> str:
    """An entry's ``time``: RFC 3339 UTC with microseconds."""
    return moment.strftime(TIME_FORMAT)


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


@dataclass(frozen=True)
class Export:
    """A parsed export. ``log_id`` is the one a JSON export names; a CSV export names none."""

    log_id: str | None
    entries: list[Entry]


def parse_export(text: str, source: str = "the export") -> Export:
    """A JSON or CSV export (told apart by the first character), read from ``source``; JSON is
    parsed only once its nesting is known to be bounded. Anything else is :class:`InvalidInput`
    naming ``source``."""
    try:
        if text.lstrip().startswith("{"):
            document = load_json(text, source)
            log_id = document.get("log_id")
            entries = [Entry.from_json(item) for item in document["entries"]]
            return Export(None if log_id is None else str(log_id), entries)
        reader = csv.DictReader(io.StringIO(text))
        if tuple(reader.fieldnames or ()) != CSV_COLUMNS:
            raise ValueError(f"the CSV columns must be {','.join(CSV_COLUMNS)}")
        entries = []
        for row in reader:
            row_document: dict[str, Any] = dict(row)
            row_document["fields"] = [name for name in row["fields"].split(";") if name]
            entries.append(Entry.from_json(row_document))
        return Export(None, entries)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InvalidInput(f"{source} is not an access-log export (JSON or CSV): {exc!r}") from None


# -- verification ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnchoredSegment:
    index: int
    first_seq: int
    last_seq: int
    root: bytes


class AnchoredLog(Protocol):
    """One log as the chain keeps it."""

    def owner(self) -> str | None:
        """The department that keeps the log on chain (None if the chain has no such log)."""
        ...

    def segments(self) -> list[AnchoredSegment]:
        """The log's anchored segments, in order."""
        ...


@dataclass(frozen=True)
class Verdict:
    """``problem`` None means the export is intact. ``seq`` is the first bad entry's number
    (None for a problem with the log as a whole). ``anchored_entries`` is how many entries the
    chain anchors; ``verified_entries`` how many of the export's were checked against anchored
    roots (the others, past the last anchored entry, by hash chain only). ``incomplete``: the
    export ends inside an anchored segment, so its last entries cannot be checked from it (not
    tampering, but not a pass either)."""

    entries: int
    anchored_entries: int
    segments: int
    verified_entries: int = 0
    seq: int | None = None
    problem: str | None = None
    notes: list[str] = field(default_factory=list)
    incomplete: bool = False

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_log(
    entries: Sequence[Entry],
    segments: Sequence[AnchoredSegment],
    *,
    due_before: datetime | None = None,
) -> Verdict:
    """Check the hash chain, the numbering and every anchored segment's Merkle root that the
    export covers. Every anchored entry of the export must be checked against its root: an
    export that ends inside an anchored segment fails as incomplete. With ``due_before``, an
    entry recorded before it must be anchored."""
    anchored = segments[-1].last_seq + 1 if segments else 0
    count = len(entries)
    # Segments are contiguous from 0: those that end inside the export are checked by root.
    covered = [segment for segment in segments if segment.last_seq < count]
    verified = covered[-1].last_seq + 1 if covered else 0
    damage = (
        _chain_damage(entries)
        or _root_damage(entries, covered)
        or _overdue(entries[anchored:], anchored, due_before)
    )
    if damage is not None:
        seq, problem = damage
        return Verdict(count, anchored, len(segments), seq=seq, problem=problem)
    if verified < min(count, anchored):
        # The hash chain alone cannot tell these entries from a forgery: a whole log can be
        # rewritten consistently up to any point inside a segment.
        return Verdict(
            count,
            anchored,
            len(segments),
            verified_entries=verified,
            problem=_cut_short(verified, count, segments[len(covered)]),
            incomplete=True,
        )
    return Verdict(
        count,
        anchored,
        len(segments),
        verified_entries=verified,
        notes=_notes(count, anchored, verified),
    )


def _cut_short(verified: int, count: int, segment: AnchoredSegment) -> str:
    upto = (
        f"the export was verified up to entry {verified - 1}"
        if verified
        else "no entry of the export was verified"
    )
    return (
        f"{upto}; entries {verified}..{count - 1} lie in anchored segment {segment.index} "
        f"(entries {segment.first_seq}..{segment.last_seq}), which extends past the end of the "
        "export, so they cannot be verified from it: export the log again"
    )


Damage = tuple[int, str]  # the first bad entry's number, and what is wrong


def _chain_damage(entries: Sequence[Entry]) -> Damage | None:
    previous = GENESIS_HASH
    for position, entry in enumerate(entries):
        seq = entry.body.seq
        if seq < position:
            return seq, f"entry {seq} inserted: it repeats or reorders a sequence number"
        if seq > position:
            return position, f"entry {position} removed: the export jumps to {seq}"
        if entry.body.digest() != entry.entry_hash:
            return seq, f"entry {seq} altered: its content does not hash to its entry hash"
        if entry.body.prev_hash != previous:
            return seq, f"entry {seq} inserted or its predecessor altered: chain link broken"
        previous = entry.entry_hash
    return None


def _root_damage(entries: Sequence[Entry], covered: Sequence[AnchoredSegment]) -> Damage | None:
    hashes = [entry.entry_hash for entry in entries]
    for segment in covered:
        if segment_root(hashes[segment.first_seq : segment.last_seq + 1]) != segment.root:
            return (
                segment.first_seq,
                f"segment {segment.index} (entries {segment.first_seq}..{segment.last_seq}) "
                "does not match its anchored root: an entry in it was rewritten (hashes "
                "recomputed)",
            )
    return None


def _overdue(
    unanchored: Sequence[Entry], anchored: int, due_before: datetime | None
) -> Damage | None:
    """The first entry not anchored that should be by now (or that has no valid time)."""
    for entry in unanchored:
        seq = entry.body.seq
        overdue = _recorded_before(entry, due_before)
        if overdue is None:
            return seq, f"entry {seq} has no valid time"
        if overdue:
            on_chain = (
                f"the chain anchors entries only up to {anchored - 1}"
                if anchored
                else "the chain anchors no entry of this log"
            )
            return seq, (
                f"entry {seq} (recorded {entry.body.time}) should be anchored by now and is "
                f"not: {on_chain}"
            )
    return None


def _notes(count: int, anchored: int, verified: int) -> list[str]:
    if count > anchored:
        return [f"entries {anchored}..{count - 1} are not anchored yet: checked by hash chain only"]
    if count == anchored:
        return []
    # An export taken before the log grew, ending where a segment ends.
    upto = f"verified up to entry {verified - 1}" if verified else "it has no entries"
    return [
        f"the export is a prefix of the log: {upto}; the log continues on chain, anchored up "
        f"to entry {anchored - 1}"
    ]


def _recorded_before(entry: Entry, moment: datetime | None) -> bool | None:
    """Whether ``entry`` was recorded before ``moment`` (False without one); None if its time
    is not an RFC 3339 time with a zone."""
    try:
        recorded = datetime.fromisoformat(entry.body.time)
    except ValueError:
        return None
    if recorded.tzinfo is None:
        return None
    return moment is not None and recorded < moment
