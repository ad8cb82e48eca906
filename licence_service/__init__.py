"""Licence service: issues, seals, presents and verifies e-licences."""
