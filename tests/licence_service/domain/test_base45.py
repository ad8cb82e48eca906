"""Base45 (RFC 9285), used for QR payloads."""

from __future__ import annotations

import base45 as library
import pytest
from hypothesis import given
from hypothesis import strategies as st

from licence_service.domain import base45
from tests.licence_service.domain.vectors import vector_lines

VECTORS = [line.split("|") for line in vector_lines("base45.txt")]


@pytest.mark.parametrize(("text", "encoded"), VECTORS)
def test_rfc9285_vectors(text: str, encoded: str) -> None:
    assert base45.encode(text.encode()) == encoded
    assert base45.decode(encoded) == text.encode()


@given(st.binary(max_size=64))
def test_round_trip(data: bytes) -> None:
    assert base45.decode(base45.encode(data)) == data


@pytest.mark.parametrize("text", ["A", "GGW", "ab", "::::"])
def test_bad_text_is_refused(text: str) -> None:
    # "GGW" is 65535 + 1; "::::" has length 3n + 1.
    with pytest.raises(base45.InvalidBase45):
        base45.decode(text)


def test_a_payload_has_one_text() -> None:
    # The base45 package strips trailing newlines before decoding; we refuse them.
    assert library.b45decode("BB8\n\n") == b"AB"
    with pytest.raises(base45.InvalidBase45, match="not a base45 character"):
        base45.decode("BB8\n\n")
