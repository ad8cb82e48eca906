"""Licence throughput end to end, beside the raw SM2 rates of the same run.

- ``issued_per_s``: a bulk issue through the licence service, timed from the raw JSON-shaped
  requests: validation, serial allocation, signing and sealing (threads), the Merkle tree,
  storage in the database (one transaction), and the batch's one anchoring transaction mined on
  the chain.
- ``verified_per_s``: the issued documents' JSON text through the four checks, on as many
  forked worker processes as threads, against one chain view (each batch's status changes read
  once, before the workers start).
- ``raw_sm2_sign_per_s`` / ``raw_sm2_verify_per_s``: bare SM2 signatures (over a document
  digest-sized message) and their verification, on the same threads, measured before the issue
  and again after the verification; the higher of the two is the reference, so a slow moment
  of the machine during one sample does not flatter the ratios.

All rates are wall-clock and measured in a temporary data dir on the embedded chain, so the
machine's other load counts against them.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from govledger.app import default_services
from govledger.bench.setup import prepare_chain
from govledger.platform import open_platform
from govledger.settings import Settings
from govledger.workers import forked_pool
from ledger.contracts.values import Role
from licence_service.adapters.chain import ChainLicenceView
from licence_service.domain.ports import LicenceChainView
from licence_service.domain.verify import verify
from licence_service.plugin import build_service
from licence_service.service import BulkIssue, LicenceRequest
from licence_service.settings import LicenceSettings
from sm_crypto import SM2PrivateKey

BENCH_DEPARTMENT = "11350100MB00000100"
BENCH_TYPE_CODE = "11100000000013338W001"
_MESSAGE = bytes(range(32))

Progress = Callable[[str, int, int], None]


def _quiet(_stage: str, _done: int, _total: int) -> None:
    """The default progress reporter: says nothing."""


def register_issuer(settings: Settings, code: str, name: str) -> bool:
    """Initialise the chain if needed and register ``code`` as an ISSUER and SEAL_ADMIN
    through the (local) governance committee. Returns False if it already was."""
    roles = {code: [Role.ISSUER, Role.SEAL_ADMIN]}
    return bool(prepare_chain(settings, roles, name=lambda _: name))


def sample_licence(number: int) -> dict[str, Any]:
    """A realistic licence request (a food business licence) numbered ``number``."""
    return {
        "licence_name": "食品经营许可证",
        "licence_number": f"JY1350100{number:07d}",
        "type_code": BENCH_TYPE_CODE,
        "issue_date": "2026-03-01",
        "valid_from": "2026-03-01",
        "valid_to": "2031-02-28",
        "holder_name": f"福州某某餐饮管理有限公司第{number}分店",
        "holder_id_type": "111",
        "holder_id_number": "11010519491231002X",
        "surface": {
            "经营场所": "福州市鼓楼区五四路1号",
            "主体业态": "餐饮服务经营者",
            "经营项目": "热食类食品制售",
            "投诉举报电话": 12315,
        },
    }


def _threaded(work: Callable[[Sequence[Any]], object], items: Sequence[Any], threads: int) -> None:
    size = max(1, -(-len(items) // (threads * 4)))
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(work, chunks))


def _rate(count: int, action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return count / (time.perf_counter() - start)


def raw_sm2_rates(count: int, threads: int) -> tuple[float, float]:
    """(signatures per second, verifications per second) on ``threads`` threads."""
    key = SM2PrivateKey.generate()
    public = key.public_key()
    signature = key.sign(_MESSAGE)

    def sign_all(chunk: Sequence[int]) -> None:
        for _ in chunk:
            key.sign(_MESSAGE)

    def verify_all(chunk: Sequence[int]) -> None:
        for _ in chunk:
            public.verify(signature, _MESSAGE)

    jobs = range(count)
    signs = _rate(count, lambda: _threaded(sign_all, jobs, threads))
    verifies = _rate(count, lambda: _threaded(verify_all, jobs, threads))
    return signs, verifies


# A verifying worker process's documents and chain view, set once by _start_verifier.
_verifier_state: list[tuple[Sequence[str], LicenceChainView]] = []
_VERIFY_CHUNK = 1000


def _start_verifier(texts: Sequence[str], view: LicenceChainView) -> None:
    _verifier_state.append((texts, view))


def _verify_range(start: int, stop: int) -> int:
    texts, view = _verifier_state[0]
    return sum(not verify(text, view).ok for text in texts[start:stop])


def verify_texts(
    texts: Sequence[str], view: LicenceChainView, processes: int, progress: Progress = _quiet
) -> list[int]:
    """Verify every text on ``processes`` forked worker processes (each verification holds
    the GIL for its parsing and hashing, so threads would take turns); returns how many failed
    per chunk of documents. ``view`` must already hold every answer the documents need (a
    forked worker must not reach the chain itself): its batch's statuses prefetched, and the
    department, seal and batch answers read by one verification beforehand."""
    starts = range(0, len(texts), _VERIFY_CHUNK)
    stops = [min(start + _VERIFY_CHUNK, len(texts)) for start in starts]
    failed: list[int] = []
    with forked_pool(processes, _start_verifier, texts, view) as pool:
        for stop, failures in zip(stops, pool.map(_verify_range, starts, stops), strict=True):
            failed.append(failures)
            progress("verify", stop, len(texts))
    return [failures for failures in failed if failures]


@dataclass(frozen=True)
class LicenceBenchmark:
    count: int
    threads: int
    issued_per_s: float
    verified_per_s: float
    raw_sm2_sign_per_s: float
    raw_sm2_verify_per_s: float
    all_verified: bool

    def report(self) -> dict[str, object]:
        return {
            "count": self.count,
            "threads": self.threads,
            "issued_per_s": round(self.issued_per_s, 1),
            "verified_per_s": round(self.verified_per_s, 1),
            "raw_sm2_sign_per_s": round(self.raw_sm2_sign_per_s, 1),
            "raw_sm2_verify_per_s": round(self.raw_sm2_verify_per_s, 1),
            "issue_vs_raw_sign": round(self.issued_per_s / self.raw_sm2_sign_per_s, 2),
            "verify_vs_raw_verify": round(self.verified_per_s / self.raw_sm2_verify_per_s, 2),
            "all_verified": self.all_verified,
        }


def run(count: int, *, threads: int = 2, progress: Progress = _quiet) -> LicenceBenchmark:
    """Issue ``count`` licences in one bulk call and verify them all, in a temporary data dir."""
    with tempfile.TemporaryDirectory(prefix="govledger-bench-") as directory:
        settings = Settings(data_dir=Path(directory), environment="test")
        progress("setup", 0, 1)
        register_issuer(settings, BENCH_DEPARTMENT, "基准测试市场监督管理局")
        licence_settings = LicenceSettings(
            sign_threads=threads, bulk_batch_size=max(count, 1), bulk_max_licences=max(count, 1)
        )
        with open_platform(settings, default_services()) as context:
            service = build_service(context, licence_settings)
            service.create_seal(
                BENCH_DEPARTMENT,
                name="基准测试专用章",
                valid_end=datetime.now(UTC) + timedelta(days=365),
            )
            progress("setup", 1, 1)
            sample = min(count, 4000)
            progress("raw SM2", 0, 1)
            raw_sign, raw_verify = raw_sm2_rates(sample, threads)
            progress("raw SM2", 1, 1)

            bodies = [sample_licence(number) for number in range(count)]
            issued: list[BulkIssue] = []

            def issue() -> None:
                requests = [LicenceRequest.model_validate(body) for body in bodies]
                issued.append(
                    service.issue_bulk(
                        BENCH_DEPARTMENT,
                        requests,
                        progress=lambda done: progress("issue", done, count),
                    )
                )

            progress("issue", 0, count)
            issued_per_s = _rate(count, issue)
            progress("issue", count, count)

            (result,) = issued
            view = ChainLicenceView(context.chain.registries)
            texts: list[str] = []
            for batch in result.batches:
                texts.extend(
                    licence.document.model_dump_json()
                    for licence in service.batch_licences(batch.batch_id)
                )
                assert batch.root is not None
                view.prefetch_statuses(batch.root)
            verify(texts[0], view)  # fills the view's department, seal and batch answers
            failures: list[int] = []

            def verify_all() -> None:
                failures.extend(verify_texts(texts, view, threads, progress))

            progress("verify", 0, count)
            verified_per_s = _rate(count, verify_all)
            progress("raw SM2 again", 0, 1)
            raw_sign_after, raw_verify_after = raw_sm2_rates(sample, threads)
            progress("raw SM2 again", 1, 1)
    return LicenceBenchmark(
        count=count,
        threads=threads,
        issued_per_s=issued_per_s,
        verified_per_s=verified_per_s,
        raw_sm2_sign_per_s=max(raw_sign, raw_sign_after),
        raw_sm2_verify_per_s=max(raw_verify, raw_verify_after),
        all_verified=not failures and len(texts) == count == len(result.licence_ids),
    )


def table(result: LicenceBenchmark) -> str:
    report = result.report()
    lines = [
        f"licences: {result.count}, threads: {result.threads}",
        f"  issued (validated, signed, sealed, stored, anchored)  {report['issued_per_s']:>10,}/s"
        f"   ({report['issue_vs_raw_sign']}x raw SM2 sign {report['raw_sm2_sign_per_s']:,}/s)",
        f"  verified (four checks, from JSON text)                {report['verified_per_s']:>10,}/s"
        f"   ({report['verify_vs_raw_verify']}x raw SM2 verify "
        f"{report['raw_sm2_verify_per_s']:,}/s)",
        f"  every licence verified: {result.all_verified}",
    ]
    return "\n".join(lines)
