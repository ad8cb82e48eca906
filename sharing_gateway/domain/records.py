"""Dataset schemas and records: validation and the canonical form that is hashed and signed.

Canonical form of a version: a JSON array of the records in upload order; each record an object
with exactly the schema's fields, keys sorted, strings in Unicode NFC, integers as JSON integers,
booleans as ``true``/``false``, dates as ``"YYYY-MM-DD"``; serialised with no whitespace
(``separators=(",", ":")``), non-ASCII characters unescaped, UTF-8. The content hash is SM3 of
these bytes, so the same records always hash the same whatever the upload format (JSON or CSV).
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Literal

from govledger.jsonlimits import load_json
from sharing_gateway.errors import RecordsInvalid
from sm_crypto import sm3

FieldType = Literal["string", "integer", "boolean", "date"]
FIELD_TYPES: tuple[FieldType, ...] = ("string", "integer", "boolean", "date")
# Field names go on chain as bytes32 (ASCII, zero-padded), so they are short and plain.
FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
DATASET_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
Record = dict[str, Any]


@dataclass(frozen=True)
class Field:
    name: str
    type: FieldType


@dataclass(frozen=True)
class Schema:
    fields: tuple[Field, ...]

    def __post_init__(self) -> None:
        if not self.fields:
            raise RecordsInvalid("a schema needs at least one field")
        names = [field.name for field in self.fields]
        if len(set(names)) != len(names):
            raise RecordsInvalid("a schema names a field twice")
        for field in self.fields:
            if not FIELD_NAME.fullmatch(field.name):
                raise RecordsInvalid(
                    f"field name {field.name!r}: 1-32 of a-z, 0-9 and _, starting with a letter"
                )
            if field.type not in FIELD_TYPES:
                raise RecordsInvalid(f"field {field.name}: type must be one of {FIELD_TYPES}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(field.name for field in self.fields)

    def to_json(self) -> str:
        return canonical_json({"fields": [[f.name, f.type] for f in self.fields]}).decode()

    @classmethod
    def from_json(cls, text: str) -> Schema:
        return cls(tuple(Field(name, kind) for name, kind in json.loads(text)["fields"]))

    @property
    def schema_hash(self) -> bytes:
        return sm3(self.to_json().encode())


def check_dataset_id(dataset_id: str) -> str:
    if not DATASET_ID.fullmatch(dataset_id):
        raise RecordsInvalid("dataset ids are 1-32 letters, digits, '.', '_' or '-'")
    return dataset_id


def to_bytes32(name: str) -> bytes:
    """A dataset id or field name as the chain stores it: ASCII, left-aligned, zero-padded."""
    return name.encode("ascii").ljust(32, b"\0")


def from_bytes32(value: bytes) -> str:
    return bytes(value).rstrip(b"\0").decode("ascii")


def canonical_json(value: Any) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def _value(field: Field, raw: Any, *, from_text: bool, where: str) -> Any:
    problem = RecordsInvalid(f"{where}: {field.name} is not a valid {field.type}")
    if field.type == "string":
        if not isinstance(raw, str):
            raise problem
        return unicodedata.normalize("NFC", raw)
    if field.type == "integer":
        if from_text and isinstance(raw, str) and re.fullmatch(r"-?(0|[1-9][0-9]*)", raw):
            return int(raw)
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise problem
        return raw
    if field.type == "boolean":
        if from_text and raw in ("true", "false"):
            return raw == "true"
        if not isinstance(raw, bool):
            raise problem
        return raw
    if not isinstance(raw, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        raise problem
    try:
        date.fromisoformat(raw)
    except ValueError:
        raise problem from None
    return raw


def validate_records(
    schema: Schema, rows: Iterable[Mapping[str, Any]], *, from_text: bool = False
) -> list[Record]:
    """Records checked against ``schema``: exactly its fields, each of its type."""
    expected = set(schema.names)
    records: list[Record] = []
    for index, row in enumerate(rows, start=1):
        where = f"record {index}"
        if not isinstance(row, Mapping) or set(row) != expected:
            raise RecordsInvalid(f"{where}: fields must be exactly {sorted(expected)}")
        records.append(
            {
                field.name: _value(field, row[field.name], from_text=from_text, where=where)
                for field in schema.fields
            }
        )
    if not records:
        raise RecordsInvalid("a version needs at least one record")
    return records


class UploadFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


def parse_upload(schema: Schema, content: bytes, upload_format: UploadFormat) -> list[Record]:
    """Records from a JSON array of objects (parsed only once its nesting is known to be
    bounded) or a CSV file with a header row (UTF-8)."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise RecordsInvalid("uploads must be UTF-8") from None
    if upload_format is UploadFormat.CSV:
        return validate_records(schema, csv.DictReader(io.StringIO(text)), from_text=True)
    rows = load_json(text, "the upload")
    if not isinstance(rows, list):
        raise RecordsInvalid("a JSON upload is an array of records")
    return validate_records(schema, rows)


def canonical_records(records: Sequence[Record]) -> bytes:
    return canonical_json(list(records))


def project(records: Sequence[Record], fields: Sequence[str]) -> list[Record]:
    """Only ``fields`` of each record."""
    return [{name: record[name] for name in fields} for record in records]
