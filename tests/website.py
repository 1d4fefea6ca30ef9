"""A web site on 127.0.0.1 that a test starts: articles, a PDF, redirects, errors, slow and
oversized answers, wrong charsets. Nothing a test fetches leaves the machine."""

from __future__ import annotations

import functools
import html
import http.server
import io
import ssl
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from conftest import SEED
from corpus import make_pdf

ARTICLE = SEED.read_text(encoding="utf-8")
PARAGRAPHS = [p.strip() for p in ARTICLE.split("\n\n") if p.strip()]
#: French text that Latin-1 can hold (the PDF's built-in font knows nothing else).
LATIN_PARAGRAPHS = [
    "Le conseil municipal a vote mardi soir le budget de la ville pour l'annee prochaine.",
    "Les depenses de fonctionnement augmentent de trois pour cent, selon le maire.",
    "L'opposition a denonce une hausse des impots locaux et demande un nouveau debat.",
]
#: French with letters that only Windows-1252 holds among single-byte Western charsets.
CP1252_TEXT = (
    "Le cœur du problème, c’est l’œuvre inachevée du maire : « une ville où chacun trouve "
    "sa place ». Les élus ont débattu pendant trois heures de la rénovation des écoles."
)


def page(paragraphs: list[str], title: str = "Article", head: str = "") -> str:
    """An HTML page with navigation around its article."""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html><head>{head}<title>{html.escape(title)}</title></head><body>"
        "<nav><a href='/'>Accueil</a> | <a href='/monde'>Monde</a></nav>"
        f"<article><h1>{html.escape(title)}</h1>{body}</article>"
        "<footer>Tous droits réservés</footer></body></html>"
    )


@dataclass
class Site:
    """A running site: its base address, what it was asked, and how many requests each
    host had in flight at most."""

    base: str
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    most_in_flight: dict[str, int] = field(default_factory=dict)
    sent: dict[str, int] = field(default_factory=dict)
    routes: dict[str, Callable[..., None]] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


def _pdf_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "page.pdf"
        make_pdf(path, LATIN_PARAGRAPHS)
        return path.read_bytes()


@functools.cache
def _gzip_bomb() -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    return packer.compress(bytes(64 * 2**20)) + packer.flush()


def _docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    for text in PARAGRAPHS[:4]:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    site: Site
    lock = threading.Lock()
    in_flight: dict[str, int] = {}  # noqa: RUF012 - shared by the handler's threads
    pdf = b""
    docx = b""

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def send(
        self, status: int, body: bytes, content_type: str | None, headers: dict | None = None
    ) -> None:
        self.send_response(status)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, target: str, status: int = 302) -> None:
        self.send(status, b"", "text/html", {"Location": target})

    def do_GET(self) -> None:
        host = self.headers.get("Host", "")
        with self.lock:
            self.site.requests.append((self.path, dict(self.headers.items())))
            self.in_flight[host] = self.in_flight.get(host, 0) + 1
            most = self.site.most_in_flight
            most[host] = max(most.get(host, 0), self.in_flight[host])
        try:
            self.route()
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with self.lock:
                self.in_flight[host] -= 1

    def route(self) -> None:
        parts = urlsplit(self.path)
        path, query = unquote(parts.path), parse_qs(parts.query)
        utf8_html = "text/html; charset=utf-8"
        if path in ("/article", "/article.html", "/monde/2024/élections"):
            self.send(200, page(PARAGRAPHS).encode(), utf8_html)
        elif path == "/hold":
            time.sleep(float(query.get("s", ["0.3"])[0]))
            self.send(200, page(PARAGRAPHS).encode(), utf8_html)
        elif path == "/latin1":  # the label browsers read as Windows-1252
            body = page([CP1252_TEXT]).encode("cp1252")
            self.send(200, body, "text/html; charset=ISO-8859-1")
        elif path == "/meta-charset":  # declared only in the page
            head = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
            self.send(200, page([CP1252_TEXT], head=head).encode("cp1252"), "text/html")
        elif path == "/utf8-labelled-latin1":  # a server's ISO-8859-1 default over UTF-8
            self.send(200, page([CP1252_TEXT]).encode(), "text/html; charset=iso-8859-1")
        elif path == "/wrong-charset":  # says UTF-8, is Windows-1252; the page says so
            head = '<meta charset="windows-1252">'
            body = page([CP1252_TEXT], head=head).encode("cp1252")
            self.send(200, body, utf8_html)
        elif path == "/notes.txt":
            self.send(200, ARTICLE.encode(), "text/plain; charset=utf-8")
        elif path == "/doc.pdf":
            self.send(200, self.pdf, "application/pdf")
        elif path == "/download":  # a generic type; the file name says what it is
            headers = {"Content-Disposition": 'attachment; filename="rapport.pdf"'}
            self.send(200, self.pdf, "application/octet-stream", headers)
        elif path == "/rapport.docx":
            docx_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            self.send(200, self.docx, docx_type)
        elif path == "/image.png":
            self.send(200, b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png")
        elif path.startswith("/r/"):
            left = int(path.removeprefix("/r/"))
            self.redirect("/article" if left <= 0 else f"/r/{left - 1}")
        elif path == "/loop/a":
            self.redirect("/loop/b", 301)
        elif path == "/loop/b":
            self.redirect(self.site.url("/loop/a"), 307)
        elif path == "/redirect-to":
            self.redirect(query["target"][0])
        elif path == "/to-ftp":
            self.redirect("ftp://127.0.0.1/file.txt")
        elif path == "/missing":
            self.send(404, b"<h1>Not found</h1>", utf8_html)
        elif path == "/broken":
            self.send(500, b"<h1>Oops</h1>", utf8_html)
        elif path == "/slow":  # nothing at all for a while
            time.sleep(float(query.get("s", ["3"])[0]))
            self.send(200, page(PARAGRAPHS).encode(), utf8_html)
        elif path == "/drip":  # headers at once, then a little every so often, forever
            self.stream(utf8_html, b"<p>" + b"x" * 1021 + b"</p>", float(query["every"][0]))
        elif path == "/huge":  # as fast as it can, forever, no length said
            self.stream(utf8_html, b"<p>" + b"a" * 65529 + b"</p>", 0.0)
        elif path in ("/gzip", "/deflate", "/raw-deflate"):  # compressed in transit
            wbits = {"/gzip": 31, "/deflate": 15, "/raw-deflate": -15}[path]
            packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
            body = packer.compress(page(PARAGRAPHS).encode()) + packer.flush()
            coding = {"Content-Encoding": path.strip("/").removeprefix("raw-")}
            self.send(200, body, utf8_html, coding)
        elif path == "/gzip-bomb":  # 64 KiB that grow to 64 MiB
            self.send(200, _gzip_bomb(), utf8_html, {"Content-Encoding": "gzip"})
        elif path == "/huge-declared":
            self.send_response(200)
            self.send_header("Content-Type", utf8_html)
            self.send_header("Content-Length", str(200 * 2**20))
            self.end_headers()
            self.wfile.write(b"<p>" + b"a" * 1000)
        else:
            self.send(404, b"no such page", "text/plain")

    def stream(self, content_type: str, chunk: bytes, every: float) -> None:
        """Send ``chunk`` again and again, chunked, until the client goes away."""
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        sent = 0
        try:
            while True:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
                if every:
                    time.sleep(every)
        finally:
            with self.lock:
                self.site.sent[self.path] = sent


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hung up early is what many tests do (and stderr is theirs)


@contextmanager
def serve_site(tls: tuple[Path, Path] | None = None) -> Iterator[Site]:
    """Run the site on 127.0.0.1 (a free port) until the block ends; with ``tls`` (a
    certificate and its key), over HTTPS."""
    server = _Server(("127.0.0.1", 0), _Handler)
    scheme = "http"
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(tls[0]), str(tls[1]))
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    site = Site(f"{scheme}://127.0.0.1:{server.server_address[1]}")
    handler = type("Handler", (_Handler,), {"site": site, "in_flight": {}})
    handler.pdf, handler.docx = _pdf_bytes(), _docx_bytes()
    server.RequestHandlerClass = handler
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key (PEM files in ``folder``)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path
