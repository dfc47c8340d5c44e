"""An httpx transport with one overall deadline: connecting, sending, headers and body all end by it.

httpx's timeouts bound each network operation, not the request: a server that sends one byte of its
headers every few seconds never trips a read timeout and holds the caller for as long as it likes
(152 s against a 10 s setting, measured). Here every socket operation is given only the time left
before the deadline, and none starts after it, so the whole exchange ends by the deadline.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx


def deadline_transport(deadline: float) -> httpx.HTTPTransport:
    """A transport (no proxy from the environment) whose connections all end by `deadline` (time.monotonic)."""
    transport = httpx.HTTPTransport(trust_env=False)
    # httpx has no public way to pass a network backend; its pool is rebuilt here with one, as httpx builds it.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False), network_backend=_DeadlineBackend(deadline)
    )
    return transport


def _left(deadline: float, timeout: float | None, error: type[Exception]) -> float:
    """The time an operation may take: its own timeout, cut to what is left before the deadline."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise error("the overall deadline has passed")
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose reads, writes and TLS handshake never run past the deadline."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: float) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(self._deadline, timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(self._deadline, timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        left = _left(self._deadline, timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, left), self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)  # the peer address, checked by the caller


class _DeadlineBackend(httpcore.NetworkBackend):
    """The standard blocking backend, its connections wrapped in `_DeadlineStream`."""

    def __init__(self, deadline: float) -> None:
        self._inner = httpcore.SyncBackend()
        self._deadline = deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        left = _left(self._deadline, timeout, httpcore.ConnectTimeout)
        stream = self._inner.connect_tcp(host, port, left, local_address, socket_options)
        return _DeadlineStream(stream, self._deadline)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        time.sleep(min(seconds, max(0.0, self._deadline - time.monotonic())))
