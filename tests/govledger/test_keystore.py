"""The keystore on real files: keys round-trip, and every bad input is one refusal that changes
nothing (wrong passphrase, flipped byte, swapped files, second create)."""

from __future__ import annotations

import json
import logging
import stat
from pathlib import Path

import pytest

from govledger.errors import Conflict, InvalidInput, NotFound
from govledger.keystore import Keystore, KeystoreLocked

PASSPHRASE = "correct horse battery staple"


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file in the directory (hidden ones too) with its content."""
    return {path.name: path.read_bytes() for path in directory.iterdir()}


@pytest.fixture
def keystore(tmp_path: Path) -> Keystore:
    return Keystore(tmp_path / "keys", PASSPHRASE)


def test_created_keys_load_back_and_sign(keystore: Keystore) -> None:
    created = keystore.create("D-ISSUER")
    loaded = Keystore(keystore.directory, PASSPHRASE).load("D-ISSUER")

    assert loaded.address == created.address
    assert loaded.sm2.public_key().to_bytes() == created.sm2.public_key().to_bytes()
    loaded.sm2.public_key().verify(created.sm2.sign(b"message"), b"message")
    assert keystore.names() == ["D-ISSUER"]
    assert keystore.exists("D-ISSUER")
    assert not keystore.exists("D-OTHER")


def test_files_are_private_and_hold_no_plain_secret(keystore: Keystore) -> None:
    keys = keystore.create("svc")
    path = keystore.directory / "svc.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(keystore.directory.stat().st_mode) == 0o700
    content = path.read_bytes()
    assert bytes(keys.account.key).hex().encode() not in content
    assert b"PRIVATE KEY" not in content
    assert PASSPHRASE.encode() not in content
    assert json.loads(content)["kdf"]["name"] == "pbkdf2-hmac-sm3"


def test_secrets_stay_out_of_repr_and_errors(
    keystore: Keystore, caplog: pytest.LogCaptureFixture
) -> None:
    keys = keystore.create("svc")
    secret_hex = bytes(keys.account.key).hex()
    assert secret_hex not in repr(keys)
    assert PASSPHRASE not in repr(keystore)
    guess = "guess-4f1c9a"
    with caplog.at_level(logging.DEBUG), pytest.raises(KeystoreLocked) as refusal:
        Keystore(keystore.directory, guess).load("svc")
    assert guess not in str(refusal.value)
    assert PASSPHRASE not in str(refusal.value)
    assert refusal.value.__cause__ is None
    assert refusal.value.__suppress_context__
    assert secret_hex not in caplog.text


def test_wrong_passphrase_is_refused_and_changes_nothing(keystore: Keystore) -> None:
    keystore.create("svc")
    before = snapshot(keystore.directory)
    with pytest.raises(KeystoreLocked) as refusal:
        Keystore(keystore.directory, "not the passphrase").load("svc")
    assert refusal.value.code == "keystore-locked"
    assert snapshot(keystore.directory) == before


FIELD_VALUES = {
    "format": lambda document: document["format"],
    "name": lambda document: document["name"],
    "salt": lambda document: document["kdf"]["salt"],
    "sealed": lambda document: document["sealed"],
}


def flip_one_byte_of(field: str, content: bytes) -> bytes:
    """Flip the low bit of the middle character of ``field``'s value in the file's JSON text."""
    value: str = FIELD_VALUES[field](json.loads(content))
    position = content.index(value.encode()) + len(value) // 2
    tampered = bytearray(content)
    tampered[position] ^= 0x01
    return bytes(tampered)


@pytest.mark.parametrize("field", ["format", "name", "salt", "sealed"])
def test_a_flipped_byte_anywhere_is_refused(keystore: Keystore, field: str) -> None:
    keystore.create("svc")
    path = keystore.directory / "svc.key"
    path.write_bytes(flip_one_byte_of(field, path.read_bytes()))
    with pytest.raises(KeystoreLocked):
        keystore.load("svc")


def test_a_truncated_file_is_refused(keystore: Keystore) -> None:
    keystore.create("svc")
    path = keystore.directory / "svc.key"
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(KeystoreLocked):
        keystore.load("svc")


def test_altered_kdf_parameters_are_refused(keystore: Keystore) -> None:
    keystore.create("svc")
    path = keystore.directory / "svc.key"
    document = json.loads(path.read_bytes())
    document["kdf"]["iterations"] = 10_000  # a cheaper KDF: must not open
    path.write_text(json.dumps(document))
    with pytest.raises(KeystoreLocked):
        keystore.load("svc")


def test_swapped_files_are_refused(keystore: Keystore) -> None:
    keystore.create("alpha")
    keystore.create("beta")
    alpha = keystore.directory / "alpha.key"
    beta = keystore.directory / "beta.key"
    alpha_bytes, beta_bytes = alpha.read_bytes(), beta.read_bytes()
    alpha.write_bytes(beta_bytes)
    beta.write_bytes(alpha_bytes)
    with pytest.raises(KeystoreLocked):
        keystore.load("alpha")
    with pytest.raises(KeystoreLocked):
        keystore.load("beta")


def test_second_create_is_a_conflict_and_keeps_the_first_keys(keystore: Keystore) -> None:
    first = keystore.create("svc")
    before = snapshot(keystore.directory)
    with pytest.raises(Conflict):
        keystore.create("svc")
    assert snapshot(keystore.directory) == before  # no temporary file left, original intact
    assert keystore.load_or_create("svc").address == first.address


def test_unknown_and_malformed_names(keystore: Keystore) -> None:
    with pytest.raises(NotFound):
        keystore.load("nobody")
    for bad in ["", "../escape", "a/b", ".hidden", "x" * 129]:
        with pytest.raises(InvalidInput):
            keystore.create(bad)
    assert not keystore.directory.exists() or snapshot(keystore.directory) == {}


def test_a_data_key_is_made_once_and_kept_sealed(keystore: Keystore) -> None:
    key = keystore.data_key("records")
    assert len(key) == 32
    assert Keystore(keystore.directory, PASSPHRASE).data_key("records") == key
    path = keystore.directory / "records.secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key.hex().encode() not in path.read_bytes()
    assert keystore.names() == []  # data keys are not principals
    with pytest.raises(KeystoreLocked):
        Keystore(keystore.directory, "not the passphrase").data_key("records")


def test_a_key_pair_file_does_not_open_as_a_data_key(keystore: Keystore) -> None:
    keystore.create("svc")
    (keystore.directory / "svc.key").rename(keystore.directory / "svc.secret")
    with pytest.raises(KeystoreLocked):
        keystore.data_key("svc")
