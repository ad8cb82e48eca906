"""Application code uses only sm_crypto's safe top level; sm_crypto depends on nothing of ours."""

from __future__ import annotations

import pytest

from tests.imports import forbidden_imports, offending_imports

APPLICATION_PACKAGES = ("govledger", "licence_service", "sharing_gateway", "ledger")


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
