"""The gateway's caches keyed by outside input stay within their bound when flooded."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from sharing_gateway.plugin import build_gateway
from sharing_gateway.ports import StoredRequest, StoredVersion
from sharing_gateway.service import Gateway
from sharing_gateway.settings import GatewaySettings
from sharing_gateway.tables import RequestRow
from tests.sharing_gateway.world import OPERATOR, World

BOUND = 4
FLOOD = 12


@pytest.fixture
def small_gateway(world: World) -> Iterator[Gateway]:
    """A second gateway on the world's chain and database, with small caches."""
    gateway = build_gateway(
        world.context, GatewaySettings(operator_code=OPERATOR), world.clock, cache_entries=BOUND
    )
    try:
        yield gateway
    finally:
        gateway.close()


def test_unknown_grants_and_datasets_flood_the_chain_view_within_its_bound(
    small_gateway: Gateway,
) -> None:
    view = small_gateway.view
    view.sync()
    for number in range(FLOOD):
        assert view.grant(10**9 + number) is None
        assert view.dataset(secrets.token_bytes(32)) is None
    assert len(view._cache._values) == BOUND


def test_data_keys_stay_within_the_bound(small_gateway: Gateway, world: World) -> None:
    public = world.keystore.load(small_gateway.settings.key_name).sm2.public_key()
    keys = [secrets.token_bytes(16) for _ in range(FLOOD)]
    for number, key in enumerate(keys):
        version = StoredVersion(
            dataset_id=f"flood-{number}",
            version=1,
            blob_cid="",
            wrapped_key=base64.b64encode(public.encrypt(key)).decode(),
            content_hash="",
            signature="",
            signer_key_version=1,
            tx_hash="",
            block_number=0,
        )
        assert small_gateway._data_key(version) == key
    assert len(small_gateway._data_keys) == BOUND


def test_purposes_stay_within_the_bound(small_gateway: Gateway, world: World) -> None:
    grant_ids = [10**12 + number for number in range(FLOOD)]
    requests = [
        StoredRequest(
            grant_id=grant_id,
            dataset_id="flood",
            requester_code=OPERATOR,
            provider_code=OPERATOR,
            fields=(),
            purpose=f"purpose {grant_id}",
            use_scenario="",
            scenario_code=0,
            document="{}",
            signature="",
            tx_hash="",
            requested_at=datetime.now(UTC),
        )
        for grant_id in grant_ids
    ]
    with small_gateway.store() as store:
        for request in requests:
            store.add_request(request)
    try:
        with small_gateway.store() as store:
            for grant_id in grant_ids:
                assert small_gateway._purpose(store, grant_id) == f"purpose {grant_id}"
        assert len(small_gateway._purposes) == BOUND
    finally:
        with world.session_factory.begin() as session:
            session.query(RequestRow).filter(RequestRow.grant_id.in_(grant_ids)).delete()
