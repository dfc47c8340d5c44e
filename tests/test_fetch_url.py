"""URL ingestion: a real HTTP server on 127.0.0.1 serves the pages; the address checks decide what is fetched."""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.cli import main
from bot.errors import FetchError
from bot.ingest.fetch_url import FetchPolicy, IPAddress, check_url, fetch_article, public_only
from bot.services import Services, build_services
from tests.conftest import make_settings
from tests.test_loaders import PAGE, PAGE_CHROME, PARAGRAPHS

BIG = b"<html><body><p>" + b"x " * 30_000 + b"</p></body></html>"


class Handler(BaseHTTPRequestHandler):
    """A few pages: an article, redirects, an oversized page, a PDF; every request path is recorded."""

    hits: list[str]  # set per server

    def do_GET(self) -> None:
        """Serve the page asked for."""
        self.server.hits.append(self.path)  # type: ignore[attr-defined]
        routes = {
            "/article": (200, "text/html; charset=utf-8", PAGE.encode("utf-8"), {}),
            "/to-article": (302, "text/html", b"", {"Location": "/article"}),
            "/to-metadata": (302, "text/html", b"", {"Location": "http://169.254.169.254/latest/meta-data/"}),
            "/to-file": (302, "text/html", b"", {"Location": "file:///etc/passwd"}),
            "/loop": (302, "text/html", b"", {"Location": "/loop"}),
            "/big": (200, "text/html", BIG, {}),
            "/paper.pdf": (200, "application/pdf", b"%PDF-1.4", {}),
        }
        status, kind, body, headers = routes.get(self.path, (404, "text/plain", b"not found", {}))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Quiet: the test output is not a server log."""


class Undeclared(Handler):
    """The oversized page without a Content-Length: the cap must hold while reading."""

    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        """Stream BIG and close, declaring no length."""
        self.server.hits.append(self.path)  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(BIG)


def _serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[tuple[str, list[str]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.hits = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.hits  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site() -> Iterator[tuple[str, list[str]]]:
    """The base URL of a local test site and the list of paths it was asked for."""
    yield from _serve(Handler)


def loopback_only(ip: IPAddress) -> bool:
    """A policy that trusts this machine's loopback only: it stands in for "a public host" in these tests."""
    return ip.is_loopback


def allow_private(services: Services) -> Services:
    """The same services with YALU_URL_ALLOW_PRIVATE=true."""
    services.settings = services.settings.model_copy(update={"url_allow_private": True})
    return services


def test_article_page_is_fetched_cleaned_and_indexed_with_its_url(
    services: Services, site: tuple[str, list[str]]
) -> None:
    """With the allow flag on, a page on 127.0.0.1 becomes an indexed article: body cleaned, URL recorded."""
    base, _ = site
    report = allow_private(services).ingest_url(f"{base}/to-article")
    (article_id,) = report.added
    article = services.store.article(article_id)
    assert article is not None and article.url == f"{base}/article"  # the address it was served from
    assert article.body.split("\n\n") == PARAGRAPHS and not [s for s in PAGE_CHROME if s in article.body]
    (saved,) = report.saved
    assert f"url: {base}/article" in saved.read_text(encoding="utf-8")  # a rebuild keeps the URL


def test_loopback_is_refused_without_the_allow_flag(services: Services, site: tuple[str, list[str]]) -> None:
    """By default 127.0.0.1 is refused before any request is made, and the index is unchanged."""
    base, hits = site
    with pytest.raises(FetchError, match="YALU_URL_ALLOW_PRIVATE"):
        services.ingest_url(f"{base}/article")
    assert hits == [] and services.store.count_articles() == 0


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "224.0.0.1",
        "0.0.0.0",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "100.64.0.1",
        "240.0.0.1",
    ],
)
def test_non_public_addresses_are_refused_by_default(address: str) -> None:
    """Private, loopback, link-local, multicast, reserved and IPv4-mapped loopback addresses are not public."""
    assert not public_only(ipaddress.ip_address(address))


def test_every_resolved_address_is_checked() -> None:
    """A host that resolves to one public and one private address is refused."""
    policy = FetchPolicy(resolver=lambda host, port: ["93.184.216.34", "10.0.0.5"])
    with pytest.raises(FetchError, match=r"10\.0\.0\.5"):
        check_url("http://intranet.test/page", policy)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/a.html", "javascript:alert(1)", "gopher://x/", "example.org/a"]
)
def test_non_http_schemes_are_refused(url: str) -> None:
    """Only http and https addresses are fetched, whatever the allow flag says."""
    with pytest.raises(FetchError, match="only http"):
        check_url(url, FetchPolicy(allowed=lambda ip: True))


def test_a_redirect_to_a_private_address_is_refused(site: tuple[str, list[str]]) -> None:
    """A redirect is checked like the first URL: a hop to the cloud metadata address is refused."""
    base, hits = site
    with pytest.raises(FetchError, match=r"169\.254\.169\.254"):
        fetch_article(f"{base}/to-metadata", FetchPolicy(allowed=loopback_only))
    assert hits == ["/to-metadata"]


def test_a_redirect_to_a_file_url_is_refused(site: tuple[str, list[str]]) -> None:
    """A redirect may not switch to a non-http scheme."""
    with pytest.raises(FetchError, match="only http"):
        fetch_article(f"{site[0]}/to-file", FetchPolicy(allowed=loopback_only))


def test_redirect_loops_stop(site: tuple[str, list[str]]) -> None:
    """At most max_redirects redirects are followed."""
    base, hits = site
    with pytest.raises(FetchError, match="redirects"):
        fetch_article(f"{base}/loop", FetchPolicy(allowed=loopback_only, max_redirects=3))
    assert len(hits) == 4


def test_a_declared_oversized_page_is_refused(site: tuple[str, list[str]]) -> None:
    """A page whose Content-Length is over the cap is refused without reading it."""
    with pytest.raises(FetchError, match="larger than"):
        fetch_article(f"{site[0]}/big", FetchPolicy(allowed=loopback_only, max_bytes=10_000))


def test_an_undeclared_oversized_page_is_refused_while_reading() -> None:
    """A page that declares no length is cut off as soon as it passes the cap."""
    for base, _ in _serve(Undeclared):
        with pytest.raises(FetchError, match="larger than"):
            fetch_article(f"{base}/stream", FetchPolicy(allowed=loopback_only, max_bytes=10_000))


def test_a_non_page_content_type_is_refused(site: tuple[str, list[str]]) -> None:
    """A PDF (or any non-HTML, non-text response) is refused with its content type named."""
    with pytest.raises(FetchError, match="application/pdf"):
        fetch_article(f"{site[0]}/paper.pdf", FetchPolicy(allowed=loopback_only))


def test_a_host_that_resolves_public_but_connects_private_is_refused(site: tuple[str, list[str]]) -> None:
    """The address actually connected to is checked too (a DNS answer that changes after the check)."""
    port = site[0].rsplit(":", 1)[1]
    policy = FetchPolicy(resolver=lambda host, p: ["93.184.216.34"])  # the check sees a public address
    with pytest.raises(FetchError, match="refused address"):
        fetch_article(f"http://localhost:{port}/article", policy)


def test_cli_ingest_url_adds_the_article(
    tmp_path: Path,
    knowledge_copy: Path,
    site: tuple[str, list[str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`yalu ingest URL` with the allow flag indexes the page and says where its copy was saved."""
    monkeypatch.setenv("YALU_KNOWLEDGE_DIR", str(knowledge_copy))
    monkeypatch.setenv("YALU_URL_ALLOW_PRIVATE", "true")
    assert main(["ingest", f"{site[0]}/article"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 added") and "saved a copy to" in out


def test_cli_ingest_refused_url_is_one_line_and_exit_1(
    knowledge_copy: Path,
    site: tuple[str, list[str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Without the flag, `yalu ingest URL` prints one refusal line and exits 1; the page is not indexed (the
    first ingest of a new data dir indexes only the knowledge folder, as the first `yalu ask` would)."""
    monkeypatch.setenv("YALU_KNOWLEDGE_DIR", str(knowledge_copy))
    assert main(["ingest", f"{site[0]}/article"]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("0 added") and len(captured.err.strip().splitlines()) == 1
    indexed = build_services(make_settings(Path("data"), knowledge_copy)).store.articles()
    assert len(indexed) == len(list(knowledge_copy.glob("*.md")))
    assert not any(a.url and a.url.startswith(site[0]) for a in indexed)


async def test_discord_admin_adds_a_url(services: Services, tmp_path: Path, site: tuple[str, list[str]]) -> None:
    """An admin's /add url fetches the page (allow flag on) and replies "Article added" with its id."""
    from tests.test_discord_harness import bot_settings, start

    harness = await start(bot_settings(services, services.settings.data_dir, url_allow_private=True))
    try:
        await harness.slash("add", user=harness.admin, url=f"{site[0]}/article")
        added = harness.http.embeds()[0]
        assert added["title"] == "Article added" and "xi-hails-new-era" in added["description"]
        (info,) = harness.bot.services.store.articles()
        assert info.url == f"{site[0]}/article"
    finally:
        await harness.stop()


async def test_discord_add_of_a_private_url_is_one_ephemeral_line(
    services: Services, site: tuple[str, list[str]]
) -> None:
    """Without the allow flag, /add url on 127.0.0.1 is refused privately and nothing is fetched or indexed."""
    from tests.test_discord_harness import bot_settings, start

    base, hits = site
    harness = await start(bot_settings(services, services.settings.data_dir))
    try:
        await harness.slash("add", user=harness.admin, url=f"{base}/article")
        reply = harness.http.messages()[-1]
        assert reply["flags"] & 64 and "YALU_URL_ALLOW_PRIVATE" in reply["content"]
        assert hits == [] and harness.bot.services.store.count_articles() == 0
    finally:
        await harness.stop()
