"""Adapters of the gateway's ports: the chain (with its read cache) and the SQL store."""
