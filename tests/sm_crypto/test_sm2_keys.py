"""SM2 keys on every backend and across backends: round trips, formats, and refused bad input."""

from __future__ import annotations

import threading

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from sm_crypto import (
    CiphertextFormat,
    DecryptionFailed,
    InvalidKey,
    InvalidParameter,
    InvalidSignature,
    SM2PrivateKey,
    SM2PublicKey,
    _keyformats,
)
from sm_crypto._der import encode_integer, encode_sequence, encode_tlv
from sm_crypto.backends import Backend
from sm_crypto.hazmat import sm2

N = sm2.SM2P256V1.n
P = sm2.SM2P256V1.p
MESSAGE = b'{"licence": "1.2.156.3005.2.11100000000000000X.0001.1.Z"}'


@pytest.fixture
def key(backend: Backend) -> SM2PrivateKey:
    return SM2PrivateKey.generate(backend=backend)


# Keys ----------------------------------------------------------------------------------------


def test_sign_and_verify(key: SM2PrivateKey, backend: Backend) -> None:
    signature = key.sign(MESSAGE)
    key.public_key().verify(signature, MESSAGE)
    with pytest.raises(InvalidSignature):
        key.public_key().verify(signature, MESSAGE + b" ")
    with pytest.raises(InvalidSignature):
        SM2PrivateKey.generate(backend=backend).public_key().verify(signature, MESSAGE)


def test_user_id_is_part_of_the_signature(key: SM2PrivateKey) -> None:
    signature = key.sign(MESSAGE, uid=b"licence-office@example.gov.cn")
    key.public_key().verify(signature, MESSAGE, uid=b"licence-office@example.gov.cn")
    with pytest.raises(InvalidSignature):
        key.public_key().verify(signature, MESSAGE)  # the default ID


def test_user_id_longer_than_entl_allows_is_refused(key: SM2PrivateKey) -> None:
    with pytest.raises(InvalidParameter):
        key.sign(MESSAGE, uid=bytes(8192))


def test_scalar_round_trip_and_equality(key: SM2PrivateKey, backend: Backend) -> None:
    again = SM2PrivateKey.from_bytes(key.to_bytes(), backend=backend)
    assert again == key
    assert hash(again) == hash(key)
    assert again.public_key() == key.public_key()
    assert key != SM2PrivateKey.generate(backend=backend)
    assert len({key, again, key.public_key()}) == 2


def test_public_key_bytes_in_both_forms(key: SM2PrivateKey, backend: Backend) -> None:
    point = key.public_key().to_bytes()
    assert len(point) == 65
    assert point[0] == 4
    assert SM2PublicKey.from_bytes(point, backend=backend) == key.public_key()
    assert SM2PublicKey.from_bytes(point[1:], backend=backend) == key.public_key()


def test_repr_shows_no_private_material(key: SM2PrivateKey) -> None:
    secret = key.to_bytes().hex()
    for text in (repr(key), str(key), repr(key.public_key())):
        assert secret not in text
    assert key.public_key().to_bytes().hex() in repr(key)


def test_pem_round_trips(key: SM2PrivateKey, backend: Backend) -> None:
    plain = key.to_pem()
    assert plain.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert SM2PrivateKey.from_pem(plain, backend=backend) == key
    encrypted = key.to_pem(password=b"pa55")
    assert SM2PrivateKey.from_pem(encrypted, password=b"pa55", backend=backend) == key
    assert SM2PublicKey.from_pem(key.public_key().to_pem(), backend=backend) == key.public_key()


def test_encrypted_pem_needs_the_right_password(key: SM2PrivateKey, backend: Backend) -> None:
    encrypted = key.to_pem(password=b"pa55")
    for wrong in (b"pa56", b"", b"pa55" * 100):
        with pytest.raises(InvalidKey):
            SM2PrivateKey.from_pem(encrypted, password=wrong, backend=backend)
    with pytest.raises(InvalidKey, match="password is needed"):
        SM2PrivateKey.from_pem(encrypted, backend=backend)
    with pytest.raises(InvalidKey, match="not encrypted"):
        SM2PrivateKey.from_pem(key.to_pem(), password=b"pa55", backend=backend)


def test_keys_cross_backends(key: SM2PrivateKey, other_backend: Backend) -> None:
    """What one backend signs, encrypts or writes, the other verifies, decrypts or reads."""
    other_key = SM2PrivateKey.from_pem(key.to_pem(password=b"x"), b"x", backend=other_backend)
    assert other_key == key
    other_public = SM2PublicKey.from_bytes(key.public_key().to_bytes(), backend=other_backend)
    other_public.verify(key.sign(MESSAGE), MESSAGE)
    key.public_key().verify(other_key.sign(MESSAGE), MESSAGE)
    assert key.decrypt(other_public.encrypt(MESSAGE)) == MESSAGE
    assert other_key.decrypt(key.public_key().encrypt(MESSAGE)) == MESSAGE


def test_one_key_signs_from_many_threads(key: SM2PrivateKey) -> None:
    signed: list[tuple[bytes, bytes]] = []

    def sign_some(thread: int) -> None:
        for i in range(20):
            message = MESSAGE + bytes([thread, i])
            signed.append((message, key.sign(message)))

    threads = [threading.Thread(target=sign_some, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(signed) == 80
    for message, signature in signed:
        key.public_key().verify(signature, message)


# Bad keys ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "scalar", [0, N - 1, N, N + 1, 2**256 - 1], ids=["0", "n-1", "n", "n+1", "2^256-1"]
)
def test_out_of_range_scalars_are_refused(scalar: int, backend: Backend) -> None:
    with pytest.raises(InvalidKey):
        SM2PrivateKey.from_bytes(scalar.to_bytes(32, "big"), backend=backend)


@pytest.mark.parametrize("size", [0, 31, 33])
def test_wrong_length_scalars_are_refused(size: int, backend: Backend) -> None:
    with pytest.raises(InvalidKey):
        SM2PrivateKey.from_bytes(b"\x01" * size, backend=backend)


def _point(x: int, y: int) -> bytes:
    return b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big")


def _point_with_small_x() -> tuple[int, int]:
    """A curve point whose x is below 2^256 - p, so x + p still fits in 32 bytes."""
    curve = sm2.SM2P256V1
    for x in range(1, 1000):
        rhs = (x**3 + curve.a * x + curve.b) % P
        y = pow(rhs, (P + 1) // 4, P)  # p = 3 mod 4: a square root, if rhs is a square
        if y * y % P == rhs:
            return x, y
    raise AssertionError("no small x found")


G = sm2.SM2P256V1.generator
SMALL = _point_with_small_x()
BAD_POINTS = {
    "off-curve": _point(G[0], G[1] + 1),
    "zero": _point(0, 0),
    "infinity": b"\x00",
    "x-not-reduced": _point(SMALL[0] + P, SMALL[1]),
    "compressed": b"\x02" + G[0].to_bytes(32, "big"),
    "bad-prefix": b"\x05" + _point(*G)[1:],
    "too-long": _point(*G) + b"\x00",
    "empty": b"",
}


def test_small_x_point_is_a_valid_key(backend: Backend) -> None:
    """The unreduced point below is refused for its encoding, not because it is off the curve."""
    SM2PublicKey.from_bytes(_point(*SMALL), backend=backend)


@pytest.mark.parametrize("point", BAD_POINTS.values(), ids=BAD_POINTS.keys())
def test_bad_public_points_are_refused(point: bytes, backend: Backend) -> None:
    with pytest.raises(InvalidKey):
        SM2PublicKey.from_bytes(point, backend=backend)


def _p256_pem() -> bytes:
    return ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@pytest.mark.parametrize(
    "pem",
    [
        b"",
        b"not a key",
        b"-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
        b"-----BEGIN PRIVATE KEY-----\nMAMCAQA=\n-----END PRIVATE KEY-----\n",
        b"-----BEGIN PUBLIC KEY-----\nMAMCAQA=\n-----END PUBLIC KEY-----\n",
        _p256_pem(),
    ],
    ids=["empty", "text", "bad-base64", "truncated-der", "public-label", "p256-key"],
)
def test_garbage_private_pem_is_refused(pem: bytes, backend: Backend) -> None:
    with pytest.raises(InvalidKey):
        SM2PrivateKey.from_pem(pem, backend=backend)


def test_mismatched_public_key_in_pkcs8_is_refused(backend: Backend) -> None:
    other = sm2.encode_point(sm2.public_point(7))
    pem = _keyformats.pem_encode("PRIVATE KEY", _keyformats.encode_pkcs8(5, other))
    with pytest.raises(InvalidKey):
        SM2PrivateKey.from_pem(pem, backend=backend)


def test_p256_public_key_is_refused(backend: Backend) -> None:
    pem = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(InvalidKey, match="not an SM2 key"):
        SM2PublicKey.from_pem(pem, backend=backend)


# Bad signatures ------------------------------------------------------------------------------


def _signature(r_content: bytes, s_content: bytes) -> bytes:
    return encode_sequence(encode_tlv(0x02, r_content), encode_tlv(0x02, s_content))


def _bad_signatures(good: bytes) -> dict[str, bytes]:
    r, s = sm2.decode_signature(good)
    return {
        "empty": b"",
        "truncated": good[:-1],
        "trailing-byte": good + b"\x00",
        "overlong-length": b"\x30\x81" + good[1:],
        "indefinite-length": b"\x30\x80" + good[2:] + b"\x00\x00",
        "r=0": sm2.encode_signature(0, s),
        "s=0": sm2.encode_signature(r, 0),
        "r=n": sm2.encode_signature(N, s),
        "s=n": sm2.encode_signature(r, N),
        "s+n": sm2.encode_signature(r, s + N),
        "negative-r": _signature(b"\xff" + r.to_bytes(32, "big"), s.to_bytes(33, "big")),
        "non-minimal-r": _signature(b"\x00\x00" + r.to_bytes(32, "big"), encode_integer(s)[2:]),
        "swapped": sm2.encode_signature(s, r),
        "three-integers": encode_sequence(encode_integer(r), encode_integer(s), encode_integer(1)),
    }


BAD_SIGNATURE_NAMES = list(_bad_signatures(sm2.encode_signature(1, 2)))


@pytest.mark.parametrize("name", BAD_SIGNATURE_NAMES)
def test_bad_signatures_are_refused(key: SM2PrivateKey, name: str) -> None:
    good = key.sign(MESSAGE)
    key.public_key().verify(good, MESSAGE)
    bad = _bad_signatures(good)[name]
    with pytest.raises(InvalidSignature):
        key.public_key().verify(bad, MESSAGE)


# Encryption ----------------------------------------------------------------------------------


@pytest.mark.parametrize("ciphertext_format", list(CiphertextFormat))
def test_every_ciphertext_format_round_trips_and_is_recognised(
    key: SM2PrivateKey, ciphertext_format: CiphertextFormat
) -> None:
    ciphertext = key.public_key().encrypt(MESSAGE, ciphertext_format=ciphertext_format)
    assert key.decrypt_with_format(ciphertext) == (MESSAGE, ciphertext_format)
    assert key.decrypt(ciphertext) == MESSAGE


def test_empty_plaintext_is_refused(key: SM2PrivateKey) -> None:
    with pytest.raises(InvalidParameter):
        key.public_key().encrypt(b"")


def _bad_ciphertexts(key: SM2PrivateKey, backend: Backend) -> dict[str, bytes]:
    ciphertext = key.public_key().encrypt(MESSAGE)
    parts = sm2.Ciphertext.decode(ciphertext, CiphertextFormat.DER_C1C3C2)
    raw = parts.encode(CiphertextFormat.RAW_C1C3C2)
    tampered_c2 = sm2.Ciphertext(parts.c1, parts.c3, bytes([parts.c2[0] ^ 1]) + parts.c2[1:])
    off_curve = sm2.Ciphertext((parts.c1[0], parts.c1[1] ^ 1), parts.c3, parts.c2)
    empty_c2 = sm2.Ciphertext(parts.c1, parts.c3, b"")
    return {
        "empty": b"",
        "garbage": b"\x42" * 120,
        "truncated-der": ciphertext[:-1],
        "trailing-byte": ciphertext + b"\x00",
        "tampered-c2": tampered_c2.encode(CiphertextFormat.DER_C1C3C2),
        "c1-off-curve": off_curve.encode(CiphertextFormat.DER_C1C3C2),
        "empty-c2": empty_c2.encode(CiphertextFormat.DER_C1C3C2),
        "raw-truncated": raw[:97],
        "raw-tampered": raw[:-1] + bytes([raw[-1] ^ 1]),
        "other-key": SM2PrivateKey.generate(backend=backend).public_key().encrypt(MESSAGE),
    }


BAD_CIPHERTEXT_NAMES = [
    "empty", "garbage", "truncated-der", "trailing-byte", "tampered-c2", "c1-off-curve",
    "empty-c2", "raw-truncated", "raw-tampered", "other-key",
]  # fmt: skip


@pytest.mark.parametrize("name", BAD_CIPHERTEXT_NAMES)
def test_bad_ciphertexts_are_refused(key: SM2PrivateKey, backend: Backend, name: str) -> None:
    bad = _bad_ciphertexts(key, backend)
    assert set(bad) == set(BAD_CIPHERTEXT_NAMES)
    with pytest.raises(DecryptionFailed):
        key.decrypt(bad[name])
