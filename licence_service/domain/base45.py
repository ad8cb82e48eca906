"""Base45 (RFC 9285): bytes as text in the QR code alphanumeric alphabet.

Two bytes become three characters (one byte, two), which QR codes store in 5.5 bits per
character: denser than putting the bytes in a QR code's byte mode as base64.
"""

from __future__ import annotations

from licence_service.domain.errors import LicenceInputError

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_VALUES = {char: value for value, char in enumerate(ALPHABET)}


class InvalidBase45(LicenceInputError):
    """Text that is not base45."""

    code = "invalid-base45"
    title = "Invalid base45 text"


def encode(data: bytes) -> str:
    chars: list[str] = []
    for i in range(0, len(data) - 1, 2):
        number = data[i] * 256 + data[i + 1]
        number, c = divmod(number, 45)
        e, d = divmod(number, 45)
        chars += (ALPHABET[c], ALPHABET[d], ALPHABET[e])
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        chars += (ALPHABET[c], ALPHABET[d])
    return "".join(chars)


def decode(text: str) -> bytes:
    if len(text) % 3 == 1:
        raise InvalidBase45("base45 text cannot have a length of 3n + 1")
    try:
        values = [_VALUES[char] for char in text]
    except KeyError as exc:
        raise InvalidBase45(f"{exc.args[0]!r} is not a base45 character") from None
    out = bytearray()
    for i in range(0, len(values), 3):
        group = values[i : i + 3]
        number = sum(value * 45**power for power, value in enumerate(group))
        size = 2 if len(group) == 3 else 1
        if number >= 256**size:
            raise InvalidBase45(f"base45 group {text[i : i + 3]!r} is out of range")
        out += number.to_bytes(size, "big")
    return bytes(out)
