"""The permissioned network configuration: the checked-in example and a freshly generated one.

The structural tests recompute what they check with rlp, eth_keys and Keccak directly, so they do
not rely on the validator they also exercise; the tampering tests prove that the validator catches
what a broken or manipulated configuration would look like.
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import rlp
from eth_keys.datatypes import PrivateKey
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from scripts.generate_node_config import (
    BFT_MIX_HASH,
    EXAMPLE_SEED,
    NetworkConfigError,
    decode_qbft_extra_data,
    encode_qbft_extra_data,
    generate_network,
    main,
    plan_network,
    validate_network,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_DIR = REPO_ROOT / "node_config" / "example"
ARTIFACTS_DIR = REPO_ROOT / "contracts" / "artifacts"

# EIP-170 and EIP-3860: the limits that apply unless the genesis sets contractSizeLimit.
MAX_RUNTIME_CODE = 24_576
MAX_INIT_CODE = 49_152

# Interoperability vector: genesis extraData of the Quorum Developer Quickstart's Besu QBFT network
# (Consensys/quorum-dev-quickstart, files/besu/config/besu/QBFTgenesis.json), a genesis that Besu
# runs, with its four validators in the order listed there.
BESU_QUICKSTART_EXTRA_DATA = bytes.fromhex(
    "f87aa00000000000000000000000000000000000000000000000000000000000000000f854"
    "9493917cadbace5dfce132b991732c6cda9bcc5b8a"
    "9427a97c9aaf04f18f3014c32e036dd0ac76da5f18"
    "94ce412f988377e31f4d0ff12d74df73b51c42d0ca"
    "9498c1334496614aed49d2e81526d089f7264fed9c"
    "c080c0"
)
BESU_QUICKSTART_VALIDATORS = [
    "93917cadbace5dfce132b991732c6cda9bcc5b8a",
    "27a97c9aaf04f18f3014c32e036dd0ac76da5f18",
    "ce412f988377e31f4d0ff12d74df73b51c42d0ca",
    "98c1334496614aed49d2e81526d089f7264fed9c",
]

ENODE = re.compile(r"^enode://([0-9a-f]{128})@127\.0\.0\.1:([0-9]+)$")


@pytest.fixture(scope="module")
def fresh_network(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A network generated now with random keys, as an operator would for production."""
    out = tmp_path_factory.mktemp("fresh") / "network"
    generate_network(out, validator_count=4, chain_id=4321)
    return out


@pytest.fixture(params=["example", "fresh"])
def network(request: pytest.FixtureRequest, fresh_network: Path) -> Path:
    return EXAMPLE_DIR if request.param == "example" else fresh_network


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """A private copy of the example, to tamper with."""
    copy = tmp_path / "network"
    shutil.copytree(EXAMPLE_DIR, copy, ignore=shutil.ignore_patterns("data"))
    return copy


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _toml(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _validator_dirs(network: Path) -> list[Path]:
    return sorted(network.glob("validator-*"), key=lambda p: int(p.name.split("-")[1]))


def _address_from_key_file(path: Path) -> str:
    """Keccak-256 of the public key derived from a Besu key file, last 20 bytes."""
    private_key = PrivateKey(bytes.fromhex(path.read_text(encoding="utf-8").strip()[2:]))
    return keccak(private_key.public_key.to_bytes())[-20:].hex()


def _generated_files(directory: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in directory.rglob("*")
        if path.is_file() and "data" not in path.relative_to(directory).parts
    }


# --- The example and a fresh network are valid ----------------------------------------------------


def test_validate_network_accepts_the_network(network: Path) -> None:
    summary = validate_network(network)
    assert len(summary.validators) == 4
    assert len(summary.committee_members) == 3
    assert summary.committee_threshold == 2


def test_genesis_schema(network: Path) -> None:
    genesis = _json(network / "genesis.json")
    for key in ("config", "gasLimit", "difficulty", "mixHash", "alloc", "extraData"):
        assert key in genesis
    config = genesis["config"]
    assert type(config["chainId"]) is int
    for fork in ("berlinBlock", "londonBlock", "shanghaiTime", "cancunTime"):
        assert config[fork] == 0
    assert config["zeroBaseFee"] is True
    assert set(config["qbft"]) == {"blockperiodseconds", "epochlength", "requesttimeoutseconds"}
    assert config["qbft"]["requesttimeoutseconds"] > config["qbft"]["blockperiodseconds"]
    assert not {"ethash", "clique", "ibft2"} & set(config)
    assert genesis["difficulty"] == "0x1"
    assert genesis["mixHash"] == BFT_MIX_HASH


def test_extra_data_decodes_to_exactly_the_validators_keys(network: Path) -> None:
    extra_data = bytes.fromhex(_json(network / "genesis.json")["extraData"][2:])
    vanity, validators, vote, round_number, seals = rlp.decode(extra_data)
    assert vanity == b"\x00" * 32
    assert (vote, round_number, seals) == ([], b"", [])
    from_keys = {_address_from_key_file(d / "key") for d in _validator_dirs(network)}
    assert len(validators) == len(from_keys) == 4
    assert {v.hex() for v in validators} == from_keys


def test_public_keys_and_enodes_match_the_key_files(network: Path) -> None:
    for directory in _validator_dirs(network):
        key_text = (directory / "key").read_text(encoding="utf-8")
        assert re.fullmatch(r"0x[0-9a-f]{64}\n", key_text)  # one line, as Besu reads it
        public_key = PrivateKey(bytes.fromhex(key_text.strip()[2:])).public_key.to_bytes()
        assert (directory / "key.pub").read_text().strip() == "0x" + public_key.hex()
        match = ENODE.match((directory / "enode").read_text().strip())
        assert match is not None
        assert match.group(1) == public_key.hex()
        assert int(match.group(2)) == _toml(directory / "config.toml")["p2p-port"]


def test_ports_are_distinct_and_bootnodes_are_allowlisted(network: Path) -> None:
    configs = [_toml(d / "config.toml") for d in _validator_dirs(network)]
    ports = [c["p2p-port"] for c in configs] + [c["rpc-http-port"] for c in configs]
    assert len(set(ports)) == len(ports) == 8
    allowlist = _toml(network / "permissions_config.toml")["nodes-allowlist"]
    for directory, config in zip(_validator_dirs(network), configs, strict=True):
        own_enode = (directory / "enode").read_text().strip()
        assert own_enode in allowlist
        assert config["bootnodes"]
        assert own_enode not in config["bootnodes"]
        assert set(config["bootnodes"]) <= set(allowlist)


def test_every_config_toml_points_at_existing_files(network: Path) -> None:
    for directory in _validator_dirs(network):
        config = _toml(directory / "config.toml")
        for setting in (
            "genesis-file",
            "node-private-key-file",
            "permissions-nodes-config-file",
            "permissions-accounts-config-file",
        ):
            assert (directory / config[setting]).is_file(), setting
        assert config["permissions-nodes-config-file-enabled"] is True
        assert config["permissions-accounts-config-file-enabled"] is True
        assert config["min-gas-price"] == 0
        assert config["rpc-http-host"] == "127.0.0.1"
        assert {"ETH", "NET", "WEB3", "QBFT"} <= set(config["rpc-http-api"])


def test_committee_is_allowlisted_funded_and_has_a_valid_threshold(network: Path) -> None:
    committee = _json(network / "committee.json")
    assert set(committee) == {"members", "threshold"}
    assert 1 <= committee["threshold"] <= len(committee["members"])
    allowed = {a.lower() for a in _toml(network / "permissions_config.toml")["accounts-allowlist"]}
    alloc = {a.lower() for a in _json(network / "genesis.json")["alloc"]}
    for member in committee["members"]:
        assert member == to_checksum_address(member)
        assert member.lower() in allowed
        assert member[2:].lower() in alloc


def test_example_committee_keys_belong_to_the_members() -> None:
    members = _json(EXAMPLE_DIR / "committee.json")["members"]
    derived = [
        _address_from_key_file(EXAMPLE_DIR / "committee-keys" / f"member-{i}.key")
        for i in range(1, len(members) + 1)
    ]
    assert derived == [m[2:].lower() for m in members]


def test_example_is_marked_as_public() -> None:
    notice = (EXAMPLE_DIR / "EXAMPLE-KEYS-ARE-PUBLIC.txt").read_text()
    assert EXAMPLE_SEED in notice


# --- Generation -----------------------------------------------------------------------------------


def test_regenerating_the_example_reproduces_it_byte_for_byte(tmp_path: Path) -> None:
    generate_network(tmp_path / "example", validator_count=4, seed=EXAMPLE_SEED)
    assert _generated_files(tmp_path / "example") == _generated_files(EXAMPLE_DIR)


def test_without_a_seed_keys_are_fresh(fresh_network: Path) -> None:
    example_keys = {(d / "key").read_text() for d in _validator_dirs(EXAMPLE_DIR)}
    fresh_keys = {(d / "key").read_text() for d in _validator_dirs(fresh_network)}
    assert len(fresh_keys) == 4
    assert not fresh_keys & example_keys
    assert not (fresh_network / "EXAMPLE-KEYS-ARE-PUBLIC.txt").exists()
    assert (fresh_network / "validator-1" / "key").stat().st_mode & 0o077 == 0


def test_given_committee_and_department_accounts(tmp_path: Path) -> None:
    members = [to_checksum_address(f"0x{i:040x}") for i in (0xA1, 0xA2, 0xA3, 0xA4, 0xA5)]
    department = to_checksum_address(f"0x{0xD1:040x}")
    summary = generate_network(
        tmp_path / "net",
        validator_count=1,
        committee=members,
        threshold=3,
        allowed_accounts=[department],
        seed="test",
    )
    assert summary.committee_members == tuple(members)
    assert summary.committee_threshold == 3
    # No private keys exist for a committee given by address.
    assert not (tmp_path / "net" / "committee-keys").exists()
    allowed = _toml(tmp_path / "net" / "permissions_config.toml")["accounts-allowlist"]
    assert department.lower() in allowed


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"threshold": 0}, "threshold"),
        ({"threshold": 4}, "threshold"),
        ({"committee": ["0x" + "ab" * 20, "0x" + "AB" * 20]}, "distinct"),
        ({"committee": ["0x1234"]}, "not an address"),
        ({"validator_count": 0}, "validator"),
    ],
)
def test_plan_refuses_bad_arguments(arguments: dict[str, Any], message: str) -> None:
    settings: dict[str, Any] = {
        "validator_count": 4,
        "chain_id": 1,
        "committee": None,
        "threshold": None,
        "committee_size": 3,
        "allowed_accounts": (),
        "seed": "test",
    }
    with pytest.raises(ValueError, match=message):
        plan_network(**(settings | arguments))


def test_command_line_checks_and_refuses_to_overwrite(
    example_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--check", str(EXAMPLE_DIR)]) == 0
    assert main(["--out", str(example_copy), "--seed", EXAMPLE_SEED]) == 2
    assert "not empty" in capsys.readouterr().err
    (example_copy / "committee.json").write_text('{"members": [], "threshold": 1}')
    assert main(["--check", str(example_copy)]) == 1
    assert "members must be a non-empty list" in capsys.readouterr().err


# --- QBFT extraData -------------------------------------------------------------------------------


def test_extra_data_codec_matches_besu() -> None:
    validators = [bytes.fromhex(address) for address in BESU_QUICKSTART_VALIDATORS]
    assert encode_qbft_extra_data(validators) == BESU_QUICKSTART_EXTRA_DATA
    assert decode_qbft_extra_data(BESU_QUICKSTART_EXTRA_DATA) == validators


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([b"\x00" * 31, [b"\x11" * 20], [], 0, []], "vanity"),
        ([b"\x00" * 32, [b"\x11" * 19], [], 0, []], "20-byte"),
        ([b"\x00" * 32, [b"\x11" * 20], [b"\x22" * 20, b"\x01"], 0, []], "vote"),
        ([b"\x00" * 32, [b"\x11" * 20], b"", 0, []], "vote"),  # IBFT 2.0's empty vote
        ([b"\x00" * 32, [b"\x11" * 20], [], 1, []], "round"),
        ([b"\x00" * 32, [b"\x11" * 20], [], 0, [b"\x33" * 65]], "seals"),
        ([b"\x00" * 32, [b"\x11" * 20], [], 0], "5 items"),
    ],
)
def test_extra_data_decoder_rejects_what_is_not_qbft_genesis(
    items: list[Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        decode_qbft_extra_data(rlp.encode(items))


def test_extra_data_decoder_rejects_trailing_bytes() -> None:
    with pytest.raises(ValueError, match="RLP"):
        decode_qbft_extra_data(BESU_QUICKSTART_EXTRA_DATA + b"\x00")


# --- Tampering is caught --------------------------------------------------------------------------


def _edit_json(path: Path, edit: Callable[[Any], None]) -> None:
    document = _json(path)
    edit(document)
    path.write_text(json.dumps(document, indent=2))


def _edit_text(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _problems(network: Path) -> str:
    with pytest.raises(NetworkConfigError) as caught:
        validate_network(network)
    return "\n".join(caught.value.problems)


def test_validator_removed_from_extra_data_is_caught(example_copy: Path) -> None:
    def drop_last_validator(genesis: dict[str, Any]) -> None:
        validators = decode_qbft_extra_data(bytes.fromhex(genesis["extraData"][2:]))
        genesis["extraData"] = "0x" + encode_qbft_extra_data(validators[:-1]).hex()

    _edit_json(example_copy / "genesis.json", drop_last_validator)
    assert "do not match the validator keys" in _problems(example_copy)


def test_validator_added_to_extra_data_is_caught(example_copy: Path) -> None:
    def add_stranger(genesis: dict[str, Any]) -> None:
        validators = decode_qbft_extra_data(bytes.fromhex(genesis["extraData"][2:]))
        genesis["extraData"] = "0x" + encode_qbft_extra_data([*validators, b"\x99" * 20]).hex()

    _edit_json(example_copy / "genesis.json", add_stranger)
    assert "do not match the validator keys" in _problems(example_copy)


def test_swapped_key_files_are_caught(example_copy: Path) -> None:
    first, second = example_copy / "validator-1" / "key", example_copy / "validator-2" / "key"
    first_key, second_key = first.read_bytes(), second.read_bytes()
    first.write_bytes(second_key)
    second.write_bytes(first_key)
    problems = _problems(example_copy)
    assert "validator-1/key.pub: not the public key of validator-1/key" in problems
    assert "validator-2/enode: node id is not the public key of validator-2/key" in problems


def test_replaced_key_file_is_caught_against_extra_data(example_copy: Path) -> None:
    validator = example_copy / "validator-3"
    stranger = PrivateKey(b"\x07" * 32)
    (validator / "key").write_text(f"0x{stranger.to_bytes().hex()}\n")
    (validator / "key.pub").write_text(f"0x{stranger.public_key.to_bytes().hex()}\n")
    problems = _problems(example_copy)
    assert "do not match the validator keys" in problems
    assert "validator-3/enode: node id is not the public key" in problems


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda g: g["config"].update(chainId="20250"), "chainId must be a positive integer"),
        (lambda g: g["config"].update(cancunTime=1), "cancunTime must be 0"),
        (lambda g: g["config"].pop("londonBlock"), "londonBlock must be 0"),
        (lambda g: g["config"].update(zeroBaseFee=False), "zeroBaseFee must be true"),
        (lambda g: g["config"].pop("qbft"), "no qbft section"),
        (lambda g: g["config"]["qbft"].update(requesttimeoutseconds=1), "must exceed"),
        (lambda g: g["config"].update(clique={}), "other consensus sections"),
        (lambda g: g.update(mixHash="0x" + "00" * 32), "mixHash"),
        (lambda g: g.update(extraData=g["extraData"] + "00"), "extraData is not QBFT"),
        (lambda g: g.update(alloc={}), "is not funded"),
        (lambda g: g.pop("difficulty"), "missing keys ['difficulty']"),
    ],
)
def test_tampered_genesis_is_caught(
    example_copy: Path, edit: Callable[[dict[str, Any]], None], message: str
) -> None:
    _edit_json(example_copy / "genesis.json", edit)
    assert message in _problems(example_copy)


def test_bootnode_missing_from_the_allowlist_is_caught(example_copy: Path) -> None:
    second_enode = (example_copy / "validator-2" / "enode").read_text().strip()
    _edit_text(example_copy / "permissions_config.toml", f'  "{second_enode}",\n', "")
    problems = _problems(example_copy)
    assert "validator-1/config.toml: bootnode" in problems
    assert "is not in nodes-allowlist" in problems


def test_committee_member_missing_from_the_accounts_allowlist_is_caught(
    example_copy: Path,
) -> None:
    member = _json(example_copy / "committee.json")["members"][0]
    _edit_text(example_copy / "permissions_config.toml", f'  "{member.lower()}",\n', "")
    assert f"committee member {member} may not send" in _problems(example_copy)


@pytest.mark.parametrize("threshold", [0, 4, True, "2"])
def test_committee_threshold_outside_one_to_n_is_caught(
    example_copy: Path, threshold: object
) -> None:
    _edit_json(example_copy / "committee.json", lambda c: c.update(threshold=threshold))
    assert "threshold must be an integer in 1..3" in _problems(example_copy)


def test_committee_key_that_is_not_a_members_is_caught(example_copy: Path) -> None:
    (example_copy / "committee-keys" / "member-2.key").write_text("0x" + "07" * 32 + "\n")
    assert "keys do not belong to the committee members" in _problems(example_copy)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("rpc-http-port = 8546", "rpc-http-port = 8545", "port 8545 used twice"),
        ('genesis-file = "../genesis.json"', 'genesis-file = "../gone.json"', "genesis-file"),
        (
            "permissions-accounts-config-file-enabled = true",
            "permissions-accounts-config-file-enabled = false",
            "permissions-accounts-config-file-enabled must be true",
        ),
        ("min-gas-price = 0", "min-gas-price = 1000", "min-gas-price must be 0"),
        ('rpc-http-host = "127.0.0.1"', 'rpc-http-host = "0.0.0.0"', "rpc-http-host"),
        ('  "QBFT",\n', "", "rpc-http-api must include"),
        ("p2p-port = 30304", "p2p-port = 30399", "differ from the enode URL"),
        ("data-path", "data-path = = ", "cannot be read as TOML"),
    ],
)
def test_tampered_besu_config_is_caught(
    example_copy: Path, old: str, new: str, message: str
) -> None:
    _edit_text(example_copy / "validator-2" / "config.toml", old, new)
    problems = _problems(example_copy)
    assert message in problems
    assert "validator-2" in problems


# --- The network can take govledger's contracts --------------------------------------------------


def test_compiled_contracts_fit_the_network() -> None:
    genesis = _json(EXAMPLE_DIR / "genesis.json")
    assert (
        "contractSizeLimit" not in genesis["config"]
    )  # so EIP-170 applies, as on the embedded chain
    artifacts = sorted(ARTIFACTS_DIR.glob("*.json"))
    assert artifacts, "no compiled contracts in contracts/artifacts"
    for path in artifacts:
        artifact = _json(path)
        runtime = bytes.fromhex(artifact["deployedBytecode"].removeprefix("0x"))
        init = bytes.fromhex(artifact["bytecode"].removeprefix("0x"))
        assert 0 < len(runtime) <= MAX_RUNTIME_CODE, path.name
        assert 0 < len(init) <= MAX_INIT_CODE, path.name
        # Compiled for Cancun at most, and Cancun is active from genesis.
        assert artifact["settings"]["evmVersion"] in {"paris", "shanghai", "cancun"}, path.name
