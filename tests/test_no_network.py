"""No test may reach the internet: the guard plugin refuses any non-loopback connection."""

from __future__ import annotations

import socket

import httpx
import pytest

from kostra.testing.no_network import NetworkAccessError


def test_remote_connection_is_refused() -> None:
    with pytest.raises(NetworkAccessError), socket.create_connection(("192.0.2.1", 80), timeout=1):
        pass


def test_remote_name_lookup_is_refused() -> None:
    with pytest.raises(NetworkAccessError):
        socket.getaddrinfo("data.ssb.no", 443)


def test_httpx_to_ssb_is_refused() -> None:
    with pytest.raises(NetworkAccessError):
        httpx.get("https://data.ssb.no/api/pxwebapi/v2/config", timeout=2)


def test_loopback_stays_open() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    with socket.create_connection(("127.0.0.1", port), timeout=1):
        pass
    server.close()
