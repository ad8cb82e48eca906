"""Content-addressed blob storage: documents and sealed data are stored under their CID.

A CID here is a CIDv1 with the ``raw`` codec (0x55), written in base32 lower case with the
multibase prefix ``b``. Its multihash is SM3-256 (multicodec 0x534d) by default, or SHA2-256 (0x12):
a SHA2-256 CID is exactly the CID IPFS gives the same bytes stored as one raw-leaf block, so an
IPFS adapter of :class:`BlobStore` could serve the same names.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal, Protocol

from govledger.errors import InvalidInput, NotFound, VerificationFailed
from govledger.files import write_durably
from sm_crypto import sm3

CID_VERSION = 1
RAW_CODEC = 0x55
BlobHashName = Literal["sm3-256", "sha2-256"]


@dataclass(frozen=True)
class _Multihash:
    name: BlobHashName
    code: int
    digest: Callable[[bytes], bytes]


_HASHES_BY_NAME: dict[str, _Multihash] = {
    "sm3-256": _Multihash("sm3-256", 0x534D, sm3),
    "sha2-256": _Multihash("sha2-256", 0x12, lambda data: hashlib.sha256(data).digest()),
}
_HASHES_BY_CODE = {multihash.code: multihash for multihash in _HASHES_BY_NAME.values()}
_DIGEST_SIZE = 32
_BASE32_LOWER = re.compile(r"[a-z2-7]+")


class BlobCorrupted(VerificationFailed):
    """A stored blob no longer hashes to its CID: the file was altered or damaged on disk."""

    code = "blob-corrupted"
    title = "Stored blob corrupted"
    http_status = 500


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _read_varint(data: bytes, offset: int) -> tuple[int, int]:
    """Decode one unsigned varint at ``offset``; multiformats require the minimal encoding."""
    value = shift = 0
    for position in range(offset, min(len(data), offset + 9)):
        byte = data[position]
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            if byte == 0 and position > offset:
                raise ValueError("varint is not minimally encoded")
            return value, position + 1
        shift += 7
    raise ValueError("truncated or overlong varint")


@dataclass(frozen=True)
class Cid:
    """A raw-codec CIDv1; ``str(cid)`` is its base32 text form (``bafkrei…`` for SHA2-256)."""

    hash_name: BlobHashName
    digest: bytes

    @classmethod
    def of(cls, data: bytes, hash_name: BlobHashName = "sm3-256") -> Cid:
        return cls(hash_name, _HASHES_BY_NAME[hash_name].digest(data))

    @classmethod
    # Kept: every blob read parses its CID, mostly the same few again. A refusal is not kept.
    @lru_cache(maxsize=4096)
    def parse(cls, text: str) -> Cid:
        """Parse the text form; anything but a canonical raw CIDv1 of a known hash is refused."""
        body = text[1:]
        if not text.startswith("b") or not _BASE32_LOWER.fullmatch(body):
            raise InvalidInput("not a base32 CIDv1 (expected 'b' and lower-case base32)")
        try:
            raw = base64.b32decode(body.upper() + "=" * (-len(body) % 8))
            version, offset = _read_varint(raw, 0)
            codec, offset = _read_varint(raw, offset)
            hash_code, offset = _read_varint(raw, offset)
            length, offset = _read_varint(raw, offset)
        except (binascii.Error, ValueError) as exc:
            raise InvalidInput(f"malformed CID: {exc}") from exc
        if version != CID_VERSION or codec != RAW_CODEC:
            raise InvalidInput("only raw-codec CIDv1 are stored here")
        multihash = _HASHES_BY_CODE.get(hash_code)
        if multihash is None:
            raise InvalidInput(f"unsupported multihash 0x{hash_code:x} (sm3-256 or sha2-256)")
        cid = cls(multihash.name, raw[offset:])
        if length != _DIGEST_SIZE or len(cid.digest) != _DIGEST_SIZE or str(cid) != text:
            raise InvalidInput("malformed CID: wrong digest length or non-canonical encoding")
        return cid

    def matches(self, data: bytes) -> bool:
        return hmac.compare_digest(_HASHES_BY_NAME[self.hash_name].digest(data), self.digest)

    def __bytes__(self) -> bytes:
        multihash = _HASHES_BY_NAME[self.hash_name]
        return (
            _varint(CID_VERSION)
            + _varint(RAW_CODEC)
            + _varint(multihash.code)
            + _varint(len(self.digest))
            + self.digest
        )

    @cached_property
    def text(self) -> str:
        """The base32 text form (worked out once: a blob's path is named by it)."""
        return "b" + base64.b32encode(bytes(self)).decode("ascii").lower().rstrip("=")

    def __str__(self) -> str:
        return self.text


class BlobStore(Protocol):
    """Immutable bytes by content address."""

    def put(self, data: bytes) -> str:
        """Store ``data`` (idempotent) and return its CID."""
        ...

    def get(self, cid: str) -> bytes:
        """The bytes named by ``cid``; ``NotFound`` if absent, ``BlobCorrupted`` if altered."""
        ...

    def has(self, cid: str) -> bool: ...


class LocalBlobStore:
    """Blobs as files ``root/<2 chars>/<cid>``, sharded on the CID's next-to-last two characters.

    Writes are atomic (temporary file, fsync, rename, fsync of the directory), so a reader sees a
    whole blob or none. Every ``get`` re-hashes what it read and refuses a mismatch.
    """

    def __init__(self, root: Path, *, hash_name: BlobHashName = "sm3-256") -> None:
        if hash_name not in _HASHES_BY_NAME:
            raise InvalidInput(f"unknown blob hash {hash_name!r}")
        self.root = root
        self.hash_name = hash_name

    def _path(self, cid: Cid) -> Path:
        text = str(cid)
        return self.root / text[-3:-1] / text

    def put(self, data: bytes) -> str:
        cid = Cid.of(data, self.hash_name)
        path = self._path(cid)
        if self._is_intact(path, cid):
            return str(cid)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_durably(path, data, replace=True)
        return str(cid)

    def get(self, cid: str) -> bytes:
        parsed = Cid.parse(cid)
        try:
            data = self._path(parsed).read_bytes()
        except FileNotFoundError:
            raise NotFound(f"no blob {cid}") from None
        if not parsed.matches(data):
            raise BlobCorrupted(f"blob {cid} does not match its content address")
        return data

    def has(self, cid: str) -> bool:
        return self._path(Cid.parse(cid)).is_file()

    @staticmethod
    def _is_intact(path: Path, cid: Cid) -> bool:
        try:
            return cid.matches(path.read_bytes())
        except FileNotFoundError:
            return False
