"""The background worker: anchors the access log on chain and records consumed uses.

Each round first reconciles with the chain (segments and uses the chain has but the database
lacks are copied back, so nothing is sent twice), then anchors the entries committed before the
round as one segment and, every ``uses_record_interval_seconds``, records the uses counted since
with ``consumeUses``. docs/sharing-gateway.md ("The access log", "Use counting") has the rules.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from dataclasses import replace

from govledger.errors import ConfigurationError
from ledger.contracts import Registries
from ledger.exceptions import ContractRevert, OutOfGas
from sharing_gateway.domain.accesslog import segment_root
from sharing_gateway.domain.records import to_bytes32
from sharing_gateway.ports import StoredSegment
from sharing_gateway.service import Gateway

_logger = logging.getLogger(__name__)
# consumeUses takes about 40,000 gas; the permissioned chain's gas is free.
CONSUME_USES_GAS = 200_000


class Anchorer:
    def __init__(self, gateway: Gateway, operator_code: str) -> None:
        self.gateway = gateway
        self.operator_code = operator_code
        self.registries: Registries = gateway.registries
        self.log_id = to_bytes32(gateway.log_id)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._round_lock = threading.Lock()
        # Accounts this anchorer has sent from: their transactions still in the outbox hold
        # the next round until they are settled.
        self._senders: set[str] = set()

    # -- lifecycle --------------------------------------------------------------------------------

    def start(self) -> None:
        """Reconcile with the chain and anchor what is due (one round), then run a round every
        interval (again after :meth:`stop`). Refuses an operator that may not anchor."""
        if not self.registries.audit.is_log_operator(self.operator_code):
            raise ConfigurationError(
                f"the gateway operator {self.operator_code} is not a log operator, so it cannot "
                f"anchor the access log: the committee names it with `govledger audit operator "
                f"{self.operator_code}`"
            )
        self.run_once()
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="gateway-anchorer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.run_once()

    def _loop(self) -> None:
        settings = self.gateway.settings
        uses_recorded_at = round_started = time.monotonic()
        # Rounds start every interval, not an interval after the last one ended: an entry that
        # just missed a round then waits one interval and one round for its anchor, not two
        # rounds and an interval.
        while not self._stop.wait(
            max(0.0, round_started + settings.anchor_interval_seconds - time.monotonic())
        ):
            round_started = time.monotonic()
            due = round_started - uses_recorded_at >= settings.uses_record_interval_seconds
            try:
                self.run_once(record_uses=due)
            except Exception:  # keep anchoring: the next round retries what failed
                _logger.exception("anchoring round failed")
            if due:
                uses_recorded_at = time.monotonic()

    # -- one round --------------------------------------------------------------------------------

    def run_once(self, *, record_uses: bool = True) -> None:
        """Reconcile with the chain, then anchor every unanchored entry committed before this
        round and, with ``record_uses``, put counted uses on chain."""
        with self._round_lock:
            if not self._settle_own_transactions():
                return
            self._reconcile_segments()
            with self.gateway.log_store() as log:
                last_committed = log.last_seq()
            if last_committed is not None:
                while self._anchor_segment(last_committed):
                    pass
            if record_uses:
                self._reconcile_uses()
                self._record_uses()

    def _anchor_segment(self, last_committed: int) -> bool:
        """Anchor the next segment of entries up to ``last_committed``; False if none is left."""
        with self.gateway.log_store() as log:
            first = log.next_unanchored()
            hashes = log.entry_hashes(
                first, last_committed, limit=self.gateway.settings.anchor_max_entries
            )
        if not hashes:
            return False
        root = segment_root(hashes)
        operator = self.gateway.department_keys(self.operator_code).account
        self._senders.add(operator.address)
        written = self.registries.audit.anchor_segment(
            operator, self.log_id, first, first + len(hashes) - 1, root
        )
        with self.gateway.log_store() as log:
            log.add_segment(
                StoredSegment(
                    segment_index=written.value,
                    first_seq=first,
                    last_seq=first + len(hashes) - 1,
                    root=root.hex(),
                    tx_hash=written.receipt.tx_hash,
                    block_number=written.receipt.block_number,
                )
            )
        return True

    def _record_uses(self) -> None:
        with self.gateway.store() as store:
            pending = store.uses_to_record()
        by_provider: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
        for uses in pending:
            by_provider[uses.provider_code].append((uses.grant_id, uses.used, uses.chain_recorded))
        sharing = self.registries.sharing
        for provider, records in by_provider.items():
            account = self.gateway.department_keys(provider).account
            self._senders.add(account.address)
            # Explicit gas: a call that would revert (grant revoked meanwhile) is mined as a
            # failed receipt instead of failing the whole batch while estimating. Each record
            # names the count it was made at, so one sent twice (a lost receipt) is refused
            # by the chain instead of counted twice.
            calls = [
                replace(
                    sharing.call_of("consumeUses", grant_id, used - recorded, recorded),
                    gas=CONSUME_USES_GAS,
                )
                for grant_id, used, recorded in records
            ]
            receipts = sharing.ledger.transact_batch(account, calls)
            for (grant_id, used, recorded), receipt in zip(records, receipts, strict=True):
                if receipt.succeeded:
                    with self.gateway.store() as store:
                        store.set_chain_recorded(grant_id, used)
                else:
                    self._refused(grant_id, recorded, receipt.error)

    def _refused(self, grant_id: int, recorded: int, error: ContractRevert | None) -> None:
        """``consumeUses`` of ``grant_id`` failed: out of gas (the gas limit, not the grant:
        the row stays and the next round sends it again), out of step with the chain's count
        (take the chain's), or refused (revoked, expired, requester suspended or without its
        role): then the grant is blocked and releases nothing more (docs/sharing-gateway.md)."""
        if isinstance(error, OutOfGas):
            _logger.warning("the uses of grant %d are sent again next round: %s", grant_id, error)
            return
        chain_used = self.registries.sharing.get_grant(grant_id).used
        with self.gateway.store() as store:
            if chain_used != recorded:
                store.set_chain_recorded(grant_id, chain_used)
                return
            reason = str(error)[:500]
            _logger.error(
                "grant %d blocked: the chain refused to record its uses (%s); it releases "
                "nothing more",
                grant_id,
                reason,
            )
            store.block(grant_id, reason)

    # -- reconciling with the chain -----------------------------------------------------------

    def _settle_own_transactions(self) -> bool:
        """Settle this anchorer's transactions still in the outbox (mined, resent or failed);
        False while one is still in flight, as sending more could repeat what it does."""
        ledger = self.registries.audit.ledger
        if not any(row.sender in self._senders for row in ledger.outbox.pending()):
            return True
        report = ledger.reconcile()
        if report.settled:
            return True
        _logger.warning(
            "anchoring round skipped: %d transactions still in flight (%s)",
            len(report.still_pending),
            report.summary(),
        )
        return False

    def _reconcile_segments(self) -> None:
        """Copy the segments the chain has but the database lacks."""
        audit = self.registries.audit
        chain_log = audit.get_log(self.log_id)
        with self.gateway.log_store() as log:
            known = log.segment_count()
            if chain_log is not None and chain_log.segment_count > known:
                events = {
                    int(event.args["index"]): event
                    for event in audit.events("AuditSegmentAnchored", {"logId": self.log_id})
                }
                for index in range(known, chain_log.segment_count):
                    segment = audit.get_segment(self.log_id, index)
                    event = events[index]
                    log.add_segment(
                        StoredSegment(
                            segment_index=index,
                            first_seq=segment.first_seq,
                            last_seq=segment.last_seq,
                            root=segment.root.hex(),
                            tx_hash=event.tx_hash,
                            block_number=event.block_number,
                        )
                    )
                _logger.info("recovered %d anchored segments", chain_log.segment_count - known)

    def _reconcile_uses(self) -> None:
        """Raise each grant's ``chain_recorded`` to the chain's ``used``. Only before uses are
        recorded: it reads every grant with uses to record, too dear for every round."""
        with self.gateway.store() as store:
            for uses in store.uses_to_record(blocked_too=True):
                chain_used = self.registries.sharing.get_grant(uses.grant_id).used
                store.raise_chain_recorded(uses.grant_id, chain_used)
