"""The local blob store on real files: CIDs match IPFS, tampering is detected, bad names refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from govledger.blobstore import BlobCorrupted, BlobStore, Cid, LocalBlobStore
from govledger.errors import InvalidInput, NotFound
from sm_crypto import sm3

VECTORS = Path(__file__).parent / "vectors" / "ipfs_raw_cids.txt"


def load_ipfs_vectors() -> list[tuple[str, bytes]]:
    vectors = []
    for line in VECTORS.read_text().splitlines():
        if line and not line.startswith("#"):
            cid, data = line.split()
            vectors.append((cid, b"" if data == "-" else bytes.fromhex(data)))
    return vectors


SHA256_VECTORS = [(cid, data) for cid, data in load_ipfs_vectors() if cid.startswith("bafkrei")]
IDENTITY_CID = next(cid for cid, _ in load_ipfs_vectors() if cid.startswith("bafkq"))


@pytest.mark.parametrize(("cid", "data"), SHA256_VECTORS)
def test_sha256_cids_equal_what_ipfs_gives(cid: str, data: bytes, tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path, hash_name="sha2-256")
    assert store.put(data) == cid
    assert store.get(cid) == data
    assert str(Cid.parse(cid)) == cid


def test_sm3_cid_layout() -> None:
    cid = Cid.of(b"abc")
    # CIDv1, raw codec, multihash sm3-256 (0x534d as the varint cd a6 01), 32-byte digest.
    assert bytes(cid) == bytes.fromhex("0155cda60120") + sm3(b"abc")
    assert str(cid).startswith("b")
    assert Cid.parse(str(cid)) == cid


def test_put_get_has_on_disk(tmp_path: Path) -> None:
    store: BlobStore = LocalBlobStore(tmp_path)
    data = b"licence document \x00\xff" * 1000
    cid = store.put(data)
    assert store.has(cid)
    assert store.get(cid) == data
    assert store.put(data) == cid  # idempotent
    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    # One file, in a shard named by the CID's next-to-last two characters; no temporary left.
    assert files == [tmp_path / cid[-3:-1] / cid]


def test_a_tampered_file_is_detected_and_put_repairs_it(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    data = b"the anchored document"
    cid = store.put(data)
    path = tmp_path / cid[-3:-1] / cid
    tampered = bytearray(path.read_bytes())
    tampered[0] ^= 0x01
    path.write_bytes(bytes(tampered))

    with pytest.raises(BlobCorrupted) as refusal:
        store.get(cid)
    assert refusal.value.code == "blob-corrupted"

    assert store.put(data) == cid
    assert store.get(cid) == data


def test_unknown_cid_is_not_found(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    absent = str(Cid.of(b"never stored"))
    assert not store.has(absent)
    with pytest.raises(NotFound):
        store.get(absent)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "b",
        "QmYwAPJzv5CZsnAzt8auVTL7VYhESWDFoCPTqCkiP6fKGE",  # CIDv0 (base58, dag-pb)
        "BAFKREIFZJUT3TE2NHYEKKLSS27NH3K72YSCO7Y32KOAO5EEI66WOF36N5E",  # upper-case multibase
        "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5",  # truncated digest
        "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5f",  # non-canonical last bits
        "bafybeifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e",  # dag-pb codec, not raw
        "b../../etc/passwd",
        IDENTITY_CID,  # identity multihash: well-formed but unsupported
    ],
)
def test_malformed_or_foreign_cids_are_invalid_input(text: str, tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    with pytest.raises(InvalidInput):
        store.get(text)
    with pytest.raises(InvalidInput):
        store.has(text)
    assert list(tmp_path.iterdir()) == []
