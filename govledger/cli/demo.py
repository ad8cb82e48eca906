"""``govledger demo``: the main job that ``make run`` shows on the embedded defaults."""

from __future__ import annotations

import typer


def demo(ctx: typer.Context) -> None:
    """Run an end-to-end demonstration on the embedded defaults (no servers needed)."""
    raise NotImplementedError
