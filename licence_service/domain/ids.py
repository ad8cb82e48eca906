"""Identifiers: e-licence identifiers (GB/T 36904 style), unified social credit codes
(GB 32100-2015) and resident identity card numbers (GB 11643-1999).

A licence identifier reads
``1.2.156.3005.2.<licence type code>.<issuer USCC>.<serial>.<version>.<check>``. Its check
character is ISO/IEC 7064 MOD 37,36 computed over every character before the last dot, with the
dots left out (they are not in the 0-9A-Z alphabet). Leaving the dots out cannot hide a moved dot:
the issuer code (18 characters) and the version (3 digits) have fixed lengths, so a dot moved
across either no longer parses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache

from stdnum.cn import ric, uscc
from stdnum.iso7064 import mod_37_36

from licence_service.domain.errors import InvalidIdentifier

LICENCE_ID_PREFIX = "1.2.156.3005.2"
MAX_VERSION = 999

_COMPONENT = re.compile(r"[0-9A-Z]{1,40}")
_VERSION = re.compile(r"[0-9]{3}")

# GB 32100-2015: digits and capitals without I, O, Z, S, V.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc_check_character(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a credit code."""
    # python-stdnum computes it, but upper-cases its input and strips spaces and dashes first:
    # the length and the alphabet are checked here, so a code has one spelling only.
    if len(first17) != 17:
        raise InvalidIdentifier(f"a credit code has 17 characters before its check: {first17!r}")
    for char in first17:
        if char not in USCC_ALPHABET:
            raise InvalidIdentifier(
                f"{char!r} is not allowed in a unified social credit code "
                "(digits and capitals other than I, O, Z, S, V)"
            )
    return uscc.calc_check_digit(first17)


# Kept: every licence identifier built or parsed checks its issuer's code, and an issuer issues
# thousands. Only codes that pass are kept (a refusal raises, which is not cached).
@lru_cache(maxsize=1024)
def validate_uscc(code: str) -> str:
    """Return ``code`` if it is a well-formed 18-character unified social credit code.

    Checks the alphabet, that characters 3-8 (the administrative division code) are digits, and
    the check character. Raises :class:`InvalidIdentifier` otherwise. (``stdnum.cn.uscc.validate``
    would also want characters 1-2 to be digits, which GB 32100 does not ask.)
    """
    if len(code) != 18:
        raise InvalidIdentifier(f"a unified social credit code has 18 characters: {code!r}")
    if not code[2:8].isdigit() or not code[2:8].isascii():
        raise InvalidIdentifier(
            f"characters 3-8 of a credit code are an administrative division code: {code!r}"
        )
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        raise InvalidIdentifier(f"credit code {code!r} fails its check character")
    return code


def resident_id_check_character(first17: str) -> str:
    """The ISO/IEC 7064 MOD 11-2 check character (0-9 or X) for the first 17 digits of a
    resident ID number."""
    if len(first17) != 17 or not first17.isdigit() or not first17.isascii():
        raise InvalidIdentifier(f"a resident ID number has 17 digits before its check: {first17!r}")
    # python-stdnum takes the whole number and ignores its last character.
    return ric.calc_check_digit(first17 + "0")


def validate_resident_id(number: str) -> str:
    """Return ``number`` if it is a valid 18-character resident identity card number.

    Checks six digits of address code, a real birth date, three digits of sequence and the
    ISO/IEC 7064 MOD 11-2 check character (0-9 or X, upper case). Raises
    :class:`InvalidIdentifier`. (``stdnum.cn.ric.validate`` would also look the address code up
    in its own table, which this check leaves to the issuing authority.)
    """
    if len(number) != 18 or not number[:17].isdigit() or not number[:17].isascii():
        raise InvalidIdentifier(f"a resident ID number is 17 digits and a check: {number!r}")
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdentifier(f"resident ID {number!r} has no valid birth date") from None
    if number[17] != resident_id_check_character(number[:17]):
        raise InvalidIdentifier(f"resident ID {number!r} fails its check character")
    return number


@dataclass(frozen=True)
class LicenceId:
    """A parsed licence identifier. ``str(licence_id)`` is its text, check character included."""

    type_code: str
    issuer_code: str
    serial: str
    version: int = 1

    def __post_init__(self) -> None:
        for label, value in (("licence type code", self.type_code), ("serial", self.serial)):
            if not _COMPONENT.fullmatch(value):
                raise InvalidIdentifier(f"a {label} is 1-40 of 0-9 and A-Z: {value!r}")
        validate_uscc(self.issuer_code)
        if not 1 <= self.version <= MAX_VERSION:
            raise InvalidIdentifier(f"a licence version is 1-{MAX_VERSION}: {self.version}")

    @property
    def _body(self) -> str:
        return ".".join(
            (
                LICENCE_ID_PREFIX,
                self.type_code,
                self.issuer_code,
                self.serial,
                f"{self.version:03d}",
            )
        )

    @cached_property
    def check_character(self) -> str:
        # Kept: parsing checks it and formatting the parsed identifier writes it again.
        return mod_37_36.calc_check_digit(self._body.replace(".", ""))

    def format(self) -> str:
        """The identifier's text."""
        return f"{self._body}.{self.check_character}"

    def __str__(self) -> str:
        return self.format()

    def next_version(self) -> LicenceId:
        """The identifier of the renewed, corrected or transferred licence that supersedes this
        one: the same type, issuer and serial, the version plus one."""
        if self.version == MAX_VERSION:
            raise InvalidIdentifier(f"licence {self} is at the last version")
        return LicenceId(self.type_code, self.issuer_code, self.serial, self.version + 1)

    # Kept: a document's identifier is parsed when its model validates and again when its parts
    # are asked for, and each parse computes the check character. Refusals raise, not cached.
    @classmethod
    @lru_cache(maxsize=256)
    def parse(cls, text: str) -> LicenceId:
        """Parse and check a licence identifier; raise :class:`InvalidIdentifier` with the
        reason if it is malformed or its check character is wrong."""
        prefix = LICENCE_ID_PREFIX + "."
        if not text.startswith(prefix):
            raise InvalidIdentifier(f"a licence identifier starts with {prefix!r}: {text!r}")
        parts = text[len(prefix) :].split(".")
        if len(parts) != 5:
            raise InvalidIdentifier(
                "a licence identifier has type code, issuer code, serial, version and check "
                f"after the prefix: {text!r}"
            )
        type_code, issuer_code, serial, version, check = parts
        if not _VERSION.fullmatch(version):
            raise InvalidIdentifier(f"a licence version is three digits: {version!r}")
        licence_id = cls(type_code, issuer_code, serial, int(version))
        if check != licence_id.check_character:
            raise InvalidIdentifier(f"licence identifier {text!r} fails its check character")
        return licence_id
