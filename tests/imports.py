"""Reading which of our modules a source file imports, for the architecture tests."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(source: str) -> set[str]:
    """Every module an import statement in ``source`` names, ``from a import b`` giving a.b too."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def forbidden_imports(source: str, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        module
        for module in imported_modules(source)
        if any(module == name or module.startswith(name + ".") for name in forbidden)
    )


def offending_imports(
    package: str, forbidden: tuple[str, ...], *, except_in: Iterable[str] = ()
) -> list[str]:
    """``path: module`` for each forbidden import under ``package``, skipping ``except_in``
    (paths relative to the repository, a folder covering everything below it)."""
    exempt = tuple(except_in)
    return [
        f"{relative}: {module}"
        for path in sorted((ROOT / package).rglob("*.py"))
        if not (relative := path.relative_to(ROOT).as_posix()).startswith(exempt)
        for module in forbidden_imports(path.read_text(encoding="utf-8"), forbidden)
    ]
