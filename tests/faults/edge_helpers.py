"""What the edge fault tests share: real HTTP servers on 127.0.0.1, and private copies of the seeded index."""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bot.services import Services, build_services
from tests.conftest import make_settings

QUESTION = "What did Xi write to Kim in September 2023?"


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[ThreadingHTTPServer]:
    """A threaded HTTP server on a free port of 127.0.0.1 running `handler`, shut down afterwards."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def port_of(server: ThreadingHTTPServer) -> int:
    """The port a test server listens on."""
    return int(server.server_address[1])


def closed_port() -> int:
    """A local TCP port that nothing listens on (connections are refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def copy_data_dir(seeded: Services, target: Path) -> Path:
    """A private copy of the seeded index's data dir, which a test may damage."""
    shutil.copytree(seeded.settings.data_dir, target)
    return target


def services_over(data_dir: Path, seeded: Services, **extra: object) -> Services:
    """Services over `data_dir` with the seeded knowledge folder (a fresh process's view of that index)."""
    return build_services(make_settings(data_dir, seeded.settings.knowledge_dir, **extra))
