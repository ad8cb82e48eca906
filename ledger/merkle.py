"""SM3 Merkle trees with sorted-pair hashing, for licence batches and audit logs.

- A leaf enters the tree as ``SM3(0x00 || leaf)`` and an inner node is
  ``SM3(0x01 || min(a, b) || max(a, b))``. The distinct prefixes keep the two domains apart: an
  inner node (or the concatenation of its children) cannot be passed off as a leaf.
- Each pair is sorted before hashing, so a proof is just the list of sibling hashes, leaf to
  root, with no left/right flags. The price is that a proof shows membership, not position.
- A level with an odd number of nodes promotes its last node unchanged to the next level; such
  a node has no sibling at that level and its proof skips the level.
- One leaf: the root is that leaf's hash and its proof is empty. No leaves: no tree.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence

from ledger.exceptions import LedgerError
from sm_crypto import sm3

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
HASH_SIZE = 32


class MerkleError(LedgerError):
    """A Merkle tree cannot be built as asked (no leaves, or a leaf index out of range)."""


class InvalidProof(LedgerError):
    """A leaf, its proof and a root do not agree."""


def leaf_hash(leaf: bytes) -> bytes:
    """The node a leaf enters the tree as."""
    return sm3(LEAF_PREFIX + leaf)


def node_hash(first: bytes, second: bytes) -> bytes:
    """The parent of two nodes, whichever order they come in."""
    if second < first:
        first, second = second, first
    return sm3(NODE_PREFIX + first + second)


class MerkleTree:
    """A tree over ``leaves`` (any bytes; a leaf may repeat, and then any of its copies'
    proofs verifies it). All levels are kept, so proofs cost no hashing."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        if not leaves:
            raise MerkleError("a Merkle tree needs at least one leaf")
        level = [leaf_hash(leaf) for leaf in leaves]
        self._levels = [level]
        while len(level) > 1:
            parents = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
            if len(level) % 2:
                parents.append(level[-1])
            level = parents
            self._levels.append(level)

    def __len__(self) -> int:
        return len(self._levels[0])

    @property
    def root(self) -> bytes:
        return self._levels[-1][0]

    def proof(self, index: int) -> list[bytes]:
        """The sibling hashes from leaf ``index`` up to the root."""
        if not 0 <= index < len(self):
            raise MerkleError(f"leaf index {index} is outside a tree of {len(self)} leaves")
        siblings = []
        for level in self._levels[:-1]:
            sibling = index ^ 1
            if sibling < len(level):
                siblings.append(level[sibling])
            index //= 2
        return siblings


def root_from_proof(leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root that ``leaf`` and ``proof`` lead to; raises :class:`InvalidProof` for a proof
    element that is not a 32-byte hash."""
    node = leaf_hash(leaf)
    for sibling in proof:
        if len(sibling) != HASH_SIZE:
            raise InvalidProof(f"a proof element is a {HASH_SIZE}-byte hash, not {len(sibling)}")
        node = node_hash(node, sibling)
    return node


def verify_proof(leaf: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """Return if ``proof`` shows ``leaf`` is in the tree with ``root``; raise
    :class:`InvalidProof` otherwise."""
    if not hmac.compare_digest(root_from_proof(leaf, proof), root):
        raise InvalidProof("the leaf and its proof do not lead to the root")
