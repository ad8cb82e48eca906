"""The interpreter's recursion limit, kept at CPython's default.

py_ecc (imported with eth_account) and py-evm raise it when they are first imported, to 100000
and 12288: py-evm wants room for the EVM's 1024 nested calls, which our contracts never come
near. A limit that far above what the C stack holds turns deeply nested input (a JSON document,
say) into a segmentation fault instead of a :class:`RecursionError`. Each module of ours that
imports them puts the limit back right after.
"""

from __future__ import annotations

import sys

# CPython's own default, what the C stack of the main thread and of worker threads is sized for.
RECURSION_LIMIT = 1000


def cap_recursion_limit() -> None:
    """Lower the recursion limit back to :data:`RECURSION_LIMIT` if an import raised it."""
    if sys.getrecursionlimit() > RECURSION_LIMIT:
        sys.setrecursionlimit(RECURSION_LIMIT)
