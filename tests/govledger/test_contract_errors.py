"""Every contract custom error is its own problem type, with the status of whose fault it was,
through the one table in ``govledger.contract_errors``."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from eth_abi.abi import encode
from eth_utils.abi import (
    abi_to_signature,
    function_signature_to_4byte_selector,
    get_abi_input_types,
)

from govledger.contract_errors import CONTRACT_ERROR_STATUS, rejection_class
from govledger.errors import ChainRejected, GovLedgerError, as_govledger_error
from ledger.artifacts import error_abis
from ledger.exceptions import ContractPanic, ContractRevert
from ledger.revert import decode_revert

ERRORS = {str(entry["name"]): entry for entry in error_abis()}


def _zero(abi_type: str) -> Any:
    if abi_type == "address":
        return "0x" + "00" * 20
    if abi_type.startswith("bytes"):
        return b"\x00" * int(abi_type.removeprefix("bytes") or 0)
    return 0


def reverted(entry: dict[str, Any]) -> ContractRevert:
    """The revert the ledger decodes when a contract raises ``entry``'s error."""
    types = get_abi_input_types(entry)  # type: ignore[arg-type]
    selector = function_signature_to_4byte_selector(abi_to_signature(entry))  # type: ignore[arg-type]
    return decode_revert(selector + encode(types, [_zero(t) for t in types]))


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_each_contract_error_is_its_own_problem(name: str) -> None:
    error = as_govledger_error(reverted(ERRORS[name]))
    assert type(error) is rejection_class(name)
    assert isinstance(error, ChainRejected)
    assert type(error).__name__ == name
    status = CONTRACT_ERROR_STATUS[name]
    problem = error.to_problem("/x")
    assert (problem["status"], problem["code"]) == (status, error.code)
    assert error.code.startswith("chain-")
    assert problem["error"].startswith(f"{name}(")
    assert error.exit_code == ChainRejected.exit_code  # the CLI's family stays the chain's


def test_the_table_names_exactly_the_contracts_errors() -> None:
    assert set(CONTRACT_ERROR_STATUS) == set(ERRORS)
    assert set(CONTRACT_ERROR_STATUS.values()) == {403, 404, 409, 422}


def _subclasses(root: type[GovLedgerError]) -> set[type[GovLedgerError]]:
    return {root}.union(*(_subclasses(sub) for sub in root.__subclasses__()))


def test_problem_codes_are_unique() -> None:
    contract_codes = [rejection_class(name).code for name in ERRORS]
    assert len(set(contract_codes)) == len(contract_codes)
    # Every other error of the platform and the services has a code of its own.
    for module in ("govledger.auth.errors", "licence_service.errors", "sharing_gateway.errors"):
        importlib.import_module(module)
    others = {
        error.code
        for error in _subclasses(GovLedgerError)
        if error.__module__ != rejection_class.__module__
    }
    assert {"department-unknown", "request-unknown", "json-too-deep"} <= others
    assert not others & set(contract_codes)


@pytest.mark.parametrize(
    "revert",
    [ContractRevert(b""), ContractPanic(b"\x4e\x48\x7b\x71", 0x11, "arithmetic overflow")],
)
def test_other_reverts_stay_the_generic_chain_rejection(revert: ContractRevert) -> None:
    error = as_govledger_error(revert)
    assert type(error) is ChainRejected
    assert (error.http_status, error.code) == (409, "chain-rejected")
