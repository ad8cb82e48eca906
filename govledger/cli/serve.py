"""``govledger serve``: the HTTP API (OpenAPI docs at /docs)."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from govledger.app import create_app
from govledger.cli.context import state


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
) -> None:
    """Run the HTTP API until interrupted. It holds the data dir's embedded chain meanwhile."""
    app = create_app(state(ctx).settings, freeze_heap=True)
    uvicorn.run(app, host=host, port=port, log_level="info")
