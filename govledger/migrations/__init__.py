"""Alembic environment and the platform's hand-written schema versions (branch ``platform``)."""
