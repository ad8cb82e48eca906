"""One name, one exception: `except SignatureInvalid` or a `(ErrorName) message` line on the CLI
must not leave a reader guessing which package's error it was."""

from __future__ import annotations

import importlib
import pkgutil
from collections import defaultdict

PACKAGES = ("sm_crypto", "ledger", "govledger", "licence_service", "sharing_gateway")


def exception_classes() -> dict[str, set[str]]:
    """Each exception class name defined in our packages -> the modules defining one."""
    defined: dict[str, set[str]] = defaultdict(set)
    for package in PACKAGES:
        path = importlib.import_module(package).__path__
        for info in pkgutil.walk_packages(path, f"{package}."):
            if ".migrations." in info.name:  # Alembic's scripts run only under Alembic
                continue
            module = importlib.import_module(info.name)
            for name, value in vars(module).items():
                if (
                    isinstance(value, type)
                    and issubclass(value, BaseException)
                    and value.__module__ == module.__name__
                ):
                    defined[name].add(module.__name__)
    return defined


def test_no_two_exception_classes_share_a_name() -> None:
    defined = exception_classes()
    assert "InvalidSignature" in defined  # the walk does reach the packages' modules
    assert {name: modules for name, modules in defined.items() if len(modules) > 1} == {}
