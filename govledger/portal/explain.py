"""The verifier's checks and reasons in plain language (English, with the Chinese term)."""

from __future__ import annotations

from collections.abc import Mapping

from licence_service.domain.verify import Check, Reason

CHECK_NAMES: Mapping[Check, tuple[str, str, str]] = {
    Check.INTEGRITY: (
        "Integrity",
        "完整性",
        "The content is exactly what the issuer sealed and anchored on the chain.",
    ),
    Check.STATUS: (
        "Status",
        "证照状态",
        "The licence is in force today: not suspended, revoked, replaced or expired.",
    ),
    Check.ISSUER: (
        "Issuer",
        "发证机关",
        "A registered department with the right to issue signed it with its own key.",
    ),
    Check.SEAL: (
        "Seal",
        "电子印章",
        "The electronic seal was registered, valid and not revoked when it was applied.",
    ),
}

REASONS: Mapping[Reason, str] = {
    Reason.OK: "Passed.",
    Reason.MALFORMED: "The input is damaged or incomplete, so this could not be checked.",
    Reason.NOT_ANCHORED: "The document carries no anchor: it was never recorded on the chain.",
    Reason.DIGEST_MISMATCH: "Something was changed after sealing: a field's value, a date or "
    "a field added or removed (内容被篡改).",
    Reason.PROOF_INVALID: "The document does not belong to the batch it claims to be recorded in.",
    Reason.ROOT_NOT_ANCHORED: "The chain has no record of the batch this document claims.",
    Reason.ROOT_ISSUER_MISMATCH: "The batch was recorded by another department than the issuer "
    "named in the licence ID.",
    Reason.PRESENTATION_NOT_YET_VALID: "This presentation is dated in the future.",
    Reason.PRESENTATION_EXPIRED: "This presentation has expired (已过期): ask the holder for a "
    "new one.",
    Reason.PRESENTATION_SIGNATURE_INVALID: "The presentation was altered (e.g. its expiry "
    "pushed back) or not signed by the issuer.",
    Reason.LICENCE_UNVERIFIED: "Not checked: the content is not the licence the issuer anchored, "
    "so its status means nothing.",
    Reason.LICENCE_UNKNOWN: "The chain has no status for this licence.",
    Reason.LICENCE_SUSPENDED: "The issuer has suspended this licence (暂停).",
    Reason.LICENCE_WITHDRAWN: "The issuer has withdrawn this licence (撤回).",
    Reason.LICENCE_CANCELLED: "The issuer has cancelled this licence (注销).",
    Reason.LICENCE_SUPERSEDED: "This licence was replaced by a newer version (已换发).",
    Reason.LICENCE_REVOKED: "The issuer has revoked this licence as a penalty (吊销).",
    Reason.LICENCE_NOT_YET_VALID: "The licence's validity has not started yet.",
    Reason.LICENCE_EXPIRED: "The licence's validity has ended (已过期).",
    Reason.ISSUER_UNREGISTERED: "No registered department has the issuer's code.",
    Reason.ISSUER_SUSPENDED: "The issuing department is suspended.",
    Reason.ISSUER_ROLE_MISSING: "The department was not allowed to issue licences at the time.",
    Reason.ISSUER_KEY_UNKNOWN: "The department had no registered key at the time.",
    Reason.SIGNER_NOT_ISSUER_KEY: "It was signed with a key that is not the issuer's.",
    Reason.SIGNATURE_INVALID: "The issuer's signature does not verify: forged or altered.",
    Reason.SEAL_UNREGISTERED: "The seal is not registered (印章未备案).",
    Reason.SEAL_MISMATCH: "The seal carried is not the seal that was applied.",
    Reason.SEAL_MAKER_INVALID: "The seal was not made by its registered owner.",
    Reason.SEAL_NOT_YET_VALID: "The seal was applied before its validity began.",
    Reason.SEAL_EXPIRED: "The seal was applied after its validity ended.",
    Reason.SEAL_REVOKED: "The seal had been revoked when it was applied (印章已注销).",
    Reason.SIGNED_AFTER_ANCHORING: "The seal was applied after the batch was recorded.",
    Reason.SIGNER_NOT_SEAL_HOLDER: "The signer is not one of the seal's holders.",
}

STATUS_NAMES: Mapping[str, str] = {
    "valid": "valid · 有效",
    "suspended": "suspended · 暂停",
    "withdrawn": "withdrawn · 撤回",
    "cancelled": "cancelled · 注销",
    "expired": "expired · 过期",
    "superseded": "superseded · 换发",
    "revoked": "revoked · 吊销",
    "unknown": "unknown",
}
