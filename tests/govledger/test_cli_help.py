"""Every command's ``--help`` ends with an example, of that very command."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from govledger.cli import app
from govledger.cli.examples import EXAMPLES


def command_paths(command: Any, path: tuple[str, ...] = ()) -> Iterator[str]:
    if hasattr(command, "list_commands"):  # a group (Typer brings its own click)
        context = type(command).context_class(command)
        for name in command.list_commands(context):
            sub = command.get_command(context, name)
            assert sub is not None
            yield from command_paths(sub, (*path, name))
    else:
        yield " ".join(path)


COMMANDS = sorted(command_paths(typer.main.get_command(app)))


def test_every_command_has_an_example_and_every_example_a_command() -> None:
    assert len(COMMANDS) > 40
    assert set(COMMANDS) == set(EXAMPLES)


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_the_example(command: str) -> None:
    result = CliRunner().invoke(app, [*command.split(), "--help"], env={"COLUMNS": "1000"})
    assert result.exit_code == 0, result.output
    assert f"Example: govledger {command}" in result.output
