"""SM3 (GB/T 32905-2016) in pure Python, with a hashlib-style object, for the python backend."""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Self

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

_MASK = 0xFFFFFFFF
_IV = (
    0x7380166F,
    0x4914B2B9,
    0x172442D7,
    0xDA8A0600,
    0xA96F30BC,
    0x163138AA,
    0xE38DEE4D,
    0xB0FB0E4E,
)


def _rotl(x: int, n: int) -> int:
    n %= 32
    return ((x << n) | (x >> (32 - n))) & _MASK


# T_j rotated left by j, precomputed: the constants each round adds.
_ROUND_CONSTANTS = tuple(_rotl(0x79CC4519 if j < 16 else 0x7A879D8A, j) for j in range(64))
_BLOCK = struct.Struct(">16I")


def _compress(state: tuple[int, ...], block: bytes) -> tuple[int, ...]:
    w = list(_BLOCK.unpack(block))
    for j in range(16, 68):
        x = w[j - 16] ^ w[j - 9] ^ (((w[j - 3] << 15) | (w[j - 3] >> 17)) & _MASK)
        y = w[j - 13]
        w.append(
            x
            ^ (((x << 15) | (x >> 17)) & _MASK)
            ^ (((x << 23) | (x >> 9)) & _MASK)
            ^ (((y << 7) | (y >> 25)) & _MASK)
            ^ w[j - 6]
        )
    a, b, c, d, e, f, g, h = state
    # Rounds 0-15 and 16-63 differ only in their boolean functions: two loops, no branch.
    for j in range(16):
        a12 = ((a << 12) | (a >> 20)) & _MASK
        ss1 = (a12 + e + _ROUND_CONSTANTS[j]) & _MASK
        ss1 = ((ss1 << 7) | (ss1 >> 25)) & _MASK
        tt1 = ((a ^ b ^ c) + d + (ss1 ^ a12) + (w[j] ^ w[j + 4])) & _MASK
        tt2 = ((e ^ f ^ g) + h + ss1 + w[j]) & _MASK
        d, c, b, a = c, ((b << 9) | (b >> 23)) & _MASK, a, tt1
        h, g, f = g, ((f << 19) | (f >> 13)) & _MASK, e
        e = tt2 ^ (((tt2 << 9) | (tt2 >> 23)) & _MASK) ^ (((tt2 << 17) | (tt2 >> 15)) & _MASK)
    for j in range(16, 64):
        a12 = ((a << 12) | (a >> 20)) & _MASK
        ss1 = (a12 + e + _ROUND_CONSTANTS[j]) & _MASK
        ss1 = ((ss1 << 7) | (ss1 >> 25)) & _MASK
        tt1 = (((a & b) | (a & c) | (b & c)) + d + (ss1 ^ a12) + (w[j] ^ w[j + 4])) & _MASK
        tt2 = (((e & f) | (~e & g)) + h + ss1 + w[j]) & _MASK
        d, c, b, a = c, ((b << 9) | (b >> 23)) & _MASK, a, tt1
        h, g, f = g, ((f << 19) | (f >> 13)) & _MASK, e
        e = tt2 ^ (((tt2 << 9) | (tt2 >> 23)) & _MASK) ^ (((tt2 << 17) | (tt2 >> 15)) & _MASK)
    return (
        a ^ state[0],
        b ^ state[1],
        c ^ state[2],
        d ^ state[3],
        e ^ state[4],
        f ^ state[5],
        g ^ state[6],
        h ^ state[7],
    )


class PureSM3:
    """A hashlib-compatible SM3 object (``update``/``digest``/``hexdigest``/``copy``)."""

    name = "sm3"
    digest_size = 32
    block_size = 64

    def __init__(self, data: ReadableBuffer = b"") -> None:
        self._state: tuple[int, ...] = _IV
        self._pending = b""
        self._length = 0
        self.update(data)

    def update(self, data: ReadableBuffer, /) -> None:
        data = self._pending + bytes(data)
        self._length += len(data) - len(self._pending)
        full = len(data) - len(data) % 64
        state = self._state
        for offset in range(0, full, 64):
            state = _compress(state, data[offset : offset + 64])
        self._state = state
        self._pending = data[full:]

    def digest(self) -> bytes:
        tail = self._pending + b"\x80"
        tail += b"\x00" * ((56 - len(tail)) % 64) + (self._length * 8).to_bytes(8, "big")
        state = self._state
        for offset in range(0, len(tail), 64):
            state = _compress(state, tail[offset : offset + 64])
        return struct.pack(">8I", *state)

    def hexdigest(self) -> str:
        return self.digest().hex()

    def copy(self) -> Self:
        clone = type(self)()
        clone._state, clone._pending, clone._length = self._state, self._pending, self._length
        return clone
