"""Fixtures for the sm_crypto suite: every key-level test runs once per backend."""

from __future__ import annotations

import shutil

import pytest

from sm_crypto.backends import BACKEND_NAMES, Backend, available_backends, get_backend


def _backend(name: str) -> Backend:
    if name not in available_backends():
        pytest.skip(f"the {name} sm_crypto backend does not load on this machine")
    # Every key-level test runs on the python backend too, private keys included, on purpose.
    return get_backend(name, allow_unsafe_private_keys=True)


@pytest.fixture(params=BACKEND_NAMES)
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each backend in turn."""
    return _backend(request.param)


@pytest.fixture(params=BACKEND_NAMES)
def other_backend(request: pytest.FixtureRequest) -> Backend:
    """Each backend in turn again: with ``backend``, every pairing, for cross-backend tests."""
    return _backend(request.param)


@pytest.fixture(scope="session")
def openssl() -> str:
    """The openssl command line tool."""
    path = shutil.which("openssl")
    if path is None:
        pytest.skip("the openssl command line tool is not installed")
    return path
