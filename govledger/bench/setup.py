"""The world the benchmarks start from, which the tests build too: department codes, and a
chain with its contracts deployed and departments registered through the local committee."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from stdnum.cn import uscc

from govledger.committee import committee_signers
from govledger.departments import register_department, set_log_operator
from govledger.deployment import init_chain, open_chain
from govledger.keystore import open_keystore
from govledger.settings import Settings
from ledger.contracts.values import Role


def department_code(prefix: str, serial: int) -> str:
    """A well-formed credit code: ``prefix``, then ``serial`` zero-padded to 17 characters,
    then the GB 32100 check character."""
    first17 = f"{prefix}{serial:0{17 - len(prefix)}d}"
    return first17 + uscc.calc_check_digit(first17)


def prepare_chain(
    settings: Settings,
    departments: Mapping[str, Sequence[Role]],
    *,
    name: Callable[[str], str] = str,
    committee_size: int | None = None,
    log_operator: str | None = None,
) -> list[str]:
    """Deploy the contracts if not yet done (as ``govledger chain init``, with a local
    committee of ``committee_size`` members, all needed to approve), register each of
    ``departments`` not yet registered under ``name(code)`` with its roles, and make
    ``log_operator`` a log operator if it is not. Returns the codes registered now."""
    keystore = open_keystore(settings)
    init_chain(settings, keystore, members=committee_size, threshold=committee_size)
    registered: list[str] = []
    with open_chain(settings) as chain:
        registries = chain.registries
        signers = committee_signers(keystore, registries)
        for code, roles in departments.items():
            if not registries.departments.is_registered(code):
                register_department(
                    registries, keystore, signers, code, name=name(code), roles=roles
                )
                registered.append(code)
        if log_operator is not None and not registries.audit.is_log_operator(log_operator):
            set_log_operator(registries, signers, log_operator)
    return registered
