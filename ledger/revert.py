"""Revert data → typed exceptions, decoded in one place.

Each Solidity custom error known from the compiled artifacts (or from an ABI registered later)
gets exactly one Python class, a subclass of :class:`ContractCustomError` named like the error, so a
caller can write ``except revert_error_class("LicenceNotActive") as err`` and read
``err.licenceId``. ``Error(string)`` becomes :class:`RevertWithReason`, ``Panic(uint256)``
:class:`ContractPanic`, and anything else :class:`ContractRevert` with the raw data.

The classes live in one process-wide registry, filled on first use: an ``except`` clause can only
match a raised error if both name the same class object.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any

from eth_abi.abi import decode as abi_decode
from eth_abi.exceptions import DecodingError
from eth_utils.abi import (
    abi_to_signature,
    function_signature_to_4byte_selector,
    get_abi_input_types,
)
from eth_utils.address import to_checksum_address

from ledger.artifacts import error_abis
from ledger.exceptions import (
    ContractCustomError,
    ContractPanic,
    ContractRevert,
    RevertWithReason,
)

ERROR_STRING_SELECTOR = function_signature_to_4byte_selector("Error(string)")
PANIC_SELECTOR = function_signature_to_4byte_selector("Panic(uint256)")

# Solidity's panic codes (Solidity docs, "Panic via assert and Error via require").
PANIC_MEANINGS: Mapping[int, str] = {
    0x00: "generic compiler-inserted panic",
    0x01: "assert failed",
    0x11: "arithmetic overflow or underflow",
    0x12: "division or modulo by zero",
    0x21: "conversion to an invalid enum value",
    0x22: "incorrectly encoded storage byte array",
    0x31: "pop() on an empty array",
    0x32: "array index out of bounds",
    0x41: "out of memory",
    0x51: "call to an uninitialised internal function",
}

ABIEntry = Mapping[str, Any]


class _CustomErrorDefinition:
    """One ``error Name(types...)`` from an ABI: its class, argument names and types."""

    def __init__(self, error_class: type[ContractCustomError], entry: ABIEntry) -> None:
        self.error_class = error_class
        self.signature = abi_to_signature(entry)  # type: ignore[arg-type]
        self.types = get_abi_input_types(entry)  # type: ignore[arg-type]
        self.names = [
            str(arg.get("name") or f"arg{index}") for index, arg in enumerate(entry["inputs"])
        ]

    def build(self, data: bytes) -> ContractRevert:
        try:
            values = abi_decode(self.types, data[4:])
        except DecodingError:
            return ContractRevert(data, f"malformed {self.signature} revert data 0x{data.hex()}")
        args = {
            name: to_checksum_address(value) if abi_type == "address" else value
            for name, abi_type, value in zip(self.names, self.types, values, strict=True)
        }
        return self.error_class(data, self.error_class.__name__, args)


def _make_error_class(name: str) -> type[ContractCustomError]:
    def init(self: ContractCustomError, data: bytes, name: str, args: dict[str, Any]) -> None:
        ContractCustomError.__init__(self, data, name, args)
        # Arguments are attributes too, unless they would hide the exception's own fields.
        for key, value in args.items():
            if not hasattr(self, key):
                setattr(self, key, value)

    return type(
        name,
        (ContractCustomError,),
        {
            "__init__": init,
            "__module__": __name__,
            "__doc__": f"The contract reverted with the Solidity custom error ``{name}``.",
        },
    )


class _ErrorRegistry:
    """Selector → definition for every custom error seen, and name → class. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._classes: dict[str, type[ContractCustomError]] = {}
        self._by_selector: dict[bytes, _CustomErrorDefinition] = {}
        self._artifacts_loaded = False

    def register_abi(self, abi: Iterable[ABIEntry]) -> None:
        with self._lock:
            self._register_locked(abi)

    def _register_locked(self, abi: Iterable[ABIEntry]) -> None:
        for entry in abi:
            if entry.get("type") != "error":
                continue
            name = str(entry["name"])
            error_class = self._classes.get(name)
            if error_class is None:
                error_class = self._classes[name] = _make_error_class(name)
            definition = _CustomErrorDefinition(error_class, entry)
            selector = function_signature_to_4byte_selector(definition.signature)
            self._by_selector.setdefault(selector, definition)

    def _ensure_artifacts(self) -> None:
        if self._artifacts_loaded:
            return
        with self._lock:
            if not self._artifacts_loaded:
                self._register_locked(error_abis())
                self._artifacts_loaded = True

    def error_class(self, name: str) -> type[ContractCustomError]:
        self._ensure_artifacts()
        try:
            return self._classes[name]
        except KeyError:
            known = ", ".join(sorted(self._classes)) or "none"
            raise LookupError(
                f"no contract declares a custom error {name!r} (known: {known})"
            ) from None

    def definition(self, selector: bytes) -> _CustomErrorDefinition | None:
        self._ensure_artifacts()
        return self._by_selector.get(selector)


_REGISTRY = _ErrorRegistry()


def register_abi(abi: Iterable[ABIEntry]) -> None:
    """Make the custom errors of ``abi`` decodable (the compiled artifacts are known already)."""
    _REGISTRY.register_abi(abi)


def revert_error_class(name: str) -> type[ContractCustomError]:
    """The exception class for the Solidity custom error ``name``.

    Raises LookupError when no known contract declares it, so a mistyped name fails loudly
    instead of silently never matching.
    """
    return _REGISTRY.error_class(name)


def decode_revert(data: bytes) -> ContractRevert:
    """Turn raw revert data into the most specific exception this package knows."""
    selector = data[:4]
    if selector == ERROR_STRING_SELECTOR:
        try:
            (reason,) = abi_decode(["string"], data[4:])
        except DecodingError:
            return ContractRevert(data)
        return RevertWithReason(data, str(reason))
    if selector == PANIC_SELECTOR:
        try:
            (code,) = abi_decode(["uint256"], data[4:])
        except DecodingError:
            return ContractRevert(data)
        return ContractPanic(data, int(code), PANIC_MEANINGS.get(int(code), "unknown panic code"))
    definition = _REGISTRY.definition(selector) if len(data) >= 4 else None
    if definition is None:
        return ContractRevert(data)
    return definition.build(data)
