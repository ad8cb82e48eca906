"""The issued e-licence document, and issuing licences in batches.

A document holds its header, every field with its salt, ONE seal signature (made with the
issuing department's registered SM2 key, a holder key of the department's seal, over the
document digest: it is both the issuer's signature and the seal), the seal itself, and the
anchor: the Merkle root of its batch and its proof.

Issuance builds and signs a batch on a thread pool. The SM2 signatures run in libcrypto, which
releases the GIL, so signing spreads over the cores while the Python around it takes turns.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from ledger.merkle import MerkleTree
from licence_service.domain.canonical import utc_seconds
from licence_service.domain.disclosure import (
    LICENCE_FORMAT,
    LicenceHeader,
    SaltedField,
    document_digest,
    field_digests,
    licence_leaf,
    salt_fields,
)
from licence_service.domain.encoded import CanonicalModel, Hash
from licence_service.domain.errors import LicenceInputError
from licence_service.domain.model import (
    FieldName,
    IssuingAuthority,
    LicenceInput,
    LicenceMetadata,
    disclosable_fields,
)
from licence_service.domain.seal import Seal, SealSignature, apply_seal, public_key_bytes
from sm_crypto import SM2PrivateKey


class Anchor(CanonicalModel):
    """Where a licence's leaf is anchored: its batch's Merkle root and the leaf's proof."""

    root: Hash
    proof: tuple[Hash, ...]


class LicenceDocument(CanonicalModel):
    """An issued e-licence with every field disclosed."""

    format: Literal["govledger-licence/1"] = LICENCE_FORMAT
    header: LicenceHeader
    fields: dict[FieldName, SaltedField]
    seal_signature: SealSignature
    seal: Seal
    anchor: Anchor | None = None

    def digest(self) -> bytes:
        """The document digest the seal signature signs."""
        return document_digest(self.header, field_digests(self.fields))

    def leaf(self) -> bytes:
        """The leaf anchored on chain for this licence."""
        return licence_leaf(self.digest(), self.seal_signature)

    def metadata(self) -> LicenceMetadata:
        """The licence's metadata, read back from its fields."""
        return LicenceMetadata.from_fields(
            licence_id=self.header.licence_id,
            previous_id=self.header.previous_id,
            valid_from=self.header.valid_from,
            valid_to=self.header.valid_to,
            fields={name: field.value for name, field in self.fields.items()},
        )


@dataclass(frozen=True)
class IssuedBatch:
    """A signed batch: anchor ``root`` (with ``len(documents)``) on chain to make it count."""

    root: bytes
    documents: tuple[LicenceDocument, ...]
    leaves: tuple[bytes, ...]


@dataclass(frozen=True)
class _Sealed:
    """A licence built and sealed, waiting for its batch's tree."""

    header: LicenceHeader
    fields: dict[str, SaltedField]
    seal_signature: SealSignature
    leaf: bytes


@dataclass(frozen=True)
class _Issuer:
    authority: IssuingAuthority
    seal: Seal
    signing_key: SM2PrivateKey
    signing_time: datetime

    def seal_one(self, item: LicenceInput) -> _Sealed:
        # Every part is built from validated input, so the models are constructed without
        # validating them again: the GIL-bound Python, not the signing, is what limits a
        # batch. Tests read the documents back through full validation.
        licence_id = item.licence_id(self.authority.code).format()
        header = LicenceHeader.model_construct(
            licence_id=licence_id,
            previous_id=item.supersedes,
            valid_from=item.valid_from,
            valid_to=item.valid_to,
        )
        fields = salt_fields(disclosable_fields(item, self.authority.name))
        digest = document_digest(header, field_digests(fields))
        seal_signature = apply_seal(
            self.seal,
            data_hash=digest,
            property_info=licence_id,
            signing_key=self.signing_key,
            signing_time=self.signing_time,
        )
        return _Sealed(header, fields, seal_signature, licence_leaf(digest, seal_signature))

    def seal_all(self, items: Sequence[LicenceInput]) -> list[_Sealed]:
        return [self.seal_one(item) for item in items]


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a batch is sealed.

    A batch allocates tens of objects per licence and frees none, so the collector keeps
    re-scanning the whole heap (and holds the GIL meanwhile, stalling the signing threads): with
    10,000 licences on two threads that was a third of the time. Sealing makes no reference
    cycles; reference counting still frees everything else. The collector is global, so if two
    batches overlap it may come back on before the second ends, which only costs time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def issue_batch(
    inputs: Sequence[LicenceInput],
    *,
    issuer: IssuingAuthority,
    seal: Seal,
    signing_key: SM2PrivateKey,
    signing_time: datetime | None = None,
    threads: int = 2,
) -> IssuedBatch:
    """Build, seal and sign one document per input, build the batch's Merkle tree and attach
    each document's anchor.

    ``signing_key`` must be the issuing department's registered key and a holder of ``seal``,
    and ``signing_time`` (default now) within the seal's validity, else :class:`SealMismatch`.
    Anchor the batch before the department's key changes: verifiers check the signature with
    the key in force when the batch was anchored.
    """
    if not inputs:
        raise LicenceInputError("a batch has at least one licence")
    moment = utc_seconds(signing_time or datetime.now(UTC))
    seal.check_can_sign(public_key_bytes(signing_key.public_key()), moment)
    worker = _Issuer(issuer, seal, signing_key, moment)
    with _cyclic_gc_paused():
        if threads <= 1:
            sealed = worker.seal_all(inputs)
        else:
            # A few chunks per thread keep the threads busy to the end without much overhead.
            size = max(1, -(-len(inputs) // (threads * 4)))
            chunks = [inputs[i : i + size] for i in range(0, len(inputs), size)]
            with ThreadPoolExecutor(max_workers=threads) as pool:
                sealed = [one for chunk in pool.map(worker.seal_all, chunks) for one in chunk]
    leaves = tuple(one.leaf for one in sealed)
    tree = MerkleTree(leaves)
    documents = tuple(
        LicenceDocument.model_construct(
            header=one.header,
            fields=one.fields,
            seal_signature=one.seal_signature,
            seal=seal,
            anchor=Anchor.model_construct(root=tree.root, proof=tuple(tree.proof(i))),
        )
        for i, one in enumerate(sealed)
    )
    return IssuedBatch(root=tree.root, documents=documents, leaves=leaves)
