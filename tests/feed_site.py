"""A real HTTP server on 127.0.0.1 serving the RSS and Atom files and article pages of tests/fixtures/feeds.

`{BASE}` in a file is replaced by the server's address. The RSS file carries an ETag, the Atom file a
Last-Modified date, and each honours its validator with 304 Not Modified; every request is recorded
with the conditional headers it sent.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.services import Services

FEEDS = Path(__file__).resolve().parent / "fixtures" / "feeds"
LAST_MODIFIED = "Sun, 22 Nov 2026 10:00:00 GMT"
_TYPES = {".xml": "application/rss+xml", ".html": "text/html; charset=utf-8"}


@dataclass
class Site:
    """The server's address and the requests it answered: (path, If-None-Match, If-Modified-Since, status)."""

    base: str
    hits: list[tuple[str, str | None, str | None, int]] = field(default_factory=list)

    def url(self, path: str) -> str:
        """The full address of a path on the server."""
        return f"{self.base}/{path.lstrip('/')}"

    def statuses(self, path: str) -> list[int]:
        """The statuses the server answered for one path, in order."""
        return [status for p, _, _, status in self.hits if p == f"/{path.lstrip('/')}"]


class _Handler(BaseHTTPRequestHandler):
    site: Site

    def do_GET(self) -> None:
        """Serve a fixture file, or 304 when the request's validator matches."""
        target = (FEEDS / self.path.lstrip("/")).resolve()
        etag_sent, since_sent = self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
        if FEEDS not in target.parents or not target.is_file():
            return self._answer(404, b"not found", {"Content-Type": "text/plain"}, etag_sent, since_sent)
        body = target.read_text(encoding="utf-8").replace("{BASE}", self.site.base).encode("utf-8")
        headers = {"Content-Type": _TYPES.get(target.suffix, "text/plain")}
        if target.name == "atom.xml":
            headers["Content-Type"] = "application/atom+xml"
            headers["Last-Modified"] = LAST_MODIFIED
            if since_sent == LAST_MODIFIED:
                return self._answer(304, b"", {}, etag_sent, since_sent)
        elif target.suffix == ".xml":
            headers["ETag"] = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
            if etag_sent == headers["ETag"]:
                return self._answer(304, b"", {"ETag": headers["ETag"]}, etag_sent, since_sent)
        self._answer(200, body, headers, etag_sent, since_sent)

    def _answer(self, status: int, body: bytes, headers: dict[str, str], etag: str | None, since: str | None) -> None:
        self.site.hits.append((self.path, etag, since, status))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Quiet: the test output is not a server log."""


@contextmanager
def serve() -> Iterator[Site]:
    """Run the server in a thread for the duration of the block."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    site = Site(f"http://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = type("Handler", (_Handler,), {"site": site})
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


def allow_private(services: Services) -> Services:
    """The same services, allowed to fetch from 127.0.0.1 (YALU_URL_ALLOW_PRIVATE, for one test only)."""
    return dataclasses.replace(services, settings=services.settings.model_copy(update={"url_allow_private": True}))
