"""Key storage for principals (departments, the service itself): one file per name, sealed
with SM4-GCM under a PBKDF2-HMAC-SM3 key from the passphrase, written once and atomically.

A wrong passphrase and a damaged file give the same error, on purpose. docs/platform.md
("Keystore") has the file format and the passphrase rules.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import re
import secrets
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from eth_account import Account
from eth_account.signers.local import LocalAccount

from govledger.errors import ConfigurationError, Conflict, InvalidInput, NotFound
from govledger.files import write_durably
from govledger.settings import Settings
from sm_crypto import (
    DEFAULT_KDF_ITERATIONS,
    SM2PrivateKey,
    SMCryptoError,
    derive_key,
    open_sealed,
    seal,
)

KEYSTORE_FORMAT = "govledger-keystore-v1"
# A service's data key (the root of its keys for data at rest), in a file ``<name>.secret``.
SECRET_FORMAT = "govledger-keystore-secret-v1"  # noqa: S105 (a format name)
_SECRET_SUFFIX = ".secret"  # noqa: S105 (a file name suffix)
DATA_KEY_SIZE = 32
KDF_NAME = "pbkdf2-hmac-sm3"
_SALT_SIZE = 16
_KEY_SIZE = 16
_SUFFIX = ".key"
# Bounds on a file's KDF rounds: too few is no protection, too many would hang the unlock.
_MIN_ITERATIONS = 10_000
_MAX_ITERATIONS = 10_000_000
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_GENERATED_PASSPHRASE_BYTES = 32
# The generated passphrase's file in the keystore directory (it goes wherever the keys go).
PASSPHRASE_FILE = "passphrase"  # noqa: S105 (a file name)

logger = logging.getLogger(__name__)
T = TypeVar("T")


class KeystoreLocked(ConfigurationError):
    """A key file did not open: wrong passphrase, or the file was altered, swapped or damaged."""

    code = "keystore-locked"
    title = "Keystore locked"


@dataclass(frozen=True)
class KeyPair:
    """A principal's keys. Only the name and public parts appear in ``repr``."""

    name: str
    sm2: SM2PrivateKey = field(repr=False)
    account: LocalAccount = field(repr=False)

    @property
    def address(self) -> str:
        """The chain account's checksummed address."""
        return str(self.account.address)

    def __repr__(self) -> str:
        return f"KeyPair(name={self.name!r}, address={self.address!r})"


def _check_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise InvalidInput("key names are 1-128 letters, digits, '.', '_' or '-'")
    return name


def _associated_data(file_format: str, name: str, kdf: dict[str, Any]) -> bytes:
    header = {"format": file_format, "name": name, "kdf": kdf}
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode()


def key_names(directory: Path) -> list[str]:
    """The names that have keys in ``directory`` (no passphrase needed to list them)."""
    if not directory.is_dir():
        return []
    return sorted(
        path.name.removesuffix(_SUFFIX)
        for path in directory.glob(f"*{_SUFFIX}")
        if _NAME.fullmatch(path.name.removesuffix(_SUFFIX))
    )


class Keystore:
    """Principals' key pairs, and services' data keys, under ``directory``, unlocked by one
    passphrase."""

    def __init__(self, directory: Path, passphrase: str) -> None:
        if not passphrase:
            raise ConfigurationError("the keystore passphrase is empty")
        self.directory = directory
        self._passphrase = passphrase

    def __repr__(self) -> str:
        return f"Keystore(directory={str(self.directory)!r})"

    def _path(self, name: str, suffix: str = _SUFFIX) -> Path:
        return self.directory / f"{_check_name(name)}{suffix}"

    def names(self) -> list[str]:
        return key_names(self.directory)

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()

    def create(self, name: str) -> KeyPair:
        """New keys for ``name``; ``Conflict`` if it already has some (keys are never replaced)."""
        path = self._path(name)
        keys = KeyPair(name, SM2PrivateKey.generate(), Account.create())
        secret = {
            "sm2_private_key": keys.sm2.to_pem().decode("ascii"),
            "account_private_key": bytes(keys.account.key).hex(),
        }
        self._write_new(path, self._encrypt(KEYSTORE_FORMAT, name, secret))
        return keys

    def load(self, name: str) -> KeyPair:
        path = self._path(name)
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            raise NotFound(f"no keys for {name}") from None
        return self._decrypt(
            KEYSTORE_FORMAT,
            name,
            content,
            lambda secret: KeyPair(
                name,
                SM2PrivateKey.from_pem(secret["sm2_private_key"].encode("ascii")),
                Account.from_key(bytes.fromhex(secret["account_private_key"])),
            ),
        )

    def load_or_create(self, name: str) -> KeyPair:
        if self.exists(name):
            return self.load(name)
        try:
            return self.create(name)
        except Conflict:  # another process created it first
            return self.load(name)

    def data_key(self, name: str) -> bytes:
        """The random 32-byte data key kept under ``name``, made on first use and never
        replaced: the root a service derives its keys for data at rest from."""
        path = self._path(name, _SECRET_SUFFIX)
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            created = secrets.token_bytes(DATA_KEY_SIZE)
            try:
                self._write_new(
                    path, self._encrypt(SECRET_FORMAT, name, {"data_key": created.hex()})
                )
            except Conflict:  # another process created it first
                content = path.read_bytes()
            else:
                return created

        def parse(secret: dict[str, Any]) -> bytes:
            key = bytes.fromhex(secret["data_key"])
            if len(key) != DATA_KEY_SIZE:
                raise ValueError("a data key is 32 bytes")
            return key

        return self._decrypt(SECRET_FORMAT, name, content, parse)

    def _encrypt(self, file_format: str, name: str, secret: dict[str, str]) -> bytes:
        salt = secrets.token_bytes(_SALT_SIZE)
        kdf = {"name": KDF_NAME, "iterations": DEFAULT_KDF_ITERATIONS, "salt": salt.hex()}
        key = derive_key(self._passphrase, salt, _KEY_SIZE, iterations=DEFAULT_KDF_ITERATIONS)
        sealed = seal(key, json.dumps(secret).encode(), _associated_data(file_format, name, kdf))
        document = {
            "format": file_format,
            "name": name,
            "kdf": kdf,
            "sealed": base64.b64encode(sealed).decode("ascii"),
        }
        return json.dumps(document, indent=2).encode() + b"\n"

    def _decrypt(
        self, file_format: str, name: str, content: bytes, parse: Callable[[dict[str, Any]], T]
    ) -> T:
        locked = KeystoreLocked(
            f"the keys of {name} do not open: wrong passphrase, or the file is damaged"
        )
        try:
            document = json.loads(content)
            kdf = document["kdf"]
            iterations = kdf["iterations"]
            if (
                document["format"] != file_format
                or document["name"] != name
                or kdf["name"] != KDF_NAME
                or not isinstance(iterations, int)
                or not _MIN_ITERATIONS <= iterations <= _MAX_ITERATIONS
            ):
                raise locked
            key = derive_key(
                self._passphrase, bytes.fromhex(kdf["salt"]), _KEY_SIZE, iterations=iterations
            )
            # The name asked for, not the one in the file: a file renamed to another name fails.
            aad = _associated_data(file_format, name, kdf)
            return parse(json.loads(open_sealed(key, base64.b64decode(document["sealed"]), aad)))
        except (ValueError, KeyError, TypeError, binascii.Error, SMCryptoError):
            # One error whatever went wrong; the cause is dropped so no detail leaks into logs.
            raise locked from None

    def _write_new(self, path: Path, content: bytes) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            write_durably(path, content, replace=False)
        except FileExistsError:
            raise Conflict(f"keys for {path.stem} already exist") from None


def generated_passphrase(keystore_dir: Path) -> str:
    """The passphrase kept in ``keystore_dir``'s file :data:`PASSPHRASE_FILE`; on a first run
    (no file, no keys yet) a random one, written there with mode 0600 and announced once in the
    log.

    Keys without a passphrase file were sealed with a passphrase given some other way (before
    generated passphrases, the default was ``dev``): that is refused with what to set, rather
    than generating a new passphrase that could never open them.
    """
    path = keystore_dir / PASSPHRASE_FILE
    try:
        return _read_passphrase_file(path)
    except FileNotFoundError:
        pass
    if key_names(keystore_dir):
        raise ConfigurationError(
            f"the keystore {keystore_dir} has keys but no passphrase was given and {path} does "
            "not exist: set GOVLEDGER_KEYSTORE_PASSPHRASE to the passphrase they were made with "
            "(GOVLEDGER_KEYSTORE_PASSPHRASE=dev for a data dir made before passphrases were "
            "generated)"
        )
    keystore_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    passphrase = secrets.token_urlsafe(_GENERATED_PASSPHRASE_BYTES)
    try:
        write_durably(path, passphrase.encode("ascii") + b"\n", replace=False)
    except FileExistsError:  # another process generated it first
        return _read_passphrase_file(path)
    logger.warning(
        "generated a keystore passphrase in %s (readable by its owner only): keep it with the "
        "data dir, or set GOVLEDGER_KEYSTORE_PASSPHRASE",
        path,
    )
    return passphrase


def _read_passphrase_file(path: Path) -> str:
    with path.open("rb") as handle:
        if stat.S_IMODE(os.fstat(handle.fileno()).st_mode) & 0o077:
            raise ConfigurationError(
                f"the keystore passphrase file {path} is readable by others: chmod 600 it"
            )
        passphrase = handle.read().decode("utf-8", "replace").strip()
    if not passphrase:
        raise ConfigurationError(f"the keystore passphrase file {path} is empty")
    return passphrase


def open_keystore(settings: Settings) -> Keystore:
    """The keystore, unlocked by the given passphrase or else by the data dir's generated one."""
    directory = settings.resolved_keystore_dir
    given = settings.keystore_passphrase
    if given is not None:
        return Keystore(directory, given.get_secret_value())
    return Keystore(directory, generated_passphrase(directory))
