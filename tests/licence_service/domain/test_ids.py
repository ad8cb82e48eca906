"""Check characters (ISO/IEC 7064, GB 32100, GB 11643) and licence identifiers."""

from __future__ import annotations

import string
from functools import partial

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric, uscc
from stdnum.iso7064 import mod_11_2, mod_37_36

from licence_service.domain.errors import InvalidIdentifier
from licence_service.domain.ids import (
    LICENCE_ID_PREFIX,
    USCC_ALPHABET,
    LicenceId,
    resident_id_check_character,
    uscc_check_character,
    validate_resident_id,
    validate_uscc,
)
from tests.licence_service.domain.vectors import vector_lines

DIGITS, LETTERS = string.digits, string.ascii_uppercase

# python-stdnum's hybrid MOD 37,36 takes any alphabet of M characters for MOD M+1,M.
SYSTEMS = {
    "MOD-37-36": (mod_37_36.calc_check_digit, DIGITS + LETTERS),
    "MOD-11-10": (partial(mod_37_36.calc_check_digit, alphabet=DIGITS), DIGITS),
    "MOD-17-16": (
        partial(mod_37_36.calc_check_digit, alphabet=DIGITS + "ABCDEF"),
        DIGITS + "ABCDEF",
    ),
    "MOD-11-2": (mod_11_2.calc_check_digit, DIGITS + "X"),
}
ISO7064_VECTORS = [line.split() for line in vector_lines("iso7064.txt")]
USCC_VECTORS = vector_lines("uscc.txt")
ID_CHARACTERS = DIGITS + LETTERS + ".-x "

type_codes = st.text(alphabet=DIGITS + LETTERS, min_size=1, max_size=40)


@st.composite
def licence_ids(draw: st.DrawFn) -> LicenceId:
    area = draw(st.text(alphabet=DIGITS, min_size=6, max_size=6))
    body = draw(st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9))
    first17 = "91" + area + body
    return LicenceId(
        draw(type_codes),
        first17 + uscc_check_character(first17),
        draw(type_codes),
        draw(st.integers(1, 999)),
    )


@pytest.mark.parametrize(("system", "text"), ISO7064_VECTORS)
def test_iso7064_vectors(system: str, text: str) -> None:
    check_character, check_alphabet = SYSTEMS[system]
    assert check_character(text[:-1]) == text[-1]
    assert check_alphabet.count(text[-1]) == 1


@given(st.text(alphabet=DIGITS + LETTERS, min_size=1, max_size=60), st.data())
def test_mod37_36_detects_every_single_substitution(text: str, data: st.DataObject) -> None:
    protected = text + mod_37_36.calc_check_digit(text)
    position = data.draw(st.integers(0, len(protected) - 1))
    replacement = data.draw(
        st.sampled_from(DIGITS + LETTERS).filter(lambda c: c != protected[position])
    )
    assert not mod_37_36.is_valid(protected[:position] + replacement + protected[position + 1 :])


@pytest.mark.parametrize("code", USCC_VECTORS)
def test_uscc_vectors(code: str) -> None:
    assert validate_uscc(code) == code
    assert uscc_check_character(code[:17]) == code[17]


@given(st.sampled_from(USCC_VECTORS), st.data())
def test_uscc_detects_every_single_substitution(code: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(0, 17))
    replacement = data.draw(st.sampled_from(USCC_ALPHABET).filter(lambda c: c != code[position]))
    with pytest.raises(InvalidIdentifier):
        validate_uscc(code[:position] + replacement + code[position + 1 :])


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91350100M000100Y4", "18 characters"),
        ("91350100M000100I43", "not allowed"),  # I is not in the alphabet
        ("9135010OM000100Y43", "administrative division"),
        ("91350100m000100Y43", "not allowed"),
        ("91350100M000100Y44", "check character"),
    ],
)
def test_uscc_refusals_say_why(code: str, message: str) -> None:
    with pytest.raises(InvalidIdentifier, match=message):
        validate_uscc(code)


def test_resident_id_check_character() -> None:
    assert validate_resident_id("11010519491231002X") == "11010519491231002X"
    assert resident_id_check_character("11010519491231002") == "X"
    for number, message in [
        ("110105194912310021", "check character"),
        ("11010519491331002X", "birth date"),
        ("11010519490229002X", "birth date"),  # 1949 was not a leap year
        ("1101051949123100", "17 digits"),
        ("11010519491231002x", "check character"),
    ]:
        with pytest.raises(InvalidIdentifier, match=message):
            validate_resident_id(number)


def test_codes_have_one_spelling_where_python_stdnum_would_clean_them() -> None:
    # python-stdnum's validate() upper-cases and strips separators before checking; a code or ID
    # number is stored and compared as text, so a second spelling of one would be a second key.
    for number in ("11010519491231002x", " 11010519491231002X "):
        assert ric.is_valid(number)
        with pytest.raises(InvalidIdentifier):
            validate_resident_id(number)
    for code in ("91350100m000100y43", "91350100-M000100Y43"):
        assert uscc.is_valid(code)
        with pytest.raises(InvalidIdentifier):
            validate_uscc(code)


def test_a_credit_code_may_start_with_a_letter() -> None:
    # GB 32100 registration authority "Y" (others): python-stdnum wants eight leading digits.
    first17 = "Y1350100MB0000012"
    code = first17 + uscc_check_character(first17)
    assert not uscc.is_valid(code)
    assert validate_uscc(code) == code


@given(st.data())
def test_resident_id_detects_every_single_substitution(data: st.DataObject) -> None:
    number = "11010519491231002X"
    position = data.draw(st.integers(0, 17))
    alphabet = DIGITS + ("X" if position == 17 else "")
    replacement = data.draw(st.sampled_from(alphabet).filter(lambda c: c != number[position]))
    with pytest.raises(InvalidIdentifier):
        validate_resident_id(number[:position] + replacement + number[position + 1 :])


def test_licence_id_format_and_parse() -> None:
    licence_id = LicenceId("11100000000013338W001", "91350100M000100Y43", "2026000001", 1)
    text = licence_id.format()
    assert text.startswith(LICENCE_ID_PREFIX + ".11100000000013338W001.91350100M000100Y43.")
    assert text.rsplit(".", 2)[1] == "001"
    # The check character covers every character before the last dot, dots left out.
    body = text.rsplit(".", 1)[0]
    assert text[-1] == mod_37_36.calc_check_digit(body.replace(".", ""))
    assert LicenceId.parse(text) == licence_id
    assert str(licence_id) == text


@given(licence_ids())
def test_licence_id_round_trip(licence_id: LicenceId) -> None:
    assert LicenceId.parse(licence_id.format()) == licence_id


@given(licence_ids(), st.data())
def test_licence_id_detects_every_single_substitution(
    licence_id: LicenceId, data: st.DataObject
) -> None:
    text = licence_id.format()
    position = data.draw(st.integers(0, len(text) - 1))
    replacement = data.draw(st.sampled_from(ID_CHARACTERS).filter(lambda c: c != text[position]))
    with pytest.raises(InvalidIdentifier):
        LicenceId.parse(text[:position] + replacement + text[position + 1 :])


def test_next_version_links_the_line() -> None:
    first = LicenceId("T1", "91350100M000100Y43", "0001")
    second = first.next_version()
    assert (second.type_code, second.issuer_code, second.serial) == (
        "T1",
        "91350100M000100Y43",
        "0001",
    )
    assert second.version == 2
    assert LicenceId.parse(second.format()) == second
    with pytest.raises(InvalidIdentifier, match="last version"):
        LicenceId("T1", "91350100M000100Y43", "0001", 999).next_version()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1.2.156.3005.1.T1.91350100M000100Y43.0001.001.X", "starts with"),
        ("1.2.156.3005.2.T1.91350100M000100Y43.0001.001", "type code, issuer code"),
        ("1.2.156.3005.2.T1.91350100M000100Y43.0001.1.X", "three digits"),
        ("1.2.156.3005.2.T1.91350100M000100Y43.0001.000.X", "version is 1-999"),
        ("1.2.156.3005.2.t1.91350100M000100Y43.0001.001.X", "type code is 1-40"),
        ("1.2.156.3005.2.T1.91350100M000100Y44.0001.001.X", "credit code"),
        ("1.2.156.3005.2.T1.91350100M000100Y43.00.01.001.X", "type code, issuer code"),
    ],
)
def test_licence_id_refusals_say_why(text: str, message: str) -> None:
    with pytest.raises(InvalidIdentifier, match=message):
        LicenceId.parse(text)


def test_a_wrong_check_character_is_refused() -> None:
    text = LicenceId("T1", "91350100M000100Y43", "0001").format()
    wrong = "0" if text[-1] != "0" else "1"
    with pytest.raises(InvalidIdentifier, match="check character"):
        LicenceId.parse(text[:-1] + wrong)
