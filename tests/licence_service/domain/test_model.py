"""The metadata models refuse what a licence must not say."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from licence_service.domain.model import LicenceMetadata
from tests.licence_service.domain.conftest import ISSUER_CODE, licence_input


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"colour": "red"}, "Extra inputs are not permitted"),
        ({"holder_name": ""}, "empty or blank"),
        ({"holder_name": "   "}, "empty or blank"),
        ({"licence_name": "食品\n经营"}, "control characters"),
        ({"valid_to": date(2026, 2, 28)}, "before valid_from"),
        ({"holder_id_number": "110105194912310021"}, "check character"),
        ({"holder_id_type": "11"}, "pattern"),
        ({"surface": {"面积": 12.5}}, "valid integer"),
        ({"surface": {"": "x"}}, "empty or blank"),
        ({"surface": {"n": 2**53}}, "less than or equal"),
        ({"type_code": "t1"}, "pattern"),
        ({"supersedes": "1.2.156.3005.2.T1.91350100M000100Y43.0001.001.X"}, "check character"),
    ],
)
def test_input_refusals(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        licence_input(1, **changes)


def test_input_normalises_text_and_the_check_x() -> None:
    item = licence_input(1, holder_name="Cafe\u0301 Ltd", holder_id_number="11010519491231002x")
    assert item.holder_name == "Caf\u00e9 Ltd"
    assert item.holder_id_number == "11010519491231002X"


def test_a_passport_number_is_not_checked_as_a_resident_id() -> None:
    item = licence_input(1, holder_id_type="414", holder_id_number="E1234567x")
    assert item.holder_id_number == "E1234567x"


def test_successor_is_the_next_version_and_links_the_previous() -> None:
    first_id = licence_input(1).licence_id(ISSUER_CODE)
    metadata = LicenceMetadata.model_validate(
        {
            **licence_input(1).model_dump(exclude={"type_code", "serial", "supersedes"}),
            "licence_id": first_id.format(),
            "issuer_name": "福州市市场监督管理局",
        }
    )
    renewal = metadata.successor(valid_from=date(2031, 3, 1), valid_to=date(2036, 2, 28))
    assert renewal.supersedes == first_id.format()
    assert renewal.licence_id(ISSUER_CODE) == first_id.next_version()
    assert renewal.holder_name == metadata.holder_name
    transfer = metadata.successor(holder_name="福州另一家餐饮有限公司")
    assert transfer.licence_id(ISSUER_CODE).version == 2
    with pytest.raises(ValidationError, match="keeps its type code and serial"):
        metadata.successor(serial="9999")
