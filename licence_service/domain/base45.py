"""Base45 (RFC 9285, written by the ``base45`` package): bytes as text in the QR code
alphanumeric alphabet, denser in a QR code than base64 in its byte mode."""

from __future__ import annotations

from base45 import BASE45_CHARSET, b45decode, b45encode

from licence_service.domain.errors import LicenceInputError

_CHARSET = frozenset(BASE45_CHARSET)


class InvalidBase45(LicenceInputError):
    """Text that is not base45."""

    code = "invalid-base45"
    title = "Invalid base45 text"


def encode(data: bytes) -> str:
    return str(b45encode(data).decode("ascii"))


def decode(text: str) -> bytes:
    # The package says only "Invalid base45 string", and takes trailing newlines: the length and
    # the characters are checked here first, so a refusal says why and one payload has one text.
    if len(text) % 3 == 1:
        raise InvalidBase45("base45 text cannot have a length of 3n + 1")
    stray = set(text) - _CHARSET
    if stray:
        raise InvalidBase45(f"{min(stray)!r} is not a base45 character")
    try:
        return bytes(b45decode(text))
    except ValueError:
        raise InvalidBase45("a base45 group is out of range") from None
