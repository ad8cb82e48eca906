"""What every contract wrapper shares: ABI encoding, reads decoded by name, writes, events."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode
from eth_abi.exceptions import EncodingError
from eth_account.signers.local import LocalAccount
from eth_utils.abi import (
    function_abi_to_4byte_selector,
    get_abi_input_types,
    get_abi_output_types,
)
from eth_utils.address import to_checksum_address

from ledger.artifacts import load_artifact
from ledger.client import Call, Ledger, Receipt
from ledger.contracts.values import Action, InvalidArgument
from ledger.events import BlockId, DecodedEvent, EventDecoder
from ledger.exceptions import LedgerError

T = TypeVar("T")

ZERO32 = bytes(32)


class EventMissing(LedgerError):
    """A mined transaction lacks the event its function always emits (a wrong address?)."""


@dataclass(frozen=True)
class Written(Generic[T]):
    """What a write returned (``value``, as the Solidity function declares) and its receipt."""

    value: T
    receipt: Receipt


def bytes32(value: bytes, what: str) -> bytes:
    """A 32-byte argument (a hash or an id), refused before any call if it is not one."""
    if len(value) != 32:
        raise InvalidArgument(f"{what} must be 32 bytes, got {len(value)}")
    return bytes(value)


def optional_time(value: int) -> int | None:
    """A timestamp the contract leaves 0 until the thing happens."""
    return value or None


def build(cls: type[T], fields: Mapping[str, Any], **decoded: Any) -> T:
    """``cls`` from a struct's fields by name, ``decoded`` replacing or adding some. A field
    the struct and the dataclass do not share is a TypeError, so the two cannot drift apart."""
    return cls(**{**fields, **decoded})


def snake_case(name: str) -> str:
    """An ABI name as a Python one: ``holderKeyHashes`` → ``holder_key_hashes``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _by_name(param: Mapping[str, Any], value: Any) -> Any:
    """A decoded ABI value with each struct as a dict keyed by its fields' snake_case names,
    arrays as tuples and addresses checksummed."""
    kind = str(param["type"])
    if kind.endswith("]"):
        element = {**param, "type": kind[: kind.rindex("[")]}
        return tuple(_by_name(element, item) for item in value)
    if kind == "tuple":
        return {
            snake_case(component["name"]): _by_name(component, item)
            for component, item in zip(param["components"], value, strict=True)
        }
    if kind == "address":
        return to_checksum_address(value)
    return value


@dataclass(frozen=True)
class _FunctionABI:
    """What encoding a call and decoding its result need, read once from the ABI."""

    selector: bytes
    input_types: tuple[str, ...]
    output_types: tuple[str, ...]
    outputs: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class _ContractABI:
    abi: tuple[Mapping[str, Any], ...]
    functions: Mapping[str, _FunctionABI]


@functools.cache
def _contract_abi(name: str) -> _ContractABI:
    abi = tuple(load_artifact(name).abi)
    functions = {
        str(entry["name"]): _FunctionABI(
            selector=function_abi_to_4byte_selector(entry),  # type: ignore[arg-type]
            input_types=tuple(get_abi_input_types(entry)),  # type: ignore[arg-type]
            output_types=tuple(get_abi_output_types(entry)),  # type: ignore[arg-type]
            outputs=tuple(entry["outputs"]),
        )
        for entry in abi
        if entry.get("type") == "function"
    }
    return _ContractABI(abi, functions)


class ContractWrapper:
    """What every wrapper shares. Every method goes through ``_read``, ``_send`` or
    ``_send_returning``, so encoding, decoding and error handling live in one place."""

    contract_name: ClassVar[str]

    def __init__(self, ledger: Ledger, address: str, *, deploy_block: int = 0) -> None:
        self.ledger = ledger
        self.address = to_checksum_address(address)
        # Event queries start here: nothing of this contract is older.
        self.deploy_block = deploy_block
        contract_abi = _contract_abi(self.contract_name)
        self.abi = contract_abi.abi
        self._functions = contract_abi.functions
        self._events = EventDecoder(self.abi)

    def encode(self, function: str, *args: Any) -> bytes:
        """The calldata of ``function(args)``, with arguments already in ABI form.

        Encoded with eth_abi directly: web3's contract encoder costs twenty times as much, which
        shows in batched sends."""
        entry = self._functions[function]
        try:
            return entry.selector + abi_encode(entry.input_types, args)
        except EncodingError as error:  # e.g. a reason code beyond uint16
            raise InvalidArgument(f"{self.contract_name}.{function}: {error}") from None

    def call_of(self, function: str, *args: Any) -> Call:
        """``function(args)`` as a :class:`Call` for :meth:`Ledger.transact_batch`."""
        return Call(self.address, self.encode(function, *args), purpose=self._purpose(function))

    def events(
        self,
        event_name: str,
        filters: Mapping[str, Any] | None = None,
        *,
        from_block: BlockId | None = None,
        to_block: BlockId = "latest",
    ) -> list[DecodedEvent]:
        """Events ``event_name`` of this contract, oldest first; ``filters`` as in
        :func:`ledger.events.get_events` (ABI values)."""
        return self.ledger.get_events(
            self.address,
            self.abi,
            event_name=event_name,
            argument_filters=filters,
            from_block=self.deploy_block if from_block is None else from_block,
            to_block=to_block,
        )

    def _read(self, function: str, *args: Any) -> Any:
        """``eth_call`` of a view: its one result, or a dict of its results by (snake_case)
        name; a struct is a dict of its fields by name, never a tuple read by position."""
        entry = self._functions[function]
        raw = self.ledger.call(self.address, self.encode(function, *args))
        values = abi_decode(entry.output_types, raw)
        if len(values) == 1:
            return _by_name(entry.outputs[0], values[0])
        return {
            snake_case(output["name"]): _by_name(output, value)
            for output, value in zip(entry.outputs, values, strict=True)
        }

    def _send(self, sender: LocalAccount, function: str, *args: Any) -> Receipt:
        return self.ledger.transact(
            sender, self.address, self.encode(function, *args), purpose=self._purpose(function)
        )

    def _send_returning(
        self, sender: LocalAccount, function: str, args: Sequence[Any], event: str, value_arg: str
    ) -> Written[int]:
        """A write whose return value is also the ``value_arg`` of the ``event`` it emits."""
        receipt = self._send(sender, function, *args)
        for log in receipt.logs:
            if log.address != self.address:
                continue
            decoded = self._events.decode(log)
            if decoded is not None and decoded.name == event:
                return Written(int(decoded.args[value_arg]), receipt)
        raise EventMissing(f"{self.contract_name}.{function} mined without its {event} event")

    def _purpose(self, function: str) -> str:
        return f"{self.contract_name}.{function}"

    def _action(self, description: str, function: str, *args: Any) -> Action:
        """``function(args)`` of this contract, for the governance committee to propose."""
        return Action(self.address, self.encode(function, *args), description)


class UsesDepartmentRegistry(ContractWrapper):
    """A contract that checks its callers against the department registry."""

    def department_registry(self) -> str:
        """The address of the DepartmentRegistry this contract was deployed with."""
        return str(self._read("departmentRegistry"))


class Governed(ContractWrapper):
    """A contract the governance committee may call."""

    def governance(self) -> str:
        """The address of the Governance contract this contract was deployed with."""
        return str(self._read("governance"))
