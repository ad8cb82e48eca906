"""Properties over random inputs, on every backend (few examples: the machine is small)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sm_crypto import (
    SM4GCM,
    CiphertextFormat,
    InvalidSignature,
    InvalidTag,
    SM2PrivateKey,
)
from sm_crypto.backends import Backend

# The backend fixture hands out one shared, stateless object, so reusing it across examples is
# sound; hypothesis only warns because it cannot know that.
examples = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
messages = st.binary(max_size=300)
uids = st.binary(min_size=0, max_size=64)


@pytest.fixture
def key(backend: Backend) -> SM2PrivateKey:
    return SM2PrivateKey.generate(backend=backend)


def flip_bit(data: bytes, bit: int) -> bytes:
    index, offset = divmod(bit % (8 * len(data)), 8)
    return data[:index] + bytes([data[index] ^ (1 << offset)]) + data[index + 1 :]


@examples
@given(message=messages, uid=uids)
def test_sign_verify_round_trip(key: SM2PrivateKey, message: bytes, uid: bytes) -> None:
    key.public_key().verify(key.sign(message, uid=uid), message, uid=uid)


@examples
@given(message=messages.filter(bool), bit=st.integers(min_value=0))
def test_any_flipped_message_bit_is_refused(key: SM2PrivateKey, message: bytes, bit: int) -> None:
    signature = key.sign(message)
    with pytest.raises(InvalidSignature):
        key.public_key().verify(signature, flip_bit(message, bit))


@examples
@given(message=messages, bit=st.integers(min_value=0))
def test_any_flipped_signature_bit_is_refused(key: SM2PrivateKey, message: bytes, bit: int) -> None:
    signature = key.sign(message)
    with pytest.raises(InvalidSignature):
        key.public_key().verify(flip_bit(signature, bit), message)


@examples
@given(
    plaintext=st.binary(min_size=1, max_size=300),
    ciphertext_format=st.sampled_from(list(CiphertextFormat)),
)
def test_encrypt_decrypt_round_trip(
    key: SM2PrivateKey, plaintext: bytes, ciphertext_format: CiphertextFormat
) -> None:
    ciphertext = key.public_key().encrypt(plaintext, ciphertext_format=ciphertext_format)
    assert key.decrypt_with_format(ciphertext) == (plaintext, ciphertext_format)


@examples
@given(
    key_bytes=st.binary(min_size=16, max_size=16),
    nonce=st.binary(min_size=12, max_size=12),
    data=st.binary(max_size=300),
    aad=st.binary(max_size=64),
    bit=st.integers(min_value=0),
)
def test_gcm_round_trip_and_tamper(
    backend: Backend, *, key_bytes: bytes, nonce: bytes, data: bytes, aad: bytes, bit: int
) -> None:
    gcm = SM4GCM(key_bytes, backend=backend)
    sealed = gcm.encrypt(nonce, data, aad)
    assert gcm.decrypt(nonce, sealed, aad) == data
    with pytest.raises(InvalidTag):
        gcm.decrypt(nonce, flip_bit(sealed, bit), aad)
