"""The sharing gateway: catalogue, requests and grants on chain, checked release, access log.

The chain (``DataSharing``, ``DepartmentRegistry``) decides; the database keeps what the chain
holds only as hashes, the exact use counts and the access log. The gateway holds each
department's keys in the platform's keystore and acts on chain with them (custodial), after the
department has signed in.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from dataclasses import fields as dataclass_fields
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, case, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from govledger.auth.clock import Clock
from govledger.blobstore import BlobStore
from govledger.chain import DepartmentKeys, load_department_keys
from govledger.db import DriverStatement, session_scope
from govledger.errors import GovLedgerError, InvalidInput, VerificationFailed
from govledger.keystore import Keystore
from govledger.lru import DEFAULT_MAXSIZE, LRUCache
from ledger.contracts import GrantStatus, ShareClass
from sharing_gateway import errors
from sharing_gateway.adapters import accesslog
from sharing_gateway.adapters.accesslog import LogTransaction
from sharing_gateway.adapters.chainview import ChainView
from sharing_gateway.adapters.pending import DATASET, VERSION, Landed, PendingWrites
from sharing_gateway.adapters.writer import AccessLogWriter
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
from sharing_gateway.settings import GatewaySettings
from sharing_gateway.tables import DatasetRow, GrantUsageRow, RequestRow, VersionRow
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


@dataclass(frozen=True)
class StoredVersion:
    """A version's row as the release checks read it: the ``VersionRow`` columns of these
    names, which ``_VERSION`` selects in this order."""

    dataset_id: str
    version: int
    blob_cid: str
    wrapped_key: str
    content_hash: str
    signature: str
    signer_key_version: int
    tx_hash: str
    block_number: int


# The statements every release runs, built once and run on the driver's cursor: through
# SQLAlchemy's execution machinery each would cost more Python than the database spends on it.
_USAGE = DriverStatement(
    select(GrantUsageRow.used, GrantUsageRow.chain_error).where(
        GrantUsageRow.grant_id == bindparam("grant_id")
    )
)
_VERSION = DriverStatement(
    select(
        *(VersionRow.__table__.c[field.name] for field in dataclass_fields(StoredVersion))
    ).where(
        VersionRow.dataset_id == bindparam("dataset_id"),
        VersionRow.version == bindparam("version"),
    )
)
# A row behind the chain (restored from a backup, or rebuilt after it was lost) is first raised
# to the chain's count, in the same statement: the use is counted from there, never from less.
_BEHIND_CHAIN = GrantUsageRow.used < bindparam("chain_used")
_COUNTED_FROM = case((_BEHIND_CHAIN, bindparam("chain_used")), else_=GrantUsageRow.used)
_COUNT_USE = DriverStatement(
    update(GrantUsageRow)
    .where(
        GrantUsageRow.grant_id == bindparam("counted_grant_id"),
        GrantUsageRow.max_uses > _COUNTED_FROM,
    )
    .values(
        used=_COUNTED_FROM + 1,
        chain_recorded=case(
            (_BEHIND_CHAIN, bindparam("chain_used")), else_=GrantUsageRow.chain_recorded
        ),
    )
    .returning(GrantUsageRow.max_uses - GrantUsageRow.used)
)


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


class Gateway:
    """The gateway's operations; thread-safe, one per process."""

    def __init__(
        self,
        *,
        settings: GatewaySettings,
        view: ChainView,
        keystore: Keystore,
        blobs: BlobStore,
        engine: Engine,
        session_factory: sessionmaker[Session],
        clock: Clock,
        cache_entries: int = DEFAULT_MAXSIZE,
    ) -> None:
        self.settings = settings
        self.view = view
        self.registries = view.registries
        self.keystore = keystore
        self.blobs = blobs
        self._engine = engine
        self.session_factory = session_factory  # on ``engine``
        self.clock = clock
        self.log_id = settings.log_id
        self._gateway_key: SM2PrivateKey = keystore.load_or_create(settings.key_name).sm2
        # Bounded, as every cache keyed by what requests name (docs/platform.md).
        self._keys: LRUCache[str, DepartmentKeys] = LRUCache(cache_entries)
        self._data_keys: LRUCache[tuple[str, int], bytes] = LRUCache(cache_entries)
        self._verified: LRUCache[tuple[bytes, bytes, bytes], bool] = LRUCache(cache_entries)
        self._purposes: LRUCache[int, str] = LRUCache(cache_entries)
        self.writer = AccessLogWriter(session_factory, self.log_id, clock)
        self.pending = PendingWrites(session_factory, self.registries.sharing, clock)
        with session_scope(session_factory) as session:
            accesslog.ensure_head(session, self.log_id)

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
    ) -> DatasetRow:
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

        return self.pending.write(DATASET, dataset_id, columns, send)

    def dataset_row(self, session: Session, dataset_id: str) -> DatasetRow:
        row = session.get(DatasetRow, dataset_id)
        if row is None:
            raise errors.DatasetUnknown(f"no dataset {dataset_id}")
        return row

    def publish_version(
        self, provider: str, dataset_id: str, content: bytes, upload_format: UploadFormat
    ) -> VersionRow:
        """Validate, canonicalise, encrypt, store, sign and anchor a new version."""
        with self.session_factory() as session:
            dataset = self.dataset_row(session, dataset_id)
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

        return self.pending.write(VERSION, dataset_id, columns, send)

    def recover(self) -> None:
        """Settle registrations and versions a crash left between the chain and their rows."""
        self.pending.recover()

    # -- requests and grants ----------------------------------------------------------------------

    def _log(self, **entry: Any) -> int:
        def append(log: LogTransaction) -> int:
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
    ) -> RequestRow:
        """Sign the request with the requester's SM2 key and record it on chain."""
        with self.session_factory() as session:
            dataset = self.dataset_row(session, dataset_id)
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
                "requested_at": accesslog.format_time(self.clock()),
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
        row = RequestRow(
            grant_id=grant_id,
            dataset_id=dataset_id,
            requester_code=requester,
            provider_code=dataset.provider_code,
            fields_json=json.dumps(list(fields)),
            purpose=purpose,
            use_scenario=use_scenario,
            scenario_code=scenario_code,
            document=document.decode(),
            signature=signature.hex(),
            tx_hash=written.receipt.tx_hash,
            requested_at=self.clock(),
        )
        granted = dataset.share_class == ShareClass.UNCONDITIONAL.name.lower()

        def record(log: LogTransaction) -> None:
            log.session.add(row)
            if granted:
                self._add_usage(log.session, grant_id, dataset.provider_code, max_uses)
            log.append(
                outcome="granted" if granted else "pending",
                code="auto-granted" if granted else "requested",
                grant_id=grant_id,
                **entry,
            )

        self.writer.submit(record)
        return row

    @staticmethod
    def _add_usage(session: Session, grant_id: int, provider: str, max_uses: int) -> None:
        session.add(
            GrantUsageRow(
                grant_id=grant_id,
                provider_code=provider,
                max_uses=max_uses,
                used=0,
                chain_recorded=0,
            )
        )

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

        def record(log: LogTransaction) -> None:
            self._add_usage(log.session, grant_id, provider, uses)
            log.append(
                action="approve",
                outcome="granted",
                code="approved",
                caller=provider,
                grant_id=grant_id,
                dataset_id=grant.dataset_id,
                fields=granted,
                purpose=self._purpose(log.session, grant_id),
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

        def record(log: LogTransaction) -> None:
            request = log.session.get(RequestRow, grant.grant_id)
            if request is not None:
                request.reason = reason
            log.append(
                action=action,
                outcome=outcome,
                code=reason[:64] or outcome,
                caller=provider,
                grant_id=grant.grant_id,
                dataset_id=grant.dataset_id,
                fields=grant.fields,
                purpose=self._purpose(log.session, grant.grant_id),
            )

        self.writer.submit(record)

    def _purpose(self, session: Session | Connection, grant_id: int | None) -> str:
        """The request's stated purpose, for log entries (cached: it never changes)."""
        if grant_id is None:
            return ""
        purpose = self._purposes.get(grant_id)
        if purpose is None:
            purpose = session.scalar(
                select(RequestRow.purpose).where(RequestRow.grant_id == grant_id)
            )
            if purpose is None:
                return ""
            self._purposes.put(grant_id, purpose)
        return purpose

    def is_overdue(self, row: RequestRow, status: GrantStatus) -> bool:
        deadline = row.requested_at + timedelta(hours=self.settings.answer_deadline_hours)
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
        # Reads only, on a plain connection: a Session costs more than these reads do.
        with self._engine.connect() as reads:
            entry["purpose"] = self._purpose(reads, grant_id)
            try:
                prepared, provider, grant = self._prepare_release(
                    reads, caller=caller, dataset_id=dataset_id, grant_id=grant_id, fields=fields
                )
            except errors.ReleaseRefused as refusal:
                self._log(outcome="refused", code=refusal.code, **entry)
                raise

        def count_and_log(log: LogTransaction) -> tuple[int, int] | None:
            """Count the use if one is left (atomically) and log the outcome either way."""
            connection = log.session.connection()
            arguments = {"counted_grant_id": grant_id, "chain_used": grant.used_on_chain}
            uses_left = _COUNT_USE.scalar(connection, arguments)
            if uses_left is None and log.session.get(GrantUsageRow, grant_id) is None:
                # A grant made on chain outside the gateway, or a row lost: its first use
                # creates its row, counted from the chain's count.
                self._add_usage(log.session, grant_id, provider, grant.max_uses)
                log.session.flush()
                uses_left = _COUNT_USE.scalar(connection, arguments)
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
        reads: Connection,
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
        used, blocked = _USAGE.execute(reads, {"grant_id": grant_id}).fetchone() or (0, None)
        check_grant(
            grant,
            caller=caller,
            dataset_id=dataset_id,
            fields=fields,
            now=int(self.clock().timestamp()),
            used=used,
            blocked=blocked,
        )
        assert grant is not None  # check_grant refuses a missing grant
        dataset = self.view.dataset(to_bytes32(dataset_id))
        if dataset is None or dataset.latest_version == 0:
            raise errors.ContentMismatch(f"dataset {dataset_id} has no published version")
        # The version the chain says is the latest, never merely the newest row stored.
        version = self._stored_version(reads, dataset_id, dataset.latest_version)
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

    @staticmethod
    def _stored_version(reads: Connection, dataset_id: str, version: int) -> StoredVersion | None:
        # Read on every release, never cached: an altered row must be seen by the checks.
        row = _VERSION.execute(reads, {"dataset_id": dataset_id, "version": version}).fetchone()
        return None if row is None else StoredVersion(*row)

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
            raise errors.SignatureInvalid("the signature is not the one anchored on chain")
        signer_key = self.view.key_in_force(
            provider_code, version.signer_key_version, anchored.published_at
        )
        if signer_key is None:
            raise errors.SignatureInvalid(
                f"key version {version.signer_key_version} of {provider_code} was not in force "
                f"when {version.dataset_id} v{version.version} was published"
            )
        cache_key = (signature, content_hash, signer_key)
        if not self._verified.get(cache_key, False):
            try:
                _public_key(signer_key).verify(signature, content_hash)
            except (SMCryptoError, VerificationFailed):
                raise errors.SignatureInvalid(
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
