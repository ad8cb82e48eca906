"""Throughput of the licence domain, measured, never asserted.

    python -m tests.licence_service.domain.bench_domain [licences]

Prints raw SM2 sign and verify rates beside batch issuance (1 and 2 threads), document and
presentation verification, and the QR code a presentation from the batch needs. Each line gives
the wall-clock rate and the CPU time per operation (all threads and worker processes): on a
shared machine the wall-clock rate drops with the load, the CPU time much less. Best of a few
interleaved rounds.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from licence_service.domain.document import issue_batch
from licence_service.domain.presentation import present, presentation_qr
from licence_service.domain.verify import verify
from sm_crypto import SM2PrivateKey
from tests.licence_service.domain.conftest import (
    ANCHORED,
    ISSUER_CODE,
    SIGNED,
    VERIFIED,
    build_world,
    licence_input,
    make_test_seal,
)

ROUNDS = 5


def measure(operation: Callable[[], object], count: int) -> tuple[float, float]:
    """(operations per wall-clock second, CPU milliseconds per operation)."""
    wall, cpu = time.perf_counter(), _cpu_seconds()
    operation()
    wall, cpu = time.perf_counter() - wall, _cpu_seconds() - cpu
    return count / wall, cpu * 1000 / count


def _cpu_seconds() -> float:
    # This process's and its finished children's: a large batch is sealed in worker processes.
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def best_of(rounds: list[dict[str, tuple[float, float]]]) -> dict[str, tuple[float, float]]:
    return {
        name: (max(r[name][0] for r in rounds), min(r[name][1] for r in rounds))
        for name in rounds[0]
    }


def main(licences: int) -> None:
    world = build_world()
    key = SM2PrivateKey.generate()
    seal = make_test_seal(world.admin_key, key)
    inputs = [licence_input(n) for n in range(licences)]
    message = world.document.seal_signature.to_sign.canonical()
    signature = key.sign(message)
    public = key.public_key()

    def sign_raw(threads: int) -> None:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(lambda _: [key.sign(message) for _ in range(1000)], range(threads)))

    def verify_raw() -> None:
        for _ in range(2000):
            public.verify(signature, message)

    def issue(threads: int) -> None:
        issue_batch(
            inputs,
            issuer=world.authority,
            seal=seal,
            signing_key=key,
            signing_time=SIGNED,
            threads=threads,
        )

    issuing = best_of(
        [
            {
                "SM2 sign, 1 thread": measure(lambda: sign_raw(1), 1000),
                "SM2 sign, 2 threads": measure(lambda: sign_raw(2), 2000),
                "SM2 verify": measure(verify_raw, 2000),
                f"issue {licences}, 1 thread": measure(lambda: issue(1), licences),
                f"issue {licences}, 2 threads or processes": measure(lambda: issue(2), licences),
            }
            for _ in range(ROUNDS)
        ]
    )

    batch = issue_batch(
        inputs,
        issuer=world.authority,
        seal=world.seal,
        signing_key=world.issuer_key,
        signing_time=SIGNED,
    )
    chain = world.chain()
    chain.anchor(batch.root, ISSUER_CODE, len(batch.documents), ANCHORED)
    sample = batch.documents[:1000]
    shown = [
        present(
            document,
            reveal=["licence_name", "holder_name"],
            lifetime=timedelta(minutes=10),
            signing_key=world.issuer_key,
            now=VERIFIED - timedelta(minutes=1),
        )
        for document in sample
    ]
    as_json = [document.model_dump_json() for document in sample]
    verifying = best_of(
        [
            {
                "verify document (object)": measure(
                    lambda: [verify(d, chain, at=VERIFIED) for d in sample], len(sample)
                ),
                "verify document (JSON text)": measure(
                    lambda: [verify(d, chain, at=VERIFIED) for d in as_json], len(sample)
                ),
                "verify presentation (object)": measure(
                    lambda: [verify(p, chain, at=VERIFIED) for p in shown], len(shown)
                ),
            }
            for _ in range(ROUNDS)
        ]
    )
    if not all(verify(p, chain, at=VERIFIED).ok for p in shown):
        raise SystemExit("a presentation failed to verify")
    print(f"{'':32s} {'per second':>12s} {'CPU ms each':>12s}")
    for name, (per_second, cpu_ms) in {**issuing, **verifying}.items():
        print(f"{name:32s} {per_second:12,.0f} {cpu_ms:12.3f}")
    qr = presentation_qr(shown[0], max_version=40)
    proof = sample[0].anchor.proof if sample[0].anchor else ()
    shape = f"embedded, version {qr.version}" if qr.embedded else "a reference"
    print(
        f"presentation of 2 fields, proof of {len(proof)}: {len(shown[0].canonical())} bytes "
        f"of JSON; its QR code at level M is {shape}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
