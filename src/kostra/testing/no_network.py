"""A pytest plugin that makes any connection beyond this machine fail loudly.

Loaded with ``-p kostra.testing.no_network``. Loopback (127.0.0.0/8, ::1) and Unix sockets stay
open so tests can run local servers; every other address raises :class:`NetworkAccessError`.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest


class NetworkAccessError(RuntimeError):
    """A test tried to reach a host that is not this machine."""


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "testserver"}


def _is_local(host: object) -> bool:
    if not isinstance(host, str):
        return False
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _check(sock: socket.socket, address: Any) -> None:
    if sock.family == getattr(socket, "AF_UNIX", None):
        return
    host = address[0] if isinstance(address, tuple) else address
    if not _is_local(host):
        raise NetworkAccessError(f"test tried to connect to {address!r}; tests must stay local")


def _guarded_connect(self: socket.socket, address: Any) -> None:
    _check(self, address)
    _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    _check(self, address)
    return _real_connect_ex(self, address)


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if host is not None and not _is_local(host if isinstance(host, str) else str(host)):
        raise NetworkAccessError(f"test tried to resolve {host!r}; tests must stay local")
    return _real_getaddrinfo(host, *args, **kwargs)


def install() -> None:
    """Block non-local connections in this process."""
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = _guarded_getaddrinfo


def uninstall() -> None:
    """Restore the real socket functions."""
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _real_getaddrinfo


def pytest_configure(config: pytest.Config) -> None:
    install()


@pytest.fixture
def allow_network() -> Iterator[None]:
    """Not for the test suite: lifts the guard for a manual check against the real API."""
    uninstall()
    yield
    install()
