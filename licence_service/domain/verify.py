"""The verifier: four independent checks (integrity, status, issuer, seal) of a licence
document or presentation.

:func:`verify` never raises for a bad licence: each check reports ``ok`` with a stable reason
code. docs/licences.md ("Verification: four checks") says what each check asks and when.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from functools import cached_property, lru_cache
from typing import Any

from pydantic import ValidationError

from ledger.contracts.values import LicenceStatus
from ledger.merkle import InvalidProof, verify_proof
from licence_service.domain.canonical import JSONScalar, parse_json, utc_seconds
from licence_service.domain.disclosure import (
    LICENCE_FORMAT,
    LicenceHeader,
    SaltedField,
    document_digest,
    field_digests,
    licence_leaf,
)
from licence_service.domain.document import Anchor, LicenceDocument
from licence_service.domain.errors import LicenceInputError, NotALicence
from licence_service.domain.ports import (
    ISSUER_ROLE,
    AnchoredBatch,
    DepartmentRecord,
    LicenceChainView,
    LicenceRecords,
    LicenceStatusRecord,
    SealRecord,
)
from licence_service.domain.presentation import PRESENTATION_FORMAT, Presentation
from licence_service.domain.seal import Seal, SealSignature, holder_key_hash
from sm_crypto import SMCryptoError

# Licence validity dates are calendar dates in China Standard Time.
LICENCE_TIMEZONE = timezone(timedelta(hours=8), "CST")
# How far the issuer's clock (signing time) may run ahead of the chain's (anchoring time).
SIGNING_CLOCK_TOLERANCE = timedelta(minutes=5)


class Check(StrEnum):
    INTEGRITY = "integrity"
    STATUS = "status"
    ISSUER = "issuer"
    SEAL = "seal"


class Reason(StrEnum):
    """Stable reason codes. Every check reports OK, MALFORMED or one of its own."""

    OK = "ok"
    MALFORMED = "malformed"
    # integrity
    NOT_ANCHORED = "not-anchored"
    DIGEST_MISMATCH = "document-digest-mismatch"
    PROOF_INVALID = "proof-invalid"
    ROOT_NOT_ANCHORED = "root-not-anchored"
    ROOT_ISSUER_MISMATCH = "root-issuer-mismatch"
    PRESENTATION_NOT_YET_VALID = "presentation-not-yet-valid"
    PRESENTATION_EXPIRED = "presentation-expired"
    PRESENTATION_SIGNATURE_INVALID = "presentation-signature-invalid"
    # status
    LICENCE_UNVERIFIED = "licence-unverified"
    LICENCE_UNKNOWN = "licence-unknown"
    LICENCE_SUSPENDED = "licence-suspended"
    LICENCE_WITHDRAWN = "licence-withdrawn"
    LICENCE_CANCELLED = "licence-cancelled"
    LICENCE_SUPERSEDED = "licence-superseded"
    LICENCE_REVOKED = "licence-revoked"
    LICENCE_NOT_YET_VALID = "licence-not-yet-valid"
    LICENCE_EXPIRED = "licence-expired"
    # issuer
    ISSUER_UNREGISTERED = "issuer-unregistered"
    ISSUER_SUSPENDED = "issuer-suspended"
    ISSUER_ROLE_MISSING = "issuer-role-missing"
    ISSUER_KEY_UNKNOWN = "issuer-key-unknown"
    SIGNER_NOT_ISSUER_KEY = "signer-not-issuer-key"
    SIGNATURE_INVALID = "signature-invalid"
    # seal
    SEAL_UNREGISTERED = "seal-unregistered"
    SEAL_MISMATCH = "seal-mismatch"
    SEAL_MAKER_INVALID = "seal-maker-invalid"
    SEAL_NOT_YET_VALID = "seal-not-yet-valid-at-signing"
    SEAL_EXPIRED = "seal-expired-at-signing"
    SEAL_REVOKED = "seal-revoked-at-signing"
    SIGNED_AFTER_ANCHORING = "signed-after-anchoring"
    SIGNER_NOT_SEAL_HOLDER = "signer-not-seal-holder"


_STATUS_REASONS = {
    LicenceStatus.UNKNOWN: Reason.LICENCE_UNKNOWN,
    LicenceStatus.SUSPENDED: Reason.LICENCE_SUSPENDED,
    LicenceStatus.WITHDRAWN: Reason.LICENCE_WITHDRAWN,
    LicenceStatus.CANCELLED: Reason.LICENCE_CANCELLED,
    LicenceStatus.EXPIRED: Reason.LICENCE_EXPIRED,
    LicenceStatus.SUPERSEDED: Reason.LICENCE_SUPERSEDED,
    LicenceStatus.REVOKED: Reason.LICENCE_REVOKED,
}


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    reason: Reason
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "reason": str(self.reason), "message": self.message}


def _failed(reason: Reason, message: str) -> CheckResult:
    return CheckResult(False, reason, message)


@dataclass(frozen=True)
class VerificationReport:
    """The four checks' results. ``licence_id`` and ``leaf`` are the input's (its licence's only
    if integrity holds); the disclosed fields are ``fields`` if integrity holds, else
    ``unverified_fields``: what the input claims, not the licence. ``anchor_supplied``: the
    document carried no anchor and the issuing service's records gave it (checked as any)."""

    integrity: CheckResult
    status: CheckResult
    issuer: CheckResult
    seal: CheckResult
    verified_at: datetime
    licence_id: str | None = None
    leaf: bytes | None = None
    fields: Mapping[str, JSONScalar] | None = None
    unverified_fields: Mapping[str, JSONScalar] | None = None
    successor_id: str | None = None
    anchor_supplied: bool = False

    @property
    def ok(self) -> bool:
        return all(result.ok for result in self.checks().values())

    def checks(self) -> dict[Check, CheckResult]:
        return {
            Check.INTEGRITY: self.integrity,
            Check.STATUS: self.status,
            Check.ISSUER: self.issuer,
            Check.SEAL: self.seal,
        }

    def failed(self) -> list[Check]:
        return [check for check, result in self.checks().items() if not result.ok]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "verified_at": self.verified_at.isoformat(),
            "licence_id": self.licence_id,
            "leaf": None if self.leaf is None else self.leaf.hex(),
            "fields": None if self.fields is None else dict(self.fields),
            "unverified_fields": None
            if self.unverified_fields is None
            else dict(self.unverified_fields),
            "successor_id": self.successor_id,
            "anchor_supplied": self.anchor_supplied,
            "checks": {str(check): result.to_dict() for check, result in self.checks().items()},
        }


@dataclass(frozen=True)
class _Claims:
    """What a document or a presentation claims, in one shape."""

    header: LicenceHeader
    disclosed: Mapping[str, SaltedField]
    hidden_digests: tuple[bytes, ...]
    seal_signature: SealSignature
    seal: Seal | None
    anchor: Anchor | None
    presentation: Presentation | None

    @classmethod
    def of(cls, subject: LicenceDocument | Presentation) -> _Claims:
        if isinstance(subject, LicenceDocument):
            return cls(
                subject.header,
                subject.fields,
                (),
                subject.seal_signature,
                subject.seal,
                subject.anchor,
                None,
            )
        content = subject.to_sign
        return cls(
            content.header,
            content.disclosed,
            content.hidden_digests,
            content.seal_signature,
            None,
            content.anchor,
            subject,
        )


class _Context:
    """The claims, the chain and the moment, with each derived value and chain answer
    computed or fetched once."""

    def __init__(
        self,
        claims: _Claims,
        chain: LicenceChainView,
        moment: datetime,
        records: LicenceRecords | None,
    ) -> None:
        self.claims = claims
        self.chain = chain
        self.moment = moment
        self.records = records
        self.issuer_code = claims.header.issuer_code
        self.signed = claims.seal_signature.to_sign
        self._departments: dict[str, DepartmentRecord | None] = {}

    @cached_property
    def digest(self) -> bytes:
        digests = [*field_digests(self.claims.disclosed), *self.claims.hidden_digests]
        return document_digest(self.claims.header, digests)

    @cached_property
    def leaf(self) -> bytes:
        return licence_leaf(self.digest, self.claims.seal_signature)

    @cached_property
    def batch(self) -> AnchoredBatch | None:
        """The claimed root's batch if the claimed issuer anchored it."""
        anchor = self.claims.anchor
        batch = None if anchor is None else self.chain.batch(anchor.root)
        return batch if batch is not None and batch.issuer_code == self.issuer_code else None

    @cached_property
    def issued_at(self) -> datetime:
        """When the licence was issued, as far as can be trusted: the anchoring time, or the
        claimed signing time if the batch is not anchored by the issuer."""
        return self.signed.signing_time if self.batch is None else self.batch.anchored_at

    def department(self, code: str) -> DepartmentRecord | None:
        if code not in self._departments:
            self._departments[code] = self.chain.department(code)
        return self._departments[code]

    @cached_property
    def seal_record(self) -> SealRecord | None:
        return self.chain.seal(self.signed.seal_hash)

    @cached_property
    def status_record(self) -> LicenceStatusRecord | None:
        """The chain's status of the licence, once the claims are shown to be it."""
        anchor = self.claims.anchor
        if self.unanchored is not None or anchor is None:
            return None
        return self.chain.licence_status(anchor.root, self.leaf)

    @cached_property
    def successor_id(self) -> str | None:
        record = self.status_record
        if record is None or record.superseded_by is None or self.records is None:
            return None
        return self.records.successor_id(self.claims.header.licence_id, *record.superseded_by)

    @cached_property
    def unanchored(self) -> _Failed | None:
        """Why the claims are not shown to be the licence its issuer anchored, or None when
        they are (then the header and fields are the signed, anchored ones)."""
        try:
            _check_anchored_leaf(self)
        except _Failed as failure:
            return failure
        return None


class _Failed(Exception):
    """Ends a check with a failure."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def _check_anchored_leaf(ctx: _Context) -> None:
    claims = ctx.claims
    if claims.anchor is None:
        raise _Failed(
            Reason.NOT_ANCHORED, "the document carries no anchor (its batch's root and proof)"
        )
    if ctx.digest != ctx.signed.data_hash:
        raise _Failed(
            Reason.DIGEST_MISMATCH, "the fields do not hash to the digest the seal signature signs"
        )
    try:
        verify_proof(ctx.leaf, claims.anchor.proof, claims.anchor.root)
    except InvalidProof:
        raise _Failed(
            Reason.PROOF_INVALID, "the licence's leaf and proof do not lead to its root"
        ) from None
    anchored = ctx.chain.batch(claims.anchor.root)
    if anchored is None:
        raise _Failed(Reason.ROOT_NOT_ANCHORED, "the batch root is not anchored on chain")
    if ctx.batch is None:
        raise _Failed(
            Reason.ROOT_ISSUER_MISMATCH,
            f"the batch was anchored by {anchored.issuer_code}, not by {ctx.issuer_code}",
        )


def _check_integrity(ctx: _Context) -> str:
    if ctx.unanchored is not None:
        raise ctx.unanchored
    claims = ctx.claims
    assert claims.anchor is not None
    assert ctx.batch is not None
    if claims.presentation is not None:
        _check_presentation(ctx, claims.presentation)
    return (
        f"the licence is in batch {claims.anchor.root.hex()} anchored by {ctx.issuer_code} "
        f"at {ctx.batch.anchored_at.isoformat()}"
    )


def _check_presentation(ctx: _Context, presentation: Presentation) -> None:
    content = presentation.to_sign
    if ctx.moment < content.issued_at:
        raise _Failed(
            Reason.PRESENTATION_NOT_YET_VALID,
            f"the presentation is issued at {content.issued_at.isoformat()}, in the future",
        )
    if ctx.moment >= content.expires_at:
        raise _Failed(
            Reason.PRESENTATION_EXPIRED,
            f"the presentation expired at {content.expires_at.isoformat()}",
        )
    department = ctx.department(ctx.issuer_code)
    key = None if department is None else department.key_at(content.issued_at)
    if key is None:
        raise _Failed(
            Reason.PRESENTATION_SIGNATURE_INVALID,
            f"{ctx.issuer_code} had no key on chain when the presentation was issued",
        )
    try:
        presentation.verify_signature(key.public_key)
    except SMCryptoError:
        raise _Failed(
            Reason.PRESENTATION_SIGNATURE_INVALID,
            f"the presentation is not signed by {ctx.issuer_code}'s key version {key.version}",
        ) from None


def _check_status(ctx: _Context) -> str:
    # Dates and the leaf are read only once they are shown to be what the issuer anchored: the
    # chain answers VALID for any leaf under an anchored root, and dates can be edited.
    if ctx.unanchored is not None:
        raise _Failed(
            Reason.LICENCE_UNVERIFIED,
            "no status: the input is not shown to be a licence its issuer anchored "
            f"({ctx.unanchored.reason})",
        )
    record = ctx.status_record
    assert record is not None
    if record.status is not LicenceStatus.VALID:
        when = "" if record.changed_at is None else f" since {record.changed_at.isoformat()}"
        successor = ""
        if record.superseded_by is not None:
            new_root, new_leaf = record.superseded_by
            named = "" if ctx.successor_id is None else f"{ctx.successor_id}, "
            successor = f" by licence {named}leaf {new_leaf.hex()} of batch {new_root.hex()}"
        raise _Failed(
            _STATUS_REASONS[record.status],
            f"the licence is {record.status.name.lower()} on chain{successor}{when} "
            f"(reason code {record.reason_code})",
        )
    header = ctx.claims.header
    today = ctx.moment.astimezone(LICENCE_TIMEZONE).date()
    if today < header.valid_from:
        raise _Failed(Reason.LICENCE_NOT_YET_VALID, f"the licence starts on {header.valid_from}")
    if header.valid_to is not None and today > header.valid_to:
        raise _Failed(Reason.LICENCE_EXPIRED, f"the licence expired after {header.valid_to}")
    until = "without end" if header.valid_to is None else f"to {header.valid_to}"
    return f"the licence is valid, from {header.valid_from} {until}"


def _check_issuer(ctx: _Context) -> str:
    code = ctx.issuer_code
    department = ctx.department(code)
    if department is None:
        raise _Failed(Reason.ISSUER_UNREGISTERED, f"no department {code} is registered")
    if not department.active:
        raise _Failed(Reason.ISSUER_SUSPENDED, f"department {code} is suspended")
    moment = ctx.issued_at
    if not department.held_role_at(ISSUER_ROLE, moment):
        raise _Failed(
            Reason.ISSUER_ROLE_MISSING, f"{code} did not hold ISSUER at {moment.isoformat()}"
        )
    key = department.key_at(moment)
    if key is None:
        raise _Failed(Reason.ISSUER_KEY_UNKNOWN, f"{code} had no key at {moment.isoformat()}")
    if ctx.signed.signer_public_key != _xy(key.public_key):
        raise _Failed(
            Reason.SIGNER_NOT_ISSUER_KEY,
            f"the signer's key is not {code}'s key version {key.version}",
        )
    try:
        ctx.claims.seal_signature.verify_with(key.public_key)
    except SMCryptoError:
        raise _Failed(
            Reason.SIGNATURE_INVALID,
            f"the signature does not verify with {code}'s key version {key.version}",
        ) from None
    return f"signed by {department.name} ({code}) with key version {key.version}"


def _check_seal(ctx: _Context) -> str:
    signed = ctx.signed
    record = ctx.seal_record
    if record is None:
        raise _Failed(
            Reason.SEAL_UNREGISTERED, f"no seal is registered under {signed.seal_hash.hex()}"
        )
    if ctx.claims.seal is not None:
        _check_carried_seal(ctx, ctx.claims.seal, record)
    signing_time = signed.signing_time
    if signing_time < record.valid_from:
        raise _Failed(
            Reason.SEAL_NOT_YET_VALID, f"the seal is valid from {record.valid_from.isoformat()}"
        )
    if signing_time > record.valid_to:
        raise _Failed(Reason.SEAL_EXPIRED, f"the seal expired at {record.valid_to.isoformat()}")
    # The anchoring time is the chain's and cannot be backdated, unlike the signing time.
    in_use_until = signing_time if ctx.batch is None else max(signing_time, ctx.batch.anchored_at)
    if record.revoked_at is not None and record.revoked_at <= in_use_until:
        raise _Failed(
            Reason.SEAL_REVOKED,
            f"the seal was revoked at {record.revoked_at.isoformat()}, before the licence was "
            "signed and anchored",
        )
    if ctx.batch is not None and signing_time > ctx.batch.anchored_at + SIGNING_CLOCK_TOLERANCE:
        raise _Failed(
            Reason.SIGNED_AFTER_ANCHORING,
            f"the signing time {signing_time.isoformat()} is after the anchoring",
        )
    if holder_key_hash(signed.signer_public_key) not in record.holder_key_hashes:
        raise _Failed(Reason.SIGNER_NOT_SEAL_HOLDER, "the signer's key is not a seal holder")
    return f"seal {signed.seal_id} was valid when applied at {signing_time.isoformat()}"


def _check_carried_seal(ctx: _Context, seal: Seal, record: SealRecord) -> None:
    if seal.hash != ctx.signed.seal_hash or seal.info.seal_id != ctx.signed.seal_id:
        raise _Failed(Reason.SEAL_MISMATCH, "the document's seal is not the one signed with")
    maker = seal.to_sign
    if maker.maker_code != record.owner_code:
        raise _Failed(
            Reason.SEAL_MAKER_INVALID, f"the seal is owned by {record.owner_code} on chain"
        )
    owner = ctx.department(record.owner_code)
    key = None if owner is None else owner.key_at(maker.signed_at)
    if key is None or _xy(key.public_key) != maker.maker_public_key:
        raise _Failed(
            Reason.SEAL_MAKER_INVALID,
            f"the seal's maker key was not {record.owner_code}'s key when the seal was made",
        )
    if not _maker_signature_valid(_SealByHash(seal)):
        raise _Failed(Reason.SEAL_MAKER_INVALID, "the seal's maker signature does not verify")


class _SealByHash:
    """A seal that compares and hashes by its SM3 hash, so that checked seals can be kept."""

    __slots__ = ("seal",)

    def __init__(self, seal: Seal) -> None:
        self.seal = seal

    def __hash__(self) -> int:
        return hash(self.seal.hash)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _SealByHash) and other.seal.hash == self.seal.hash


@lru_cache(maxsize=256)
def _maker_signature_valid(seal: _SealByHash) -> bool:
    # The hash covers the seal's content, maker key and signature: one check serves every
    # licence sealed with it (a batch carries the same seal thousands of times).
    try:
        seal.seal.verify_signature()
    except SMCryptoError:
        return False
    return True


def _xy(public_key: bytes) -> bytes:
    """The 64-byte ``x || y`` of a key given as that or as ``04 || x || y``."""
    return public_key[1:] if len(public_key) == 65 else public_key


def _guarded(check: Callable[[_Context], str], ctx: _Context) -> CheckResult:
    try:
        return CheckResult(True, Reason.OK, check(ctx))
    except _Failed as failure:
        return _failed(failure.reason, failure.message)
    except (LicenceInputError, SMCryptoError) as exc:
        # Data that validated as a model can still hold, say, a public key off the curve.
        return _failed(Reason.MALFORMED, str(exc))


def _parse(subject: object) -> LicenceDocument | Presentation | str:
    """The document or presentation, or why it is malformed. Raises :class:`NotALicence`."""
    if isinstance(subject, LicenceDocument | Presentation):
        return subject
    data = subject
    if isinstance(subject, str | bytes):
        try:
            data = parse_json(subject)
        except LicenceInputError as exc:
            raise NotALicence(f"not a licence or presentation: {exc}") from None
    if not isinstance(data, Mapping):
        raise NotALicence("a licence or presentation is a JSON object")
    models: dict[object, type[LicenceDocument] | type[Presentation]] = {
        LICENCE_FORMAT: LicenceDocument,
        PRESENTATION_FORMAT: Presentation,
    }
    model = models.get(data.get("format"))
    if model is None:
        raise NotALicence(f"format {data.get('format')!r} is not a licence or presentation")
    if model is LicenceDocument and "seal" in data:
        data = {**data, "seal": _known_seal(data["seal"])}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"{exc.error_count()} malformed part(s), first {where}: {first['msg']}"


# Seals validated from documents, by their JSON: a batch's documents all carry the same seal,
# and validating and hashing it (a picture and a dozen nested fields) cost as much as the rest
# of a document. Equal JSON is equal data, so it validates to an equal model.
_SEALS_KEPT = 64
_seals_by_json: dict[str, Seal] = {}


def _known_seal(data: object) -> object:
    """The validated seal for ``data`` if it is one, else ``data`` itself (the document's own
    validation then reports what is wrong with it)."""
    try:
        key = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):
        return data
    seal = _seals_by_json.get(key)
    if seal is None:
        try:
            seal = Seal.model_validate(data)
        except ValidationError:
            return data
        seal.hash  # noqa: B018 - computed once here, then shared by every document with it
        if len(_seals_by_json) >= _SEALS_KEPT:
            _seals_by_json.clear()
        _seals_by_json[key] = seal
    return seal


def verify(
    subject: LicenceDocument | Presentation | Mapping[str, Any] | str | bytes,
    chain: LicenceChainView,
    *,
    at: datetime | None = None,
    records: LicenceRecords | None = None,
) -> VerificationReport:
    """Verify a licence document or presentation (an object, or its JSON as text, bytes or a
    parsed mapping) against ``chain`` at ``at`` (default now). ``records`` (the issuing
    service's) supply the anchor of a document that carries none and name a successor."""
    moment = utc_seconds(at or datetime.now(UTC))
    parsed = _parse(subject)
    if isinstance(parsed, str):
        malformed = _failed(Reason.MALFORMED, parsed)
        return VerificationReport(malformed, malformed, malformed, malformed, moment)
    supplied = _supplied_anchor(parsed, records)
    if supplied is not None:
        parsed = parsed.model_copy(update={"anchor": supplied})
    claims = _Claims.of(parsed)
    ctx = _Context(claims, chain, moment, records)
    integrity = _guarded(_check_integrity, ctx)
    status = _guarded(_check_status, ctx)
    disclosed = {name: field.value for name, field in claims.disclosed.items()}
    return VerificationReport(
        integrity=integrity,
        status=status,
        issuer=_guarded(_check_issuer, ctx),
        seal=_guarded(_check_seal, ctx),
        verified_at=moment,
        licence_id=claims.header.licence_id,
        leaf=ctx.leaf,
        fields=disclosed if integrity.ok else None,
        unverified_fields=None if integrity.ok else disclosed,
        successor_id=ctx.successor_id if status.reason is Reason.LICENCE_SUPERSEDED else None,
        anchor_supplied=supplied is not None,
    )


def _supplied_anchor(
    subject: LicenceDocument | Presentation, records: LicenceRecords | None
) -> Anchor | None:
    """For a document handed out before its batch was anchored: its anchor from ``records``,
    found by identifier and leaf (an edited copy has another leaf and gets none)."""
    if records is None or not isinstance(subject, LicenceDocument) or subject.anchor is not None:
        return None
    try:
        found = records.anchor_of(subject.header.licence_id, subject.leaf())
    except (LicenceInputError, SMCryptoError):
        return None
    return None if found is None else Anchor(root=found[0], proof=found[1])
