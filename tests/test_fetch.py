"""Fetching web pages: limits, redirects, errors, charsets, proxies, the private-address
guard and polite concurrency, against a site on 127.0.0.1 the tests start. No request
leaves the machine: names other than the site's are answered by a patched resolver."""

from __future__ import annotations

import socket
import time
import tracemalloc
from ipaddress import ip_address

import httpcore
import pytest
from website import CP1252_TEXT, self_signed, serve_site

from pipeline.documents.fetch import USER_AGENT, FetchLimits, fetch, fetch_many, network
from pipeline.documents.fetch.media import decode_declared
from pipeline.errors import (
    FetchError,
    FetchRefusedError,
    FetchTimeoutError,
    UnsupportedContentError,
)
from pipeline.version import __version__


@pytest.fixture()
def resolver(monkeypatch: pytest.MonkeyPatch) -> dict[str, str | None]:
    """Names the tests invent, resolved without asking any DNS server (None: no such
    host); every other name as the system resolves it (the site's 127.0.0.1)."""
    names: dict[str, str | None] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in names:
            address = names[host]
            if address is None:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return names


# -- what comes back ------------------------------------------------------------------------


def test_a_page_comes_with_its_reader_its_address_and_the_tool_named(site):
    fetched = fetch(site.url("/article"))
    assert fetched.suffix == ".html" and fetched.media_type == "text/html"
    assert fetched.url == fetched.final_url == site.url("/article")
    assert "Les États-Unis" in fetched.data.decode("utf-8")
    assert fetched.fetched_at.endswith("+00:00")
    _, headers = next(r for r in reversed(site.requests) if r[0] == "/article")
    assert headers["User-Agent"] == USER_AGENT
    assert f"bilingual-pipeline/{__version__}" in USER_AGENT
    assert "text/html" in headers["Accept"] and "application/pdf" in headers["Accept"]


@pytest.mark.parametrize(
    ("path", "suffix"),
    [
        ("/doc.pdf", ".pdf"),
        ("/download", ".pdf"),
        ("/rapport.docx", ".docx"),
        ("/notes.txt", ".txt"),
    ],
)
def test_the_content_type_or_the_file_name_picks_the_reader(site, path, suffix):
    fetched = fetch(site.url(path))
    assert fetched.suffix == suffix
    if suffix == ".pdf":
        assert fetched.data.startswith(b"%PDF")


def test_an_unsupported_content_type_is_refused_with_what_is_readable(site):
    with pytest.raises(UnsupportedContentError, match=r"image/png; readable: web pages, PDF"):
        fetch(site.url("/image.png"))


# -- redirects ------------------------------------------------------------------------------


def test_a_redirect_chain_is_followed_and_the_final_address_kept(site):
    fetched = fetch(site.url("/r/3"))
    assert fetched.url == site.url("/r/3")
    assert fetched.final_url == site.url("/article")


def test_a_redirect_loop_stops_at_the_limit_and_says_it_is_a_loop(site):
    before = len(site.requests)
    with pytest.raises(FetchError, match=r"a redirect loop \(/loop/b → /loop/a → /loop/b\)"):
        fetch(site.url("/loop/a"), FetchLimits(max_redirects=4))
    assert len(site.requests) - before == 5  # the first request and four redirects


def test_more_redirects_than_allowed_is_an_error(site):
    with pytest.raises(FetchError, match=r"too many redirects: stopped after 2 redirects"):
        fetch(site.url("/r/5"), FetchLimits(max_redirects=2))
    assert fetch(site.url("/r/2"), FetchLimits(max_redirects=3)).final_url == site.url("/article")


def test_a_redirect_to_another_scheme_is_refused(site):
    with pytest.raises(FetchError, match=r"redirected to ftp://127.0.0.1/file.txt, not an http"):
        fetch(site.url("/to-ftp"))


# -- errors are lines -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "message"), [("/missing", "HTTP 404 Not Found"), ("/broken", "HTTP 500")]
)
def test_an_error_status_is_the_reason(site, path, message):
    with pytest.raises(FetchError, match=message):
        fetch(site.url(path))


def test_an_error_status_after_a_redirect_says_where(site):
    target = site.url("/missing")
    with pytest.raises(FetchError, match=rf"HTTP 404 Not Found \(at {target}\)"):
        fetch(site.url(f"/redirect-to?target={target}"))


def test_a_refused_connection_names_the_address():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match=rf"connection refused by 127.0.0.1:{port}"):
        fetch(f"http://127.0.0.1:{port}/")


def test_a_name_that_does_not_resolve_is_said_so(resolver):
    resolver["no-such-host.invalid"] = None
    with pytest.raises(FetchError, match=r"cannot resolve host no-such-host.invalid"):
        fetch("http://no-such-host.invalid/article")


def test_an_untrusted_certificate_is_a_tls_error(tmp_path):
    untrusted = r"TLS error: 127.0.0.1's certificate is not trusted"
    with (
        serve_site(tls=self_signed(tmp_path)) as tls_site,
        pytest.raises(FetchError, match=untrusted),
    ):
        fetch(tls_site.url("/article"))


def test_a_certificate_trusted_through_ssl_cert_file_is_accepted(tmp_path, monkeypatch):
    certificate, key = self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate))
    with serve_site(tls=(certificate, key)) as tls_site:
        assert fetch(tls_site.url("/r/1")).final_url == tls_site.url("/article")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.org/a.txt", "only http:// and https:// addresses are fetched"),
        ("http://", "no host in the address"),
        ("http://[not-an-ip]/", "not a valid web address"),
        ("http://exa mple.org/", "not a valid web address"),
        ("http://example.org:99999/", "not a valid web address"),
    ],
)
def test_an_address_that_cannot_be_fetched_is_refused_before_any_request(url, message):
    with pytest.raises(FetchError, match=message):
        fetch(url)


# -- limits ---------------------------------------------------------------------------------


def test_a_server_that_says_nothing_is_left_after_the_timeout(site):
    started = time.monotonic()
    with pytest.raises(FetchTimeoutError, match=r"no response for 0.5 s \(--fetch-timeout\)"):
        fetch(site.url("/slow?s=5"), FetchLimits(timeout_s=0.5))
    assert time.monotonic() - started < 2


def test_a_page_that_trickles_in_is_cut_at_the_whole_fetchs_limit(site):
    started = time.monotonic()
    with pytest.raises(FetchTimeoutError, match=r"took longer than 1.5 s \(--fetch-max-time\)"):
        fetch(site.url("/drip?every=0.1"), FetchLimits(timeout_s=1, max_time_s=1.5))
    assert 1.4 < time.monotonic() - started < 2.5


def test_a_body_over_the_size_limit_is_cut_once_past_it(site):
    with pytest.raises(FetchError, match=r"over the 1.0 MiB limit \(--max-fetch-mb\); stopped"):
        fetch(site.url("/huge"), FetchLimits(max_bytes=2**20))


def test_a_body_that_declares_itself_too_large_is_not_read(site):
    with pytest.raises(FetchError, match=r"200.0 MiB, over the 50.0 MiB limit .*not read"):
        fetch(site.url("/huge-declared"))


@pytest.mark.parametrize("path", ["/gzip", "/deflate", "/raw-deflate"])
def test_a_compressed_body_is_decompressed(site, path):
    assert "Les États-Unis" in fetch(site.url(path)).data.decode("utf-8")


def test_a_small_compressed_body_cannot_grow_past_the_limit(site):
    # 64 KiB of gzip that would grow to 64 MiB: stopped at the limit, not at the 64 MiB.
    from website import _gzip_bomb

    _gzip_bomb()  # made before memory is watched (the site runs in this process)
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match=r"over the 1.0 MiB limit.*after 1.0 MiB"):
            fetch(site.url("/gzip-bomb"), FetchLimits(max_bytes=2**20))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2**20


# -- charsets -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/latin1", "/meta-charset"])
def test_the_declared_charset_decodes_the_page(site, path):
    # ISO-8859-1 as browsers read it (Windows-1252: œ, ’), from the header or the page.
    fetched = fetch(site.url(path))
    assert CP1252_TEXT in fetched.data.decode("utf-8")
    assert fetched.notes == ()


def test_a_page_in_utf8_labelled_latin1_is_read_as_utf8_and_said(site):
    fetched = fetch(site.url("/utf8-labelled-latin1"))
    assert CP1252_TEXT in fetched.data.decode("utf-8")
    assert any("declares iso-8859-1, but the text is UTF-8" in n for n in fetched.notes)


def test_a_wrong_charset_in_the_header_gives_way_to_the_pages_own(site):
    fetched = fetch(site.url("/wrong-charset"))
    assert CP1252_TEXT in fetched.data.decode("utf-8")
    assert any("the HTTP header declares UTF-8, but the bytes are not" in n for n in fetched.notes)
    assert any("read as windows-1252, as the page declares" in n for n in fetched.notes)
    # The hash is of what the server sent, not of the re-encoded text.
    import hashlib

    assert fetched.sha256 != hashlib.sha256(fetched.data).hexdigest()


def test_charset_rules_without_a_server():
    cyrillic = "Привет, мир".encode("koi8-r")
    assert decode_declared(cyrillic, "koi8-r", ".txt", "x")[0].decode() == "Привет, мир"
    # A byte-order mark wins over any label; binary formats are never re-encoded.
    bom = "\ufeffcafé".encode("utf-8")
    assert decode_declared(bom, "windows-1251", ".txt", "x") == (bom, ())
    assert decode_declared(b"%PDF-1.4 \xe9", "utf-8", ".pdf", "x") == (b"%PDF-1.4 \xe9", ())
    data, notes = decode_declared(b"caf\xe9", "no-such-charset", ".txt", "x")
    assert data == b"caf\xe9" and "unknown charset 'no-such-charset'" in notes[0]


# -- proxies --------------------------------------------------------------------------------


def test_the_users_proxy_carries_the_request(site, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", site.base)
    fetched = fetch("http://example.invalid/article")
    assert "Les États-Unis" in fetched.data.decode()
    assert site.requests[-1][0] == "http://example.invalid/article"  # absolute form: a proxy


def test_no_proxy_sends_the_request_straight(site, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert fetch(site.url("/article")).suffix == ".html"


def test_proxy_settings_that_cannot_be_used_are_one_line(monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "ftp://127.0.0.1:9")
    with pytest.raises(FetchError, match=r"cannot use this environment's proxy settings"):
        fetch("http://example.invalid/article")


# -- the private-address guard --------------------------------------------------------------


def test_a_loopback_address_is_refused_when_private_addresses_are(site):
    before = len(site.requests)
    with pytest.raises(FetchRefusedError, match=r"127.0.0.1 is a loopback address"):
        fetch(site.url("/article"), allow_private=False)
    assert len(site.requests) == before  # never connected
    assert fetch(site.url("/article"), allow_private=True).suffix == ".html"


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("fe80::1", "link-local"),
        ("::ffff:127.0.0.1", "loopback"),
        ("64:ff9b::a9fe:a9fe", "cloud metadata"),
        ("100.64.0.1", "reserved"),
        ("0.0.0.0", "unspecified"),
    ],
)
def test_a_name_that_resolves_to_a_private_address_is_refused(resolver, address, kind):
    resolver["intranet.example"] = address
    with pytest.raises(FetchRefusedError, match=rf"resolves to {address}, a {kind} address"):
        fetch("http://intranet.example/", allow_private=False)


def test_public_addresses_are_public():
    for address in ("93.184.216.34", "2606:4700::1111", "8.8.8.8"):
        assert network.address_kind(ip_address(address)) is None


def test_every_redirect_is_checked(site, monkeypatch):
    # 127.0.0.1 stands for a public server here; the redirect leads to 127.0.0.2.
    real = network.address_kind
    monkeypatch.setattr(
        network,
        "address_kind",
        lambda address: None if str(address) == "127.0.0.1" else real(address),
    )
    port = site.base.rsplit(":", 1)[1]
    target = f"http://127.0.0.2:{port}/article"
    with pytest.raises(FetchRefusedError, match=r"127.0.0.2 is a loopback address"):
        fetch(site.url(f"/redirect-to?target={target}"), allow_private=False)


class _Recorder(httpcore.NetworkBackend):
    """Stands for the network: records where a connection was asked to go."""

    def __init__(self):
        self.hosts: list[str] = []

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        self.hosts.append(host)
        raise httpcore.ConnectError("not connecting anywhere in a test")


def test_the_connection_goes_to_the_address_that_was_checked():
    answers = [["93.184.216.34"], ["127.0.0.1"]]  # a rebinding name: public, then private

    def resolve(host, port, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in answers.pop(0)]

    backend = network._Backend(time.monotonic() + 5, guarded=True, resolve=resolve)
    backend._inner = recorder = _Recorder()
    with pytest.raises(httpcore.ConnectError):
        backend.connect_tcp("rebind.example", 80)
    assert recorder.hosts == ["93.184.216.34"]  # the checked address, not the name again
    assert answers == [["127.0.0.1"]]  # resolved once


def test_a_name_with_any_private_address_is_refused_whole():
    def resolve(host, port, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in ("93.184.216.34", "10.0.0.1")
        ]

    backend = network._Backend(time.monotonic() + 5, guarded=True, resolve=resolve)
    backend._inner = recorder = _Recorder()
    with pytest.raises(FetchRefusedError, match=r"10\.0\.0\.1, a private address"):
        backend.connect_tcp("mixed.example", 80)
    assert recorder.hosts == []


# -- many pages -----------------------------------------------------------------------------


def test_many_pages_are_fetched_a_few_at_a_time_per_host():
    with serve_site() as site:  # its own, so no earlier test's slow answer is in flight
        port = site.base.rsplit(":", 1)[1]
        urls = [
            f"http://{host}:{port}/hold?s=0.3&n={i}"
            for host in ("127.0.0.1", "localhost")
            for i in range(5)
        ]
        results = dict(fetch_many(urls, fetch, per_host=2, workers=8))
    assert sorted(results) == list(range(len(urls)))
    assert all(r.suffix == ".html" for r in results.values())
    assert site.most_in_flight == {f"127.0.0.1:{port}": 2, f"localhost:{port}": 2}


def test_a_failed_page_is_a_result_and_the_rest_go_on(site):
    urls = [site.url("/missing"), site.url("/article"), "ftp://x/y"]
    results = dict(fetch_many(urls, fetch, per_host=1))
    assert isinstance(results[0], FetchError) and isinstance(results[2], FetchError)
    assert results[1].suffix == ".html"
