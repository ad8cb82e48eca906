"""A small issued world for the licence domain's tests: two departments, a seal, two anchored
batches, and a chain double that says so. Keys and batches are made once per session (real SM2,
real SM3); each test gets its own chain double to change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from licence_service.domain.document import IssuedBatch, LicenceDocument, issue_batch
from licence_service.domain.model import IssuingAuthority, LicenceInput
from licence_service.domain.ports import ISSUER_ROLE, SEAL_ADMIN_ROLE, SealRecord
from licence_service.domain.presentation import Presentation, present
from licence_service.domain.seal import (
    Seal,
    SealHeader,
    SealInfo,
    SealPicture,
    SealProperty,
    SealType,
    holder_key_hash,
    make_seal,
    public_key_bytes,
)
from sm_crypto import SM2PrivateKey
from tests.licence_service.domain.chain_double import ChainDouble

# Credit codes made for the tests (their GB 32100 check characters are right).
ISSUER_CODE = "11350100MB00000126"
SEAL_ADMIN_CODE = "11350100MB00000201"
OTHER_ISSUER_CODE = "91350102MA0000037A"

REGISTERED = datetime(2026, 1, 1, tzinfo=UTC)
SEAL_MADE = REGISTERED + timedelta(hours=1)
SEAL_VALID_TO = datetime(2030, 12, 31, 23, 59, 59, tzinfo=UTC)
SIGNED = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
ANCHORED = SIGNED + timedelta(seconds=30)
VERIFIED = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)
VALID_FROM = date(2026, 3, 1)
VALID_TO = date(2031, 2, 28)


def licence_input(number: int, **changes: Any) -> LicenceInput:
    particulars: dict[str, Any] = {
        "licence_name": "食品经营许可证",
        "licence_number": f"JY1350100{number:07d}",
        "type_code": "11100000000013338W001",
        "serial": f"2026{number:06d}",
        "issue_date": VALID_FROM,
        "valid_from": VALID_FROM,
        "valid_to": VALID_TO,
        "holder_name": "福州某某餐饮管理有限公司",
        "holder_id_type": "111",
        "holder_id_number": "11010519491231002X",
        "surface": {
            "经营场所": "福州市鼓楼区五四路1号",
            "主体业态": "餐饮服务经营者",
            "经营项目": "热食类食品制售",
            "日常监督管理人员": "李四",
            "投诉举报电话": 12315,
        },
    }
    return LicenceInput.model_validate({**particulars, **changes})


@dataclass(frozen=True)
class World:
    issuer_key: SM2PrivateKey
    admin_key: SM2PrivateKey
    stranger_key: SM2PrivateKey
    authority: IssuingAuthority
    seal: Seal
    batch: IssuedBatch
    other_batch: IssuedBatch

    @property
    def document(self) -> LicenceDocument:
        return self.batch.documents[1]

    def chain(self) -> ChainDouble:
        """The chain as it stands after registration, seal registration and both anchorings."""
        chain = ChainDouble()
        chain.register_department(
            ISSUER_CODE,
            self.authority.name,
            public_key_bytes(self.issuer_key.public_key()),
            (ISSUER_ROLE,),
            REGISTERED,
        )
        chain.register_department(
            SEAL_ADMIN_CODE,
            "福州市公安局",
            public_key_bytes(self.admin_key.public_key()),
            (SEAL_ADMIN_ROLE,),
            REGISTERED,
        )
        chain.register_seal(self.seal_record(self.seal))
        for batch in (self.batch, self.other_batch):
            chain.anchor(batch.root, ISSUER_CODE, len(batch.documents), ANCHORED)
        return chain

    def seal_record(self, seal: Seal, **changes: Any) -> SealRecord:
        fields: dict[str, Any] = {
            "seal_hash": seal.hash,
            "owner_code": SEAL_ADMIN_CODE,
            "holder_key_hashes": frozenset(
                holder_key_hash(key) for key in seal.info.property.holder_public_keys
            ),
            "valid_from": seal.info.property.valid_start,
            "valid_to": seal.info.property.valid_end,
            "registered_at": SEAL_MADE,
        }
        return SealRecord(**{**fields, **changes})

    def present(self, *reveal: str, lifetime: timedelta = timedelta(minutes=10)) -> Presentation:
        return present(
            self.document,
            reveal=reveal,
            lifetime=lifetime,
            signing_key=self.issuer_key,
            now=VERIFIED - timedelta(minutes=1),
        )


def make_test_seal(
    admin_key: SM2PrivateKey, *holders: SM2PrivateKey, seal_id: str = "3501000000001"
) -> Seal:
    info = SealInfo(
        header=SealHeader(vendor="govledger"),
        seal_id=seal_id,
        property=SealProperty(
            type=SealType.ORGANISATION,
            name="福州市市场监督管理局行政审批专用章",
            holder_public_keys=tuple(public_key_bytes(key.public_key()) for key in holders),
            created_at=SEAL_MADE,
            valid_start=REGISTERED,
            valid_end=SEAL_VALID_TO,
        ),
        picture=SealPicture(
            type="svg",
            data=b'<svg xmlns="http://www.w3.org/2000/svg"><circle r="20"/></svg>',
            width_mm=42,
            height_mm=42,
        ),
    )
    return make_seal(info, maker_code=SEAL_ADMIN_CODE, maker_key=admin_key, signed_at=SEAL_MADE)


def build_world() -> World:
    """Fresh keys, the seal, and two batches signed at ``SIGNED``."""
    issuer_key, admin_key, stranger_key = (SM2PrivateKey.generate() for _ in range(3))
    authority = IssuingAuthority(code=ISSUER_CODE, name="福州市市场监督管理局")
    seal = make_test_seal(admin_key, issuer_key)

    def issue(numbers: range) -> IssuedBatch:
        return issue_batch(
            [licence_input(n) for n in numbers],
            issuer=authority,
            seal=seal,
            signing_key=issuer_key,
            signing_time=SIGNED,
        )

    return World(
        issuer_key, admin_key, stranger_key, authority, seal, issue(range(3)), issue(range(3, 5))
    )


@pytest.fixture(scope="session")
def world() -> World:
    return build_world()


@pytest.fixture
def chain(world: World) -> ChainDouble:
    return world.chain()
