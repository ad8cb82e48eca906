"""Loading the licence domain's test vectors (tests/vectors/licence); each file names its
sources in its header."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

VECTOR_DIR = Path(__file__).resolve().parents[2] / "vectors" / "licence"


def vector_lines(name: str) -> list[str]:
    """The file's lines, without comments and blank lines."""
    lines = (VECTOR_DIR / name).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def vector_json(name: str) -> Any:
    return json.loads((VECTOR_DIR / name).read_text(encoding="utf-8"))
