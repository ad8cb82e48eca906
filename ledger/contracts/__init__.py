"""Typed wrappers of the govledger contracts: Python values in, Python values out.

:class:`Registries` wraps the six contracts of a deployment. The plain values (enums,
dataclasses, the code conversion; no web3) are in :mod:`ledger.contracts.values`, what every
wrapper shares in :mod:`ledger.contracts.base`, and each wrapper in the module of its contract.
The conventions (codes, hashes, writes, governance actions) are in docs/ledger.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from ledger.client import Ledger
from ledger.contracts.audit_anchors import AuditAnchors
from ledger.contracts.base import ContractWrapper
from ledger.contracts.data_sharing import DataSharing
from ledger.contracts.department_registry import DepartmentRegistry
from ledger.contracts.governance import Governance
from ledger.contracts.licence_registry import LicenceRegistry
from ledger.contracts.seal_registry import SealRegistry
from ledger.deploy import DeploymentManifest

W = TypeVar("W", bound=ContractWrapper)


@dataclass(frozen=True)
class Registries:
    """The six contracts of one deployment, wrapped."""

    governance: Governance
    departments: DepartmentRegistry
    licences: LicenceRegistry
    seals: SealRegistry
    sharing: DataSharing
    audit: AuditAnchors

    @classmethod
    def from_manifest(cls, ledger: Ledger, manifest: DeploymentManifest) -> Registries:
        """Wrap the contracts of ``manifest`` (verify it with ``load_manifest`` first)."""

        def wrap(wrapper: type[W]) -> W:
            entry = manifest.contracts[wrapper.contract_name]
            return wrapper(ledger, entry.address, deploy_block=entry.deploy_block)

        return cls(
            governance=wrap(Governance),
            departments=wrap(DepartmentRegistry),
            licences=wrap(LicenceRegistry),
            seals=wrap(SealRegistry),
            sharing=wrap(DataSharing),
            audit=wrap(AuditAnchors),
        )
