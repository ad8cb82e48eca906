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
import json
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from json.encoder import encode_basestring
from typing import Literal, NamedTuple

from govledger.workers import CAN_FORK, forked_pool
from ledger.merkle import MerkleTree
from licence_service.domain.canonical import format_timestamp, utc_seconds
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
from licence_service.domain.seal import (
    SEAL_VERSION,
    Seal,
    SealSignature,
    SealSignatureContent,
    public_key_bytes,
)
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


class SealedLicence(NamedTuple):
    """A licence built, sealed and serialised, waiting for its batch's tree: its identifier, the
    version it replaces, its leaf, and its document's JSON without the anchor (as
    ``LicenceDocument.model_dump_json(exclude={"anchor"})`` writes it; what the service stores).
    A tuple of text and bytes, so that a worker process hands it back cheaply."""

    licence_id: str
    previous_id: str | None
    leaf: bytes
    document_json: str


@dataclass(frozen=True)
class IssuedBatch:
    """A signed batch: anchor ``root`` (with ``len(licences)``) on chain to make it count."""

    root: bytes
    licences: tuple[SealedLicence, ...]
    tree: MerkleTree

    @property
    def leaves(self) -> tuple[bytes, ...]:
        return tuple(licence.leaf for licence in self.licences)

    def proof(self, index: int) -> tuple[bytes, ...]:
        """The proof of the ``index``-th licence's leaf."""
        return tuple(self.tree.proof(index))

    @cached_property
    def documents(self) -> tuple[LicenceDocument, ...]:
        """The documents with their anchors, read back from their JSON through full
        validation (issuance itself never builds them)."""
        return tuple(
            LicenceDocument.model_validate_json(licence.document_json).model_copy(
                update={"anchor": Anchor(root=self.root, proof=self.proof(index))}
            )
            for index, licence in enumerate(self.licences)
        )


# Field values in a document's JSON: strings through the escaper pydantic's output agrees with
# for text that validated (no control characters; the tests compare the two), the rest as JSON.
_SCALAR_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _json_value(value: object) -> str:
    if type(value) is str:
        return encode_basestring(value)
    return _SCALAR_ENCODER.encode(value)


class _Sealer:
    """Seals licences for one issuer, seal, key and signing time.

    Everything that is the same for the whole batch (the seal's JSON and hash, the signer's key,
    the signing time, the fixed parts of the seal signature's JSON) is worked out once here: per
    licence, issuance is the GIL-bound Python around one SM2 signature, and it is what limits a
    batch. The models are built from validated input without validating them again; the tests
    read the documents back through full validation.
    """

    def __init__(
        self,
        issuer: IssuingAuthority,
        seal: Seal,
        seal_json: str,
        signing_key: SM2PrivateKey,
        signing_time: datetime,
    ) -> None:
        self.issuer = issuer
        self.seal = seal
        self.signing_key = signing_key
        self.signing_time = signing_time
        self.signer = public_key_bytes(signing_key.public_key())
        self.seal_id = seal.info.seal_id
        self.seal_hash = seal.hash
        self.seal_json = seal_json
        # SealSignature.model_dump_json() up to the data hash, in the model's field order.
        self.signature_json_head = (
            f'{{"to_sign":{{"version":{SEAL_VERSION},"seal_id":{_json_value(self.seal_id)},'
            f'"seal_hash":"{self.seal_hash.hex()}",'
            f'"signing_time":"{format_timestamp(signing_time)}","data_hash":"'
        )
        self.signer_json = f',"signer_public_key":"{self.signer.hex()}"}},"signature":"'

    def seal_one(self, item: LicenceInput) -> SealedLicence:
        licence_id = item.licence_id(self.issuer.code).format()
        header = LicenceHeader.model_construct(
            licence_id=licence_id,
            previous_id=item.supersedes,
            valid_from=item.valid_from,
            valid_to=item.valid_to,
        )
        fields = salt_fields(disclosable_fields(item, self.issuer.name))
        digest = document_digest(header, field_digests(fields))
        content = SealSignatureContent.model_construct(
            seal_id=self.seal_id,
            seal_hash=self.seal_hash,
            signing_time=self.signing_time,
            data_hash=digest,
            property_info=licence_id,
            signer_public_key=self.signer,
        )
        signature = self.signing_key.sign(content.canonical())
        seal_signature = SealSignature.model_construct(to_sign=content, signature=signature)
        valid_to = "null" if header.valid_to is None else f'"{header.valid_to.isoformat()}"'
        listed = ",".join(
            f'{_json_value(name)}:["{field.salt.hex()}",{_json_value(field.value)}]'
            for name, field in fields.items()
        )
        document_json = (
            f'{{"format":"{LICENCE_FORMAT}","header":{{"licence_id":{_json_value(licence_id)},'
            f'"previous_id":{_json_value(header.previous_id)},'
            f'"valid_from":"{header.valid_from.isoformat()}","valid_to":{valid_to}}},'
            f'"fields":{{{listed}}},"seal_signature":{self.signature_json_head}{digest.hex()}",'
            f'"property_info":{_json_value(licence_id)}{self.signer_json}{signature.hex()}"}},'
            f'"seal":{self.seal_json}}}'
        )
        return SealedLicence(
            licence_id, header.previous_id, licence_leaf(digest, seal_signature), document_json
        )

    def seal_all(self, items: Sequence[LicenceInput]) -> list[SealedLicence]:
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


# From this many licences a batch is sealed in worker processes (one per thread asked for),
# which run the per-licence Python on every core at once; below it the pool's start-up costs
# more than it saves, and threads do.
PROCESS_POOL_MIN_LICENCES = 4000
# Licences per task handed to a worker process: large enough that handing results back is
# cheap, small enough that the workers finish together.
_PROCESS_CHUNK = 1000


@dataclass(frozen=True)
class _WorkerSetup:
    issuer: IssuingAuthority
    seal: Seal
    seal_json: str
    scalar: bytes
    signing_time: datetime
    inputs: Sequence[LicenceInput]


# In a worker process: its sealer and the batch's inputs, set once by _start_worker.
_worker_state: list[tuple[_Sealer, Sequence[LicenceInput]]] = []


def _start_worker(setup: _WorkerSetup) -> None:
    # Runs in the forked child: the setup comes with the fork, so neither the key's scalar nor
    # the inputs are pickled, sent or written anywhere.
    key = SM2PrivateKey.from_bytes(setup.scalar)
    sealer = _Sealer(setup.issuer, setup.seal, setup.seal_json, key, setup.signing_time)
    _worker_state.append((sealer, setup.inputs))


def _seal_range(start: int, stop: int) -> list[SealedLicence]:
    sealer, inputs = _worker_state[0]
    return sealer.seal_all(inputs[start:stop])


def _seal_in_processes(
    sealer: _Sealer, inputs: Sequence[LicenceInput], processes: int
) -> list[SealedLicence]:
    # fork: the workers start with the parent's memory (modules, the inputs) at no cost. They
    # run only the sealing code (SM3, SM2 in libcrypto, the CSPRNG, JSON) and exit with the pool,
    # or with this process if it is killed.
    starts = range(0, len(inputs), _PROCESS_CHUNK)
    stops = [min(start + _PROCESS_CHUNK, len(inputs)) for start in starts]
    setup = _WorkerSetup(
        sealer.issuer,
        sealer.seal,
        sealer.seal_json,
        sealer.signing_key.to_bytes(),
        sealer.signing_time,
        inputs,
    )
    with forked_pool(processes, _start_worker, setup) as pool:
        return [one for chunk in pool.map(_seal_range, starts, stops) for one in chunk]


def _seal_in_threads(
    sealer: _Sealer, inputs: Sequence[LicenceInput], threads: int
) -> list[SealedLicence]:
    # A few chunks per thread keep the threads busy to the end without much overhead.
    size = max(1, -(-len(inputs) // (threads * 4)))
    chunks = [inputs[i : i + size] for i in range(0, len(inputs), size)]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return [one for chunk in pool.map(sealer.seal_all, chunks) for one in chunk]


def issue_batch(
    inputs: Sequence[LicenceInput],
    *,
    issuer: IssuingAuthority,
    seal: Seal,
    signing_key: SM2PrivateKey,
    signing_time: datetime | None = None,
    threads: int = 2,
) -> IssuedBatch:
    """Build, seal, sign and serialise one document per input and build the batch's Merkle
    tree (each licence's proof is ``batch.proof(index)``).

    ``signing_key`` must be the issuing department's registered key and a holder of ``seal``,
    and ``signing_time`` (default now) within the seal's validity, else :class:`SealMismatch`.
    Anchor the batch before the department's key changes: verifiers check the signature with
    the key in force when the batch was anchored. With ``threads`` above 1, a batch of at least
    :data:`PROCESS_POOL_MIN_LICENCES` is sealed by that many worker processes, a smaller one on
    that many threads.
    """
    if not inputs:
        raise LicenceInputError("a batch has at least one licence")
    moment = utc_seconds(signing_time or datetime.now(UTC))
    seal.check_can_sign(public_key_bytes(signing_key.public_key()), moment)
    sealer = _Sealer(issuer, seal, seal.model_dump_json(), signing_key, moment)
    with _cyclic_gc_paused():
        if threads <= 1:
            sealed = sealer.seal_all(inputs)
        elif len(inputs) >= PROCESS_POOL_MIN_LICENCES and CAN_FORK:
            sealed = _seal_in_processes(sealer, inputs, threads)
        else:
            sealed = _seal_in_threads(sealer, inputs, threads)
    return IssuedBatch(
        root=(tree := MerkleTree([one.leaf for one in sealed])).root,
        licences=tuple(sealed),
        tree=tree,
    )
