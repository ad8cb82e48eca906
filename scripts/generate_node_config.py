"""Generate, and validate, the configuration of govledger's permissioned network: Besu with QBFT.

    python scripts/generate_node_config.py --validators 4 --out DIR [--chain-id N]
        [--committee ADDRESS ...] [--threshold M] [--allow-account ADDRESS ...] [--seed TEXT]
    python scripts/generate_node_config.py --check DIR

Without ``--seed`` every key comes from the operating system's CSPRNG. With ``--seed`` the keys are
derived from the seed, so the output is reproducible: that is how the checked-in example is made,
and why its keys are public and for local networks only.

What is written (see node_config/README.md): ``genesis.json``, ``permissions_config.toml``,
``committee.json``, and per validator ``validator-<i>/{key,key.pub,enode,config.toml}``; when no
``--committee`` is given, keys for a generated committee in ``committee-keys/``.

:func:`validate_network` checks such a directory structurally and cryptographically; the generator
runs it on everything it writes, and the tests run it on the checked-in example.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import ipaddress
import json
import os
import re
import secrets
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

import rlp
from eth_keys.datatypes import PrivateKey, PublicKey
from eth_utils.address import is_checksum_address, is_hex_address, to_checksum_address
from eth_utils.crypto import keccak

# --- What the network is made of -----------------------------------------------------------------

SECP256K1_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAEDCE6AF48A03BBFD25E8CD0364141

GENESIS_FILE = "genesis.json"
PERMISSIONS_FILE = "permissions_config.toml"
COMMITTEE_FILE = "committee.json"
COMMITTEE_KEYS_DIR = "committee-keys"
EXAMPLE_NOTICE_FILE = "EXAMPLE-KEYS-ARE-PUBLIC.txt"
VALIDATOR_DIR_PREFIX = "validator-"

# The seed of the checked-in example, node_config/example. Its keys are public: never use them.
EXAMPLE_SEED = "govledger-example-network"
DEFAULT_CHAIN_ID = 20250
DEFAULT_COMMITTEE_SIZE = 3

LOOPBACK = "127.0.0.1"
P2P_BASE_PORT = 30303
RPC_BASE_PORT = 8545

# Every fork up to Cancun at genesis, as on the embedded chain (the contracts, compiled for Paris,
# run on it as on a Clique chain that stops at Paris).
BLOCK_FORKS = (
    "homesteadBlock",
    "eip150Block",
    "eip155Block",
    "eip158Block",
    "byzantiumBlock",
    "constantinopleBlock",
    "petersburgBlock",
    "istanbulBlock",
    "muirGlacierBlock",
    "berlinBlock",
    "londonBlock",
    "arrowGlacierBlock",
    "grayGlacierBlock",
)
TIME_FORKS = ("shanghaiTime", "cancunTime")
QBFT_PARAMETERS = {"blockperiodseconds": 2, "epochlength": 30000, "requesttimeoutseconds": 4}
OTHER_CONSENSUS_SECTIONS = ("ethash", "clique", "ibft2")

# Besu rejects a BFT block whose mixHash is not this constant ("ctical byzantine fault tolerance").
BFT_MIX_HASH = "0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365"
# Gas is free, so the block gas limit only bounds block size: Besu's suggestion for such networks.
GENESIS_GAS_LIMIT = "0x1fffffffffffff"
# 1,000,000 ether per committee member. Gas is free; a balance keeps tools that check it happy.
COMMITTEE_BALANCE_WEI = 10**24

REQUIRED_GENESIS_KEYS = (
    "config",
    "nonce",
    "timestamp",
    "gasLimit",
    "difficulty",
    "mixHash",
    "coinbase",
    "alloc",
    "extraData",
)
REQUIRED_RPC_APIS = ("ETH", "NET", "WEB3", "QBFT")

ENODE_PATTERN = re.compile(r"^enode://([0-9a-f]{128})@([0-9.]+):([0-9]{1,5})$")
PRIVATE_KEY_PATTERN = re.compile(r"^0x[0-9a-f]{64}$")
QBFT_VANITY_LENGTH = 32
ADDRESS_LENGTH = 20


class NetworkConfigError(Exception):
    """A network directory is inconsistent or malformed. ``problems`` lists every finding."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class NodeKey:
    """A secp256k1 key pair: a validator's node key (its address is its validator address)."""

    private_key: bytes
    public_key: bytes  # 64 bytes, x || y, as in enode URLs and Besu's key.pub

    @classmethod
    def from_private_key(cls, private_key: bytes) -> NodeKey:
        public_key = PrivateKey(private_key).public_key.to_bytes()
        return cls(private_key=private_key, public_key=public_key)

    @property
    def address(self) -> str:
        return address_of_public_key(self.public_key)

    def enode(self, host: str, port: int) -> str:
        return f"enode://{self.public_key.hex()}@{host}:{port}"


def address_of_public_key(public_key: bytes) -> str:
    """The Ethereum address of a public key: the last 20 bytes of its Keccak-256, checksummed."""
    return to_checksum_address(keccak(public_key)[-ADDRESS_LENGTH:])


class KeySource:
    """Private keys: derived from a seed (reproducible, public) or from the CSPRNG (secret)."""

    def __init__(self, seed: str | None) -> None:
        self._seed = seed.encode() if seed is not None else None

    def key(self, label: str) -> NodeKey:
        if self._seed is None:
            scalar = secrets.randbelow(SECP256K1_ORDER - 1) + 1
            return NodeKey.from_private_key(scalar.to_bytes(32, "big"))
        # Rejection sampling keeps the derived scalar uniform in [1, n-1].
        for counter in range(256):
            digest = hmac.new(self._seed, f"{label}/{counter}".encode(), hashlib.sha256).digest()
            if 0 < int.from_bytes(digest, "big") < SECP256K1_ORDER:
                return NodeKey.from_private_key(digest)
        raise AssertionError("unreachable: 256 draws outside the curve order")


# --- QBFT extraData ------------------------------------------------------------------------------


def encode_qbft_extra_data(validators: Sequence[bytes]) -> bytes:
    """Genesis extraData as Besu's QBFT codec writes it.

    RLP([32-byte vanity, [validator addresses], vote, round, [commit seals]]) where "no vote" is an
    empty list, the round is the integer 0 (an empty string in RLP) and there are no seals yet.
    """
    return bytes(rlp.encode([b"\x00" * QBFT_VANITY_LENGTH, list(validators), [], 0, []]))


def decode_qbft_extra_data(extra_data: bytes) -> list[bytes]:
    """The validator addresses in genesis extraData; ``ValueError`` unless it is exactly QBFT's."""
    try:
        decoded = rlp.decode(extra_data, strict=True)
    except rlp.exceptions.RLPException as exc:
        raise ValueError(f"not RLP: {exc}") from exc
    if not isinstance(decoded, list) or len(decoded) != 5:
        raise ValueError("not a list of 5 items (vanity, validators, vote, round, seals)")
    vanity, validators, vote, round_number, seals = decoded
    if not isinstance(vanity, bytes) or len(vanity) != QBFT_VANITY_LENGTH:
        raise ValueError("vanity is not 32 bytes")
    if not isinstance(validators, list) or not all(
        isinstance(address, bytes) and len(address) == ADDRESS_LENGTH for address in validators
    ):
        raise ValueError("validators is not a list of 20-byte addresses")
    if vote != []:
        raise ValueError("genesis must carry no vote (an empty list)")
    if round_number != b"":
        raise ValueError("genesis round must be 0")
    if seals != []:
        raise ValueError("genesis must carry no commit seals")
    # Reject non-canonical encodings: the bytes must be exactly what the codec writes.
    if encode_qbft_extra_data(validators) != extra_data:
        raise ValueError("not canonically encoded")
    return list(validators)


# --- Generation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidatorPlan:
    index: int  # 1-based, names the directory validator-<index>
    key: NodeKey
    p2p_port: int
    rpc_port: int

    @property
    def directory(self) -> str:
        return f"{VALIDATOR_DIR_PREFIX}{self.index}"

    @property
    def enode(self) -> str:
        return self.key.enode(LOOPBACK, self.p2p_port)


@dataclass(frozen=True)
class NetworkPlan:
    chain_id: int
    validators: tuple[ValidatorPlan, ...]
    committee_members: tuple[str, ...]
    committee_threshold: int
    committee_keys: tuple[NodeKey, ...]  # only when the committee was generated here
    allowed_accounts: tuple[str, ...]  # senders beyond the committee, e.g. departments
    example_seed: str | None


def plan_network(
    *,
    validator_count: int,
    chain_id: int,
    committee: Sequence[str] | None,
    threshold: int | None,
    committee_size: int,
    allowed_accounts: Sequence[str],
    seed: str | None,
) -> NetworkPlan:
    if validator_count < 1:
        raise ValueError("at least one validator is needed (four tolerate one faulty node)")
    if chain_id < 1:
        raise ValueError("the chain id must be positive")
    source = KeySource(seed)
    validators = tuple(
        ValidatorPlan(
            index=i,
            key=source.key(f"validator/{i}"),
            p2p_port=P2P_BASE_PORT + i - 1,
            rpc_port=RPC_BASE_PORT + i - 1,
        )
        for i in range(1, validator_count + 1)
    )
    if committee:
        committee_keys: tuple[NodeKey, ...] = ()
        members = tuple(_checksummed(address) for address in committee)
    else:
        committee_keys = tuple(source.key(f"committee/{i}") for i in range(1, committee_size + 1))
        members = tuple(key.address for key in committee_keys)
    if len(set(members)) != len(members):
        raise ValueError("committee members must be distinct")
    # Default: a simple majority, 2 of 3 for the example.
    committee_threshold = threshold if threshold is not None else len(members) // 2 + 1
    if not 1 <= committee_threshold <= len(members):
        raise ValueError(f"the threshold must be between 1 and {len(members)}")
    return NetworkPlan(
        chain_id=chain_id,
        validators=validators,
        committee_members=members,
        committee_threshold=committee_threshold,
        committee_keys=committee_keys,
        allowed_accounts=tuple(_checksummed(address) for address in allowed_accounts),
        example_seed=seed,
    )


def _checksummed(address: str) -> str:
    if not is_hex_address(address):
        raise ValueError(f"not an address: {address!r}")
    return to_checksum_address(address)


def render_network(plan: NetworkPlan) -> dict[str, str]:
    """Every file of the network, by path relative to the output directory."""
    files = {
        GENESIS_FILE: _render_genesis(plan),
        PERMISSIONS_FILE: _render_permissions(plan),
        COMMITTEE_FILE: json.dumps(
            {"members": list(plan.committee_members), "threshold": plan.committee_threshold},
            indent=2,
        )
        + "\n",
    }
    for validator in plan.validators:
        # Besu reads the node key as one line of 0x-prefixed hex, and exports key.pub likewise.
        files[f"{validator.directory}/key"] = f"0x{validator.key.private_key.hex()}\n"
        files[f"{validator.directory}/key.pub"] = f"0x{validator.key.public_key.hex()}\n"
        files[f"{validator.directory}/enode"] = validator.enode + "\n"
        files[f"{validator.directory}/config.toml"] = _render_besu_config(plan, validator)
    for i, key in enumerate(plan.committee_keys, start=1):
        files[f"{COMMITTEE_KEYS_DIR}/member-{i}.key"] = f"0x{key.private_key.hex()}\n"
    if plan.example_seed is not None:
        files[EXAMPLE_NOTICE_FILE] = (
            "EXAMPLE ONLY. Every private key in this directory was derived from the public seed\n"
            f"{plan.example_seed!r} by scripts/generate_node_config.py, so anyone can recompute\n"
            "it. Use these files for a local test network only, never in production: generate\n"
            "a production network without --seed.\n"
        )
    return files


def _render_genesis(plan: NetworkPlan) -> str:
    validator_addresses = sorted(bytes.fromhex(v.key.address[2:]) for v in plan.validators)
    config: dict[str, Any] = {"chainId": plan.chain_id}
    config.update(dict.fromkeys(BLOCK_FORKS, 0))
    config.update(dict.fromkeys(TIME_FORKS, 0))
    # Free gas, like the embedded chain and Anvil (--base-fee 0 --gas-price 0); the nodes also
    # run with min-gas-price=0. EIP-170's contract size limit is kept: our contracts fit it, and
    # the embedded chain enforces it too, so what deploys there deploys here.
    config["zeroBaseFee"] = True
    config["qbft"] = dict(QBFT_PARAMETERS)
    genesis = {
        "config": config,
        "nonce": "0x0",
        "timestamp": "0x0",
        "gasLimit": GENESIS_GAS_LIMIT,
        "difficulty": "0x1",
        "mixHash": BFT_MIX_HASH,
        "coinbase": "0x0000000000000000000000000000000000000000",
        "alloc": {
            member[2:].lower(): {"balance": hex(COMMITTEE_BALANCE_WEI)}
            for member in plan.committee_members
        },
        "extraData": "0x" + encode_qbft_extra_data(validator_addresses).hex(),
    }
    return json.dumps(genesis, indent=2) + "\n"


def _render_permissions(plan: NetworkPlan) -> str:
    accounts = [*plan.committee_members, *plan.allowed_accounts]
    lines = [
        "# Local permissioning, read by every node (Besu's permissions config file).",
        "# nodes-allowlist: the enode URLs allowed to connect; every bootnode must be listed.",
        "# accounts-allowlist: the accounts allowed to send transactions: the governance",
        "# committee, then the departments' accounts as governance registers them (see",
        "# docs/network.md).",
        f"nodes-allowlist = {_toml_list([v.enode for v in plan.validators])}",
        f"accounts-allowlist = {_toml_list([a.lower() for a in dict.fromkeys(accounts)])}",
    ]
    return "\n".join(lines) + "\n"


def _render_besu_config(plan: NetworkPlan, validator: ValidatorPlan) -> str:
    bootnodes = [other.enode for other in plan.validators if other.index != validator.index]
    settings: list[tuple[str, object]] = [
        # Paths are relative to the directory Besu is started in: this validator's directory.
        ("data-path", "data"),
        ("genesis-file", f"../{GENESIS_FILE}"),
        ("node-private-key-file", "key"),
        ("sync-mode", "FULL"),
        ("p2p-host", LOOPBACK),
        ("p2p-interface", LOOPBACK),
        ("p2p-port", validator.p2p_port),
        ("bootnodes", bootnodes),
        ("rpc-http-enabled", True),
        ("rpc-http-host", LOOPBACK),
        ("rpc-http-port", validator.rpc_port),
        ("rpc-http-api", list(REQUIRED_RPC_APIS)),
        ("host-allowlist", ["localhost", LOOPBACK]),
        # Free gas: the node accepts and mines transactions priced at zero.
        ("min-gas-price", 0),
        # FIFO ordering: with every fee at zero there is nothing to order by value.
        ("tx-pool", "SEQUENCED"),
        # Receipts then carry the revert data, which govledger decodes into typed errors.
        ("revert-reason-enabled", True),
        ("permissions-nodes-config-file-enabled", True),
        ("permissions-nodes-config-file", f"../{PERMISSIONS_FILE}"),
        ("permissions-accounts-config-file-enabled", True),
        ("permissions-accounts-config-file", f"../{PERMISSIONS_FILE}"),
    ]
    header = (
        f"# Besu configuration of {validator.directory} (address {validator.key.address}).\n"
        f"# Start it from this directory: besu --config-file=config.toml\n"
    )
    return header + "".join(f"{name} = {_toml_value(value)}\n" for name, value in settings)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # an ASCII JSON string is also a TOML basic string
    if isinstance(value, list):
        return _toml_list(value)
    raise TypeError(f"no TOML form for {type(value).__name__}")


def _toml_list(values: Sequence[object]) -> str:
    if not values:
        return "[]"
    return "[\n" + "".join(f"  {_toml_value(item)},\n" for item in values) + "]"


def write_network(files: dict[str, str], out: Path, *, force: bool) -> None:
    if out.exists() and any(out.iterdir()) and not force:
        raise FileExistsError(f"{out} is not empty (use --force to overwrite its files)")
    for relative_path, content in files.items():
        path = out / relative_path
        path.parent.mkdir(parents=True, exist_ok=True)
        # Private keys are created owner-only, so they are never readable by others, even briefly.
        is_private_key = path.name == "key" or path.suffix == ".key"
        descriptor = os.open(
            path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if is_private_key else 0o644
        )
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as file:
            file.write(content)
        if is_private_key:
            path.chmod(0o600)  # an overwritten file keeps its old mode


# --- Validation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidatorSummary:
    directory: str
    address: str
    enode: str
    p2p_port: int
    rpc_port: int
    bootnodes: tuple[str, ...]


@dataclass(frozen=True)
class NetworkSummary:
    chain_id: int
    validators: tuple[ValidatorSummary, ...]
    committee_members: tuple[str, ...]
    committee_threshold: int


def validate_network(directory: Path) -> NetworkSummary:
    """Check a network directory; raise :class:`NetworkConfigError` listing every problem.

    Checked: the genesis (schema, chain id, forks at 0, free gas, QBFT section, BFT constants,
    extraData decoding to exactly the validators whose keys are here), each validator's key, public
    key, enode and Besu config (parsed, pointing at existing files, permissioning on), distinct
    ports, bootnodes in the nodes allowlist, and the committee (threshold in 1..N, members allowed
    to send and funded, generated keys matching).
    """
    problems: list[str] = []
    genesis = _load_json(directory / GENESIS_FILE)
    permissions = _load_toml(directory / PERMISSIONS_FILE)
    committee = _load_json(directory / COMMITTEE_FILE)

    chain_id = _check_genesis(genesis, problems)
    genesis_validators = _check_extra_data(genesis.get("extraData"), problems)
    validators = [
        _check_validator(path, directory, problems) for path in _validator_dirs(directory)
    ]
    present = [v for v in validators if v is not None]
    if not validators:
        problems.append(f"no {VALIDATOR_DIR_PREFIX}<i> directories")

    key_addresses = sorted(v.address for v in present)
    # A validator whose key could not be read is already reported; compare only complete sets.
    all_keys_read = len(present) == len(validators)
    if (
        genesis_validators is not None
        and all_keys_read
        and sorted(genesis_validators) != key_addresses
    ):
        problems.append(
            f"extraData validators {sorted(genesis_validators)} do not match the validator "
            f"keys {key_addresses}"
        )
    _check_ports(present, problems)
    nodes_allowlist = _check_nodes_allowlist(permissions, present, problems)
    _check_bootnodes(present, nodes_allowlist, problems)
    members, threshold = _check_committee(committee, genesis, permissions, directory, problems)

    if problems:
        raise NetworkConfigError(problems)
    return NetworkSummary(
        chain_id=chain_id,
        validators=tuple(present),
        committee_members=members,
        committee_threshold=threshold,
    )


def _load_json(path: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise NetworkConfigError([f"{path.name}: cannot be read as JSON ({exc})"]) from exc
    if not isinstance(loaded, dict):
        raise NetworkConfigError([f"{path.name}: not a JSON object"])
    return loaded


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise NetworkConfigError([f"{path.name}: cannot be read as TOML ({exc})"]) from exc


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_genesis(genesis: dict[str, Any], problems: list[str]) -> int:
    """Check the genesis outside extraData; return its chain id (0 when unusable)."""
    missing = [key for key in REQUIRED_GENESIS_KEYS if key not in genesis]
    if missing:
        problems.append(f"genesis: missing keys {missing}")
    config = genesis.get("config")
    if not isinstance(config, dict):
        problems.append("genesis: config is not an object")
        return 0
    chain_id = config.get("chainId")
    if not _is_int(chain_id) or chain_id < 1:
        problems.append(f"genesis: chainId must be a positive integer, not {chain_id!r}")
        chain_id = 0
    for fork in (*BLOCK_FORKS, *TIME_FORKS):
        activation = config.get(fork)
        if not _is_int(activation) or activation != 0:
            problems.append(f"genesis: {fork} must be 0, not {activation!r}")
    if config.get("zeroBaseFee") is not True:
        problems.append("genesis: zeroBaseFee must be true (free gas)")
    _check_qbft_section(config, problems)
    if genesis.get("difficulty") != "0x1":
        problems.append("genesis: difficulty must be 0x1")
    if str(genesis.get("mixHash", "")).lower() != BFT_MIX_HASH:
        problems.append("genesis: mixHash must be the BFT constant")
    gas_limit = genesis.get("gasLimit")
    if not (
        isinstance(gas_limit, str) and re.fullmatch(r"0x[0-9a-f]*[1-9a-f][0-9a-f]*", gas_limit)
    ):
        problems.append("genesis: gasLimit must be a positive 0x-prefixed hex number")
    return chain_id


def _check_qbft_section(config: dict[str, Any], problems: list[str]) -> None:
    other = [name for name in OTHER_CONSENSUS_SECTIONS if name in config]
    if other:
        problems.append(f"genesis: other consensus sections {other} next to qbft")
    qbft = config.get("qbft")
    if not isinstance(qbft, dict):
        problems.append("genesis: no qbft section")
        return
    for name in QBFT_PARAMETERS:
        value = qbft.get(name)
        if not _is_int(value) or value < 1:
            problems.append(f"genesis: qbft.{name} must be a positive integer")
    period, timeout = qbft.get("blockperiodseconds"), qbft.get("requesttimeoutseconds")
    # A round that times out before a block can be proposed never ends in a block.
    if _is_int(period) and _is_int(timeout) and timeout <= period:
        problems.append("genesis: qbft.requesttimeoutseconds must exceed blockperiodseconds")


def _check_extra_data(extra_data: object, problems: list[str]) -> list[str] | None:
    if not isinstance(extra_data, str) or not extra_data.startswith("0x"):
        problems.append("genesis: extraData is not a 0x-prefixed hex string")
        return None
    try:
        addresses = decode_qbft_extra_data(bytes.fromhex(extra_data[2:]))
    except ValueError as exc:
        problems.append(f"genesis: extraData is not QBFT extra data: {exc}")
        return None
    if not addresses:
        problems.append("genesis: extraData lists no validators")
    if len(set(addresses)) != len(addresses):
        problems.append("genesis: extraData lists a validator twice")
    return [to_checksum_address(address) for address in addresses]


def _validator_dirs(directory: Path) -> list[Path]:
    found: dict[int, Path] = {}
    for path in directory.glob(f"{VALIDATOR_DIR_PREFIX}*"):
        suffix = path.name.removeprefix(VALIDATOR_DIR_PREFIX)
        if path.is_dir() and suffix.isdigit():
            found[int(suffix)] = path
    return [found[index] for index in sorted(found)]


def _read_private_key(path: Path, problems: list[str]) -> NodeKey | None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        problems.append(f"{_rel(path)}: missing")
        return None
    # Besu reads exactly one line of hex.
    if len(lines) != 1 or not PRIVATE_KEY_PATTERN.match(lines[0]):
        problems.append(f"{_rel(path)}: not one line of 0x-prefixed 32-byte hex")
        return None
    if not 0 < int(lines[0], 16) < SECP256K1_ORDER:
        problems.append(f"{_rel(path)}: not a valid secp256k1 private key")
        return None
    return NodeKey.from_private_key(bytes.fromhex(lines[0][2:]))


def _check_validator(path: Path, network_dir: Path, problems: list[str]) -> ValidatorSummary | None:
    name = path.name
    key = _read_private_key(path / "key", problems)
    try:
        config = _load_toml(path / "config.toml")
    except NetworkConfigError as exc:
        problems.extend(f"{name}/{problem}" for problem in exc.problems)
        return None
    if key is None:
        return None

    expected_public = f"0x{key.public_key.hex()}"
    try:
        if (path / "key.pub").read_text(encoding="utf-8").strip() != expected_public:
            problems.append(f"{name}/key.pub: not the public key of {name}/key")
    except OSError:
        problems.append(f"{name}/key.pub: missing")

    enode = _read_line(path / "enode", problems)
    parsed = _parse_enode(enode) if enode is not None else None
    if enode is not None and parsed is None:
        problems.append(f"{name}/enode: malformed enode URL {enode!r}")
    if parsed is not None and parsed[0] != key.public_key.hex():
        problems.append(f"{name}/enode: node id is not the public key of {name}/key")

    _check_config_paths(name, path, network_dir, config, problems)
    _check_config_settings(name, config, problems)
    p2p_port, rpc_port = config.get("p2p-port"), config.get("rpc-http-port")
    bootnodes = config.get("bootnodes", [])
    if not isinstance(bootnodes, list):
        problems.append(f"{name}/config.toml: bootnodes is not a list")
        bootnodes = []
    if parsed is not None and (config.get("p2p-host"), p2p_port) != (parsed[1], parsed[2]):
        problems.append(f"{name}/config.toml: p2p-host and p2p-port differ from the enode URL")
    if not (_is_int(p2p_port) and _is_int(rpc_port)):
        problems.append(f"{name}/config.toml: p2p-port and rpc-http-port must be integers")
        return None
    if enode is None:
        return None
    return ValidatorSummary(
        directory=name,
        address=key.address,
        enode=enode,
        p2p_port=p2p_port,
        rpc_port=rpc_port,
        bootnodes=tuple(str(bootnode) for bootnode in bootnodes),
    )


def _check_config_paths(
    name: str, path: Path, network_dir: Path, config: dict[str, Any], problems: list[str]
) -> None:
    expected_targets = {
        "genesis-file": network_dir / GENESIS_FILE,
        "node-private-key-file": path / "key",
        "permissions-nodes-config-file": network_dir / PERMISSIONS_FILE,
        "permissions-accounts-config-file": network_dir / PERMISSIONS_FILE,
    }
    for setting, target in expected_targets.items():
        value = config.get(setting)
        # Besu resolves relative paths against its working directory: the validator's directory.
        resolved = (path / value).resolve() if isinstance(value, str) else None
        if resolved is None or not resolved.is_file():
            problems.append(f"{name}/config.toml: {setting} does not point at an existing file")
        elif resolved != target.resolve():
            problems.append(f"{name}/config.toml: {setting} points at {value}, not {target.name}")
    if not isinstance(config.get("data-path"), str):
        problems.append(f"{name}/config.toml: no data-path")


def _check_config_settings(name: str, config: dict[str, Any], problems: list[str]) -> None:
    required_true = (
        "rpc-http-enabled",
        "permissions-nodes-config-file-enabled",
        "permissions-accounts-config-file-enabled",
    )
    for setting in required_true:
        if config.get(setting) is not True:
            problems.append(f"{name}/config.toml: {setting} must be true")
    if config.get("rpc-http-host") != LOOPBACK:
        problems.append(f"{name}/config.toml: rpc-http-host must be {LOOPBACK}")
    apis = config.get("rpc-http-api")
    if not isinstance(apis, list) or not set(REQUIRED_RPC_APIS) <= set(apis):
        problems.append(f"{name}/config.toml: rpc-http-api must include {list(REQUIRED_RPC_APIS)}")
    if config.get("min-gas-price") != 0 or not _is_int(config.get("min-gas-price")):
        problems.append(f"{name}/config.toml: min-gas-price must be 0 (free gas)")
    allowlist = config.get("host-allowlist")
    if not isinstance(allowlist, list) or not allowlist or "*" in allowlist:
        problems.append(f"{name}/config.toml: host-allowlist must list hosts, without '*'")


def _read_line(path: Path, problems: list[str]) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        problems.append(f"{_rel(path)}: missing")
        return None


def _parse_enode(enode: object) -> tuple[str, str, int] | None:
    """(node id hex, IPv4 host, port) of a well-formed enode URL, else None."""
    if not isinstance(enode, str):
        return None
    match = ENODE_PATTERN.match(enode)
    if match is None:
        return None
    node_id, host, port = match.group(1), match.group(2), int(match.group(3))
    try:
        ipaddress.IPv4Address(host)
    except ValueError:
        return None
    if not 0 < port < 65536:
        return None
    # The node id must be a point on secp256k1, or no handshake can succeed.
    try:
        PublicKey(bytes.fromhex(node_id))
    except Exception:  # eth_keys raises several types for an off-curve point
        return None
    return node_id, host, port


def _check_ports(validators: Sequence[ValidatorSummary], problems: list[str]) -> None:
    # Every validator runs on the same host in the example, so no two ports may coincide.
    users: dict[int, list[str]] = {}
    for validator in validators:
        for port in (validator.p2p_port, validator.rpc_port):
            users.setdefault(port, []).append(validator.directory)
            if not 0 < port < 65536:
                problems.append(f"{validator.directory}/config.toml: port {port} is out of range")
    for port, directories in sorted(users.items()):
        if len(directories) > 1:
            problems.append(f"port {port} used twice: by {' and '.join(directories)}")


def _check_nodes_allowlist(
    permissions: dict[str, Any],
    validators: Sequence[ValidatorSummary],
    problems: list[str],
) -> set[str]:
    allowlist = permissions.get("nodes-allowlist")
    if not isinstance(allowlist, list):
        problems.append(f"{PERMISSIONS_FILE}: no nodes-allowlist")
        return set()
    for enode in allowlist:
        if _parse_enode(enode) is None:
            problems.append(f"{PERMISSIONS_FILE}: malformed enode URL {enode!r}")
    for validator in validators:
        if validator.enode not in allowlist:
            problems.append(f"{PERMISSIONS_FILE}: {validator.directory} is not in nodes-allowlist")
    return {enode for enode in allowlist if isinstance(enode, str)}


def _check_bootnodes(
    validators: Sequence[ValidatorSummary], nodes_allowlist: set[str], problems: list[str]
) -> None:
    for validator in validators:
        if len(validators) > 1 and not validator.bootnodes:
            problems.append(f"{validator.directory}/config.toml: no bootnodes")
        for bootnode in validator.bootnodes:
            if _parse_enode(bootnode) is None:
                problems.append(f"{validator.directory}/config.toml: malformed bootnode")
            elif bootnode not in nodes_allowlist:
                # Besu refuses to start when a bootnode is outside its nodes allowlist.
                problems.append(
                    f"{validator.directory}/config.toml: bootnode {bootnode} is not in "
                    "nodes-allowlist"
                )
            elif bootnode == validator.enode:
                problems.append(f"{validator.directory}/config.toml: lists itself as bootnode")


def _check_committee(
    committee: dict[str, Any],
    genesis: dict[str, Any],
    permissions: dict[str, Any],
    directory: Path,
    problems: list[str],
) -> tuple[tuple[str, ...], int]:
    """Check committee.json and the committee's place in the network; return (members, M)."""
    if set(committee) != {"members", "threshold"}:
        problems.append(f"{COMMITTEE_FILE}: keys must be exactly 'members' and 'threshold'")
    members = committee.get("members")
    threshold = committee.get("threshold")
    if not isinstance(members, list) or not members:
        problems.append(f"{COMMITTEE_FILE}: members must be a non-empty list")
        return (), 0
    if not all(isinstance(m, str) and is_checksum_address(m) for m in members):
        problems.append(f"{COMMITTEE_FILE}: members must be checksummed addresses")
        return (), 0
    if len(set(members)) != len(members):
        problems.append(f"{COMMITTEE_FILE}: a member is listed twice")
    if not _is_int(threshold) or not 1 <= threshold <= len(members):
        problems.append(f"{COMMITTEE_FILE}: threshold must be an integer in 1..{len(members)}")
        threshold = 0
    _check_committee_accounts(members, genesis, permissions, problems)
    _check_committee_keys(members, directory / COMMITTEE_KEYS_DIR, problems)
    return tuple(members), threshold


def _check_committee_accounts(
    members: Sequence[str],
    genesis: dict[str, Any],
    permissions: dict[str, Any],
    problems: list[str],
) -> None:
    accounts = permissions.get("accounts-allowlist")
    if not isinstance(accounts, list):
        problems.append(f"{PERMISSIONS_FILE}: no accounts-allowlist")
        accounts = []
    for account in accounts:
        if not (isinstance(account, str) and is_hex_address(account)):
            problems.append(f"{PERMISSIONS_FILE}: {account!r} in accounts-allowlist is no address")
    allowed = {account.lower() for account in accounts if isinstance(account, str)}
    alloc = genesis.get("alloc")
    funded = (
        {str(k).lower().removeprefix("0x") for k in alloc} if isinstance(alloc, dict) else set()
    )
    for member in members:
        if member.lower() not in allowed:
            problems.append(f"{PERMISSIONS_FILE}: committee member {member} may not send")
        if member[2:].lower() not in funded:
            problems.append(f"genesis: committee member {member} is not funded in alloc")


def _check_committee_keys(members: Sequence[str], keys_dir: Path, problems: list[str]) -> None:
    """Keys generated for an example committee must be the members' keys, in order."""
    if not keys_dir.is_dir():
        return
    derived: list[str | None] = []
    for i in range(1, len(members) + 1):
        key = _read_private_key(keys_dir / f"member-{i}.key", problems)
        derived.append(key.address if key is not None else None)
    if derived != list(members):
        problems.append(f"{COMMITTEE_KEYS_DIR}: keys do not belong to the committee members")


def _rel(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


# --- Command line --------------------------------------------------------------------------------


def generate_network(
    out: Path,
    *,
    validator_count: int = 4,
    chain_id: int = DEFAULT_CHAIN_ID,
    committee: Sequence[str] | None = None,
    threshold: int | None = None,
    committee_size: int = DEFAULT_COMMITTEE_SIZE,
    allowed_accounts: Sequence[str] = (),
    seed: str | None = None,
    force: bool = False,
) -> NetworkSummary:
    """Write a network to ``out`` and validate what was written."""
    plan = plan_network(
        validator_count=validator_count,
        chain_id=chain_id,
        committee=committee,
        threshold=threshold,
        committee_size=committee_size,
        allowed_accounts=allowed_accounts,
        seed=seed,
    )
    write_network(render_network(plan), out, force=force)
    return validate_network(out)


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Generate or check a Besu QBFT network configuration for govledger."
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--out", type=Path, help="directory to write the network into")
    action.add_argument("--check", type=Path, metavar="DIR", help="only validate DIR")
    parser.add_argument("--validators", type=int, default=4, help="number of validators")
    parser.add_argument("--chain-id", type=int, default=DEFAULT_CHAIN_ID)
    parser.add_argument(
        "--committee",
        nargs="+",
        metavar="ADDRESS",
        help="governance committee addresses (default: generate keys for a committee)",
    )
    parser.add_argument(
        "--committee-size",
        type=int,
        default=DEFAULT_COMMITTEE_SIZE,
        help="size of a generated committee",
    )
    parser.add_argument("--threshold", type=int, help="approvals needed (default: a majority)")
    parser.add_argument(
        "--allow-account",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="another account allowed to send transactions (repeatable), e.g. a department's",
    )
    parser.add_argument(
        "--seed", help="derive every key from this seed (reproducible, public: examples only)"
    )
    parser.add_argument("--force", action="store_true", help="overwrite files in --out")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    try:
        if args.check is not None:
            summary = validate_network(args.check)
        else:
            summary = generate_network(
                args.out,
                validator_count=args.validators,
                chain_id=args.chain_id,
                committee=args.committee,
                threshold=args.threshold,
                committee_size=args.committee_size,
                allowed_accounts=args.allow_account,
                seed=args.seed,
                force=args.force,
            )
    except NetworkConfigError as exc:
        print("invalid network configuration:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    except (ValueError, FileExistsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"chain {summary.chain_id}: {len(summary.validators)} QBFT validators, committee "
        f"{summary.committee_threshold} of {len(summary.committee_members)}"
    )
    for validator in summary.validators:
        print(f"  {validator.directory}: {validator.address} rpc {validator.rpc_port}")
    if args.out is not None and args.seed is not None:
        print("the keys were derived from a public seed: use this network for local tests only")
    return 0


if __name__ == "__main__":
    sys.exit(main())
