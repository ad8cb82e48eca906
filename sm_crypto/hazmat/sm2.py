"""SM2 (GB/T 32918-2016) in pure Python: curve arithmetic, Z, raw signatures and raw encryption.

.. warning::
   Hazardous material. These functions take the signing nonce as an argument (for the
   standard's test vectors), return bare integers, and are not constant time. The python backend
   is built on them; applications use ``sm_crypto.SM2PrivateKey`` and ``SM2PublicKey``.

Points are affine ``(x, y)`` tuples; the point at infinity is never a valid public value, so it
has no tuple form here. Inside, scalar multiplication runs in Jacobian coordinates (one modular
inversion per multiplication) with a precomputed 4-bit table for the base point.
"""

from __future__ import annotations

import enum
import hmac
import secrets
from dataclasses import dataclass
from functools import cache

from sm_crypto import _der
from sm_crypto._pure_sm3 import PureSM3
from sm_crypto.exceptions import DecryptionFailed, InvalidKey, InvalidParameter, InvalidSignature

DEFAULT_UID = b"1234567812345678"
"""The signer ID GM/T 0009-2012 prescribes when the parties agreed on no other."""

Point = tuple[int, int]
_Jacobian = tuple[int, int, int]
_INFINITY: _Jacobian = (1, 1, 0)
_WINDOW_BITS = 4
_DIGIT_MASK = (1 << _WINDOW_BITS) - 1


@dataclass(frozen=True)
class Curve:
    """A short Weierstrass curve y^2 = x^3 + ax + b over GF(p) with a base point of order n."""

    name: str
    p: int
    a: int
    b: int
    gx: int
    gy: int
    n: int

    @property
    def generator(self) -> Point:
        return (self.gx, self.gy)

    @property
    def coordinate_size(self) -> int:
        return (self.p.bit_length() + 7) // 8


SM2P256V1 = Curve(
    name="sm2p256v1",
    p=0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF,
    a=0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC,
    b=0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93,
    gx=0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7,
    gy=0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0,
    n=0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123,
)
"""The recommended curve (GB/T 32918.5-2016; GM/T 0003.5-2012), the only one keys use."""

EXAMPLE_FP256 = Curve(
    name="GM/T 0003.2-2012 example Fp-256",
    p=0x8542D69E4C044F18E8B92435BF6FF7DE457283915C45517D722EDB8B08F1DFC3,
    a=0x787968B4FA32C3FD2417842E73BBFEFF2F3C848B6831D7E0EC65228B3937E498,
    b=0x63E4C6D3B23B0C849CF84241484BFE48F61D59A5B16BA06E6E12D1DA27C5249A,
    gx=0x421DEBD61B62EAB6746434EBC3CC315E32220B3BADD50BDC4C4E6C147FEDD43D,
    gy=0x0680512BCBB42C07D47349D2153B70C4E5D7FDFCBFA36EA1A85841B9E46E09A2,
    n=0x8542D69E4C044F18E8B92435BF6FF7DD297720630485628D5AE74EE7C32E79B7,
)
"""The example curve of the standard's worked examples (Parts 2 and 4): for test vectors only."""


# ---------------------------------------------------------------------------------------------
# Jacobian arithmetic: (X, Y, Z) stands for (X/Z^2, Y/Z^3); Z = 0 is the point at infinity.


def _double(point: _Jacobian, curve: Curve) -> _Jacobian:
    x, y, z = point
    if z == 0 or y == 0:
        return _INFINITY
    p = curve.p
    yy = y * y % p
    s = 4 * x * yy % p
    zz = z * z % p
    m = (3 * x * x + curve.a * zz * zz) % p
    x3 = (m * m - 2 * s) % p
    return x3, (m * (s - x3) - 8 * yy * yy) % p, 2 * y * z % p


def _add(first: _Jacobian, second: _Jacobian, curve: Curve) -> _Jacobian:
    x1, y1, z1 = first
    x2, y2, z2 = second
    if z1 == 0:
        return second
    if z2 == 0:
        return first
    p = curve.p
    z1z1 = z1 * z1 % p
    z2z2 = z2 * z2 % p
    u1 = x1 * z2z2 % p
    s1 = y1 * z2 * z2z2 % p
    h = (x2 * z1z1 - u1) % p
    r = (y2 * z1 * z1z1 - s1) % p
    if h == 0:
        return _double(first, curve) if r == 0 else _INFINITY
    hh = h * h % p
    hhh = h * hh % p
    v = u1 * hh % p
    x3 = (r * r - hhh - 2 * v) % p
    return x3, (r * (v - x3) - s1 * hhh) % p, h * z1 * z2 % p


def _add_affine(first: _Jacobian, second: Point, curve: Curve) -> _Jacobian:
    """``first + second`` where ``second`` is affine (Z = 1): fewer multiplications."""
    x1, y1, z1 = first
    x2, y2 = second
    if z1 == 0:
        return x2, y2, 1
    p = curve.p
    z1z1 = z1 * z1 % p
    h = (x2 * z1z1 - x1) % p
    r = (y2 * z1 * z1z1 - y1) % p
    if h == 0:
        return _double(first, curve) if r == 0 else _INFINITY
    hh = h * h % p
    hhh = h * hh % p
    v = x1 * hh % p
    x3 = (r * r - hhh - 2 * v) % p
    return x3, (r * (v - x3) - y1 * hhh) % p, h * z1 % p


def _to_affine(point: _Jacobian, curve: Curve) -> Point | None:
    x, y, z = point
    if z == 0:
        return None
    p = curve.p
    z_inv = pow(z, -1, p)
    z_inv2 = z_inv * z_inv % p
    return x * z_inv2 % p, y * z_inv2 * z_inv % p


def _batch_to_affine(points: list[_Jacobian], curve: Curve) -> list[Point]:
    """Many finite points to affine with one inversion (Montgomery's trick)."""
    p = curve.p
    prefix = [1]
    for _, _, z in points:
        prefix.append(prefix[-1] * z % p)
    inverse = pow(prefix[-1], -1, p)
    affine: list[Point] = []
    for index in range(len(points) - 1, -1, -1):
        x, y, z = points[index]
        z_inv = inverse * prefix[index] % p
        inverse = inverse * z % p
        z_inv2 = z_inv * z_inv % p
        affine.append((x * z_inv2 % p, y * z_inv2 * z_inv % p))
    affine.reverse()
    return affine


def _multiples(point: Point, curve: Curve) -> list[Point]:
    """1P, 2P, ..., 15P in affine form."""
    base: _Jacobian = (point[0], point[1], 1)
    multiples = [base]
    for _ in range(2, _DIGIT_MASK + 1):
        multiples.append(_add_affine(multiples[-1], point, curve))
    return _batch_to_affine(multiples, curve)


@cache
def _base_table(curve: Curve) -> tuple[tuple[Point, ...], ...]:
    """Row i holds j * 16^i * G for j = 1..15: k*G is then one addition per 4-bit digit of k."""
    rows = []
    base = curve.generator
    for _ in range((curve.n.bit_length() + _WINDOW_BITS - 1) // _WINDOW_BITS):
        row = _multiples(base, curve)
        rows.append(tuple(row))
        sixteen_times = _add_affine((row[-1][0], row[-1][1], 1), base, curve)
        affine = _to_affine(sixteen_times, curve)
        assert affine is not None  # 16^i * G is never infinity below the group order
        base = affine
    return tuple(rows)


def _base_multiply(k: int, curve: Curve) -> _Jacobian:
    accumulator = _INFINITY
    for row in _base_table(curve):
        digit = k & _DIGIT_MASK
        if digit:
            accumulator = _add_affine(accumulator, row[digit - 1], curve)
        k >>= _WINDOW_BITS
    return accumulator


def _point_multiply(k: int, point: Point, curve: Curve) -> _Jacobian:
    multiples = _multiples(point, curve)
    accumulator = _INFINITY
    top = (curve.n.bit_length() - 1) // _WINDOW_BITS * _WINDOW_BITS
    for shift in range(top, -1, -_WINDOW_BITS):
        for _ in range(_WINDOW_BITS):
            accumulator = _double(accumulator, curve)
        digit = (k >> shift) & _DIGIT_MASK
        if digit:
            accumulator = _add_affine(accumulator, multiples[digit - 1], curve)
    return accumulator


def multiply(k: int, point: Point, curve: Curve = SM2P256V1) -> Point | None:
    """``k * point``; None when the result is the point at infinity."""
    return _to_affine(_point_multiply(k % curve.n, point, curve), curve)


def multiply_base(k: int, curve: Curve = SM2P256V1) -> Point | None:
    """``k * G``; None when the result is the point at infinity."""
    return _to_affine(_base_multiply(k % curve.n, curve), curve)


def add(first: Point, second: Point, curve: Curve = SM2P256V1) -> Point | None:
    """``first + second``; None when the result is the point at infinity."""
    return _to_affine(_add_affine((first[0], first[1], 1), second, curve), curve)


# ---------------------------------------------------------------------------------------------
# Keys and point encoding


def is_on_curve(point: Point, curve: Curve = SM2P256V1) -> bool:
    x, y = point
    p = curve.p
    return 0 <= x < p and 0 <= y < p and (y * y - x * x * x - curve.a * x - curve.b) % p == 0


def check_private_scalar(d: int, curve: Curve = SM2P256V1) -> None:
    """Refuse a private key outside [1, n-2]: signing needs (1 + d) to be invertible mod n."""
    if not 1 <= d <= curve.n - 2:
        raise InvalidKey("an SM2 private key must be in [1, n-2]")


def generate_private_scalar(curve: Curve = SM2P256V1) -> int:
    return secrets.randbelow(curve.n - 2) + 1


def public_point(d: int, curve: Curve = SM2P256V1) -> Point:
    check_private_scalar(d, curve)
    point = multiply_base(d, curve)
    assert point is not None  # d is in [1, n-2]
    return point


def encode_point(point: Point, curve: Curve = SM2P256V1) -> bytes:
    """The uncompressed form ``04 || x || y``."""
    size = curve.coordinate_size
    return b"\x04" + point[0].to_bytes(size, "big") + point[1].to_bytes(size, "big")


def coordinates(data: bytes, curve: Curve = SM2P256V1) -> bytes:
    """``x || y`` from an uncompressed point ``04 || x || y`` or from bare ``x || y``: the
    encoding checked, the curve equation not."""
    size = curve.coordinate_size
    if len(data) == 2 * size + 1 and data[0] == 4:
        return bytes(data[1:])
    if len(data) == 2 * size:
        return bytes(data)
    if data == b"\x00":
        raise InvalidKey("the point at infinity is not a public key")
    raise InvalidKey(
        f"an SM2 public key is {2 * size + 1} bytes (04 || x || y) or {2 * size} (x || y), "
        f"not {len(data)}"
    )


def decode_point(data: bytes, curve: Curve = SM2P256V1) -> Point:
    """A public point from ``04 || x || y`` or bare ``x || y``, checked to be on the curve."""
    xy = coordinates(data, curve)
    size = curve.coordinate_size
    point = (int.from_bytes(xy[:size], "big"), int.from_bytes(xy[size:], "big"))
    # The cofactor is 1, so every point on the curve other than infinity is a valid public key.
    if not is_on_curve(point, curve):
        raise InvalidKey("the point is not on the SM2 curve")
    return point


# ---------------------------------------------------------------------------------------------
# Signatures (GB/T 32918.2-2016)


def z_preimage(public: Point, uid: bytes = DEFAULT_UID, curve: Curve = SM2P256V1) -> bytes:
    """ENTL || ID || a || b || xG || yG || xA || yA, the input whose SM3 digest is Z."""
    if len(uid) >= 1 << 13:
        raise InvalidParameter("an SM2 user ID must be shorter than 8192 bytes")
    size = curve.coordinate_size
    return (
        (len(uid) * 8).to_bytes(2, "big")
        + uid
        + b"".join(
            value.to_bytes(size, "big")
            for value in (curve.a, curve.b, curve.gx, curve.gy, public[0], public[1])
        )
    )


def compute_z(public: Point, uid: bytes = DEFAULT_UID, curve: Curve = SM2P256V1) -> bytes:
    """Z_A = SM3(ENTL || ID || a || b || xG || yG || xA || yA)."""
    return PureSM3(z_preimage(public, uid, curve)).digest()


def message_digest(
    public: Point, message: bytes, uid: bytes = DEFAULT_UID, curve: Curve = SM2P256V1
) -> bytes:
    """e = SM3(Z_A || M), the value actually signed."""
    return PureSM3(compute_z(public, uid, curve) + message).digest()


def sign_digest(
    d: int, digest: bytes, curve: Curve = SM2P256V1, *, k: int | None = None
) -> tuple[int, int]:
    """(r, s) over the digest e. With ``k`` given (test vectors only!) that nonce is used."""
    check_private_scalar(d, curve)
    n = curve.n
    e = int.from_bytes(digest, "big")
    inverse = pow(1 + d, -1, n)
    while True:
        nonce = secrets.randbelow(n - 1) + 1 if k is None else k
        point = _to_affine(_base_multiply(nonce % n, curve), curve)
        if point is not None:
            r = (e + point[0]) % n
            s = inverse * (nonce - r * d) % n
            if r != 0 and r + nonce != n and s != 0:
                return r, s
        if k is not None:
            raise InvalidParameter("this nonce gives no valid signature; choose another")


def verify_digest(public: Point, digest: bytes, r: int, s: int, curve: Curve = SM2P256V1) -> None:
    """Check (r, s) over the digest e; raise InvalidSignature if it does not verify."""
    n = curve.n
    if not (1 <= r < n and 1 <= s < n):
        raise InvalidSignature("r or s out of range")
    t = (r + s) % n
    if t == 0:
        raise InvalidSignature("signature does not verify")
    combined = _add(_base_multiply(s, curve), _point_multiply(t, public, curve), curve)
    point = _to_affine(combined, curve)
    if point is None or (int.from_bytes(digest, "big") + point[0]) % n != r:
        raise InvalidSignature("signature does not verify")


def encode_signature(r: int, s: int) -> bytes:
    """DER SEQUENCE { r INTEGER, s INTEGER } (GM/T 0009-2012 SM2Signature)."""
    return _der.encode_sequence(_der.encode_integer(r), _der.encode_integer(s))


def decode_signature(signature: bytes, curve: Curve = SM2P256V1) -> tuple[int, int]:
    """(r, s) from strict DER, both in [1, n-1]; anything else raises InvalidSignature."""
    try:
        r_content, s_content = _der.decode_sequence(signature, _der.INTEGER, _der.INTEGER)
        r = _der.decode_integer_content(r_content)
        s = _der.decode_integer_content(s_content)
    except _der.DERError as exc:
        raise InvalidSignature("malformed signature") from exc
    if not (1 <= r < curve.n and 1 <= s < curve.n):
        raise InvalidSignature("r or s out of range")
    return r, s


# ---------------------------------------------------------------------------------------------
# Encryption (GB/T 32918.4-2016)


class CiphertextFormat(enum.Enum):
    """How the three parts of an SM2 ciphertext are laid out."""

    DER_C1C3C2 = "der-c1c3c2"
    """GM/T 0009-2012 SM2Cipher: SEQUENCE { x, y INTEGER, hash OCTET STRING, ciphertext OCTET
    STRING }. What OpenSSL's ``pkeyutl -encrypt`` writes, and the default here."""
    RAW_C1C3C2 = "raw-c1c3c2"
    """04 || x || y || C3 || C2: the order of GB/T 32918.4-2016, without DER."""
    RAW_C1C2C3 = "raw-c1c2c3"
    """04 || x || y || C2 || C3: the 2010 draft's order, still written by older software."""


@dataclass(frozen=True)
class Ciphertext:
    """C1 = kG (a point), C3 = SM3(x2 || M || y2) (32 bytes), C2 = M XOR KDF(x2 || y2)."""

    c1: Point
    c3: bytes
    c2: bytes

    def encode(self, ciphertext_format: CiphertextFormat, curve: Curve = SM2P256V1) -> bytes:
        if ciphertext_format is CiphertextFormat.DER_C1C3C2:
            return _der.encode_sequence(
                _der.encode_integer(self.c1[0]),
                _der.encode_integer(self.c1[1]),
                _der.encode_octet_string(self.c3),
                _der.encode_octet_string(self.c2),
            )
        c1 = encode_point(self.c1, curve)
        if ciphertext_format is CiphertextFormat.RAW_C1C3C2:
            return c1 + self.c3 + self.c2
        return c1 + self.c2 + self.c3

    @classmethod
    def decode(
        cls, data: bytes, ciphertext_format: CiphertextFormat, curve: Curve = SM2P256V1
    ) -> Ciphertext:
        """Split ``data``; C1 is not checked here (decryption checks it is on the curve)."""
        if ciphertext_format is CiphertextFormat.DER_C1C3C2:
            try:
                x, y, c3, c2 = _der.decode_sequence(
                    data, _der.INTEGER, _der.INTEGER, _der.OCTET_STRING, _der.OCTET_STRING
                )
                c1 = (_der.decode_integer_content(x), _der.decode_integer_content(y))
            except _der.DERError as exc:
                raise DecryptionFailed("malformed SM2 ciphertext") from exc
        else:
            point_size = 2 * curve.coordinate_size + 1
            if len(data) <= point_size + 32 or data[0] != 4:
                raise DecryptionFailed("malformed SM2 ciphertext")
            size = curve.coordinate_size
            c1 = (
                int.from_bytes(data[1 : 1 + size], "big"),
                int.from_bytes(data[1 + size : point_size], "big"),
            )
            rest = data[point_size:]
            if ciphertext_format is CiphertextFormat.RAW_C1C3C2:
                c3, c2 = rest[:32], rest[32:]
            else:
                c2, c3 = rest[:-32], rest[-32:]
        if len(c3) != 32 or not c2:
            raise DecryptionFailed("malformed SM2 ciphertext")
        return cls(c1, c3, c2)


def kdf(shared: bytes, length: int) -> bytes:
    """The standard's key derivation: SM3(Z || ct) for ct = 1, 2, ... (32-bit big-endian)."""
    blocks = (length + 31) // 32
    return b"".join(
        PureSM3(shared + counter.to_bytes(4, "big")).digest() for counter in range(1, blocks + 1)
    )[:length]


def _xor(data: bytes, mask: bytes) -> bytes:
    return (int.from_bytes(data, "big") ^ int.from_bytes(mask, "big")).to_bytes(len(data), "big")


def encrypt(
    public: Point, plaintext: bytes, curve: Curve = SM2P256V1, *, k: int | None = None
) -> Ciphertext:
    """Encrypt to ``public``. With ``k`` given (test vectors only!) that nonce is used."""
    if not plaintext:
        raise InvalidParameter("SM2 cannot encrypt an empty message")
    size = curve.coordinate_size
    while True:
        nonce = secrets.randbelow(curve.n - 1) + 1 if k is None else k
        c1 = _to_affine(_base_multiply(nonce % curve.n, curve), curve)
        shared = _to_affine(_point_multiply(nonce % curve.n, public, curve), curve)
        if c1 is not None and shared is not None:
            x2 = shared[0].to_bytes(size, "big")
            y2 = shared[1].to_bytes(size, "big")
            mask = kdf(x2 + y2, len(plaintext))
            if any(mask):
                c3 = PureSM3(x2 + plaintext + y2).digest()
                return Ciphertext(c1, c3, _xor(plaintext, mask))
        if k is not None:
            raise InvalidParameter("this nonce gives no valid ciphertext; choose another")


def decrypt(d: int, ciphertext: Ciphertext, curve: Curve = SM2P256V1) -> bytes:
    """Recover the plaintext; any failure (C1 off the curve, C3 mismatch) is DecryptionFailed."""
    if not is_on_curve(ciphertext.c1, curve):
        raise DecryptionFailed("C1 is not on the curve")
    shared = _to_affine(_point_multiply(d, ciphertext.c1, curve), curve)
    if shared is None:
        raise DecryptionFailed("decryption failed")
    size = curve.coordinate_size
    x2 = shared[0].to_bytes(size, "big")
    y2 = shared[1].to_bytes(size, "big")
    mask = kdf(x2 + y2, len(ciphertext.c2))
    plaintext = _xor(ciphertext.c2, mask)
    if not any(mask) or not hmac.compare_digest(
        PureSM3(x2 + plaintext + y2).digest(), ciphertext.c3
    ):
        raise DecryptionFailed("decryption failed")
    return plaintext
