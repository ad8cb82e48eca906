"""The one canonical byte encoding of everything the licence domain hashes or signs.

RFC 8785 (JSON Canonicalization Scheme, written by the ``rfc8785`` package) of the value after a
strictness layer: integers only (no floats), every string NFC-normalised, keys unique after
normalisation. docs/licences.md ("Canonical encoding") has the rules.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from json.encoder import encode_basestring
from typing import Any, cast

import rfc8785

from licence_service.domain.errors import NotCanonicalisable

MAX_SAFE_INTEGER = 2**53 - 1

# A JSON value as the domain builds it (arrays may also be tuples).
JSONScalar = None | bool | int | str
JSONValue = Any


def _normalise(value: object) -> JSONValue:
    # This runs for every value hashed, a hundred times per licence issued: exact type tests
    # for the common cases first, the general (and slower) ones in _normalise_other.
    if type(value) is str:
        return unicodedata.normalize("NFC", value)
    if type(value) is list or type(value) is tuple:
        return [_normalise(item) for item in value]
    if type(value) is dict:
        return _normalise_object(value)
    return _normalise_other(value)


def _normalise_other(value: object) -> JSONValue:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            return int(value)
        raise NotCanonicalisable(f"integer {value} is outside +-(2**53 - 1)")
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, Mapping):
        return _normalise_object(value)
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        return [_normalise(item) for item in value]
    raise NotCanonicalisable(f"{type(value).__name__} has no canonical JSON encoding")


def _normalise_object(value: Mapping[object, object]) -> dict[str, JSONValue]:
    members: dict[str, JSONValue] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise NotCanonicalisable(f"object keys are strings, not {type(key).__name__}")
        normal_key = unicodedata.normalize("NFC", key)
        if normal_key in members:
            raise NotCanonicalisable(f"two keys are {normal_key!r} after NFC normalisation")
        members[normal_key] = _normalise(item)
    return members


def canonical_json(value: object) -> bytes:
    """The canonical UTF-8 bytes of ``value``; raises :class:`NotCanonicalisable`."""
    try:
        return rfc8785.dumps(_normalise(value))
    except (rfc8785.CanonicalizationError, UnicodeEncodeError):
        # rfc8785's CanonicalizationError for a lone surrogate in a string, the codec's
        # UnicodeEncodeError for one in a key (sorting by UTF-16 encodes the keys).
        raise NotCanonicalisable("a string holds a lone surrogate") from None


def canonical_utf8(text: str) -> bytes:
    """Canonical JSON text as bytes; raises :class:`NotCanonicalisable` for a lone surrogate."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise NotCanonicalisable("a string holds a lone surrogate") from None


# The escaper of the json module (its C version where there is one): it escapes exactly what
# RFC 8785 escapes, as the tests check against canonical_json.
_encode_string = encode_basestring


def canonical_text(value: object) -> str:
    """The canonical JSON text of ``value``, as :func:`canonical_json` writes it inside a larger
    value, for filling the fixed structures that are hashed a dozen times per licence.

    Scalars take a short path with the same NFC normalisation and integer bound as the general
    encoder, and the json module's escaper (the tests compare the two on random values);
    anything else goes through the general encoder.
    """
    kind = type(value)
    if kind is str:
        return _encode_string(unicodedata.normalize("NFC", cast(str, value)))
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int and -MAX_SAFE_INTEGER <= cast(int, value) <= MAX_SAFE_INTEGER:
        return str(value)
    return canonical_json(value).decode("utf-8")


def _refuse_float(text: str) -> float:
    raise NotCanonicalisable(f"numbers are integers here, not {text}")


def _refuse_constant(text: str) -> float:
    raise NotCanonicalisable(f"{text} is not JSON")


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    members = dict(pairs)
    if len(members) != len(pairs):
        raise NotCanonicalisable("an object has a key twice")
    return members


def parse_json(data: bytes | str) -> JSONValue:
    """Parse JSON the way it is hashed: no floats, NaN or Infinity, no repeated keys.

    Raises :class:`NotCanonicalisable` for those and for text that is not JSON at all.
    """
    try:
        return json.loads(
            data,
            parse_float=_refuse_float,
            parse_constant=_refuse_constant,
            object_pairs_hook=_unique_object,
        )
    except (ValueError, RecursionError) as exc:
        if isinstance(exc, NotCanonicalisable):
            raise
        raise NotCanonicalisable(f"not JSON: {exc}") from None


# Kept: a batch is signed at one moment, written twice for each of its licences and read
# back for each document verified. Equal datetimes are the same instant, so the same text.
@lru_cache(maxsize=256)
def format_timestamp(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` in UTC. The moment must be timezone-aware and whole seconds."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NotCanonicalisable(f"timestamp {moment} has no timezone")
    if moment.microsecond:
        raise NotCanonicalisable(f"timestamp {moment} is not a whole second")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_seconds(moment: datetime) -> datetime:
    """``moment`` in UTC and truncated to whole seconds, the precision everything is signed at."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NotCanonicalisable(f"timestamp {moment} has no timezone")
    return moment.astimezone(UTC).replace(microsecond=0)
