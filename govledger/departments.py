"""Department administration through the governance committee.

:func:`register_department` creates a department's keys and has the committee register it;
:func:`rekey_department`, :func:`set_department_roles`, :func:`suspend_department` and
:func:`reinstate_department` change it the same way, and :func:`set_log_operator` names it a log
operator (it may then anchor an access log).
"""

from __future__ import annotations

from collections.abc import Sequence

from govledger.committee import ProposalOutcome, submit_action
from govledger.department_keys import department_key_name, registered_department
from govledger.directory import check_uscc
from govledger.errors import Conflict, InvalidInput
from govledger.keystore import KeyPair, Keystore
from ledger.contracts import Registries
from ledger.contracts.values import Action, Role


def register_department(
    registries: Registries,
    keystore: Keystore,
    signers: Sequence[KeyPair],
    code: str,
    *,
    name: str,
    roles: Sequence[Role],
) -> tuple[KeyPair, ProposalOutcome]:
    """Create ``code``'s keys (or reuse those of an earlier attempt) and propose its
    registration with them: its SM2 public key and chain account, and ``roles``."""
    check_uscc(code)
    if not name.strip():
        raise InvalidInput("a department needs a name")
    if registries.departments.is_registered(code):
        raise Conflict(f"department {code} is already registered")
    keys = keystore.load_or_create(department_key_name(code))
    action = registries.departments.encode_register(
        code, name, keys.sm2.public_key().to_bytes(), [keys.address], roles
    )
    return keys, submit_action(registries, signers, action)


def rekey_department(
    registries: Registries, keystore: Keystore, signers: Sequence[KeyPair], code: str
) -> tuple[KeyPair, ProposalOutcome]:
    """Create the department's next SM2 key and propose installing it."""
    department = registered_department(registries, code)
    keys = keystore.load_or_create(department_key_name(code, department.key_version + 1))
    action = registries.departments.encode_rekey(code, keys.sm2.public_key().to_bytes())
    return keys, submit_action(registries, signers, action)


def set_department_roles(
    registries: Registries, signers: Sequence[KeyPair], code: str, roles: Sequence[Role]
) -> list[tuple[Action, ProposalOutcome]]:
    """Propose the grants and revocations that give ``code`` exactly ``roles``."""
    department = registered_department(registries, code)
    actions = registries.departments.encode_set_roles(code, department.roles, frozenset(roles))
    return [(action, submit_action(registries, signers, action)) for action in actions]


def suspend_department(
    registries: Registries, signers: Sequence[KeyPair], code: str, reason_code: int
) -> ProposalOutcome:
    department = registered_department(registries, code)
    if not department.active:
        raise Conflict(f"department {code} is already suspended")
    return submit_action(
        registries, signers, registries.departments.encode_suspend(code, reason_code)
    )


def reinstate_department(
    registries: Registries, signers: Sequence[KeyPair], code: str, reason_code: int
) -> ProposalOutcome:
    department = registered_department(registries, code)
    if department.active:
        raise Conflict(f"department {code} is not suspended")
    return submit_action(
        registries, signers, registries.departments.encode_reinstate(code, reason_code)
    )


def set_log_operator(
    registries: Registries, signers: Sequence[KeyPair], code: str, *, operator: bool = True
) -> ProposalOutcome:
    """Propose making ``code`` a log operator of ``AuditAnchors`` (the only departments that
    may anchor, and so claim, an access log), or, with ``operator=False``, no longer one."""
    registered_department(registries, code)
    audit = registries.audit
    if audit.is_log_operator(code) == operator:
        raise Conflict(f"department {code} {'is already' if operator else 'is not'} a log operator")
    action = (
        audit.encode_grant_log_operator(code)
        if operator
        else audit.encode_revoke_log_operator(code)
    )
    return submit_action(registries, signers, action)
