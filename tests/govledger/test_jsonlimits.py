"""The nesting bound on JSON from outside, and the one reader of the files the CLI is given."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govledger.errors import InvalidInput, JSONTooDeep
from govledger.files import read_json_file, read_json_input
from govledger.jsonlimits import MAX_JSON_DEPTH, check_nesting, load_json, nesting_depth


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("", 0),
        ("12", 0),
        ("[]", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ('["[[[[", {"}": "]]]"}]', 2),  # brackets inside strings do not count
        (r'["\"[[[", [1]]', 2),  # nor after an escaped quote
        (r'["\\", [[1]]]', 3),  # an escaped backslash does not escape the quote after it
        ('["]]]]]]]]", ' + "[" * 80 + "]" * 80 + "]", 81),  # closers in strings hide nothing
    ],
)
def test_nesting_depth_skips_strings(text: str, depth: int) -> None:
    assert nesting_depth(text) == depth
    assert nesting_depth(text.encode()) == depth
    if text:
        json.loads(text)  # every case is JSON


def test_the_bound_is_checked_before_parsing() -> None:
    at_bound = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert load_json(at_bound, "x") == json.loads(at_bound)
    with pytest.raises(JSONTooDeep) as raised:
        check_nesting("[" * 100_000, "the body")
    assert raised.value.code == "json-too-deep"
    with pytest.raises(InvalidInput):
        load_json("{", "x")


def test_the_cli_reader_refuses_in_one_clear_error(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 1000 + "]" * 1000)
    with pytest.raises(JSONTooDeep, match=r"deep\.json"):
        read_json_file(deep)
    with pytest.raises(JSONTooDeep):
        read_json_input(deep)
    with pytest.raises(InvalidInput, match=r"missing\.json"):
        read_json_file(tmp_path / "missing.json")
    (tmp_path / "ok.json").write_text('{"a": [1]}')
    assert read_json_file(tmp_path / "ok.json") == {"a": [1]}


def test_a_file_and_a_text_are_parsed_by_the_same_rules(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"a": [1,')
    with pytest.raises(InvalidInput) as from_file:
        read_json_file(bad)
    with pytest.raises(InvalidInput) as from_text:
        load_json(bad.read_text(), str(bad))
    assert (type(from_file.value), str(from_file.value)) == (
        type(from_text.value),
        str(from_text.value),
    )
    assert str(from_text.value).endswith("at line 1 column 10")
    with pytest.raises(InvalidInput, match="not valid JSON"):
        load_json(b"\xff[]", "the body")
