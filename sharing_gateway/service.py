"""The sharing gateway: catalogue, requests and grants on chain, checked release, access log.

The chain (``DataSharing``, ``DepartmentRegistry``) decides; the database keeps what the chain
holds only as hashes, the exact use counts and the access log. The gateway holds each
department's keys in the platform's keystore and acts on chain with them (custodial), after the
department has signed in. Storage and cached chain reads come through ports
(``ports.py``); chain writes through the ledger's contract wrappers.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from govledger.auth.clock import Clock
from govledger.blobstore import BlobStore
from govledger.department_keys import DepartmentKeys, load_department_keys
from govledger.errors import GovLedgerError, InvalidInput, VerificationFailed
from govledger.keystore import Keystore
from govledger.lru import DEFAULT_MAXSIZE, LRUCache
from ledger.contracts import Registries
from ledger.contracts.values import GrantStatus, ShareClass
from sharing_gateway import audit, errors
from sharing_gateway.domain.accesslog import AnchoredLog, Entry, Export, Verdict, format_time
from sharing_gateway.domain.envelope import seal_envelope
from sharing_gateway.domain.records import (
    Field,
    Record,
    Schema,
    UploadFormat,
    canonical_json,
    canonical_records,
    check_dataset_id,
    parse_upload,
    project,
    to_bytes32,
)
from sharing_gateway.domain.release import GrantView, check_grant
from sharing_gateway.ports import (
    EVERY_ENTRY,
    AccessLogStore,
    Catalogue,
    GatewayChainView,
    GatewayStore,
    GrantUsage,
    Landed,
    LogAppender,
    LogWriter,
    OutcomeCount,
    PublishedVersion,
    ReleaseReads,
    StoredDataset,
    StoredRequest,
    StoredVersion,
    TraceFilter,
)
from sharing_gateway.settings import GatewaySettings
from sm_crypto import (
    SM2PrivateKey,
    SM2PublicKey,
    SMCryptoError,
    generate_key,
    open_sealed,
    seal,
    sm3,
)

REQUEST_FORMAT = "govledger-data-request-v1"


@lru_cache(maxsize=1024)
def _public_key(encoded: bytes) -> SM2PublicKey:
    return SM2PublicKey.from_bytes(encoded)


def _blob_aad(dataset_id: str, content_hash: bytes) -> bytes:
    return canonical_json({"dataset_id": dataset_id, "content_hash": content_hash.hex()})


@dataclass(frozen=True)
class Release:
    """What a successful release returns: the envelope and the provenance proof."""

    grant_id: int
    dataset_id: str
    version: int
    fields: tuple[str, ...]
    envelope: dict[str, Any]
    provenance: dict[str, Any]
    uses_left: int
    log_seq: int


@dataclass(frozen=True)
class Listing:
    """A dataset in the catalogue, with its versions."""

    dataset: StoredDataset
    versions: list[PublishedVersion]


@dataclass(frozen=True)
class SharingStatistics:
    """Releases by outcome and code (the access log), requests by the chain's status, and what
    the chain does not confirm."""

    releases: list[OutcomeCount]
    requests: dict[str, int]
    answered: int
    overdue: int
    uses_on_chain: int
    disagreements: list[str]


@dataclass(frozen=True)
class RequestState:
    """A request with its grant as the chain has it now, the gateway's use count, and whether
    its provider is overdue answering it."""

    request: StoredRequest
    grant: GrantView
    usage: GrantUsage | None
    overdue: bool


class Gateway:
    """The gateway's operations; thread-safe, one per process."""

    def __init__(
        self,
        *,
        settings: GatewaySettings,
        registries: Registries,
        view: GatewayChainView,
        keystore: Keystore,
        blobs: BlobStore,
        store: Callable[[], AbstractContextManager[GatewayStore]],
        reads: Callable[[], AbstractContextManager[ReleaseReads]],
        log_store: Callable[[], AbstractContextManager[AccessLogStore]],
        anchored_log: AnchoredLog,
        writer: LogWriter,
        catalogue: Catalogue,
        clock: Clock,
        cache_entries: int = DEFAULT_MAXSIZE,
    ) -> None:
        self.settings = settings
        self.registries = registries
        self.view = view
        self.keystore = keystore
        self.blobs = blobs
        self.store = store  # one unit of work, committed when it closes
        self._reads = reads
        self.log_store = log_store
        self.anchored_log = anchored_log
        self.writer = writer
        self.catalogue = catalogue
        self.clock = clock
        self.log_id = settings.log_id
        self._gateway_key: SM2PrivateKey = keystore.load_or_create(settings.key_name).sm2
        # Bounded, as every cache keyed by what requests name (docs/platform.md).
        self._keys: LRUCache[str, DepartmentKeys] = LRUCache(cache_entries)
        self._data_keys: LRUCache[tuple[str, int], bytes] = LRUCache(cache_entries)
        self._verified: LRUCache[tuple[bytes, bytes, bytes], bool] = LRUCache(cache_entries)
        self._purposes: LRUCache[int, str] = LRUCache(cache_entries)

    # -- keys -------------------------------------------------------------------------------------

    def department_keys(self, code: str) -> DepartmentKeys:
        """``code``'s keys from the keystore, checked against the registry; loaded again when
        the registry's key version moved (a re-key), so nothing is signed with a retired key."""
        record = self.view.department(code)
        keys = self._keys.get(code)
        if keys is None or record is None or keys.key_version != record.key_version:
            keys = load_department_keys(self.registries, self.keystore, code)
            self._keys.put(code, keys)
        return keys

    # -- catalogue ---------------------------------------------------------------------------------

    def register_dataset(
        self,
        provider: str,
        *,
        dataset_id: str,
        title: str,
        share_class: ShareClass,
        fields: Sequence[Field],
    ) -> StoredDataset:
        check_dataset_id(dataset_id)
        schema = Schema(tuple(fields))
        keys = self.department_keys(provider)
        columns = {
            "dataset_id": dataset_id,
            "title": title,
            "provider_code": provider,
            "share_class": share_class.name.lower(),
            "schema_json": schema.to_json(),
            "schema_hash": schema.schema_hash.hex(),
        }

        def send() -> Landed:
            receipt = self.registries.sharing.register_dataset(
                keys.account, to_bytes32(dataset_id), share_class, schema.schema_hash
            )
            return Landed(receipt.tx_hash, receipt.block_number, 0)

        return self.catalogue.register(columns, send)

    def dataset(self, dataset_id: str) -> StoredDataset:
        with self.store() as store:
            dataset = store.dataset(dataset_id)
        if dataset is None:
            raise errors.DatasetUnknown(f"no dataset {dataset_id}")
        return dataset

    def listings(self) -> list[Listing]:
        """The catalogue, by dataset id."""
        with self.store() as store:
            versions: dict[str, list[PublishedVersion]] = {}
            for version in store.versions(None):
                versions.setdefault(version.dataset_id, []).append(version)
            datasets = store.datasets()
        return [Listing(dataset, versions.get(dataset.dataset_id, [])) for dataset in datasets]

    def listing(self, dataset_id: str) -> Listing:
        dataset = self.dataset(dataset_id)
        with self.store() as store:
            return Listing(dataset, store.versions(dataset_id))

    def publish_version(
        self, provider: str, dataset_id: str, content: bytes, upload_format: UploadFormat
    ) -> PublishedVersion:
        """Validate, canonicalise, encrypt, store, sign and anchor a new version."""
        dataset = self.dataset(dataset_id)
        if dataset.provider_code != provider:
            raise errors.NotProvider(f"{provider} does not provide {dataset_id}")
        records = parse_upload(Schema.from_json(dataset.schema_json), content, upload_format)
        canonical = canonical_records(records)
        content_hash = sm3(canonical)
        data_key = generate_key()
        cid = self.blobs.put(seal(data_key, canonical, _blob_aad(dataset_id, content_hash)))
        keys = self.department_keys(provider)
        signature = keys.sm2.sign(content_hash)
        columns = {
            "dataset_id": dataset_id,
            "blob_cid": cid,
            "wrapped_key": base64.b64encode(
                self._gateway_key.public_key().encrypt(data_key)
            ).decode(),
            "record_count": len(records),
            "content_hash": content_hash.hex(),
            "signature": signature.hex(),
            "signer_key_version": keys.key_version,
        }

        def send() -> Landed:
            written = self.registries.sharing.publish_version(
                keys.account, to_bytes32(dataset_id), content_hash, sm3(signature)
            )
            return Landed(written.receipt.tx_hash, written.receipt.block_number, written.value)

        return self.catalogue.publish(columns, send)

    def recover(self) -> None:
        """Settle registrations and versions a crash left between the chain and their rows."""
        self.catalogue.recover()

    # -- requests and grants ----------------------------------------------------------------------

    def _log(self, **entry: Any) -> int:
        def append(_: GatewayStore, log: LogAppender) -> int:
            return log.append(**entry).body.seq

        return self.writer.submit(append)

    def close(self) -> None:
        self.writer.close()

    def request_access(
        self,
        requester: str,
        *,
        dataset_id: str,
        fields: Sequence[str],
        purpose: str,
        use_scenario: str,
        scenario_code: int,
        expires_at: datetime,
        max_uses: int,
    ) -> StoredRequest:
        """Sign the request with the requester's SM2 key and record it on chain."""
        dataset = self.dataset(dataset_id)
        entry: dict[str, Any] = {
            "action": "request",
            "caller": requester,
            "dataset_id": dataset_id,
            "fields": list(fields),
            "purpose": purpose,
        }
        if dataset.share_class == ShareClass.NOT_SHAREABLE.name.lower():
            self._log(outcome="refused", code=errors.DatasetNotShareable.code, **entry)
            raise errors.DatasetNotShareable(f"dataset {dataset_id} is not shareable")
        unknown = set(fields) - set(Schema.from_json(dataset.schema_json).names)
        if unknown or not fields or len(set(fields)) != len(fields):
            raise InvalidInput(f"fields must be distinct fields of {dataset_id}: {sorted(unknown)}")
        keys = self.department_keys(requester)
        document = canonical_json(
            {
                "format": REQUEST_FORMAT,
                "requester": requester,
                "dataset_id": dataset_id,
                "fields": list(fields),
                "purpose": purpose,
                "use_scenario": use_scenario,
                "scenario_code": scenario_code,
                "expires_at": int(expires_at.timestamp()),
                "max_uses": max_uses,
                "requested_at": format_time(self.clock()),
            }
        )
        signature = keys.sm2.sign(document)
        written = self.registries.sharing.request_access(
            keys.account,
            to_bytes32(dataset_id),
            [to_bytes32(name) for name in fields],
            purpose_hash=sm3(document),
            scenario_code=scenario_code,
            expires_at=int(expires_at.timestamp()),
            max_uses=max_uses,
        )
        grant_id = written.value
        request = StoredRequest(
            grant_id=grant_id,
            dataset_id=dataset_id,
            requester_code=requester,
            provider_code=dataset.provider_code,
            fields=tuple(fields),
            purpose=purpose,
            use_scenario=use_scenario,
            scenario_code=scenario_code,
            document=document.decode(),
            signature=signature.hex(),
            tx_hash=written.receipt.tx_hash,
            requested_at=self.clock(),
        )
        granted = dataset.share_class == ShareClass.UNCONDITIONAL.name.lower()

        def record(store: GatewayStore, log: LogAppender) -> None:
            store.add_request(request)
            if granted:
                store.add_usage(grant_id, dataset.provider_code, max_uses)
            log.append(
                outcome="granted" if granted else "pending",
                code="auto-granted" if granted else "requested",
                grant_id=grant_id,
                **entry,
            )

        self.writer.submit(record)
        return request

    def _provider_grant(self, provider: str, grant_id: int) -> GrantView:
        """The grant as the chain has it now, if ``provider`` provides its dataset."""
        self.view.sync()
        grant = self.view.grant(grant_id)
        if grant is None:
            raise errors.RequestUnknown(f"no request or grant {grant_id}")
        view = GrantView.from_chain(grant)
        dataset = self.view.dataset(grant.dataset_id)
        if dataset is None or dataset.provider != provider:
            raise errors.NotProvider(f"{provider} does not provide dataset {view.dataset_id}")
        return view

    def approve(
        self,
        provider: str,
        grant_id: int,
        *,
        fields: Sequence[str] | None = None,
        expires_at: datetime | None = None,
        max_uses: int | None = None,
    ) -> None:
        """Approve a pending request, possibly narrowed (the chain refuses any widening)."""
        grant = self._provider_grant(provider, grant_id)
        granted = list(fields) if fields is not None else list(grant.fields)
        uses = max_uses if max_uses is not None else grant.max_uses
        expiry = int(expires_at.timestamp()) if expires_at is not None else grant.expires_at
        keys = self.department_keys(provider)
        self.registries.sharing.approve_request(
            keys.account, grant_id, [to_bytes32(name) for name in granted], expiry, uses
        )

        def record(store: GatewayStore, log: LogAppender) -> None:
            store.add_usage(grant_id, provider, uses)
            log.append(
                action="approve",
                outcome="granted",
                code="approved",
                caller=provider,
                grant_id=grant_id,
                dataset_id=grant.dataset_id,
                fields=granted,
                purpose=self._purpose(store, grant_id),
            )

        self.writer.submit(record)

    def reject(self, provider: str, grant_id: int, *, reason: str, reason_code: int) -> None:
        grant = self._provider_grant(provider, grant_id)
        self.registries.sharing.reject_request(
            self.department_keys(provider).account, grant_id, reason_code
        )
        self._record_decision(provider, grant, "reject", "rejected", reason)

    def revoke(self, provider: str, grant_id: int, *, reason: str, reason_code: int) -> None:
        grant = self._provider_grant(provider, grant_id)
        self.registries.sharing.revoke_grant(
            self.department_keys(provider).account, grant_id, reason_code
        )
        self._record_decision(provider, grant, "revoke", "revoked", reason)

    def _record_decision(
        self, provider: str, grant: GrantView, action: str, outcome: str, reason: str
    ) -> None:

        def record(store: GatewayStore, log: LogAppender) -> None:
            store.set_reason(grant.grant_id, reason)
            log.append(
                action=action,
                outcome=outcome,
                code=reason[:64] or outcome,
                caller=provider,
                grant_id=grant.grant_id,
                dataset_id=grant.dataset_id,
                fields=grant.fields,
                purpose=self._purpose(store, grant.grant_id),
            )

        self.writer.submit(record)

    def _purpose(self, reads: ReleaseReads, grant_id: int | None) -> str:
        """The request's stated purpose, for log entries (cached: it never changes)."""
        if grant_id is None:
            return ""
        purpose = self._purposes.get(grant_id)
        if purpose is None:
            purpose = reads.purpose(grant_id)
            if purpose is None:
                return ""
            self._purposes.put(grant_id, purpose)
        return purpose

    def visible_request(self, grant_id: int, code: str) -> RequestState:
        """The request, if ``code`` is its requester or provider (others are told it is
        unknown)."""
        with self.store() as store:
            request = store.request(grant_id)
        if request is None or code not in (request.requester_code, request.provider_code):
            raise errors.RequestUnknown(f"no request {grant_id} of yours")
        return self.request_state(request)

    def requests_of(self, code: str) -> list[RequestState]:
        """The requests ``code`` made, and the requests for ``code``'s datasets."""
        with self.store() as store:
            requests = store.requests_of(code)
        return [self.request_state(request) for request in requests]

    def blocked_requests(self) -> list[RequestState]:
        """Grants whose uses the chain refused to record: they release nothing more."""
        with self.store() as store:
            requests = store.blocked_requests()
        return [self.request_state(request) for request in requests]

    def request_state(self, request: StoredRequest) -> RequestState:
        self.view.sync()
        chain_grant = self.view.grant(request.grant_id)
        if chain_grant is None:
            raise errors.RequestUnknown(f"grant {request.grant_id} is not on this chain")
        grant = GrantView.from_chain(chain_grant)
        with self.store() as store:
            usage = store.usage(request.grant_id)
        return RequestState(request, grant, usage, self._overdue(request, grant.status))

    def _overdue(self, request: StoredRequest, status: GrantStatus) -> bool:
        """A request still pending past ``answer_deadline_hours``."""
        deadline = request.requested_at + timedelta(hours=self.settings.answer_deadline_hours)
        return status is GrantStatus.PENDING and self.clock() > deadline

    # -- release ----------------------------------------------------------------------------------

    def release(
        self, caller: str, dataset_id: str, grant_id: int, fields: Sequence[str]
    ) -> Release:
        """Release ``fields`` of the latest version if every check passes (see the docs); log
        the decision either way. A refusal raises its :class:`errors.ReleaseRefused`."""
        entry: dict[str, Any] = {
            "action": "release",
            "caller": caller,
            "grant_id": grant_id,
            "dataset_id": dataset_id,
            "fields": list(fields),
        }
        with self._reads() as reads:
            entry["purpose"] = self._purpose(reads, grant_id)
            try:
                prepared, provider, grant = self._prepare_release(
                    reads, caller=caller, dataset_id=dataset_id, grant_id=grant_id, fields=fields
                )
            except errors.ReleaseRefused as refusal:
                self._log(outcome="refused", code=refusal.code, **entry)
                raise

        def count_and_log(store: GatewayStore, log: LogAppender) -> tuple[int, int] | None:
            """Count the use if one is left (atomically) and log the outcome either way."""
            uses_left = store.count_use(grant_id, provider, grant.max_uses, grant.used_on_chain)
            if uses_left is None:
                log.append(outcome="refused", code=errors.UsesExhausted.code, **entry)
                return None
            return uses_left, log.append(outcome="released", code="released", **entry).body.seq

        outcome = self.writer.submit(count_and_log)
        if outcome is None:  # another release took the last use since the check
            raise errors.UsesExhausted(f"grant {grant_id} has no uses left")
        uses_left, seq = outcome
        return replace(prepared, uses_left=uses_left, log_seq=seq)

    def _prepare_release(
        self,
        reads: ReleaseReads,
        *,
        caller: str,
        dataset_id: str,
        grant_id: int,
        fields: Sequence[str],
    ) -> tuple[Release, str, GrantView]:
        """Every check in order, then the envelope; the release (counts still to fill in), the
        provider and the grant."""
        self.view.sync()
        chain_grant = self.view.grant(grant_id)
        grant = None if chain_grant is None else GrantView.from_chain(chain_grant)
        usage = reads.usage(grant_id) or GrantUsage(0, None)
        check_grant(
            grant,
            caller=caller,
            dataset_id=dataset_id,
            fields=fields,
            now=int(self.clock().timestamp()),
            used=usage.used,
            blocked=usage.blocked,
        )
        assert grant is not None  # check_grant refuses a missing grant
        dataset = self.view.dataset(to_bytes32(dataset_id))
        if dataset is None or dataset.latest_version == 0:
            raise errors.ContentMismatch(f"dataset {dataset_id} has no published version")
        # The version the chain says is the latest, never merely the newest row stored.
        # Read on every release, never cached: an altered row must be seen by the checks.
        version = reads.version(dataset_id, dataset.latest_version)
        if version is None:
            raise errors.VersionMissing(
                f"version {dataset.latest_version} of {dataset_id}, the latest on chain, is not "
                "stored here"
            )
        records = self._provenance_checked(version, dataset.provider)
        provider = self.view.department(dataset.provider)
        if provider is None or not provider.active:
            raise errors.ProviderSuspended(f"provider {dataset.provider} is not active")
        requester = self.view.department(caller)
        if requester is None:
            raise errors.WrongCaller(f"{caller} is not a registered department")
        envelope = seal_envelope(
            _public_key(requester.sm2_public_key),
            {
                "recipient": caller,
                "grant_id": grant_id,
                "dataset_id": dataset_id,
                "version": version.version,
                "fields": list(fields),
                "content_hash": version.content_hash,
            },
            project(records, fields),
        )
        release = Release(
            grant_id=grant_id,
            dataset_id=dataset_id,
            version=version.version,
            fields=tuple(fields),
            envelope=envelope,
            provenance={
                "provider": dataset.provider,
                "version": version.version,
                "content_hash": version.content_hash,
                "signature": version.signature,
                "signature_hash": sm3(bytes.fromhex(version.signature)).hex(),
                "signer_key_version": version.signer_key_version,
                "anchor_tx": version.tx_hash,
                "anchor_block": version.block_number,
            },
            uses_left=0,
            log_seq=-1,
        )
        return release, dataset.provider, grant

    def _provenance_checked(self, version: StoredVersion, provider_code: str) -> list[Record]:
        """The version's records, if the stored bytes hash to the content hash anchored on chain
        and the provider's signature matches the chain's hash and verifies with the provider's
        key of the version that signed it, which the chain must show in force when the version
        was published (a later re-key does not retire the data it signed)."""
        dataset_b32 = to_bytes32(version.dataset_id)
        anchored = self.view.version(dataset_b32, version.version)
        content_hash = bytes.fromhex(version.content_hash)
        try:
            sealed = self.blobs.get(version.blob_cid)
            plaintext = open_sealed(
                self._data_key(version), sealed, _blob_aad(version.dataset_id, content_hash)
            )
        except (GovLedgerError, SMCryptoError):
            raise errors.ContentMismatch(
                f"the stored data of {version.dataset_id} v{version.version} does not open"
            ) from None
        if sm3(plaintext) != anchored.content_hash or content_hash != anchored.content_hash:
            raise errors.ContentMismatch(
                f"the stored data of {version.dataset_id} v{version.version} does not hash to "
                "the content hash anchored on chain"
            )
        signature = bytes.fromhex(version.signature)
        if sm3(signature) != anchored.signature_hash:
            raise errors.ReleaseSignatureInvalid("the signature is not the one anchored on chain")
        signer_key = self.view.key_in_force(
            provider_code, version.signer_key_version, anchored.published_at
        )
        if signer_key is None:
            raise errors.ReleaseSignatureInvalid(
                f"key version {version.signer_key_version} of {provider_code} was not in force "
                f"when {version.dataset_id} v{version.version} was published"
            )
        cache_key = (signature, content_hash, signer_key)
        if not self._verified.get(cache_key, False):
            try:
                _public_key(signer_key).verify(signature, content_hash)
            except (SMCryptoError, VerificationFailed):
                raise errors.ReleaseSignatureInvalid(
                    f"the signature does not verify with key version "
                    f"{version.signer_key_version} of {provider_code}"
                ) from None
            self._verified.put(cache_key, True)
        records: list[Record] = json.loads(plaintext)
        return records

    def _data_key(self, version: StoredVersion) -> bytes:
        key = (version.dataset_id, version.version)
        data_key = self._data_keys.get(key)
        if data_key is None:
            data_key = self._gateway_key.decrypt(base64.b64decode(version.wrapped_key))
            self._data_keys.put(key, data_key)
        return data_key

    # -- auditors ---------------------------------------------------------------------------------

    def entries(self, criteria: TraceFilter = EVERY_ENTRY) -> list[Entry]:
        with self.log_store() as log:
            return log.entries(criteria)

    def anchoring_stalled(self) -> str | None:
        """Which entry is still not anchored ``anchor_deadline_seconds`` after it was
        recorded (``govledger audit verify`` would fail on it), or None."""
        with self.log_store() as log:
            first = log.first_unanchored()
        deadline = self.settings.anchor_deadline_seconds
        if first is None or first[1] > self.clock() - timedelta(seconds=deadline):
            return None
        seq, recorded_at = first
        return (
            f"entry {seq}, recorded {recorded_at.isoformat()}, is not anchored after {deadline:g} s"
        )

    def statistics(self) -> SharingStatistics:
        """Counted from the database, each request's status from the chain; ``disagreements``
        names requests the chain does not know and more uses on chain than releases logged."""
        with self.store() as store:
            requests = store.all_requests()
        with self.log_store() as log:
            releases = log.release_counts()
        self.view.sync()
        by_status: dict[str, int] = {}
        overdue = used_on_chain = 0
        disagreements = []
        for request in requests:
            chain_grant = self.view.grant(request.grant_id)
            if chain_grant is None:
                disagreements.append(f"request {request.grant_id} is in the database, not on chain")
                continue
            name = chain_grant.status.name.lower()
            by_status[name] = by_status.get(name, 0) + 1
            overdue += int(self._overdue(request, chain_grant.status))
            used_on_chain += chain_grant.used
        released = sum(count.count for count in releases if count.outcome == "released")
        if used_on_chain > released:
            disagreements.append(
                f"the chain records {used_on_chain} uses of grants, the log {released} releases"
            )
        pending = GrantStatus.PENDING.name.lower()
        return SharingStatistics(
            releases=releases,
            requests=by_status,
            answered=sum(n for status, n in by_status.items() if status != pending),
            overdue=overdue,
            uses_on_chain=used_on_chain,
            disagreements=disagreements,
        )

    def verify_export(self, export: Export) -> Verdict:
        """Check an export against this deployment's log on chain (``govledger audit verify``)."""
        return audit.verify_export(export, self.anchored_log, self.settings, self.clock())

    def trace(self, criteria: TraceFilter, *, chain: bool) -> audit.Trace:
        """The entries ``criteria`` select with their inclusion proofs and, with ``chain``, the
        chain's events about their grants and datasets (and those ``criteria`` name)."""
        with self.log_store() as log:
            selected = log.entries(criteria)
            proofs = audit.inclusion_proofs(log, selected)
        grant_ids = {e.body.grant_id for e in selected if e.body.grant_id is not None}
        dataset_ids = {e.body.dataset_id for e in selected if e.body.dataset_id is not None}
        if criteria.grant_id is not None:
            grant_ids.add(criteria.grant_id)
        if criteria.dataset_id is not None:
            dataset_ids.add(criteria.dataset_id)
        events = audit.chain_events(self.registries, grant_ids, dataset_ids) if chain else []
        return audit.Trace(selected, proofs, events)
