"""``govledger serve``: the HTTP API (OpenAPI docs at /docs)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated

import typer
import uvicorn
from fastapi import FastAPI

from govledger.app import create_app
from govledger.commands import state

Host = Annotated[str, typer.Option("--host", help="Address to listen on.")]
Port = Annotated[int, typer.Option("--port", min=1, max=65535)]


def serve(ctx: typer.Context, host: Host = "127.0.0.1", port: Port = 8000) -> None:
    """Run the HTTP API until interrupted. It holds the data dir's embedded chain meanwhile."""
    serve_app(create_app(state(ctx).settings, freeze_heap=True), host, port)


def serve_app(app: FastAPI, host: str, port: int) -> None:
    """Start ``app`` and serve it on ``host:port`` until Ctrl-C, which stops it cleanly."""
    config = uvicorn.Config(app, host=host, port=port, log_level="info", lifespan="off")
    with contextlib.suppress(KeyboardInterrupt):  # as in uvicorn.run
        asyncio.run(_serve(app, uvicorn.Server(config)))


async def _serve(app: FastAPI, server: uvicorn.Server) -> None:
    # The app starts (opens the platform) before the server listens: a failure to start, e.g.
    # a data dir another process holds, is raised here and printed by the CLI as one line,
    # where the server would log it as a traceback.
    async with app.router.lifespan_context(app):
        await server.serve()
