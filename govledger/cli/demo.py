"""``govledger demo``: the e-licence life cycle that ``make run`` shows, on the embedded chain.

On a fresh or existing data dir: initialise the chain if needed, register an issuing
department through the governance committee, make its seal, issue a batch of licences anchored
as one Merkle root, present one licence with chosen fields (JSON and QR code written to the
data dir), verify it, show a tampered copy failing, suspend the licence and show the status
check failing, and reinstate it. Every run issues a new batch.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import typer

from govledger.bench.licences import register_issuer, sample_licence
from govledger.commands import command_platform, state
from govledger.errors import GovLedgerError
from licence_service.domain.presentation import presentation_qr
from licence_service.domain.verify import VerificationReport
from licence_service.plugin import build_service
from licence_service.service import LicenceRequest, LicenceService, Reason, StatusAction
from licence_service.settings import LicenceSettings

DEMO_DEPARTMENT = "11350100MB00000201"
DEMO_DEPARTMENT_NAME = "福州市市场监督管理局 (demo)"
DEMO_BATCH = 25
SHOWN_FIELDS = ("licence_name", "licence_number", "holder_name", "surface.经营项目")


def _step(number: int, text: str) -> None:
    typer.secho(f"[{number}/8] {text}", bold=True)


def _checks(report: VerificationReport) -> None:
    for check, result in report.checks().items():
        mark = typer.style("ok    ", fg="green") if result.ok else typer.style("FAILED", fg="red")
        typer.echo(f"      {check.value:<9} {mark} {result.message}")


def _seal(service: LicenceService) -> str:
    for stored in reversed(service.seals(DEMO_DEPARTMENT)):
        valid = stored.seal.info.property.valid_end > datetime.now(UTC) + timedelta(days=1)
        if stored.revoked_at is None and valid:
            return f"reusing seal {stored.seal.info.seal_id}"
    stored = service.create_seal(
        DEMO_DEPARTMENT,
        name="行政审批专用章",
        valid_end=datetime.now(UTC) + timedelta(days=3650),
    )
    return f"made seal {stored.seal.info.seal_id}, registered by tx {stored.tx_hash[:18]}…"


def demo(ctx: typer.Context) -> None:
    """Run the e-licence life cycle end to end on the embedded defaults (no servers needed)."""
    settings = state(ctx).settings
    out = settings.ensure_data_dir() / "demo"
    out.mkdir(mode=0o700, exist_ok=True)
    typer.secho(f"govledger demo in {settings.data_dir}", bold=True)

    _step(1, "chain and issuing department")
    created = register_issuer(settings, DEMO_DEPARTMENT, DEMO_DEPARTMENT_NAME)
    verb = "registered through the governance committee" if created else "already registered"
    typer.echo(f"      {DEMO_DEPARTMENT} {DEMO_DEPARTMENT_NAME}: {verb} (ISSUER, SEAL_ADMIN)")

    with command_platform(ctx) as context:
        service = build_service(context, LicenceSettings())
        _step(2, "electronic seal (GB/T 38540 style, SM2-signed, hash on chain)")
        typer.echo(f"      {_seal(service)}")

        _step(3, f"issue a batch of {DEMO_BATCH} licences, one SM2 seal signature each")
        requests = [
            LicenceRequest.model_validate(sample_licence(number)) for number in range(DEMO_BATCH)
        ]
        issued = service.issue_bulk(DEMO_DEPARTMENT, requests)
        batch = issued.batches[0]
        assert batch.root is not None
        assert batch.tx is not None
        typer.echo(f"      Merkle root {batch.root.hex()}")
        typer.echo(f"      anchored in block {batch.tx.block_number}, tx {batch.tx.tx_hash}")
        licence_id = issued.licence_ids[0]
        typer.echo(f"      first licence {licence_id}")
        _life_cycle(service, licence_id, out)
    typer.secho("demo complete", fg="green", bold=True)


def _life_cycle(service: LicenceService, licence_id: str, out: Path) -> None:
    """Steps 4-8: present, verify, tamper, suspend, reinstate."""
    _step(4, f"the holder presents {', '.join(SHOWN_FIELDS)} for 10 minutes")
    licence = service.licence(licence_id)
    presentation = service.present(licence, SHOWN_FIELDS, 600)
    presentation_file = out / "presentation.json"
    qr_file = out / "presentation-qr.png"
    presentation_file.write_bytes(presentation.canonical())
    qr = presentation_qr(presentation)
    qr_file.write_bytes(qr.png())
    kind = "the presentation itself" if qr.embedded else "a reference to it"
    typer.echo(f"      {presentation_file} ({len(presentation.canonical())} bytes)")
    typer.echo(f"      {qr_file} (QR version {qr.version}, holds {kind})")

    _step(5, "verify the presentation: four checks against the chain")
    report = service.verify(presentation_file.read_bytes())
    _checks(report)
    _expect(report.ok, "the genuine presentation did not verify")

    _step(6, "a tampered copy of the full document (holder name changed)")
    document: dict[str, Any] = licence.document.model_dump(mode="json")
    document["fields"]["holder_name"][-1] = "冒名顶替有限公司"
    (out / "tampered-licence.json").write_text(
        json.dumps(document, ensure_ascii=False), encoding="utf-8"
    )
    tampered = service.verify(document)
    _checks(tampered)
    _expect(not tampered.integrity.ok, "a tampered licence passed the integrity check")

    _step(7, "suspend the licence on chain: the status check fails")
    service.change_status(
        DEMO_DEPARTMENT, licence_id, StatusAction.SUSPEND, Reason(1, "demo inspection")
    )
    suspended = service.verify(presentation_file.read_bytes())
    _checks(suspended)
    _expect(not suspended.status.ok, "a suspended licence passed the status check")

    _step(8, "reinstate it: valid again")
    service.change_status(
        DEMO_DEPARTMENT, licence_id, StatusAction.REINSTATE, Reason(2, "inspection passed")
    )
    reinstated = service.verify(presentation_file.read_bytes())
    typer.echo(f"      {'all four checks ok' if reinstated.ok else 'NOT VALID'}")
    _expect(reinstated.ok, "the reinstated licence did not verify")


def _expect(condition: bool, failure: str) -> None:
    if not condition:
        raise GovLedgerError(f"demo check failed: {failure}")
