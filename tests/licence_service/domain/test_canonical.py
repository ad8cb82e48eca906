"""The canonical JSON encoding (RFC 8785 restricted to integers) and strict parsing."""

from __future__ import annotations

import json
import unicodedata
from collections import UserList
from datetime import UTC, datetime, timedelta, timezone
from enum import IntEnum, StrEnum
from types import MappingProxyType
from typing import Any

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from licence_service.domain.canonical import (
    MAX_SAFE_INTEGER,
    canonical_json,
    format_timestamp,
    parse_json,
)
from licence_service.domain.errors import NotCanonicalisable
from tests.licence_service.domain.vectors import vector_json

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER)
    | st.text(st.characters(exclude_categories=["Cs"])),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(st.characters(exclude_categories=["Cs"])), children, max_size=4)
    ),
    max_leaves=12,
)


def test_rfc8785_property_order_is_by_utf16_code_units() -> None:
    vector = vector_json("jcs_sort.json")
    keys = list(json.loads(canonical_json(vector["input"])))
    # The RFC's U+FB33 is not in NFC: we normalise it (to U+05D3 U+05BC) before sorting, so
    # our order differs from plain JCS there. Every key NFC leaves alone is in the RFC's order.
    stable = [key for key in vector["expected_key_order"] if unicodedata.is_normalized("NFC", key)]
    assert [key for key in keys if key in stable] == stable
    assert "\u05d3\u05bc" in keys
    # By code point U+1F600 would sort after U+FF21; by UTF-16 code unit (0xD83D) it is before.
    assert list(json.loads(canonical_json({"\uff21": 1, "\U0001f600": 2}))) == [
        "\U0001f600",
        "\uff21",
    ]


def test_no_whitespace_and_minimal_escapes() -> None:
    value = {"b": [1, True, None], "a": 'quote " backslash \\ tab \t nul \x00 del \x7f 中'}
    assert (
        canonical_json(value)
        == (
            '{"a":"quote \\" backslash \\\\ tab \\t nul \\u0000 del \x7f 中","b":[1,true,null]}'
        ).encode()
    )


def test_strings_and_keys_are_nfc_normalised() -> None:
    composed, decomposed = "caf\u00e9", "cafe\u0301"
    assert unicodedata.normalize("NFC", decomposed) == composed
    assert canonical_json({decomposed: decomposed}) == canonical_json({composed: composed})
    assert canonical_json([decomposed]) == '["café"]'.encode()


def test_nested_structures_and_key_order() -> None:
    first = {"z": {"y": [1, {"b": 2, "a": 1}], "x": None}, "a": []}
    second = {"a": (), "z": {"x": None, "y": (1, {"a": 1, "b": 2})}}
    assert canonical_json(first) == canonical_json(second)
    assert canonical_json(first) == b'{"a":[],"z":{"x":null,"y":[1,{"a":1,"b":2}]}}'


def test_other_mappings_sequences_and_enums_encode_as_their_json_kind() -> None:
    class Colour(StrEnum):
        RED = "red"

    class Size(IntEnum):
        BIG = 7

    value = MappingProxyType({"b": UserList([Size.BIG, Colour.RED]), "a": range(2)})
    assert canonical_json(value) == b'{"a":[0,1],"b":[7,"red"]}'


def test_the_strictness_layer_over_rfc8785() -> None:
    # rfc8785 alone writes floats (IEEE doubles: 0.1 + 0.2 signs as 0.30000000000000004) and
    # keeps strings as given, so two spellings of one text would hash differently.
    assert rfc8785.dumps(0.1 + 0.2) == b"0.30000000000000004"
    with pytest.raises(NotCanonicalisable):
        canonical_json(0.1 + 0.2)
    assert rfc8785.dumps(["cafe\u0301"]) != canonical_json(["cafe\u0301"]) == '["café"]'.encode()
    assert rfc8785.dumps({"caf\u00e9": 1, "cafe\u0301": 2})
    with pytest.raises(NotCanonicalisable, match="NFC"):
        canonical_json({"caf\u00e9": 1, "cafe\u0301": 2})


@given(json_values)
def test_encoding_is_stable_through_a_parse(value: Any) -> None:
    encoded = canonical_json(value)
    assert canonical_json(parse_json(encoded)) == encoded


@given(st.dictionaries(st.text(max_size=5), st.integers(0, 9), min_size=2, max_size=6))
def test_member_order_does_not_matter(members: dict[str, int]) -> None:
    reordered = dict(reversed(list(members.items())))
    if len({unicodedata.normalize("NFC", key) for key in members}) == len(members):
        assert canonical_json(reordered) == canonical_json(members)


@pytest.mark.parametrize(
    "value",
    [
        1.5,
        [0.0],
        {"n": float("nan")},
        MAX_SAFE_INTEGER + 1,
        -(MAX_SAFE_INTEGER + 1),
        {1: "not a string key"},
        {"caf\u00e9": 1, "cafe\u0301": 2},
        "lone \ud800 surrogate",
        {"lone \udc00 surrogate": 1},
        b"bytes",
        {"when": datetime(2026, 1, 1, tzinfo=UTC)},
    ],
)
def test_values_without_a_canonical_form_are_refused(value: object) -> None:
    with pytest.raises(NotCanonicalisable):
        canonical_json(value)


@pytest.mark.parametrize(
    "text",
    ['{"a": 1.0}', '{"a": 1e3}', '{"a": NaN}', '{"a": Infinity}', '{"a": 1, "a": 2}', "{", ""],
)
def test_parse_refuses_floats_repeated_keys_and_non_json(text: str) -> None:
    with pytest.raises(NotCanonicalisable):
        parse_json(text)


def test_timestamps_are_utc_whole_seconds() -> None:
    beijing = timezone(timedelta(hours=8))
    assert format_timestamp(datetime(2026, 3, 1, 10, 0, tzinfo=beijing)) == "2026-03-01T02:00:00Z"
    with pytest.raises(NotCanonicalisable, match="timezone"):
        format_timestamp(datetime(2026, 3, 1))
    with pytest.raises(NotCanonicalisable, match="whole second"):
        format_timestamp(datetime(2026, 3, 1, 0, 0, 0, 5, tzinfo=UTC))
