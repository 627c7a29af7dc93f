"""Misbehaving network peers on 127.0.0.1 for tests: a server that never answers, and a forwarding proxy in front
of a real registry that can answer 429, echo request headers, or stop reading a request body for a while.

    with HangingServer() as hang:           # accepts connections, reads nothing, answers nothing
        hang.address                        # "127.0.0.1:<port>"
    with OneShotServer(answer=True) as one: # answers one request per connection (keep-alive), then hangs up
    with FaultProxy(upstream="127.0.0.1:5000", rate_limit=2, retry_after=1) as proxy: ...
"""

from __future__ import annotations

import http.client
import http.server
import json
import socket
import threading
import time
from typing import Any


class HangingServer:
    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.address = f"127.0.0.1:{self._sock.getsockname()[1]}"
        self._accepted: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        self._sock.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            self._accepted.append(conn)  # kept open, never read, never answered

    def __enter__(self) -> HangingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        for conn in self._accepted:
            conn.close()
        self._sock.close()

    @property
    def connections(self) -> int:
        return len(self._accepted)


class OneShotServer:
    """Reads one request per connection, answers it `200 ok` as HTTP/1.1 keep-alive (or not at all, with
    `answer=False`) and closes the connection without saying so: a server that dropped an idle connection."""

    def __init__(self, *, answer: bool) -> None:
        self.answer = answer
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.address = f"127.0.0.1:{self._sock.getsockname()[1]}"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        self._sock.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            self.connections += 1
            with conn:
                conn.settimeout(5)
                received = b""
                while b"\r\n\r\n" not in received and (chunk := conn.recv(4096)):
                    received += chunk
                if self.answer:
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    def __enter__(self) -> OneShotServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._sock.close()


class FaultProxy:
    """A reverse proxy to `upstream` (host:port, plain HTTP). Faults, in the order checked:

    - `rate_limit`: the first N requests get 429 with `Retry-After: <retry_after>`;
    - `echo_status`: every request but HEAD gets that status with its request headers echoed in an OCI error body;
    - `stall_after`/`stall_seconds`: once (every time with `stall_always`), after reading that many bytes of a
      request body, stop reading for that long (a registry busy with fsync), then go on.
    A request whose body does not arrive whole is not forwarded (the client gave up). `requests` lists
    (method, path, time) of what reached the proxy, `ranges` the Content-Range of each forwarded PATCH.
    """

    def __init__(self, upstream: str, *, rate_limit: int = 0, retry_after: str = "1", echo_status: int = 0,
                 stall_after: int = 0, stall_seconds: float = 0.0, stall_always: bool = False,
                 rewrite_host: bool = True) -> None:
        self.upstream = upstream
        self.rate_limit = rate_limit
        self.retry_after = retry_after
        self.echo_status = echo_status
        self.stall_after = stall_after
        self.stall_seconds = stall_seconds
        self.stalled = False
        self.stall_always = stall_always
        self.rewrite_host = rewrite_host
        self.requests: list[tuple[str, str, float]] = []
        self.ranges: list[str] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(_Handler):
            owner = proxy

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def record(self, method: str, path: str) -> int:
        with self._lock:
            self.requests.append((method, path, time.monotonic()))
            return len(self.requests)


class _Handler(http.server.BaseHTTPRequestHandler):
    owner: FaultProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_GET(self) -> None:
        self._handle()

    do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = do_GET

    def _handle(self) -> None:
        owner = self.owner
        number = owner.record(self.command, self.path)
        body = self._read_body()
        if len(body) < int(self.headers.get("Content-Length") or 0):
            self.close_connection = True  # the client went away mid-body: a real server drops such a request
            return
        if number <= owner.rate_limit:
            self._answer(429, {"Retry-After": owner.retry_after}, json.dumps(
                {"errors": [{"code": "TOOMANYREQUESTS", "message": "rate limit exceeded"}]}).encode())
            return
        if owner.echo_status and self.command != "HEAD":  # a HEAD answer has no body to echo into
            echoed = "; ".join(f"{k}: {v}" for k, v in self.headers.items())
            self._answer(owner.echo_status, {"Content-Type": "application/json"}, json.dumps(
                {"errors": [{"code": "DENIED", "message": f"bad request, headers were {echoed}"}]}).encode())
            return
        try:
            self._forward(body)
        except OSError:  # the upstream went away (an outage test): drop the client's connection
            self.close_connection = True

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        owner = self.owner
        chunks: list[bytes] = []
        read = 0
        while read < length:
            if owner.stall_after and (owner.stall_always or not owner.stalled) and read >= owner.stall_after \
                    and not (owner.stalled and owner.stall_always and read > owner.stall_after):
                owner.stalled = True
                time.sleep(owner.stall_seconds)
            chunk = self.rfile.read(min(65536, length - read))
            if not chunk:
                break
            chunks.append(chunk)
            read += len(chunk)
        return b"".join(chunks)

    def _forward(self, body: bytes) -> None:
        owner = self.owner
        if self.command == "PATCH":
            owner.ranges.append(self.headers.get("Content-Range", ""))
        host, _, port = owner.upstream.partition(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        headers["Host"] = owner.upstream
        headers["Content-Length"] = str(len(body))
        connection.request(self.command, self.path, body=body if body or self.command != "GET" else None,
                           headers=headers)
        response = connection.getresponse()
        content = response.read()
        answer_headers = {}
        for name, value in response.getheaders():
            if name.lower() in ("content-length", "connection", "transfer-encoding"):
                continue
            if owner.rewrite_host and name.lower() == "location":
                value = value.replace(owner.upstream, owner.address)
            answer_headers[name] = value
        connection.close()
        self._answer(response.status, answer_headers, content, length=response.getheader("Content-Length"))

    def _answer(self, status: int, headers: dict[str, str], content: bytes, *, length: str | None = None) -> None:
        head = self.command == "HEAD"
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", length if head and length else str(len(content)))
        self.end_headers()
        if not head:
            self.wfile.write(content)
