"""Every command that reads a file refuses a missing, unreadable or malformed one with one line
on stderr and exit code 3 (``InvalidInput``), never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from govledger.errors import InvalidInput
from tests.govledger.test_chain_cli import Run, refused

__all__ = ["run"]

from tests.govledger.test_chain_cli import run

# Each command, with FILE where the file under test goes; the other files it needs exist.
COMMANDS = [
    ("licence", "issue", "FILE", "--as", "91350100M000100Y43"),
    ("licence", "verify", "FILE"),
    ("audit", "verify", "FILE"),
    ("crypto", "sm3", "FILE"),
    ("crypto", "pubkey", "FILE"),
    ("crypto", "sign", "FILE", "--key", "key.pem"),
    ("crypto", "verify", "FILE", "--pubkey", "pub.pem", "--signature", "sig.hex"),
    ("crypto", "verify", "doc.txt", "--pubkey", "FILE", "--signature", "sig.hex"),
    ("crypto", "verify", "doc.txt", "--pubkey", "pub.pem", "--signature", "FILE"),
    ("chain", "init", "--committee", "FILE"),
]


@pytest.fixture
def files(run: Run, tmp_path: Path) -> Path:
    """The working directory, with the companion files the commands need."""
    (tmp_path / "doc.txt").write_text("hello", encoding="utf-8")
    (tmp_path / "sig.hex").write_text("00", encoding="utf-8")
    (tmp_path / "a-directory").mkdir()
    public = run("crypto", "keygen", "--out", "key.pem").stdout
    (tmp_path / "pub.pem").write_text(public, encoding="utf-8")
    return tmp_path


def _with(command: tuple[str, ...], file: str) -> list[str]:
    return [file if part == "FILE" else part for part in command]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("file", ["missing.json", "a-directory"])
def test_a_missing_file_or_a_directory_is_one_line(
    run: Run, files: Path, command: tuple[str, ...], file: str
) -> None:
    line = refused(run(*_with(command, file)), InvalidInput.exit_code)
    assert file in line
    assert "Traceback" not in line


@pytest.mark.parametrize(
    "command",
    [
        ("licence", "issue", "FILE", "--as", "91350100M000100Y43"),
        ("audit", "verify", "FILE"),
        ("chain", "init", "--committee", "FILE"),
    ],
    ids=" ".join,
)
@pytest.mark.parametrize(
    "content", [b'{"members": [1,', b"\xff\xfe not text"], ids=["json", "utf8"]
)
def test_a_malformed_file_is_one_line(
    run: Run, files: Path, command: tuple[str, ...], content: bytes
) -> None:
    (files / "bad.json").write_bytes(content)
    line = refused(run(*_with(command, "bad.json")), InvalidInput.exit_code)
    assert "bad.json" in line


@pytest.mark.parametrize(
    "command",
    [
        ("licence", "issue", "FILE", "--as", "91350100M000100Y43"),
        ("audit", "verify", "FILE"),
        ("chain", "init", "--committee", "FILE"),
    ],
    ids=" ".join,
)
def test_well_formed_json_of_the_wrong_shape_is_one_line(
    run: Run, files: Path, command: tuple[str, ...]
) -> None:
    # A validation error lists its problems on several lines: the CLI joins them into one.
    (files / "empty.json").write_text("{}", encoding="utf-8")
    refused(run(*_with(command, "empty.json")), InvalidInput.exit_code)
