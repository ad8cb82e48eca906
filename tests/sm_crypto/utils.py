"""Test-vector loading: one helper, format parsers passed in (the pyca/cryptography pattern)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

VECTORS_DIR = Path(__file__).resolve().parents[1] / "vectors"

T = TypeVar("T")


def load_vectors_from_file(path: Path, loader: Callable[[Iterable[str]], list[T]]) -> list[T]:
    """Parse the file at ``path`` (relative to tests/vectors/, or absolute) with ``loader``."""
    with (VECTORS_DIR / path).open(encoding="utf-8") as lines:
        return loader(lines)


def load_key_value_vectors(lines: Iterable[str]) -> list[dict[str, str]]:
    """Blocks of ``NAME = value`` lines separated by blank lines; ``#`` starts a comment."""
    vectors: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if not line:
            if current:
                vectors.append(current)
                current = {}
            continue
        name, separator, value = line.partition("=")
        if not separator:
            raise ValueError(f"not a NAME = value line: {raw!r}")
        current[name.strip()] = value.strip()
    if current:
        vectors.append(current)
    return vectors
