"""A short, bounded property-based pass over the whole HTTP API (schemathesis, from the app's
own OpenAPI): whatever valid or invalid input it generates, signed in with every role, the app
never answers 5xx and every answer conforms to what /openapi.json declares."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.python import asgi
from schemathesis.schemas import BaseSchema

from govledger.app import create_app
from govledger.auth.signin import sign_challenge
from govledger.committee import committee_signers
from govledger.departments import register_department
from govledger.deployment import init_chain, open_chain
from govledger.keystore import open_keystore
from govledger.settings import Settings
from ledger.contracts.values import Role
from tests.govledger.test_chain_cli import CODE


@pytest.fixture(scope="module")
def signed_in_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BaseSchema, str]]:
    data_dir: Path = tmp_path_factory.mktemp("properties")
    settings = Settings(data_dir=data_dir, environment="test")
    keystore = open_keystore(settings)
    init_chain(settings, keystore, members=1, threshold=1)
    with open_chain(settings) as chain:
        signers = committee_signers(keystore, chain.registries)
        register_department(chain.registries, keystore, signers, CODE, name="x", roles=list(Role))
    app = create_app(settings)
    # Schemathesis runs the app's lifespan once, when it loads the schema, and keeps it running.
    loaded = schemathesis.openapi.from_asgi("/openapi.json", app)
    try:
        client = TestClient(app)  # no lifespan of its own: it calls the running app
        challenge = client.post("/v1/auth/challenge", json={"department_code": CODE}).json()
        signed = sign_challenge(challenge["message"], keystore.load(CODE).sm2)
        token = client.post(
            "/v1/auth/token", json={"challenge_id": challenge["challenge_id"], "signature": signed}
        ).json()["access_token"]
        yield loaded, token
    finally:
        asgi.shutdown_lifespans()


def test_the_api_keeps_its_contract(signed_in_api: tuple[BaseSchema, str]) -> None:
    schema, token = signed_in_api
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(mode))
            @settings(
                max_examples=5,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def keeps_its_contract(case: schemathesis.Case) -> None:
                case.call_and_validate(
                    headers={"Authorization": f"Bearer {token}"},
                    checks=[
                        not_a_server_error,
                        status_code_conformance,
                        content_type_conformance,
                        response_schema_conformance,
                    ],
                )

            try:
                keeps_its_contract()
            except Unsatisfiable:
                # An operation without input (the probes, the department list) has no invalid
                # request to make.
                assert mode is GenerationMode.NEGATIVE
