"""Downloading one article page by URL: public http(s) hosts only, bounded in size and time, every hop checked.

A URL someone pastes into Discord must not make the bot read its own network (a router page, a cloud
metadata service, a database on localhost): every address the host resolves to is checked before the
request, each redirect is checked the same way, and the address actually connected to is checked again,
so a DNS answer that changes between the check and the connection is caught too. An IPv6 address that
carries an IPv4 one (NAT64, 6to4, Teredo, ISATAP, IPv4-mapped) is judged by the IPv4 address too, since
a translator or relay delivers it there. The whole download, redirects included, has one deadline.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from bot.config import Settings
from bot.corpus import Article
from bot.errors import FetchError
from bot.ingest.http_deadline import deadline_transport

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[str]]
_SCHEMES = {"http": 80, "https": 443}
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_USER_AGENT = "Yalu/0.1 (research assistant; fetches one article page on request)"


def resolve(host: str, port: int) -> list[str]:
    """Every IP address `host` resolves to (IPv4 and IPv6)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve {host!r}: {exc}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # the well-known prefix: the IPv4 address is the last 32 bits
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")  # local-use prefix: some private network's translator
# ::/8 holds the IPv4-compatible (::a.b.c.d) and IPv4-translated (::ffff:0:a.b.c.d) forms, both long obsolete:
# nothing public is reached at one, so the whole block is refused (bar NAT64 and IPv4-mapped, judged by the IPv4).
_OBSOLETE = ipaddress.IPv6Network("::/8")
_ISATAP = (0x00005EFE, 0x02005EFE)  # the high half of an ISATAP interface id; the low half is an IPv4 address


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries and is delivered through (empty for a plain IPv6 address)."""
    found = [ip.ipv4_mapped] if ip.ipv4_mapped else []
    low = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _NAT64 or (int(ip) >> 32) & 0xFFFFFFFF in _ISATAP:
        found.append(low)
    if ip.sixtofour:
        found.append(ip.sixtofour)
    if ip.teredo:
        found.extend(ip.teredo)  # the Teredo server, and the client behind its NAT
    return found


def _judged(ip: IPAddress, rule: Callable[[IPAddress], bool]) -> bool:
    """`rule` applied to the address and to every IPv4 address it carries; obsolete IPv6 forms refused."""
    if isinstance(ip, ipaddress.IPv4Address):
        return rule(ip)
    if ip.ipv4_mapped is not None:
        return rule(ip.ipv4_mapped)  # ::ffff:127.0.0.1 is 127.0.0.1
    if ip in _NAT64_LOCAL or (ip in _OBSOLETE and ip not in _NAT64):
        return False
    return rule(ip) and all(rule(v4) for v4 in embedded_ipv4(ip))


def public_only(ip: IPAddress) -> bool:
    """Whether an address is on the public internet (not private, loopback, link-local, multicast, reserved)."""
    return _judged(ip, lambda a: a.is_global and not a.is_multicast)


def any_unicast(ip: IPAddress) -> bool:
    """With YALU_URL_ALLOW_PRIVATE: private, loopback and link-local hosts too, still never multicast or 0.0.0.0."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    embedded = embedded_ipv4(ip) if isinstance(ip, ipaddress.IPv6Address) else []
    return not any(a.is_multicast or a.is_unspecified for a in [ip, *embedded])


@dataclass(frozen=True)
class FetchPolicy:
    """What may be fetched: which addresses, how many bytes, how long, how many redirects."""

    allowed: Callable[[IPAddress], bool] = public_only
    max_bytes: int = 5_000_000
    timeout_s: float = 20.0
    max_redirects: int = 5
    resolver: Resolver = field(default=resolve)

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchPolicy:
        """The policy the settings ask for (private addresses only with YALU_URL_ALLOW_PRIVATE)."""
        allowed = any_unicast if settings.url_allow_private else public_only
        return cls(allowed, settings.url_max_bytes, settings.url_timeout_s)


@dataclass(frozen=True)
class Page:
    """A downloaded page: the URL it was finally served from, its content type and its text."""

    url: str
    content_type: str
    text: str
    headers: dict[str, str] = field(default_factory=dict)  # the response's headers (ETag, Last-Modified)


def check_url(url: str, policy: FetchPolicy) -> None:
    """Refuse a URL whose scheme is not http(s) or whose host resolves to any address the policy refuses."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES:
        raise FetchError(f"{url}: only http:// and https:// addresses can be fetched, not {scheme or 'no'} scheme")
    if parts.username or parts.password:
        raise FetchError(f"{parts.hostname}: addresses with a user name or password are not fetched")
    host = parts.hostname
    if not host:
        raise FetchError(f"{url}: the address has no host name")
    try:
        port = parts.port or _SCHEMES[scheme]
    except ValueError as exc:
        raise FetchError(f"{url}: invalid port") from exc
    addresses = resolve_host(host, port, policy)
    refused = [a for a in addresses if not policy.allowed(a)]
    if refused:
        raise FetchError(
            f"{host} is a private, loopback, link-local or reserved address ({refused[0]}): refused "
            "(set YALU_URL_ALLOW_PRIVATE=true to fetch from your own network)"
        )


def resolve_host(host: str, port: int, policy: FetchPolicy) -> list[IPAddress]:
    """The addresses of a host: the literal IP itself, or every address the resolver gives."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    found = [ipaddress.ip_address(a.split("%")[0]) for a in policy.resolver(host, port)]
    if not found:
        raise FetchError(f"cannot resolve {host!r}")
    return found


def fetch_page(url: str, policy: FetchPolicy) -> Page:
    """Download one page, following at most `max_redirects` redirects, each checked like the first URL."""
    page = fetch_document(url, policy, (*_HTML_TYPES, "text/plain"))
    assert page is not None  # no conditional headers were sent, so no 304
    return page


def fetch_document(
    url: str, policy: FetchPolicy, types: Sequence[str], headers: dict[str, str] | None = None
) -> Page | None:
    """Download a document of one of `types` like `fetch_page`; None when conditional `headers` got a 304."""
    deadline = time.monotonic() + policy.timeout_s
    timeout = httpx.Timeout(policy.timeout_s)
    # trust_env=False: no proxy from the environment, so the connected peer is the host that was checked
    transport = deadline_transport(deadline)
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False, transport=transport) as client:
        current = url.strip()
        for _ in range(policy.max_redirects + 1):
            check_url(current, policy)
            try:
                page, location = _get(client, current, policy, deadline, types, headers or {})
            except httpx.TimeoutException as exc:
                raise FetchError(f"{current}: no answer within {policy.timeout_s:g} s (YALU_URL_TIMEOUT_S)") from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"{current}: download failed ({type(exc).__name__})") from exc
            if page is not None or not location:
                return page
            current = urljoin(current, location)
    raise FetchError(f"{url}: more than {policy.max_redirects} redirects")


def _get(
    client: httpx.Client, url: str, policy: FetchPolicy, deadline: float, types: Sequence[str], headers: dict[str, str]
) -> tuple[Page | None, str]:
    """One request: the page, or None and the redirect's Location (None and "" for 304 Not Modified)."""
    with client.stream("GET", url, headers={"User-Agent": _USER_AGENT, **headers}) as response:
        _check_peer(response, url, policy)
        if response.status_code == 304 and headers:
            return None, ""
        if response.is_redirect:
            location = response.headers.get("location", "")
            if not location:
                raise FetchError(f"{url}: redirect without a Location")
            return None, location
        if response.status_code != 200:
            raise FetchError(f"{url}: the server answered HTTP {response.status_code}")
        content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type not in types:
            raise FetchError(f"{url}: not a web page (content type {content_type or 'unknown'})")
        body = _read_capped(response, url, policy, deadline)
        text = _decode(body, response.charset_encoding, url)
        return Page(str(response.url), content_type, text, dict(response.headers)), ""


def _check_peer(response: httpx.Response, url: str, policy: FetchPolicy) -> None:
    """The address actually connected to must pass the policy too (DNS may answer differently the second time)."""
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if peer and not policy.allowed(ipaddress.ip_address(str(peer[0]).split("%")[0])):
        raise FetchError(f"{url}: connected to a refused address ({peer[0]})")


def _read_capped(response: httpx.Response, url: str, policy: FetchPolicy, deadline: float) -> bytes:
    """The body, refused as soon as it passes `max_bytes` or the overall time limit."""
    declared = response.headers.get("content-length", "")
    limit_mb = f"{policy.max_bytes / 1_000_000:g} MB"
    if declared.isdigit() and int(declared) > policy.max_bytes:
        raise FetchError(f"{url}: the page is larger than {limit_mb} (YALU_URL_MAX_BYTES)")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > policy.max_bytes:
            raise FetchError(f"{url}: the page is larger than {limit_mb} (YALU_URL_MAX_BYTES)")
        if time.monotonic() > deadline:
            raise FetchError(f"{url}: the download took longer than {policy.timeout_s:g} s (YALU_URL_TIMEOUT_S)")
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(body: bytes, charset: str | None, url: str) -> str:
    """The page text in its declared charset, else as trafilatura detects it (meta tags, byte statistics)."""
    if charset:
        try:
            return body.decode(charset)
        except (LookupError, UnicodeDecodeError) as exc:
            raise FetchError(f"{url}: the page is not valid {charset} text") from exc
    from trafilatura.utils import decode_file

    return str(decode_file(body))


def page_article(page: Page) -> Article:
    """The article of a downloaded page (HTML cleaned by trafilatura, plain text by the raw-text rules), URL kept."""
    from dataclasses import replace

    from bot.ingest.html_text import parse_html
    from bot.ingest.raw_text import parse_raw_text

    if page.content_type == "text/plain":
        return replace(parse_raw_text(page.text, source=page.url), url=page.url, source=None)
    return parse_html(page.text, url=page.url)


def fetch_article(url: str, policy: FetchPolicy) -> Article:
    """Download a page and turn it into an Article whose `url` is the address it was served from."""
    return page_article(fetch_page(url, policy))


def fetch_for_index(url: str, policy: FetchPolicy) -> Article:
    """`fetch_article`, refused when the page is boilerplate (a consent wall, an error page), and given the
    id that hashes the URL it was served from: another page with the same date and title is not it."""
    from bot.corpus import make_article_id
    from bot.ingest.boilerplate import refuse_boilerplate

    article = fetch_article(url, policy)
    refuse_boilerplate(article, url)
    return article.with_id(make_article_id(article.title, article.published, article.url or url))
