"""The sharing gateway: departments share data only as the chain's grants allow, and every
access is logged in a hash-chained log anchored on chain (see docs/sharing-gateway.md)."""
