"""Break 7: a URL fetch has one deadline (headers and body), and no IPv6 form smuggles a private IPv4 address.

The slow servers are real sockets on 127.0.0.1 that send one byte at a time; each records how much it had
sent when the client hung up, so the tests show the fetch was cut, not that it was fast.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import pytest

from bot.cli import main
from bot.errors import FetchError
from bot.ingest.fetch_url import FetchPolicy, any_unicast, check_url, fetch_page, public_only
from tests.faults.edge_helpers import port_of, serving

pytestmark = pytest.mark.faults

BYTE_EVERY_S = 0.2
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 400\r\nX-Padding: " + b"x" * 200 + b"\r\n\r\n"
BODY = b"<html><body><p>" + b"slow " * 77 + b"</p></body></html>"


class Trickle(BaseHTTPRequestHandler):
    """Sends its response one byte every BYTE_EVERY_S seconds; `slow_part` says whether the head or the body."""

    slow_part: ClassVar[str] = "head"
    sent: ClassVar[list[int]] = []
    hung_up: ClassVar[threading.Event] = threading.Event()

    def do_GET(self) -> None:
        """Trickle the response, noting how many bytes went out before the client went away."""
        fast, slow = (b"", HEAD + BODY) if self.slow_part == "head" else (HEAD, BODY)
        count = 0
        try:
            self.wfile.write(fast)
            count = len(fast)
            for byte in slow:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                count += 1
                time.sleep(BYTE_EVERY_S)
        except OSError:
            type(self).hung_up.set()
        type(self).sent.append(count)

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture(params=["head", "body"])
def trickle(request: pytest.FixtureRequest) -> type[Trickle]:
    """A Trickle handler class of its own, slow in its headers or in its body."""
    return slow(request.param)


def slow(part: str) -> type[Trickle]:
    """A Trickle handler class with its own records, slow in its `part` ("head" or "body")."""
    return type(f"Trickle_{part}", (Trickle,), {"slow_part": part, "sent": [], "hung_up": threading.Event()})


def test_a_slow_loris_server_is_cut_at_the_deadline(trickle: type[Trickle]) -> None:
    """Headers or body at one byte per 0.2 s: the fetch fails with the timeout line, and the server is hung up on."""
    policy = FetchPolicy(any_unicast, timeout_s=1.0)
    with serving(trickle) as server:
        with pytest.raises(FetchError) as failure:
            fetch_page(f"http://127.0.0.1:{port_of(server)}/article", policy)
        assert trickle.hung_up.wait(10)  # the server noticed the client had gone while it still had bytes to send
    message = str(failure.value)
    assert "1 s (YALU_URL_TIMEOUT_S)" in message and "\n" not in message
    (sent,) = trickle.sent
    assert sent < len(HEAD + BODY)


def test_cli_ingest_of_a_slow_loris_url_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`yalu ingest URL` against a server trickling its headers: one refusal line, exit 1, nothing saved."""
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    monkeypatch.setenv("YALU_KNOWLEDGE_DIR", str(knowledge))
    monkeypatch.setenv("YALU_URL_ALLOW_PRIVATE", "true")
    monkeypatch.setenv("YALU_URL_TIMEOUT_S", "1")
    handler = slow("head")
    with serving(handler) as server:
        url = f"http://127.0.0.1:{port_of(server)}/article"
        assert main(["ingest", url]) == 1
        assert handler.hung_up.wait(10)
    out = capsys.readouterr()
    (line,) = out.err.splitlines()
    assert line == f"yalu: skipped {url}: no answer within 1 s (YALU_URL_TIMEOUT_S)"
    assert out.out.startswith("0 added") and list(knowledge.iterdir()) == []


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of the cloud metadata address 169.254.169.254
        "64:ff9b::c0a8:101",  # NAT64 of 192.168.1.1
        "64:ff9b:1::808:808",  # the local-use NAT64 prefix: some private network's translator
        "2002:7f00:1::1",  # 6to4 through 127.0.0.1
        "2002:a00:1::1",  # 6to4 through 10.0.0.1
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
        "::7f00:1",  # IPv4-compatible 127.0.0.1
        "::808:808",  # IPv4-compatible, obsolete even for a public address
        "::ffff:0:7f00:1",  # IPv4-translated 127.0.0.1
        "::ffff:127.0.0.1",  # IPv4-mapped
        "2606:4700::5efe:a00:1",  # ISATAP interface id carrying 10.0.0.1
        "64:ff9b::e000:1",  # NAT64 of a multicast address
    ],
)
def test_ipv6_forms_carrying_a_private_ipv4_address_are_refused(address: str) -> None:
    """NAT64, 6to4, Teredo, IPv4-compatible, -translated and -mapped, ISATAP: refused with the address named."""
    with pytest.raises(FetchError, match=r"private, loopback, link-local or reserved address \("):
        check_url(f"http://[{address}]/page", FetchPolicy())


@pytest.mark.parametrize("address", ["64:ff9b::808:808", "2002:808:808::1", "::ffff:8.8.8.8", "2606:4700::1111"])
def test_ipv6_forms_of_public_addresses_stay_allowed(address: str) -> None:
    """A NAT64 or 6to4 address of a public IPv4 host (what DNS64 gives an IPv6-only network) is still fetched."""
    assert public_only(ipaddress.ip_address(address))


def test_a_name_resolving_to_nat64_of_the_metadata_service_is_refused() -> None:
    """A host whose AAAA record is 64:ff9b::169.254.169.254 is refused before any connection."""
    policy = FetchPolicy(resolver=lambda host, port: ["93.184.216.34", "64:ff9b::a9fe:a9fe"])
    with pytest.raises(FetchError, match=r"news\.example is a private, loopback, link-local or reserved address"):
        check_url("http://news.example/article", policy)


@pytest.mark.parametrize("address", ["64:ff9b::e000:1", "2002:e000:1::1", "::ffff:0.0.0.0"])
def test_the_allow_private_flag_still_refuses_multicast_and_unspecified_inside_ipv6(address: str) -> None:
    """With YALU_URL_ALLOW_PRIVATE, an IPv6 form carrying a multicast or 0.0.0.0 address stays refused."""
    assert not any_unicast(ipaddress.ip_address(address))
