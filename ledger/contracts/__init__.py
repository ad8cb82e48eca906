"""Typed wrappers of the govledger contracts (in :mod:`ledger.contracts.values` for now)."""
