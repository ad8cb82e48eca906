"""JSON from outside is checked for nesting depth before it is parsed.

Python's JSON parser recurses once per nested array or object, in C; a document of a few hundred
kilobytes of ``[`` would otherwise exhaust the stack (docs/platform.md, "Hostile input"). The
check is a linear scan that skips strings, in byte operations that run at C speed (about as fast
as the parse it protects). The HTTP app applies it to every body declared JSON; :func:`load_json`
applies it before parsing anything else from outside (files, exports, uploads).
"""

from __future__ import annotations

import json
from itertools import accumulate
from typing import Any

from govledger.errors import InvalidInput, JSONTooDeep

# Far deeper than any document, presentation, export or upload the platform reads (at most ~6).
MAX_JSON_DEPTH = 64

_NOT_A_BRACKET = bytes(set(range(256)) - set(b"[]{}"))
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def nesting_depth(data: bytes | str) -> int:
    """How deep ``data`` nests arrays and objects, not counting brackets inside strings.

    Works on any text: for malformed JSON the answer is at least as deep as a parser would get
    before it fails.
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    # Escaped backslashes first, then escaped quotes: what is left of '"' delimits strings, so
    # every other piece between quotes is outside them.
    unescaped = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    outside = b"".join(unescaped.split(b'"')[::2])
    brackets = outside.translate(None, _NOT_A_BRACKET)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def check_nesting(data: bytes | str, source: str) -> None:
    """Raise :class:`JSONTooDeep` if ``data`` (read from ``source``) nests too deep to parse."""
    depth = nesting_depth(data)
    if depth > MAX_JSON_DEPTH:
        raise JSONTooDeep(
            f"{source} nests arrays or objects {depth} deep; at most {MAX_JSON_DEPTH} are read",
            max_depth=MAX_JSON_DEPTH,
        )


def load_json(data: bytes | str, source: str) -> Any:
    """Parse ``data`` (read from ``source``) as JSON once its nesting is known to be bounded;
    what is not JSON (nor UTF-8, for bytes) is :class:`InvalidInput` naming ``source``. The one
    parser of JSON from outside: request bodies a route reads itself, files, exports."""
    check_nesting(data, source)
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"{source} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except ValueError as exc:  # bytes that are not UTF-8 text
        raise InvalidInput(f"{source} is not valid JSON: {exc}") from None
