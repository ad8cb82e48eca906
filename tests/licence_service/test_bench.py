"""``govledger bench licences --json``: a small run reports every rate and verifies all."""

from __future__ import annotations

import json

from tests.govledger.test_cli_crypto import invoke


def test_bench_licences_json_smoke() -> None:
    report = json.loads(invoke("bench", "licences", "--count", "30", "--json"))
    for name in ("issued_per_s", "verified_per_s", "raw_sm2_sign_per_s", "raw_sm2_verify_per_s"):
        assert report[name] > 0, name
    assert report["count"] == 30
    assert report["all_verified"] is True
