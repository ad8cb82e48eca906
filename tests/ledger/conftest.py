"""Fixtures for the ledger tests that do not depend on the backend (see README.md)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount


@pytest.fixture
def new_account() -> Callable[[], LocalAccount]:
    """A factory of fresh accounts. Gas is free on every backend, so they need no funds, and
    fresh accounts keep each test's nonces its own on a chain shared by the session."""
    return Account.create
