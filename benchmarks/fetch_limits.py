"""Fetching web pages: a slow or huge answer is cut at the limits. A server on 127.0.0.1
(started here, nothing leaves the machine) answers badly in each way a page can; each
fetch goes through `pipeline.documents.fetch.fetch` (what `pipeline summarize URL` and
`translate --urls` call) and the script prints when it stopped, what it said, how many
bytes the server had written by the time the client hung up (an upper bound on what
reached the client: the kernel's socket buffers hold some), and the most memory Python
held during the fetch (tracemalloc).

    python benchmarks/fetch_limits.py
    python benchmarks/fetch_limits.py --timeout 2 --max-time 3 --max-mb 10

Not a test: it measures, it asserts nothing.
"""

from __future__ import annotations

import argparse
import http.server
import threading
import time
import tracemalloc
import zlib
from dataclasses import replace

from pipeline.documents.fetch import FetchLimits, fetch
from pipeline.errors import FetchError

_SENT: dict[str, int] = {}
_GZIP_BOMB: list[bytes] = []


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.sent = 0
        try:
            if self.path == "/silent":  # accepts, then says nothing
                time.sleep(600)
            elif self.path == "/drip-headers":  # one byte of its headers every 0.5 s
                for byte in (
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Slow: " + b"a" * 10**6
                ):
                    self.write(bytes([byte]))
                    time.sleep(0.5)
            elif self.path == "/drip-body":  # headers at once, then 1 KiB every 0.1 s
                self.chunked(b"x" * 1024, 0.1)
            elif self.path == "/huge":  # as fast as it can, no length said
                self.chunked(b"a" * 65536, 0.0)
            elif self.path == "/huge-declared":  # says 10 GiB up front
                self.head({"Content-Length": str(10 * 2**30)})
                while True:
                    self.write(b"a" * 65536)
            elif self.path == "/gzip-bomb":  # 1 MiB that grows to 1 GiB
                body = _GZIP_BOMB[0]
                self.head({"Content-Encoding": "gzip", "Content-Length": str(len(body))})
                for i in range(0, len(body), 65536):
                    self.write(body[i : i + 65536])
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            _SENT[self.path] = self.sent

    def head(self, headers: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def write(self, data: bytes) -> None:
        self.wfile.write(data)
        self.wfile.flush()
        self.sent += len(data)

    def chunked(self, chunk: bytes, every: float) -> None:
        self.head({"Transfer-Encoding": "chunked"})
        while True:
            self.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            if every:
                time.sleep(every)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hung up is what is measured


def gzip_bomb(size: int) -> bytes:
    """``size`` zero bytes, gzip-compressed (about a thousandth of that)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(2**20)
    parts = [packer.compress(block) for _ in range(size // len(block))]
    return b"".join([*parts, packer.flush()])


def mib(n: float) -> str:
    return f"{n / 2**20:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=float, default=2.0, help="--fetch-timeout (s)")
    parser.add_argument("--max-time", type=float, default=3.0, help="--fetch-max-time (s)")
    parser.add_argument("--max-mb", type=float, default=10.0, help="--max-fetch-mb")
    args = parser.parse_args()
    limits = FetchLimits(
        timeout_s=args.timeout, max_time_s=args.max_time, max_bytes=int(args.max_mb * 2**20)
    )
    _GZIP_BOMB.append(gzip_bomb(2**30))
    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    cases = [
        ("silent server", "/silent", limits),
        ("headers 1 byte / 0.5 s", "/drip-headers", limits),
        ("body 1 KiB / 0.1 s", "/drip-body", limits),
        ("body as fast as it comes", "/huge", replace(limits, max_time_s=120)),
        ("declares 10 GiB", "/huge-declared", replace(limits, max_time_s=120)),
        ("gzip: 1 MiB → 1 GiB", "/gzip-bomb", replace(limits, max_time_s=120)),
    ]
    print(
        f"limits: --fetch-timeout {args.timeout:g} s, --fetch-max-time {args.max_time:g} s, "
        f"--max-fetch-mb {args.max_mb:g}; server on loopback\n"
    )
    print("| answer | cut after s | server had written KiB | peak Python MiB | error |")
    print("| --- | ---: | ---: | ---: | --- |")
    for label, path, case_limits in cases:
        _SENT.pop(path, None)
        tracemalloc.start()
        started = time.monotonic()
        try:
            fetch(base + path, case_limits)
            reason = "no error"
        except FetchError as exc:
            reason = str(exc).split(": ", 1)[1]
        elapsed = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        # The server notices the client has gone at its next write (or never: /silent).
        deadline = time.monotonic() + 3
        while path not in _SENT and path != "/silent" and time.monotonic() < deadline:
            time.sleep(0.05)
        sent = f"{_SENT[path] / 1024:,.0f}" if path in _SENT else "0"
        print(f"| {label} | {elapsed:.2f} | {sent} | {mib(peak)} | {reason} |")
    server.shutdown()


if __name__ == "__main__":
    main()
