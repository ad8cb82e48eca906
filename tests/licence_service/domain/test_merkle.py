"""ledger.merkle: SM3 sorted-pair Merkle trees with leaf/node domain separation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govledger.errors import InvalidInput, VerificationFailed, as_govledger_error
from ledger.merkle import (
    LEAF_PREFIX,
    NODE_PREFIX,
    InvalidProof,
    MerkleError,
    MerkleTree,
    leaf_hash,
    node_hash,
    root_from_proof,
    verify_proof,
)
from sm_crypto import sm3

leaf_lists = st.lists(st.binary(min_size=1, max_size=40), min_size=1, max_size=70)


@given(leaf_lists)
def test_every_leaf_proof_verifies(leaves: list[bytes]) -> None:
    tree = MerkleTree(leaves)
    for index, leaf in enumerate(leaves):
        verify_proof(leaf, tree.proof(index), tree.root)


@given(leaf_lists, st.data())
def test_a_changed_leaf_proof_or_root_fails(leaves: list[bytes], data: st.DataObject) -> None:
    tree = MerkleTree(leaves)
    index = data.draw(st.integers(0, len(leaves) - 1))
    leaf, proof = leaves[index], tree.proof(index)
    other = data.draw(st.binary(min_size=1, max_size=40).filter(lambda b: b not in leaves))
    with pytest.raises(InvalidProof):
        verify_proof(other, proof, tree.root)
    flipped_root = bytes([tree.root[0] ^ 1]) + tree.root[1:]
    with pytest.raises(InvalidProof):
        verify_proof(leaf, proof, flipped_root)
    if proof:
        position = data.draw(st.integers(0, len(proof) - 1))
        bit = data.draw(st.integers(0, 255))
        changed = bytearray(proof[position])
        changed[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(InvalidProof):
            verify_proof(
                leaf, [*proof[:position], bytes(changed), *proof[position + 1 :]], tree.root
            )
        with pytest.raises(InvalidProof):
            verify_proof(leaf, proof[:-1], tree.root)


def test_hashing_rules() -> None:
    a, b = sm3(b"a"), sm3(b"b")
    assert leaf_hash(b"x") == sm3(LEAF_PREFIX + b"x")
    assert node_hash(a, b) == node_hash(b, a) == sm3(NODE_PREFIX + min(a, b) + max(a, b))
    # Three leaves: the third is promoted past the first level.
    tree = MerkleTree([b"1", b"2", b"3"])
    first = node_hash(leaf_hash(b"1"), leaf_hash(b"2"))
    assert tree.root == node_hash(first, leaf_hash(b"3"))
    assert tree.proof(2) == [first]
    single = MerkleTree([b"only"])
    assert single.root == leaf_hash(b"only")
    assert single.proof(0) == []


def test_an_inner_node_cannot_pass_as_a_leaf() -> None:
    leaves = [b"1", b"2", b"3", b"4"]
    tree = MerkleTree(leaves)
    left, right = leaf_hash(b"1"), leaf_hash(b"2")
    inner = node_hash(left, right)
    upper = tree.proof(0)[1:]  # the proof from the inner node up
    assert root_from_proof(inner, upper) != tree.root
    with pytest.raises(InvalidProof):
        verify_proof(inner, upper, tree.root)
    with pytest.raises(InvalidProof):
        verify_proof(min(left, right) + max(left, right), upper, tree.root)


def test_refusals() -> None:
    with pytest.raises(MerkleError):
        MerkleTree([])
    with pytest.raises(MerkleError):
        MerkleTree([b"a"]).proof(1)
    with pytest.raises(InvalidProof, match="32-byte"):
        verify_proof(b"a", [b"short"], bytes(32))


def test_a_forty_thousand_leaf_tree() -> None:
    count = 40_000
    leaves = [index.to_bytes(4, "big") for index in range(count)]
    tree = MerkleTree(leaves)
    assert len(tree) == count
    for index in (0, 1, 12_345, count - 1):
        proof = tree.proof(index)
        assert len(proof) <= 16
        verify_proof(leaves[index], proof, tree.root)


def test_merkle_errors_map_to_platform_errors() -> None:
    assert isinstance(as_govledger_error(InvalidProof("x")), VerificationFailed)
    assert isinstance(as_govledger_error(MerkleError("x")), InvalidInput)
