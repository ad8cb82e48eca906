"""Files in and out: input files read with one kind of refusal; durable writes.

Every CLI command that reads an input file goes through :func:`read_input_file`,
:func:`read_text_file`, :func:`read_json_input` or :func:`read_json_file`, so a missing,
unreadable or non-UTF-8 file is one :class:`InputFileError`, malformed JSON one
:class:`~govledger.errors.InvalidInput` (one line on stderr, exit code 3), never a traceback,
whatever the command; JSON is checked for nesting depth before anything parses it
(``govledger.jsonlimits``). A written file appears whole or not at all, and survives a crash
once written.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

from govledger.errors import InvalidInput
from govledger.jsonlimits import check_nesting, load_json


class InputFileError(InvalidInput):
    """An input file is missing, unreadable, not UTF-8 text or not well-formed JSON."""

    code = "input-file-unreadable"
    title = "Input file unreadable"


def open_input_file(path: Path) -> BinaryIO:
    """``path`` opened for reading bytes (for a file too large to read at once)."""
    try:
        handle = path.open("rb")
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            handle.close()
            raise IsADirectoryError(errno.EISDIR, "not a regular file")
    except OSError as exc:
        raise InputFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    return handle


def read_input_file(path: Path) -> bytes:
    """The bytes of ``path``."""
    with open_input_file(path) as handle:
        try:
            return handle.read()
        except OSError as exc:
            raise InputFileError(f"cannot read {path}: {exc.strerror or exc}") from None


def read_text_file(path: Path) -> str:
    """The UTF-8 text of ``path``."""
    try:
        return read_input_file(path).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{path} is not UTF-8 text (byte {exc.start})") from None


def read_json_input(path: Path) -> bytes:
    """The bytes of a JSON file, its nesting checked (the caller parses it, by its own rules)."""
    content = read_input_file(path)
    check_nesting(content, str(path))
    return content


def read_json_file(path: Path) -> Any:
    """The JSON value in ``path`` (UTF-8 text), parsed by :func:`govledger.jsonlimits.load_json`
    once its nesting is known to be bounded."""
    return load_json(read_text_file(path), str(path))


def write_durably(path: Path, content: bytes, *, replace: bool) -> None:
    """Write ``content`` to ``path`` through a temporary file in the same directory.

    The file is created readable by its owner only. With ``replace`` an existing file is replaced
    atomically; without it an existing file is left alone and :class:`FileExistsError` raised (a
    hard link, unlike a rename, refuses to overwrite). The data and the directory entry are both
    fsynced before returning.
    """
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    # The new entry is durable only once the directory itself reaches the disk.
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
