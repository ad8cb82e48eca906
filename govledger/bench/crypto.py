"""SM2 and SM3 throughput of each sm_crypto backend, next to OpenSSL's and hashlib's own.

``openssl speed`` divides operation counts by the CPU time of its process, so this side counts
with :func:`time.process_time` too. Each figure is the best of several rounds, the
implementations measured in turn inside each round, so background load hits them alike.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sm_crypto import SM2PrivateKey, get_backend, sm3

# openssl speed signs 20-byte buffers; so do we.
SIGNED_MESSAGE = bytes(range(20))
SM3_CHUNK = 64 * 1024
_OPENSSL_SM2_LINE = re.compile(r"^\+F\d+:\d+:\d+:CurveSM2:([0-9.]+):([0-9.]+)$", re.MULTILINE)


@dataclass(frozen=True)
class Figures:
    """Throughput of one implementation; None where it was not measured."""

    sign_per_s: float | None = None
    verify_per_s: float | None = None
    sm3_mb_per_s: float | None = None


@dataclass
class CryptoBenchmark:
    seconds: float
    rounds: int
    backends: dict[str, Figures] = field(default_factory=dict)
    openssl: Figures = field(default_factory=Figures)
    hashlib: Figures = field(default_factory=Figures)


def rate(operation: Callable[[], object], seconds: float, work_per_call: float = 1.0) -> float:
    """Calls of ``operation`` per CPU second, times ``work_per_call``, over ``seconds`` or more."""
    calls = 0
    start = time.process_time()
    while True:
        operation()
        calls += 1
        elapsed = time.process_time() - start
        if elapsed >= seconds:
            return calls * work_per_call / elapsed


def openssl_speed_sm2(openssl: str, seconds: float) -> Figures:
    """Sign/s and verify/s from ``openssl speed sm2`` (it takes whole seconds, at least 1)."""
    output = subprocess.run(  # noqa: S603 - a fixed command line for the openssl on PATH
        [openssl, "speed", "-mr", "-seconds", str(max(1, round(seconds))), "sm2"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = _OPENSSL_SM2_LINE.search(output)
    if match is None:
        raise RuntimeError(f"unexpected openssl speed output: {output!r}")
    return Figures(sign_per_s=float(match.group(1)), verify_per_s=float(match.group(2)))


def _best(a: Figures, b: Figures) -> Figures:
    def top(x: float | None, y: float | None) -> float | None:
        return y if x is None else x if y is None else max(x, y)

    return Figures(
        top(a.sign_per_s, b.sign_per_s),
        top(a.verify_per_s, b.verify_per_s),
        top(a.sm3_mb_per_s, b.sm3_mb_per_s),
    )


def _measure_backend(name: str, seconds: float) -> Figures:
    # A throwaway key, measured only: the python backend may sign with it here.
    backend = get_backend(name, allow_unsafe_private_keys=True)
    key = SM2PrivateKey.generate(backend=backend)
    signature = key.sign(SIGNED_MESSAGE)
    public = key.public_key()
    chunk = bytes(SM3_CHUNK)
    return Figures(
        sign_per_s=rate(lambda: key.sign(SIGNED_MESSAGE), seconds),
        verify_per_s=rate(lambda: public.verify(signature, SIGNED_MESSAGE), seconds),
        sm3_mb_per_s=rate(lambda: sm3(chunk, backend=backend), seconds, SM3_CHUNK / 1e6),
    )


def run(
    backend_names: list[str],
    *,
    seconds: float = 1.0,
    rounds: int = 3,
    progress: Callable[[str], None] = lambda _: None,
) -> CryptoBenchmark:
    """Measure each named backend, ``openssl speed sm2`` (when the CLI exists) and hashlib."""
    result = CryptoBenchmark(seconds=seconds, rounds=rounds)
    openssl = shutil.which("openssl")
    chunk = bytes(SM3_CHUNK)
    for round_number in range(1, rounds + 1):
        for name in backend_names:
            progress(f"round {round_number}/{rounds}: {name} backend")
            figures = _measure_backend(name, seconds)
            result.backends[name] = _best(result.backends.get(name, Figures()), figures)
        if openssl is not None:
            progress(f"round {round_number}/{rounds}: openssl speed sm2")
            result.openssl = _best(result.openssl, openssl_speed_sm2(openssl, seconds))
        progress(f"round {round_number}/{rounds}: hashlib sm3")
        hashlib_rate = rate(lambda: hashlib.new("sm3", chunk).digest(), seconds, SM3_CHUNK / 1e6)
        result.hashlib = _best(result.hashlib, Figures(sm3_mb_per_s=hashlib_rate))
    return result


def _ratio(ours: float | None, reference: float | None) -> float | None:
    return None if ours is None or not reference else ours / reference


def report(result: CryptoBenchmark) -> dict[str, object]:
    """The figures as one JSON-ready object. The top-level ``sm2_*``/``sm3_*`` keys are the
    native backend's (or, when it was not measured, the one backend's named by ``backend``)."""
    headline = "native" if "native" in result.backends else next(iter(result.backends))
    ours = result.backends[headline]
    return {
        "backend": headline,
        "sm2_sign_per_s": ours.sign_per_s,
        "sm2_verify_per_s": ours.verify_per_s,
        "sm3_mb_per_s": ours.sm3_mb_per_s,
        "openssl_sign_per_s": result.openssl.sign_per_s,
        "openssl_verify_per_s": result.openssl.verify_per_s,
        "hashlib_sm3_mb_per_s": result.hashlib.sm3_mb_per_s,
        "sign_vs_openssl": _ratio(ours.sign_per_s, result.openssl.sign_per_s),
        "verify_vs_openssl": _ratio(ours.verify_per_s, result.openssl.verify_per_s),
        "sm3_vs_hashlib": _ratio(ours.sm3_mb_per_s, result.hashlib.sm3_mb_per_s),
        "backends": {name: vars(figures) for name, figures in result.backends.items()},
        "seconds": result.seconds,
        "rounds": result.rounds,
        "timer": "process_time",
    }


def table(result: CryptoBenchmark) -> str:
    """A Markdown table: each implementation's throughput and its ratio to the reference."""

    def cell(value: float | None, digits: int = 0) -> str:
        return "-" if value is None else f"{value:,.{digits}f}"

    rows = [
        f"SM2 and SM3 throughput, best of {result.rounds} rounds of {result.seconds:g} s "
        "(CPU time)",
        "",
        "| implementation | SM2 sign/s | SM2 verify/s | SM3 MB/s |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, figures in [
        *((f"sm_crypto {name}", figures) for name, figures in result.backends.items()),
        ("openssl speed sm2", result.openssl),
        ('hashlib.new("sm3")', result.hashlib),
    ]:
        rows.append(
            f"| {name} | {cell(figures.sign_per_s)} | {cell(figures.verify_per_s)} "
            f"| {cell(figures.sm3_mb_per_s, 1)} |"
        )
    for name, figures in result.backends.items():
        rows.append(
            f"| {name} / reference | "
            f"{cell(_ratio(figures.sign_per_s, result.openssl.sign_per_s), 2)} | "
            f"{cell(_ratio(figures.verify_per_s, result.openssl.verify_per_s), 2)} | "
            f"{cell(_ratio(figures.sm3_mb_per_s, result.hashlib.sm3_mb_per_s), 2)} |"
        )
    return "\n".join(rows)
