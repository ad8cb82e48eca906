"""Imports point one way: sm_crypto <- ledger <- platform <- services <- composition root."""

from __future__ import annotations

import pytest

from tests.imports import offending_imports

SERVICES = ("licence_service", "sharing_gateway")
# The app factory, the CLI, the benchmarks and the portal compose the services; the rest of
# govledger is the platform both services stand on, and must not know them.
COMPOSITION_ROOT = ("govledger/app.py", "govledger/cli/", "govledger/bench/", "govledger/portal/")


def test_ledger_knows_only_sm_crypto() -> None:
    assert offending_imports("ledger", ("govledger", *SERVICES)) == []


def test_platform_does_not_import_the_services() -> None:
    assert offending_imports("govledger", SERVICES, except_in=COMPOSITION_ROOT) == []


@pytest.mark.parametrize(("service", "other"), [SERVICES, SERVICES[::-1]])
def test_services_never_import_each_other(service: str, other: str) -> None:
    assert offending_imports(service, (other,)) == []


def test_the_exemption_is_only_the_composition_root() -> None:
    # Without the exemption the composition root's imports of the services are reported, which
    # shows the check really looks at those files.
    assert offending_imports("govledger", SERVICES) != []
