"""Choosing the backend with SM_CRYPTO_BACKEND, and the automatic fallback, in fresh processes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PROBE = "import sm_crypto; print(sm_crypto.backend_name(), sm_crypto.available_backends())"


def run_probe(**environment: str) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("SM_CRYPTO_")}
    env.update(environment)
    return subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, check=False
    )


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, "native ['native', 'python']"),
        ({"SM_CRYPTO_BACKEND": "python"}, "python ['native', 'python']"),
        ({"SM_CRYPTO_BACKEND": "native"}, "native ['native', 'python']"),
        ({"SM_CRYPTO_LIBCRYPTO": "/nonexistent/libcrypto.so.3"}, "python ['python']"),
    ],
    ids=["default", "forced-python", "forced-native", "fallback"],
)
def test_backend_choice(environment: dict[str, str], expected: str) -> None:
    result = run_probe(**environment)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


@pytest.mark.parametrize(
    "environment",
    [
        {"SM_CRYPTO_BACKEND": "native", "SM_CRYPTO_LIBCRYPTO": "/nonexistent/libcrypto.so.3"},
        {"SM_CRYPTO_BACKEND": "gmssl"},
    ],
    ids=["native-unloadable", "unknown-name"],
)
def test_a_forced_backend_that_cannot_load_is_an_error(environment: dict[str, str]) -> None:
    result = run_probe(**environment)
    assert result.returncode != 0
    assert "sm_crypto.exceptions.BackendUnavailable" in result.stderr
