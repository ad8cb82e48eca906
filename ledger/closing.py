"""A base for objects that own files, sockets or locks and release them in ``close()``."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class Closing:
    """Usable as ``with Thing(...) as thing:``; leaving the block calls ``close()``."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
