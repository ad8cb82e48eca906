"""The gateway's domain: schemas and records, release checks, envelopes, the access log."""
