"""The gateway's schema versions (Alembic branch ``sharing``)."""
