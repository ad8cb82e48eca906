"""``govledger bench gateway`` runs end to end (a tiny load) and reports its JSON keys."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from govledger.cli import app as cli


def test_bench_gateway_reports_the_documented_keys() -> None:
    result = CliRunner().invoke(
        cli, ["bench", "gateway", "--requests", "20", "--concurrency", "2", "--json"]
    )
    assert result.exit_code == 0, (result.output, result.exception)
    report = json.loads(result.output.strip().splitlines()[-1])
    assert {"releases_per_s", "p50_ms", "p99_ms", "anchor_delay_s"} <= set(report)
    assert report["errors"] == 0
    assert report["releases_per_s"] > 0
    assert 0 < report["anchor_delay_s"] < 30
