"""Gas budgets: a function that suddenly costs much more than documented fails here.

Gas is free on the permissioned chain, but it still bounds block capacity (and so throughput).
The budgets are the figures in docs/contracts.md plus about 10 %; to see the measured values run
``.venv/bin/python -m pytest tests/contracts/test_gas.py -s``.
"""

from __future__ import annotations

from web3 import Web3
from web3.types import TxReceipt

from tests.contracts.chains import Chain, calldata
from tests.contracts.deployment import (
    AUDITOR,
    DATA_PROVIDER,
    DATA_REQUESTER,
    ISSUER,
    SEAL_ADMIN,
    SM2_KEYS,
    Deployment,
    random_hash,
)

BUDGETS = {
    "Governance.propose(registerDepartment)": 625_000,
    "Governance.approve + registerDepartment": 490_000,
    "Governance.approve + rotatePublicKey": 235_000,
    "Governance.approve + grantRole": 141_000,
    "Governance.approve + suspendDepartment": 119_000,
    "Governance.cancel": 39_000,
    "LicenceRegistry.anchorBatch": 87_000,
    "LicenceRegistry.suspendLicence": 76_000,
    "LicenceRegistry.reinstateLicence": 57_000,
    "LicenceRegistry.revokeLicence": 76_000,
    "LicenceRegistry.supersedeLicence": 132_000,
    "SealRegistry.registerSeal": 217_000,
    "SealRegistry.revokeSeal": 71_000,
    "DataSharing.registerDataset": 137_000,
    "DataSharing.publishVersion": 121_000,
    "DataSharing.requestAccess(conditional)": 348_000,
    "DataSharing.approveRequest": 83_000,
    "DataSharing.consumeUses": 62_000,
    "DataSharing.revokeGrant": 53_000,
    "DataSharing.requestAccess(unconditional)": 335_000,
    "DataSharing.rejectRequest": 53_000,
    "Governance.approve + grantLogOperator": 135_000,
    "AuditAnchors.anchorSegment(first)": 161_000,
    "AuditAnchors.anchorSegment(next)": 120_000,
}


def test_gas_stays_within_budget(chain: Chain, deployment: Deployment) -> None:
    measured: dict[str, int] = {}

    def record(label: str, receipt: TxReceipt) -> None:
        measured[label] = receipt["gasUsed"]

    # A department with three roles (one account), registered through the committee.
    account = chain.new_account()
    code = deployment.next_code()
    register = deployment.departments.functions.registerDepartment(
        code,
        "某市市场监督管理局",
        SM2_KEYS["K1"],
        [account.address],
        [ISSUER, SEAL_ADMIN, DATA_PROVIDER],
    )
    data = calldata(register)
    governance = deployment.governance.functions
    record(
        "Governance.propose(registerDepartment)",
        chain.send(
            deployment.committee[0],
            governance.propose(deployment.departments.address, data, Web3.keccak(data)),
        ),
    )
    record(
        "Governance.approve + registerDepartment",
        chain.send(deployment.committee[1], governance.approve(governance.proposalCount().call())),
    )
    registry = deployment.departments.functions
    record(
        "Governance.approve + rotatePublicKey",
        deployment.govern(registry.rotatePublicKey(code, SM2_KEYS["K2"])),
    )
    record("Governance.approve + grantRole", deployment.govern(registry.grantRole(code, AUDITOR)))
    record(
        "Governance.approve + suspendDepartment",
        deployment.govern(registry.suspendDepartment(code, 1)),
    )
    deployment.govern(registry.reinstateDepartment(code, 1))
    withdrawn = deployment.propose(registry.suspendDepartment(code, 2))
    record("Governance.cancel", chain.send(deployment.committee[0], governance.cancel(withdrawn)))
    requester = deployment.add_department(DATA_REQUESTER)

    licences = deployment.licences.functions
    root, leaf = random_hash(), random_hash()
    record("LicenceRegistry.anchorBatch", chain.send(account, licences.anchorBatch(root, 1000)))
    record(
        "LicenceRegistry.suspendLicence",
        chain.send(account, licences.suspendLicence(root, leaf, 1)),
    )
    record(
        "LicenceRegistry.reinstateLicence",
        chain.send(account, licences.reinstateLicence(root, leaf, 1)),
    )
    record(
        "LicenceRegistry.revokeLicence",
        chain.send(account, licences.revokeLicence(root, random_hash(), 1)),
    )
    record(
        "LicenceRegistry.supersedeLicence",
        chain.send(account, licences.supersedeLicence(root, leaf, root, random_hash(), 1)),
    )

    seals, seal_id = deployment.seals.functions, random_hash()
    record(
        "SealRegistry.registerSeal",
        chain.send(account, seals.registerSeal(seal_id, [random_hash(), random_hash()], 0, 2**40)),
    )
    record("SealRegistry.revokeSeal", chain.send(account, seals.revokeSeal(seal_id, 1)))

    sharing, conditional, unconditional = deployment.sharing.functions, random_hash(), random_hash()
    record(
        "DataSharing.registerDataset",
        chain.send(account, sharing.registerDataset(conditional, 1, random_hash())),
    )
    chain.send(account, sharing.registerDataset(unconditional, 0, random_hash()))
    record(
        "DataSharing.publishVersion",
        chain.send(account, sharing.publishVersion(conditional, random_hash(), random_hash())),
    )
    fields, expires_at = [random_hash() for _ in range(5)], chain.latest_timestamp() + 10**6
    request = sharing.requestAccess(conditional, fields, random_hash(), 1, expires_at, 100)
    record("DataSharing.requestAccess(conditional)", chain.send(requester.account, request))
    grant_id = sharing.grantCount().call()
    record(
        "DataSharing.approveRequest",
        chain.send(account, sharing.approveRequest(grant_id, fields[:3], expires_at, 50)),
    )
    record("DataSharing.consumeUses", chain.send(account, sharing.consumeUses(grant_id, 1, 0)))
    record("DataSharing.revokeGrant", chain.send(account, sharing.revokeGrant(grant_id, 1)))
    auto = sharing.requestAccess(unconditional, fields, random_hash(), 1, expires_at, 100)
    record("DataSharing.requestAccess(unconditional)", chain.send(requester.account, auto))
    chain.send(requester.account, request)
    record(
        "DataSharing.rejectRequest",
        chain.send(account, sharing.rejectRequest(sharing.grantCount().call(), 1)),
    )

    audit, log_id = deployment.audit.functions, random_hash()
    record(
        "Governance.approve + grantLogOperator",
        deployment.govern(audit.grantLogOperator(code)),
    )
    record(
        "AuditAnchors.anchorSegment(first)",
        chain.send(account, audit.anchorSegment(log_id, 0, 999, random_hash())),
    )
    record(
        "AuditAnchors.anchorSegment(next)",
        chain.send(account, audit.anchorSegment(log_id, 1000, 1999, random_hash())),
    )

    for label, gas in measured.items():
        print(f"{chain.name:10} {label:45} {gas:>9,}")
    assert measured.keys() == BUDGETS.keys()
    over = {label: gas for label, gas in measured.items() if gas > BUDGETS[label]}
    assert not over, f"over budget: {over}"
