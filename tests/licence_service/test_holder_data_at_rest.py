"""Holders' personal data is not in the database in the clear: documents and presentations are
sealed with SM4-GCM under a key from the keystore, bound to their row; lookups still work."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import MetaData, select, update

from govledger.db import make_engine
from licence_service import tables
from tests.licence_service.world import (
    ISSUER_A,
    LICENCE_TABLES,
    Api,
    licence_body,
    verify,
    wait_anchored,
)

HOLDER_NAME = "福州闽都隐私测试餐饮有限公司"
HOLDER_ID = "350102198001010011"
ADDRESS = "福州市台江区隐私路88号"


def raw_contents(api: Api) -> bytes:
    """Every value of every licence table, as bytes, as the database returns them."""
    engine = make_engine(api.settings.resolved_database_url)
    metadata = MetaData()
    metadata.reflect(engine, only=sorted(LICENCE_TABLES))
    contents = bytearray()
    try:
        with engine.connect() as connection:
            for name in sorted(LICENCE_TABLES):
                for row in connection.execute(select(metadata.tables[name])):
                    for value in row:
                        contents += value if isinstance(value, bytes) else str(value).encode()
                        contents += b"\n"
    finally:
        engine.dispose()
    return bytes(contents)


def needles(text: str) -> list[bytes]:
    """``text`` as UTF-8 and as JSON with non-ASCII characters escaped."""
    return [text.encode(), json.dumps(text).strip('"').encode()]


def issued_and_presented(api: Api, number: int) -> tuple[str, dict[str, Any], dict[str, Any]]:
    body = licence_body(number, holder_name=HOLDER_NAME, holder_id_number=HOLDER_ID)
    body["surface"] = {"经营场所": ADDRESS}
    issued = api.post("/v1/licences", ISSUER_A, json=body)
    assert issued.status_code == 201, issued.text
    licence_id, holder = issued.json()["licence_id"], issued.json()["holder_token"]
    anchored = wait_anchored(api, ISSUER_A, licence_id)
    shown = api.post(
        f"/v1/holder/licences/{licence_id}/presentations",
        headers={"Authorization": f"Bearer {holder}"},
        json={"fields": ["holder_name", "holder_id_number"], "lifetime_s": 600},
    )
    assert shown.status_code == 201, shown.text
    return licence_id, anchored, shown.json()


def test_no_personal_data_in_the_clear_and_lookups_still_work(api: Api) -> None:
    licence_id, anchored, presentation = issued_and_presented(api, 9001)

    contents = raw_contents(api)
    assert licence_id.encode() in contents  # the tables were read
    for secret in (HOLDER_NAME, HOLDER_ID, ADDRESS):
        for form in needles(secret):
            assert form not in contents, secret

    fields = anchored["document"]["fields"]
    assert fields["holder_name"][-1] == HOLDER_NAME
    assert fields["holder_id_number"][-1] == HOLDER_ID
    assert verify(api, anchored["document"])["ok"]
    again = api.get(f"/v1/licences/{licence_id}", ISSUER_A).json()
    assert again["document"] == anchored["document"]
    fetched = api.get(f"/v1/presentations/{presentation['digest']}")
    assert fetched.status_code == 200
    assert fetched.json()["presentation"] == presentation["presentation"]
    assert verify(api, fetched.json()["presentation"])["ok"]


def test_a_sealed_document_moved_to_another_row_does_not_open(api: Api) -> None:
    first, _, _ = issued_and_presented(api, 9002)
    second, _, _ = issued_and_presented(api, 9003)
    engine = make_engine(api.settings.resolved_database_url)
    table = tables.LicenceRow.__table__
    try:
        with engine.begin() as connection:
            moved = connection.execute(
                select(table.c.document_sealed).where(table.c.licence_id == first)
            ).scalar_one()
            connection.execute(
                update(table).where(table.c.licence_id == second).values(document_sealed=moved)
            )
    finally:
        engine.dispose()
    refused = api.get(f"/v1/licences/{second}", ISSUER_A)
    assert refused.status_code == 500
    assert refused.json()["code"] == "record-damaged"
    assert HOLDER_NAME not in refused.text
    assert api.get(f"/v1/licences/{first}", ISSUER_A).status_code == 200
