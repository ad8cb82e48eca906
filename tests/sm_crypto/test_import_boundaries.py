"""Application code uses only sm_crypto's safe top level; sm_crypto depends on nothing of ours."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPLICATION_PACKAGES = ("govledger", "licence_service", "sharing_gateway", "ledger")


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


def offending_imports(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}: {module}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for module in forbidden_imports(path.read_text(encoding="utf-8"), forbidden)
    ]


@pytest.mark.parametrize(
    "source",
    [
        "import sm_crypto.hazmat.sm2",
        "from sm_crypto.hazmat import sm2",
        "from sm_crypto import hazmat",
        "def f():\n    from sm_crypto.hazmat.sm4 import ECB\n",
    ],
)
def test_the_checker_sees_every_form_of_hazmat_import(source: str) -> None:
    assert forbidden_imports(source, ("sm_crypto.hazmat",))
    assert not forbidden_imports(
        "import sm_crypto\nfrom sm_crypto import seal\n", ("sm_crypto.hazmat",)
    )


@pytest.mark.parametrize("package", APPLICATION_PACKAGES)
def test_application_code_does_not_import_hazmat(package: str) -> None:
    assert offending_imports(package, ("sm_crypto.hazmat",)) == []


def test_sm_crypto_imports_nothing_of_ours() -> None:
    assert offending_imports("sm_crypto", APPLICATION_PACKAGES) == []
