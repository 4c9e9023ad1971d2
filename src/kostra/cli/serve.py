"""``kostra serve``: the web dashboard on this machine (read-only, 127.0.0.1 unless told)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from kostra.cli._app import app, state


@app.command()
def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (other machines: 0.0.0.0).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="TCP port.")] = 8000,
    db: Annotated[
        Path | None,
        typer.Option("--db", help="Warehouse file (default: the global --db or $KOSTRA_DB)."),
    ] = None,
) -> None:
    """Start the web dashboard: overview, sectors, ranking, comparison and map of every
    municipality, with a JSON API under /api/. Tables the warehouse lacks come from the
    synthetic sample (the pages say so)."""
    import uvicorn

    from kostra.web import create_app
    from kostra.web.app import LOOPBACK_HOSTS

    path = db if db is not None else state.settings.db
    loopback = host in ("127.0.0.1", "localhost", "::1")
    application = create_app(path, warm=True, allowed_hosts=LOOPBACK_HOSTS if loopback else None)
    Console(stderr=True).print(
        f"kostra: http://{host}:{port}/ (warehouse {path}; Ctrl+C stops)", highlight=False
    )
    uvicorn.run(application, host=host, port=port, log_level="warning")
