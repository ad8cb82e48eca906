"""The chain-backed department directory and the platform's department administration, on a
real embedded chain initialised the way ``govledger chain init`` does it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from govledger.auth.directory import DepartmentDirectory
from govledger.bench.setup import department_code
from govledger.committee import approve_proposal, committee_signers, submit_action
from govledger.department_keys import load_department_keys
from govledger.departments import (
    register_department,
    reinstate_department,
    rekey_department,
    set_department_roles,
    suspend_department,
)
from govledger.deployment import ChainContext, Committee, init_chain, open_chain
from govledger.directory import ChainDepartmentDirectory, check_uscc
from govledger.errors import Conflict, Forbidden, InvalidInput, NotFound
from govledger.keystore import KeyPair, Keystore, open_keystore
from govledger.settings import Settings
from ledger import revert_error_class
from ledger.contracts.values import Department, Role
from sm_crypto import SM2PublicKey

# Published unified social credit codes: the sample code commonly quoted with GB 32100-2015
# (91350100M000100Y43) and codes of enterprises as shown on their public business licences. Their
# check characters were issued by the registration authorities, not computed by this project; a
# wrong weight table or alphabet would not reproduce all five.
PUBLISHED_CODES = [
    "91350100M000100Y43",
    "91110000600037341L",
    "91440300708461136T",
    "91330100799655058B",
    "9111000071093123XX",
]


def make_code(serial: int) -> str:
    """A well-formed code (check character computed) for test department ``serial``."""
    return department_code("11350000", serial)


@dataclass
class Platform:
    settings: Settings
    keystore: Keystore
    chain: ChainContext
    signers: list[KeyPair]


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("directory"))
    keystore = open_keystore(settings)
    init_chain(settings, keystore)
    with open_chain(settings) as chain:
        yield Platform(settings, keystore, chain, committee_signers(keystore, chain.registries))


# -- the code ------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", PUBLISHED_CODES)
def test_published_codes_are_valid(code: str) -> None:
    assert check_uscc(code) == code


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y44",  # wrong check character
        "91350100M000100Y4",  # 17 characters
        "91350100M000100Y433",  # 19 characters
        "91350100I000100Y43",  # I is not in the alphabet
        "91350100m000100y43",  # lower case
    ],
)
def test_malformed_codes_are_refused(code: str) -> None:
    with pytest.raises(InvalidInput):
        check_uscc(code)


# -- the directory -------------------------------------------------------------------------------


def test_directory_reads_what_governance_registered(platform: Platform) -> None:
    registries = platform.chain.registries
    code = make_code(1)
    keys, outcome = register_department(
        registries,
        platform.keystore,
        platform.signers,
        code,
        name="福州市市场监督管理局",
        roles=[Role.ISSUER, Role.VERIFIER],
    )
    assert outcome.executed

    directory: DepartmentDirectory = ChainDepartmentDirectory(registries)
    record = directory.get(code)

    assert record is not None
    assert (record.code, record.name, record.roles, record.active) == (
        code,
        "福州市市场监督管理局",
        frozenset({"ISSUER", "VERIFIER"}),
        True,
    )
    # The key is usable as sign-in uses it: it verifies what the keystore's key signs.
    assert record.sm2_public_key == keys.sm2.public_key().to_bytes()
    SM2PublicKey.from_bytes(record.sm2_public_key).verify(keys.sm2.sign(b"challenge"), b"challenge")


def test_suspension_and_reinstatement_show_at_once(platform: Platform) -> None:
    registries = platform.chain.registries
    directory = ChainDepartmentDirectory(registries)
    code = make_code(2)
    register_department(
        registries, platform.keystore, platform.signers, code, name="测试局", roles=[]
    )

    before = directory.get(code)  # now cached
    assert before is not None
    assert before.active

    suspend_department(registries, platform.signers, code, 12)
    record = directory.get(code)
    assert record is not None
    assert not record.active
    with pytest.raises(Conflict):
        suspend_department(registries, platform.signers, code, 12)

    reinstate_department(registries, platform.signers, code, 13)
    reinstated = directory.get(code)
    assert reinstated is not None
    assert reinstated.active


def test_lookups_read_the_registry_only_after_a_block_naming_the_department(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    registries = platform.chain.registries
    first, second = make_code(7), make_code(8)
    for code in (first, second):
        register_department(
            registries, platform.keystore, platform.signers, code, name="测试局", roles=[]
        )
    reads: list[str] = []
    find = registries.departments.find_department

    def counted(code: str) -> Department | None:
        reads.append(code)
        return find(code)

    monkeypatch.setattr(registries.departments, "find_department", counted)
    directory = ChainDepartmentDirectory(registries)
    unknown = make_code(997)
    for _ in range(3):
        assert directory.get(first) is not None
        assert directory.get(second) is not None
        assert directory.get(unknown) is None
    assert reads == [first, second, unknown]

    # A block whose events name `first` only: `first` is read again, `second` is not.
    suspend_department(registries, platform.signers, first, 12)
    reads.clear()  # suspend_department looks the department up itself
    record = directory.get(first)
    assert record is not None
    assert not record.active
    assert directory.get(second) is not None
    assert reads == [first]

    # A department registered after a lookup said "unknown" is found by the next one.
    register_department(
        registries, platform.keystore, platform.signers, unknown, name="新局", roles=[]
    )
    assert directory.get(unknown) is not None


def test_unknown_and_malformed_codes_are_not_in_the_directory(platform: Platform) -> None:
    directory = ChainDepartmentDirectory(platform.chain.registries)
    assert directory.get(make_code(999)) is None
    assert directory.get("D-EXAMPLE") is None  # a sign-in code that is not a USCC


def test_a_flood_of_unknown_codes_keeps_the_directory_within_its_bound(
    platform: Platform,
) -> None:
    directory = ChainDepartmentDirectory(platform.chain.registries, cache_entries=8)
    for serial in range(900_000, 900_040):
        assert directory.get(make_code(serial)) is None
    assert len(directory._cache._values) == 8  # the misses remembered, no more than the bound
    assert directory.get(make_code(900_000)) is None  # a forgotten miss is read again


def test_roles_and_keys_change_through_governance(platform: Platform) -> None:
    registries = platform.chain.registries
    directory = ChainDepartmentDirectory(registries)
    code = make_code(3)
    first, _ = register_department(
        registries, platform.keystore, platform.signers, code, name="测试局", roles=[Role.ISSUER]
    )

    changes = set_department_roles(registries, platform.signers, code, [Role.AUDITOR])
    assert [outcome.executed for _, outcome in changes] == [True, True]
    record = directory.get(code)
    assert record is not None
    assert record.roles == {"AUDITOR"}

    second, outcome = rekey_department(registries, platform.keystore, platform.signers, code)
    assert outcome.executed
    assert second.name == f"{code}.v2"
    record = directory.get(code)
    assert record is not None
    assert record.sm2_public_key == second.sm2.public_key().to_bytes()

    keys = load_department_keys(registries, platform.keystore, code)
    assert keys.key_version == 2
    assert keys.account.address == first.address  # the chain account stays with version 1's entry
    assert keys.sm2 == second.sm2


def test_registering_twice_or_administering_the_unknown_is_refused(platform: Platform) -> None:
    registries = platform.chain.registries
    code = make_code(4)
    register_department(registries, platform.keystore, platform.signers, code, name="局", roles=[])
    count = registries.governance.proposal_count()

    with pytest.raises(Conflict):
        register_department(
            registries, platform.keystore, platform.signers, code, name="局", roles=[]
        )
    with pytest.raises(NotFound):
        suspend_department(registries, platform.signers, make_code(998), 1)
    with pytest.raises(InvalidInput):
        register_department(
            registries,
            platform.keystore,
            platform.signers,
            "91350100M000100Y44",
            name="局",
            roles=[],
        )
    assert registries.governance.proposal_count() == count


def test_one_member_proposes_and_another_approves(platform: Platform) -> None:
    registries = platform.chain.registries
    code = make_code(5)
    (first,) = committee_signers(platform.keystore, registries, "committee-1")
    (second,) = committee_signers(platform.keystore, registries, "committee-2")

    _, outcome = register_department(
        registries, platform.keystore, [first], code, name="待批局", roles=[]
    )
    assert (outcome.approvals, outcome.threshold, outcome.executed) == (1, 2, False)
    assert ChainDepartmentDirectory(registries).get(code) is None

    approved = approve_proposal(registries, second, outcome.proposal_id)
    assert approved.executed
    assert ChainDepartmentDirectory(registries).get(code) is not None


def test_a_non_member_cannot_act_for_the_committee(platform: Platform) -> None:
    registries = platform.chain.registries
    with pytest.raises(Forbidden):
        committee_signers(platform.keystore, registries, "deployer")
    # Even handed over directly, a non-member's proposal is refused on chain.
    outsider = platform.keystore.load("deployer")
    code = make_code(6)
    action = registries.departments.encode_suspend(code, 1)
    with pytest.raises(revert_error_class("GovernanceNotMember")):
        submit_action(registries, [outsider], action)


def test_committee_files(tmp_path: Path) -> None:
    path = tmp_path / "committee.json"
    path.write_text(
        '{"members": ["0xd40425cfd7e6d872c7c3cc7b70d04400ba94c40e",'
        ' "0x78c1F43f333Cba40227c440DD843290Ee899B3d0"], "threshold": 2}'
    )
    committee = Committee.from_file(path)
    assert committee.members[0] == "0xd40425cFd7E6D872C7c3CC7b70d04400bA94c40e"
    assert committee.threshold == 2

    path.write_text('{"members": ["0xd40425cfd7e6d872c7c3cc7b70d04400ba94c40e"], "threshold": 2}')
    with pytest.raises(InvalidInput, match="threshold"):
        Committee.from_file(path)
    path.write_text('{"members": ["not-an-address"], "threshold": 1}')
    with pytest.raises(InvalidInput, match="addresses"):
        Committee.from_file(path)
