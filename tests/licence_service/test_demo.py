"""``govledger demo`` (what ``make run`` shows): the life cycle end to end, twice on one data
dir."""

from __future__ import annotations

from pathlib import Path

from licence_service.domain.presentation import Presentation
from tests.govledger.test_cli_crypto import invoke


def test_demo_runs_and_reruns_on_the_same_data_dir(tmp_path: Path) -> None:
    first = invoke("demo", data_dir=tmp_path)
    assert "registered through the governance committee" in first
    assert "integrity FAILED" in first  # the tampered copy
    assert "status    FAILED" in first  # while suspended
    assert "all four checks ok" in first
    assert first.rstrip().endswith("demo complete")
    presentation = Presentation.model_validate_json(
        (tmp_path / "demo" / "presentation.json").read_bytes()
    )
    assert set(presentation.to_sign.disclosed) >= {"holder_name", "licence_name"}
    assert (tmp_path / "demo" / "presentation-qr.png").read_bytes().startswith(b"\x89PNG")

    second = invoke("demo", data_dir=tmp_path)
    assert "already registered" in second
    assert "reusing seal" in second
    assert second.rstrip().endswith("demo complete")
