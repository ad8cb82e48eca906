"""Choosing the backend with SM_CRYPTO_BACKEND, and the automatic fallback, in fresh processes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from sm_crypto import SM2PrivateKey

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
    assert "sm_crypto.exceptions.CryptoBackendUnavailable" in result.stderr


PRIVATE_KEY_USES = {
    "keygen": "SM2PrivateKey.generate()",
    "load": "SM2PrivateKey.from_pem(PEM)",
    "scalar": "SM2PrivateKey.from_bytes(bytes(31) + b'\\x07')",
}
PUBLIC_KEY_USES = (
    # A signature made elsewhere verifies, and encryption to a public key works, on the fallback.
    "PUBLIC.verify(SIGNATURE, b'm'); PUBLIC.encrypt(b'm')"
)


def run_key_use(code: str, **environment: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh process with a PEM key, its public key and a signature made by
    the native backend at hand."""
    key = SM2PrivateKey.generate()
    script = (
        "import sm_crypto\n"
        "from sm_crypto import SM2PrivateKey, SM2PublicKey\n"
        f"PEM = {key.to_pem()!r}\n"
        f"PUBLIC = SM2PublicKey.from_bytes({key.public_key().to_bytes()!r})\n"
        f"SIGNATURE = {key.sign(b'm')!r}\n"
        f"{code}\n"
        "print(sm_crypto.backend_name())\n"
    )
    env = {name: value for name, value in os.environ.items() if not name.startswith("SM_CRYPTO_")}
    env.update(environment)
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )


UNLOADABLE = {"SM_CRYPTO_LIBCRYPTO": "/nonexistent/libcrypto.so.3"}


@pytest.mark.parametrize("use", PRIVATE_KEY_USES.values(), ids=PRIVATE_KEY_USES.keys())
@pytest.mark.parametrize(
    "environment", [UNLOADABLE, {"SM_CRYPTO_BACKEND": "python"}], ids=["fallback", "forced"]
)
def test_private_keys_are_refused_on_the_pure_python_backend(
    use: str, environment: dict[str, str]
) -> None:
    result = run_key_use(use, **environment)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("sm_crypto.exceptions.UnsafeBackendRefused: ")
    assert "not constant time" in last
    assert "SM_CRYPTO_ALLOW_PYTHON_PRIVATE_KEYS=1" in last


def test_public_key_operations_stay_available_on_the_fallback() -> None:
    result = run_key_use(PUBLIC_KEY_USES, **UNLOADABLE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "python"


@pytest.mark.parametrize("use", PRIVATE_KEY_USES.values(), ids=PRIVATE_KEY_USES.keys())
def test_private_keys_on_the_fallback_when_allowed_explicitly(use: str) -> None:
    result = run_key_use(
        f"key = {use}; key.public_key().verify(key.sign(b'm'), b'm')",
        SM_CRYPTO_ALLOW_PYTHON_PRIVATE_KEYS="1",
        **UNLOADABLE,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "python"
