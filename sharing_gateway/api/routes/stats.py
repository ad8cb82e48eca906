"""``/v1/stats/sharing``: releases and refusals by reason, requests answered and overdue, for
auditors; counted from the database and checked against the chain."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import func, select

from ledger.contracts import GrantStatus
from sharing_gateway.api.deps import Auditor, GatewayDep
from sharing_gateway.models import AuditEntryRow, RequestRow
from sharing_gateway.schemas import OutcomeCountPublic, SharingStatisticsPublic

router = APIRouter(prefix="/v1/stats", tags=["stats"])


@router.get("/sharing", response_model=SharingStatisticsPublic, operation_id="stats-sharing")
def sharing_statistics(_: Auditor, gateway: GatewayDep) -> SharingStatisticsPublic:
    """Releases by outcome and reason (the access log), requests by status and how many are
    overdue (status from the chain); ``disagreements`` names what the chain does not confirm:
    requests the chain does not know of, or more uses on chain than releases logged."""
    with gateway.session_factory() as session:
        releases = session.execute(
            select(AuditEntryRow.outcome, AuditEntryRow.code, func.count())
            .where(AuditEntryRow.action == "release")
            .group_by(AuditEntryRow.outcome, AuditEntryRow.code)
            .order_by(AuditEntryRow.outcome, AuditEntryRow.code)
        ).all()
        requests = list(session.scalars(select(RequestRow)))
    gateway.view.sync()
    by_status: dict[str, int] = {}
    overdue = used_on_chain = 0
    disagreements = []
    for row in requests:
        grant = gateway.view.grant(row.grant_id)
        if grant is None:
            disagreements.append(f"request {row.grant_id} is in the database, not on chain")
            continue
        name = grant.status.name.lower()
        by_status[name] = by_status.get(name, 0) + 1
        overdue += int(gateway.is_overdue(row, grant.status))
        used_on_chain += grant.used
    released = sum(count for outcome, _, count in releases if outcome == "released")
    if used_on_chain > released:
        disagreements.append(
            f"the chain records {used_on_chain} uses of grants, the log {released} releases"
        )
    return SharingStatisticsPublic(
        releases=[OutcomeCountPublic(outcome=o, code=c, count=n) for o, c, n in releases],
        requests=by_status,
        answered=sum(
            n for status, n in by_status.items() if status != GrantStatus.PENDING.name.lower()
        ),
        overdue=overdue,
        uses_on_chain=used_on_chain,
        disagreements=disagreements,
    )
