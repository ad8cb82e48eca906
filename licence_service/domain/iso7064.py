"""ISO/IEC 7064 check character systems with one check character, pure and hybrid.

A *pure* system MOD p-r appends a check character c so that, with the characters' values a_i
(left to right, c last, n characters in all), sum(a_i * r**(n-i)) = 1 (mod p). A *hybrid*
system MOD M+1,M works on an alphabet of M characters, and its check character is in the same
alphabet: starting from P = M, each character turns P into 2 * (((P + a) mod M) or M) mod (M+1),
and the check character is the one that leaves (P + c) mod M = 1. Both detect every single
substitution and every transposition of adjacent characters.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from licence_service.domain.errors import InvalidIdentifier

DIGITS = "0123456789"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@cache
def _value_table(alphabet: str) -> dict[str, int]:
    return {char: value for value, char in enumerate(alphabet)}


def _values(alphabet: str, text: str, system: str) -> list[int]:
    # A table lookup per character: a licence identifier's check runs for every licence issued
    # and every document verified.
    table = _value_table(alphabet)
    try:
        return [table[char] for char in text]
    except KeyError as missing:
        raise InvalidIdentifier(f"{missing.args[0]!r} is not a character of {system}") from None


@dataclass(frozen=True)
class PureSystem:
    """A pure system MOD p-r with a single check character (p up to one more than the
    alphabet: the extra value is written with a supplementary character, e.g. MOD 11-2's X)."""

    name: str
    modulus: int
    radix: int
    alphabet: str
    supplementary: str = ""

    def check_character(self, text: str) -> str:
        """The check character to append to ``text``."""
        total = 0
        for value in _values(self.alphabet, text, self.name):
            total = (total + value) * self.radix % self.modulus
        return (self.alphabet + self.supplementary)[(1 - total) % self.modulus]

    def is_valid(self, text: str) -> bool:
        """Whether the last character of ``text`` is the right check character for the rest."""
        if not text:
            return False
        try:
            return self.check_character(text[:-1]) == text[-1]
        except InvalidIdentifier:
            return False


@dataclass(frozen=True)
class HybridSystem:
    """A hybrid system MOD M+1,M over an alphabet of M characters."""

    name: str
    alphabet: str

    def check_character(self, text: str) -> str:
        """The check character to append to ``text``."""
        modulus = len(self.alphabet)
        product = modulus
        for value in _values(self.alphabet, text, self.name):
            product = 2 * ((product + value) % modulus or modulus) % (modulus + 1)
        return self.alphabet[(modulus + 1 - product) % modulus]

    def is_valid(self, text: str) -> bool:
        """Whether the last character of ``text`` is the right check character for the rest."""
        if not text:
            return False
        try:
            return self.check_character(text[:-1]) == text[-1]
        except InvalidIdentifier:
            return False


# The two systems the domain uses: resident ID numbers (GB 11643) and licence identifiers.
MOD_11_2 = PureSystem("ISO/IEC 7064 MOD 11-2", 11, 2, DIGITS, supplementary="X")
MOD_37_36 = HybridSystem("ISO/IEC 7064 MOD 37,36", DIGITS + LETTERS)
