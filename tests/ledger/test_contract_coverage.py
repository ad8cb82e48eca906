"""Every function of every contract has a wrapper method, or is deliberately left out.

A wrapper method names the ABI function it calls as a string (``self._read("getSeal", …)``), so
the functions a wrapper covers are the string constants in its class and its bases. A function
added to a contract without a wrapper, and not listed below with the reason, fails here.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Iterable, Mapping
from typing import Any, get_type_hints

import pytest

from ledger.artifacts import CONTRACT_NAMES, load_artifact
from ledger.contracts import Registries
from ledger.contracts.base import ContractWrapper
from ledger.contracts.values import GrantStatus, LicenceStatus, Role, ShareClass

WRAPPERS: dict[str, type[ContractWrapper]] = {
    wrapper.contract_name: wrapper for wrapper in get_type_hints(Registries).values()
}

# Deliberately not wrapped: the contracts' public constants. Python has each as an enum member,
# and test_enums_are_the_contracts_own_constants checks every member against its getter.
NOT_WRAPPED: Mapping[str, frozenset[str]] = {
    "DepartmentRegistry": frozenset(f"{role.name}_ROLE" for role in Role),
    "LicenceRegistry": frozenset(
        f"STATUS_{status.name}" for status in LicenceStatus if status is not LicenceStatus.EXPIRED
    ),
    "DataSharing": frozenset(
        [f"GRANT_{status.name}" for status in GrantStatus]
        + [f"SHARE_{share_class.name}" for share_class in ShareClass]
    ),
}


def abi_functions(abi: Iterable[Mapping[str, Any]]) -> set[str]:
    return {str(entry["name"]) for entry in abi if entry.get("type") == "function"}


def named_in(wrapper: type[ContractWrapper]) -> set[str]:
    """The string constants of ``wrapper`` and of its bases up to :class:`ContractWrapper`."""
    return {
        node.value
        for cls in wrapper.__mro__
        if issubclass(cls, ContractWrapper) and cls is not ContractWrapper
        for node in ast.walk(ast.parse(inspect.getsource(cls)))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def unwrapped(contract: str, abi: Iterable[Mapping[str, Any]]) -> list[str]:
    return sorted(
        abi_functions(abi) - named_in(WRAPPERS[contract]) - NOT_WRAPPED.get(contract, frozenset())
    )


def test_every_contract_has_a_wrapper() -> None:
    assert sorted(WRAPPERS) == sorted(CONTRACT_NAMES)


@pytest.mark.parametrize("contract", CONTRACT_NAMES)
def test_every_function_is_wrapped_or_deliberately_not(contract: str) -> None:
    abi = load_artifact(contract).abi
    assert unwrapped(contract, abi) == []
    # The list stays true: what it leaves out is in the contract.
    assert NOT_WRAPPED.get(contract, frozenset()) <= abi_functions(abi)


def test_a_new_function_without_a_wrapper_is_reported() -> None:
    abi = [*load_artifact("Governance").abi, {"type": "function", "name": "pause", "inputs": []}]
    assert unwrapped("Governance", abi) == ["pause"]
