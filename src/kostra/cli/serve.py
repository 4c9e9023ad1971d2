"""``kostra serve``: the web dashboard on this machine (read-only, 127.0.0.1 unless told)."""

from __future__ import annotations

import errno
import socket
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from kostra.cli._app import app, state
from kostra.errors import DatabaseBusyError, KostraError
from kostra.i18n.said import say


def check_port(host: str, port: int) -> None:
    """Raise a user error unless ``host:port`` can be listened on now (free, and an address
    of this machine), so the server never prints its address and then fails."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except OSError:
        infos = []
    if not infos:
        raise KostraError(
            say("error.cli.serve.host", host=repr(host)), hint=say("error.cli.serve.host.hint")
        )
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        # as uvicorn does: a port left in TIME_WAIT by an earlier run counts as free
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                other = port + 1 if port < 65535 else 8001
                raise KostraError(
                    say("error.cli.serve.port_in_use", port=port, host=host),
                    hint=say("error.cli.serve.port_in_use.hint", other=other),
                ) from None
            raise KostraError(
                say("error.cli.serve.listen", host=host, port=port, reason=str(error.strerror)),
                hint=say("error.cli.serve.listen.hint"),
            ) from None


def check_warehouse(path: Path) -> None:
    """Raise the warehouse's own user error when ``path`` exists but cannot be read (a
    damaged file, or not a kostra warehouse). A missing file is fine: the sample stands in.
    A writer holding the file is fine too: pages answer 503 until it is done."""
    if not path.exists():
        return
    from kostra.warehouse import Warehouse

    try:
        with Warehouse.open(path, read_only=True) as warehouse:
            warehouse.info()
    except DatabaseBusyError:
        return


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
    workers: Annotated[
        int,
        typer.Option(
            "--workers", min=1, max=64, help="Server processes sharing one computed year."
        ),
    ] = 1,
) -> None:
    """Start the web dashboard: overview, sectors, ranking, comparison and map of every
    municipality, with a JSON API under /api/. Tables the warehouse lacks come from the
    synthetic sample (the pages say so). Every page is answered from the year's figures
    computed once for every municipality and kept beside the warehouse (computed in the
    background when missing or out of date). Refuses a warehouse it cannot read, and a port
    that is taken."""
    import os

    import uvicorn

    from kostra.web import create_app
    from kostra.web.app import LOOPBACK_HOSTS, SERVE_DB_ENV, SERVE_LOOPBACK_ENV

    path = db if db is not None else state.settings.db
    check_warehouse(path)
    check_port(host, port)
    loopback = host in ("127.0.0.1", "localhost", "::1")
    # the served warehouse is every lookup's default in this process, its workers and its
    # builders (the similar-municipality features read the warehouse's free income)
    os.environ["KOSTRA_DB"] = str(Path(path).resolve())
    Console(stderr=True).print(
        f"kostra: http://{host}:{port}/ (warehouse {path}; Ctrl+C stops)", highlight=False
    )
    if workers > 1:
        # each worker builds its own app from the environment (uvicorn imports the factory)
        os.environ[SERVE_DB_ENV] = str(Path(path).resolve())
        os.environ[SERVE_LOOPBACK_ENV] = "1" if loopback else "0"
        uvicorn.run(
            "kostra.web.app:app_from_environment",
            factory=True,
            workers=workers,
            host=host,
            port=port,
            log_level="warning",
        )
        return
    application = create_app(
        path, warm=True, store=True, allowed_hosts=LOOPBACK_HOSTS if loopback else None
    )
    uvicorn.run(application, host=host, port=port, log_level="warning")
