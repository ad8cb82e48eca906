"""Contract events: read by contract, event type and block range, decoded with the ABI.

Services read their own history and auditors read everyone's through :func:`get_events`. Logs are
parsed from plain JSON-RPC (``eth_getLogs`` and receipts) into :class:`Log`, then decoded into
:class:`DecodedEvent` with the block timestamp, so the same code works on every backend.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode
from eth_abi.exceptions import DecodingError
from eth_utils.abi import event_abi_to_log_topic
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

BlockId = int | str
ABIEntry = Mapping[str, Any]
# Requests a provider answers with the raw JSON result (see BackendProvider.request / _batch).
RawRequest = Callable[[str, Sequence[Any]], Any]
RawBatch = Callable[[Sequence[tuple[str, Sequence[Any]]]], list[Any]]

# Besu refuses eth_getLogs over more than 5,000 blocks by default (--rpc-max-logs-range).
DEFAULT_MAX_BLOCK_RANGE = 5_000

_DYNAMIC_TYPES = ("string", "bytes")


@dataclass(frozen=True)
class Log:
    """One log entry as the chain reports it."""

    address: str
    topics: tuple[bytes, ...]
    data: bytes
    block_number: int
    tx_hash: str
    log_index: int

    @classmethod
    def from_rpc(cls, raw: Mapping[str, Any]) -> Log:
        return cls(
            address=to_checksum_address(raw["address"]),
            topics=tuple(bytes.fromhex(topic[2:]) for topic in raw["topics"]),
            data=bytes.fromhex(raw["data"][2:]),
            block_number=int(raw["blockNumber"], 16),
            tx_hash=str(raw["transactionHash"]),
            log_index=int(raw["logIndex"], 16),
        )


@dataclass(frozen=True)
class DecodedEvent:
    """An event with its arguments by name. ``timestamp`` is the block's (seconds since 1970)."""

    name: str
    args: dict[str, Any]
    address: str
    block_number: int
    tx_hash: str
    log_index: int
    timestamp: int | None = None


class EventDecoder:
    """Decodes the logs of the non-anonymous events declared in one ABI."""

    def __init__(self, abi: Sequence[ABIEntry]) -> None:
        self._by_topic: dict[bytes, ABIEntry] = {}
        self._by_name: dict[str, ABIEntry] = {}
        for entry in abi:
            if entry.get("type") == "event" and not entry.get("anonymous", False):
                self._by_topic[event_abi_to_log_topic(entry)] = entry  # type: ignore[arg-type]
                self._by_name[str(entry["name"])] = entry

    def event(self, name: str) -> ABIEntry:
        try:
            return self._by_name[name]
        except KeyError:
            raise LookupError(f"the ABI declares no event {name!r}") from None

    def topic(self, name: str) -> bytes:
        return event_abi_to_log_topic(self.event(name))  # type: ignore[arg-type]

    @property
    def topics(self) -> list[bytes]:
        return list(self._by_topic)

    def decode(self, log: Log, timestamp: int | None = None) -> DecodedEvent | None:
        """The decoded event, or None when the log is not one of this ABI's events."""
        entry = self._by_topic.get(log.topics[0]) if log.topics else None
        if entry is None:
            return None
        inputs = entry["inputs"]
        indexed = [arg for arg in inputs if arg.get("indexed")]
        plain = [arg for arg in inputs if not arg.get("indexed")]
        if len(log.topics) != len(indexed) + 1:
            return None
        try:
            plain_values = abi_decode([_type(arg) for arg in plain], log.data)
            values = {
                str(arg["name"]): _decode_topic(_type(arg), topic)
                for arg, topic in zip(indexed, log.topics[1:], strict=True)
            }
        except DecodingError:
            return None
        for arg, value in zip(plain, plain_values, strict=True):
            values[str(arg["name"])] = normalise_value(_type(arg), value)
        # Keep the ABI's argument order.
        args = {str(arg["name"]): values[str(arg["name"])] for arg in inputs}
        return DecodedEvent(
            name=str(entry["name"]),
            args=args,
            address=log.address,
            block_number=log.block_number,
            tx_hash=log.tx_hash,
            log_index=log.log_index,
            timestamp=timestamp,
        )

    def topic_filter(
        self, event_name: str | None, argument_filters: Mapping[str, Any] | None
    ) -> tuple[list[Any], dict[str, Any]]:
        """``eth_getLogs`` topics for the event and its indexed filters, plus the filters on
        non-indexed arguments, which can only be applied after decoding."""
        if event_name is None:
            if argument_filters:
                raise ValueError("argument filters need an event name")
            return [["0x" + topic.hex() for topic in self._by_topic]], {}
        entry = self.event(event_name)
        remaining = dict(argument_filters or {})
        known = {str(arg["name"]) for arg in entry["inputs"]}
        unknown = set(remaining) - known
        if unknown:
            raise ValueError(f"{event_name} has no argument(s) {sorted(unknown)}")
        topics: list[Any] = ["0x" + self.topic(event_name).hex()]
        for arg in (arg for arg in entry["inputs"] if arg.get("indexed")):
            name = str(arg["name"])
            if name not in remaining:
                topics.append(None)
                continue
            wanted = remaining.pop(name)
            options = wanted if isinstance(wanted, list | tuple | set) else [wanted]
            topics.append(["0x" + _encode_topic(_type(arg), value).hex() for value in options])
        while topics and topics[-1] is None:
            topics.pop()
        return topics, remaining


def _type(arg: Mapping[str, Any]) -> str:
    if str(arg["type"]).startswith("tuple"):
        raise ValueError("tuple event arguments are not supported")
    return str(arg["type"])


def _is_hashed(abi_type: str) -> bool:
    # Indexed dynamic values are stored as their keccak hash, not their value.
    return abi_type in _DYNAMIC_TYPES or abi_type.endswith("]")


def normalise_value(abi_type: str, value: Any) -> Any:
    """Decoded values as callers compare them: addresses in checksum form."""
    return to_checksum_address(value) if abi_type == "address" else value


def _decode_topic(abi_type: str, topic: bytes) -> Any:
    if _is_hashed(abi_type):
        return topic
    return normalise_value(abi_type, abi_decode([abi_type], topic)[0])


def _encode_topic(abi_type: str, value: Any) -> bytes:
    if abi_type in _DYNAMIC_TYPES:
        raw = value.encode() if isinstance(value, str) else bytes(value)
        return keccak(raw)
    if _is_hashed(abi_type):
        raise ValueError(f"filtering on an indexed {abi_type} argument is not supported")
    return abi_encode([abi_type], [value])


def _matches(event: DecodedEvent, filters: Mapping[str, Any]) -> bool:
    for name, wanted in filters.items():
        options = wanted if isinstance(wanted, list | tuple | set) else [wanted]
        if event.args[name] not in options:
            return False
    return True


def _block_param(block: BlockId) -> str:
    return hex(block) if isinstance(block, int) else block


def get_events(
    request: RawRequest,
    batch: RawBatch,
    abi: Sequence[ABIEntry],
    *,
    address: str | None,
    event_name: str | None = None,
    from_block: BlockId = 0,
    to_block: BlockId = "latest",
    argument_filters: Mapping[str, Any] | None = None,
    with_timestamps: bool = True,
    max_block_range: int = DEFAULT_MAX_BLOCK_RANGE,
) -> list[DecodedEvent]:
    """Events of ``abi`` emitted by ``address`` (or by any contract when None) in the range.

    ``argument_filters`` maps argument names to a value or a list of accepted values; indexed
    arguments are filtered by the node, the others here. The range is read in chunks of
    ``max_block_range`` blocks. Events come in chain order.
    """
    decoder = EventDecoder(abi)
    topics, local_filters = decoder.topic_filter(event_name, argument_filters)
    start = _resolve(request, from_block)
    end = _resolve(request, to_block)
    raw_logs: list[Mapping[str, Any]] = []
    for chunk_start in range(start, end + 1, max_block_range):
        query: dict[str, Any] = {
            "fromBlock": _block_param(chunk_start),
            "toBlock": _block_param(min(chunk_start + max_block_range - 1, end)),
            "topics": topics,
        }
        if address is not None:
            query["address"] = address
        raw_logs.extend(request("eth_getLogs", [query]))
    logs = [Log.from_rpc(raw) for raw in raw_logs]
    timestamps = (
        _block_timestamps(batch, {log.block_number for log in logs}) if with_timestamps else {}
    )
    events = [decoder.decode(log, timestamps.get(log.block_number)) for log in logs]
    return [event for event in events if event is not None and _matches(event, local_filters)]


def _resolve(request: RawRequest, block: BlockId) -> int:
    if isinstance(block, int):
        return block
    if block == "earliest":
        return 0
    header = request("eth_getBlockByNumber", [block, False])
    return int(header["number"], 16)


def _block_timestamps(batch: RawBatch, numbers: set[int]) -> dict[int, int]:
    ordered = sorted(numbers)
    headers = batch([("eth_getBlockByNumber", [hex(number), False]) for number in ordered])
    timestamps: dict[int, int] = {}
    for number, header in zip(ordered, headers, strict=True):
        if isinstance(header, BaseException):
            raise header
        timestamps[number] = int(header["timestamp"], 16)
    return timestamps
