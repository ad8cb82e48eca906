"""Revert data decoding, without a chain: the selector table, classes, malformed data.

The revert data here is built with eth_abi from the error signatures in the compiled artifacts,
the same bytes a contract returns; the suites decode real reverts from real chains.
"""

from __future__ import annotations

import pytest
from eth_abi.abi import encode as abi_encode
from eth_utils.abi import function_signature_to_4byte_selector

from ledger import (
    ContractCustomError,
    ContractPanic,
    ContractRevert,
    RevertWithReason,
    decode_revert,
    register_abi,
    revert_error_class,
)
from ledger.artifacts import error_abis

OFFICER = "0x5B38Da6a701c568545dCfcB03FcB875f56beddC4"


def _error(signature: str, types: list[str], values: list[object]) -> bytes:
    return function_signature_to_4byte_selector(signature) + abi_encode(types, values)


def test_every_artifact_error_has_its_own_class() -> None:
    names = {str(entry["name"]) for entry in error_abis()}
    assert "LicenceInvalidTransition" in names
    classes = {name: revert_error_class(name) for name in names}
    assert len(set(classes.values())) == len(names)
    for name, error_class in classes.items():
        assert error_class.__name__ == name
        assert issubclass(error_class, ContractCustomError)
        assert revert_error_class(name) is error_class, "the same class every time"


def test_custom_error_arguments_are_attributes_with_checksum_addresses() -> None:
    data = _error(
        "GovernanceAlreadyApproved(uint256,address)", ["uint256", "address"], [7, OFFICER.lower()]
    )
    error = decode_revert(data)
    assert type(error) is revert_error_class("GovernanceAlreadyApproved")
    assert error.proposalId == 7  # type: ignore[attr-defined]
    assert error.member == OFFICER  # type: ignore[attr-defined]
    assert error.data == data
    assert str(error) == f"GovernanceAlreadyApproved(proposalId=7, member='{OFFICER}')"


def test_a_mistyped_error_name_fails_loudly() -> None:
    with pytest.raises(LookupError, match="LicenceNotActiv"):
        revert_error_class("LicenceNotActiv")


def test_truncated_custom_error_data_is_a_plain_revert_that_says_so() -> None:
    data = _error("GovernanceUnknownProposal(uint256)", ["uint256"], [1])[:20]
    error = decode_revert(data)
    assert type(error) is ContractRevert
    assert "malformed GovernanceUnknownProposal(uint256)" in str(error)
    assert error.data == data


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (_error("Error(string)", ["string"], ["denied"]), RevertWithReason),
        (_error("Panic(uint256)", ["uint256"], [0x32]), ContractPanic),
        (function_signature_to_4byte_selector("Error(string)") + b"\x01", ContractRevert),
        (function_signature_to_4byte_selector("Panic(uint256)"), ContractRevert),
        (b"\x12\x34", ContractRevert),
    ],
    ids=["reason", "panic", "reason-malformed", "panic-malformed", "shorter-than-a-selector"],
)
def test_standard_reverts(data: bytes, expected: type[ContractRevert]) -> None:
    error = decode_revert(data)
    assert type(error) is expected
    assert error.data == data


def test_panic_codes_are_explained() -> None:
    error = decode_revert(_error("Panic(uint256)", ["uint256"], [0x32]))
    assert isinstance(error, ContractPanic)
    assert (error.panic_code, error.meaning) == (0x32, "array index out of bounds")
    unknown = decode_revert(_error("Panic(uint256)", ["uint256"], [0x99]))
    assert isinstance(unknown, ContractPanic)
    assert unknown.meaning == "unknown panic code"


def test_registered_abi_errors_decode_too() -> None:
    abi = [
        {
            "type": "error",
            "name": "TestOnlyQuotaExceeded",
            "inputs": [{"name": "used", "type": "uint64"}, {"name": "", "type": "bytes32"}],
        }
    ]
    data = _error("TestOnlyQuotaExceeded(uint64,bytes32)", ["uint64", "bytes32"], [3, b"\x01" * 32])
    assert type(decode_revert(data)) is ContractRevert, "unknown until registered"
    register_abi(abi)
    error = decode_revert(data)
    assert isinstance(error, revert_error_class("TestOnlyQuotaExceeded"))
    assert error.args_by_name == {"used": 3, "arg1": b"\x01" * 32}
