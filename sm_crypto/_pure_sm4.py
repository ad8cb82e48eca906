"""SM4 (GB/T 32907-2016) in pure Python: the block cipher, raw CBC and GCM, for the python backend.

Table lookups indexed by secret bytes are not constant time; the native backend is the one to use
where timing side channels matter.
"""

from __future__ import annotations

import hmac
import struct

from sm_crypto.exceptions import InvalidTag

BLOCK_SIZE = 16
_MASK = 0xFFFFFFFF
_SBOX = bytes.fromhex(
    "d690e9fecce13db716b614c228fb2c052b679a762abe04c3aa44132649860699"
    "9c4250f491ef987a33540b43edcfac62e4b31ca9c908e89580df94fa758f3fa6"
    "4707a7fcf37317ba83593c19e6854fa8686b81b27164da8bf8eb0f4b70569d35"
    "1e240e5e6358d1a225227c3b01217887d40046579fd327524c3602e7a0c4c89e"
    "eabf8ad240c738b5a3f7f2cef96115a1e0ae5da49b341a55ad933230f58cb1e3"
    "1df6e22e8266ca60c02923ab0d534e6fd5db3745defd8e2f03ff6a726d6c5b51"
    "8d1baf92bbddbc7f11d95c411f105ad80ac13188a5cd7bbd2d74d012b8e5b4b0"
    "8969974a0c96777e65b9f109c56ec68418f07dec3adc4d2079ee5f3ed7cb3948"
)
_FK = (0xA3B1BAC6, 0x56AA3350, 0x677D9197, 0xB27022DC)
# CK_i's bytes are (4i + j) * 7 mod 256, j = 0..3 (GB/T 32907-2016, 7.3).
_CK = tuple(
    int.from_bytes(bytes((4 * i + j) * 7 % 256 for j in range(4)), "big") for i in range(32)
)


def _rotl(x: int, n: int) -> int:
    return ((x << n) | (x >> (32 - n))) & _MASK


def _round_tables(linear: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    """For each byte position, S-box then the linear map: one lookup per byte instead of both."""
    tables = []
    for shift in (24, 16, 8, 0):
        table = []
        for value in range(256):
            word = _SBOX[value] << shift
            mixed = word
            for amount in linear:
                mixed ^= _rotl(word, amount)
            table.append(mixed)
        tables.append(tuple(table))
    return tuple(tables)


_T0, _T1, _T2, _T3 = _round_tables((2, 10, 18, 24))  # the cipher's L
_K0, _K1, _K2, _K3 = _round_tables((13, 23))  # the key schedule's L'
_WORDS = struct.Struct(">4I")


class SM4Block:
    """The SM4 block cipher under one key: 16-byte blocks in, 16-byte blocks out."""

    __slots__ = ("_decrypt_keys", "_encrypt_keys")

    def __init__(self, key: bytes) -> None:
        if len(key) != 16:
            raise ValueError("SM4 keys are 16 bytes")
        k = [word ^ fk for word, fk in zip(_WORDS.unpack(key), _FK, strict=True)]
        for ck in _CK:
            x = k[-3] ^ k[-2] ^ k[-1] ^ ck
            k.append(
                k[-4] ^ _K0[x >> 24] ^ _K1[(x >> 16) & 0xFF] ^ _K2[(x >> 8) & 0xFF] ^ _K3[x & 0xFF]
            )
        self._encrypt_keys = tuple(k[4:])
        self._decrypt_keys = self._encrypt_keys[::-1]

    @staticmethod
    def _crypt(block: bytes, round_keys: tuple[int, ...]) -> bytes:
        x0, x1, x2, x3 = _WORDS.unpack(block)
        t0, t1, t2, t3 = _T0, _T1, _T2, _T3
        for rk in round_keys:
            x = x1 ^ x2 ^ x3 ^ rk
            x0, x1, x2, x3 = (
                x1,
                x2,
                x3,
                x0 ^ t0[x >> 24] ^ t1[(x >> 16) & 0xFF] ^ t2[(x >> 8) & 0xFF] ^ t3[x & 0xFF],
            )
        return _WORDS.pack(x3, x2, x1, x0)

    def encrypt_block(self, block: bytes) -> bytes:
        return self._crypt(block, self._encrypt_keys)

    def decrypt_block(self, block: bytes) -> bytes:
        return self._crypt(block, self._decrypt_keys)


def _xor(a: bytes, b: bytes) -> bytes:
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).to_bytes(len(a), "big")


class PureSM4ECB:
    def __init__(self, key: bytes) -> None:
        self._cipher = SM4Block(key)

    def encrypt(self, data: bytes) -> bytes:
        blocks = range(0, len(data), BLOCK_SIZE)
        return b"".join(self._cipher.encrypt_block(data[i : i + BLOCK_SIZE]) for i in blocks)

    def decrypt(self, data: bytes) -> bytes:
        blocks = range(0, len(data), BLOCK_SIZE)
        return b"".join(self._cipher.decrypt_block(data[i : i + BLOCK_SIZE]) for i in blocks)


class PureSM4CBC:
    """CBC without padding: whole blocks only (the caller pads)."""

    def __init__(self, key: bytes) -> None:
        self._cipher = SM4Block(key)

    def encrypt(self, iv: bytes, data: bytes) -> bytes:
        out = []
        previous = iv
        for i in range(0, len(data), BLOCK_SIZE):
            previous = self._cipher.encrypt_block(_xor(data[i : i + BLOCK_SIZE], previous))
            out.append(previous)
        return b"".join(out)

    def decrypt(self, iv: bytes, data: bytes) -> bytes:
        out = []
        previous = iv
        for i in range(0, len(data), BLOCK_SIZE):
            block = data[i : i + BLOCK_SIZE]
            out.append(_xor(self._cipher.decrypt_block(block), previous))
            previous = block
        return b"".join(out)


_GCM_REDUCTION = 0xE1 << 120


class _GHash:
    """GHASH over GF(2^128) with H fixed: multiplying by H is XORing 32 looked-up values, one per
    4-bit nibble of the input, because the product is linear in the input's bits."""

    def __init__(self, h: bytes) -> None:
        # GCM's bit order: the block's most significant bit is the coefficient of x^0, so
        # multiplying by x is a right shift, with the reduction when x^127 falls off.
        powers = [int.from_bytes(h, "big")]
        for _ in range(127):
            v = powers[-1]
            powers.append((v >> 1) ^ (_GCM_REDUCTION if v & 1 else 0))
        self._tables = []
        for position in range(32):
            table = [0] * 16
            for nibble in range(1, 16):
                for bit in range(4):
                    if nibble & (8 >> bit):
                        table[nibble] ^= powers[4 * position + bit]
            self._tables.append(tuple(table))

    def _times_h(self, x: int) -> int:
        product = 0
        for position, table in enumerate(self._tables):
            product ^= table[(x >> (124 - 4 * position)) & 0xF]
        return product

    def digest(self, aad: bytes, ciphertext: bytes) -> bytes:
        y = 0
        for data in (aad, ciphertext):
            for i in range(0, len(data), BLOCK_SIZE):
                block = data[i : i + BLOCK_SIZE].ljust(BLOCK_SIZE, b"\x00")
                y = self._times_h(y ^ int.from_bytes(block, "big"))
        lengths = (len(aad) * 8) << 64 | len(ciphertext) * 8
        return self._times_h(y ^ lengths).to_bytes(16, "big")


class PureSM4GCM:
    """SM4-GCM with 96-bit nonces and 128-bit tags (NIST SP 800-38D; RFC 8998)."""

    def __init__(self, key: bytes) -> None:
        self._cipher = SM4Block(key)
        self._ghash = _GHash(self._cipher.encrypt_block(bytes(BLOCK_SIZE)))

    def _ctr(self, nonce: bytes, data: bytes) -> bytes:
        out = []
        for counter, i in enumerate(range(0, len(data), BLOCK_SIZE), start=2):
            chunk = data[i : i + BLOCK_SIZE]
            keystream = self._cipher.encrypt_block(nonce + counter.to_bytes(4, "big"))
            out.append(_xor(chunk, keystream[: len(chunk)]))
        return b"".join(out)

    def _tag(self, nonce: bytes, aad: bytes, ciphertext: bytes) -> bytes:
        mask = self._cipher.encrypt_block(nonce + b"\x00\x00\x00\x01")
        return _xor(self._ghash.digest(aad, ciphertext), mask)

    def encrypt(self, nonce: bytes, data: bytes, aad: bytes) -> bytes:
        ciphertext = self._ctr(nonce, data)
        return ciphertext + self._tag(nonce, aad, ciphertext)

    def decrypt(self, nonce: bytes, data: bytes, aad: bytes) -> bytes:
        ciphertext, tag = data[:-16], data[-16:]
        if not hmac.compare_digest(self._tag(nonce, aad, ciphertext), tag):
            raise InvalidTag("authentication failed")
        return self._ctr(nonce, ciphertext)
