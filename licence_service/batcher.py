"""The background batcher: seals open batches when full or old enough, and anchors them."""

from __future__ import annotations

import logging
import threading

from licence_service.service import LicenceService

_logger = logging.getLogger(__name__)


class Batcher:
    """A daemon thread calling :meth:`LicenceService.anchor_due` every ``interval_s`` (sooner
    when a batch fills up). :meth:`stop` anchors what is left, then ends the thread."""

    def __init__(self, service: LicenceService, interval_s: float) -> None:
        self._service = service
        self._interval_s = interval_s
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="licence-batcher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._service.batch_full.wait(self._interval_s)
            self._service.batch_full.clear()
            if self._stopping.is_set():
                break
            self._tick(everything=False)

    def _tick(self, *, everything: bool) -> None:
        try:
            self._service.anchor_due(everything=everything)
        except Exception:  # the chain may be down: keep the batches, try again next tick
            _logger.exception("anchoring pending licence batches failed; will retry")

    def stop(self) -> None:
        self._stopping.set()
        self._service.batch_full.set()
        self._thread.join()
        self._tick(everything=True)
