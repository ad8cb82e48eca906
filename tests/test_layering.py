"""Imports point one way: sm_crypto <- ledger <- platform <- services <- composition root."""

from __future__ import annotations

import pytest

from tests.imports import ROOT, forbidden_imports, imported_modules, offending_imports

SERVICES = ("licence_service", "sharing_gateway")
# The app factory, the CLI, the benchmarks and the portal compose the services; the rest of
# govledger is the platform both services stand on, and must not know them.
COMPOSITION_ROOT = ("govledger/app.py", "govledger/cli/", "govledger/bench/", "govledger/portal/")
COMPOSITION_ROOT_MODULES = tuple(
    path.removesuffix(".py").rstrip("/").replace("/", ".") for path in COMPOSITION_ROOT
)


def test_ledger_knows_only_sm_crypto() -> None:
    assert offending_imports("ledger", ("govledger", *SERVICES)) == []


def test_platform_does_not_import_the_services() -> None:
    assert offending_imports("govledger", SERVICES, except_in=COMPOSITION_ROOT) == []


def test_platform_does_not_import_the_composition_root() -> None:
    assert (
        offending_imports("govledger", COMPOSITION_ROOT_MODULES, except_in=COMPOSITION_ROOT) == []
    )


@pytest.mark.parametrize("service", SERVICES)
def test_services_never_import_the_composition_root(service: str) -> None:
    # A service sees the platform's service contract (govledger.platform), never what composes it.
    assert offending_imports(service, COMPOSITION_ROOT_MODULES) == []


@pytest.mark.parametrize(("service", "other"), [SERVICES, SERVICES[::-1]])
def test_services_never_import_each_other(service: str, other: str) -> None:
    assert offending_imports(service, (other,)) == []


def test_the_exemption_is_only_the_composition_root() -> None:
    # Without the exemption the composition root's imports of the services are reported, which
    # shows the check really looks at those files.
    assert offending_imports("govledger", SERVICES) != []


def test_the_contracts_plain_values_need_no_chain_client() -> None:
    source = (ROOT / "ledger/contracts/values.py").read_text(encoding="utf-8")
    chain_client = ("web3", "eth_abi", "eth_account", "ledger.client", "ledger.contracts.base")
    assert forbidden_imports(source, chain_client) == []


def test_the_licence_domain_shares_only_the_ledgers_plain_values() -> None:
    # The domain's ports speak the contracts' value types (one LicenceStatus), not its wrappers.
    used = {
        module
        for path in (ROOT / "licence_service/domain").rglob("*.py")
        for module in imported_modules(path.read_text(encoding="utf-8"))
        if module.startswith("ledger.")
    }
    assert "ledger.contracts.values.LicenceStatus" in used
    shared = ("ledger.merkle", "ledger.contracts.values")
    assert [module for module in sorted(used) if not module.startswith(shared)] == []
