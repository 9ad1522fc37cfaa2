"""Real local servers for channel tests: an aiosmtpd SMTP server and an HTTP receiver.

Load with `pytest_plugins = ["tests.conftest_smtp"]`.

    smtp_server                      plain SMTP, no AUTH
    smtp_auth_server                 AUTH required; only mailer / s3cret is accepted
    server.refuse[address] = "550 …" makes RCPT TO fail for that address
    @pytest.mark.parametrize("smtp_server", [{"auth": True}], indirect=True)
                                     the same, through the plain fixture
    webhook_receiver                 records requests; set `.status` to choose the reply
    unused_port                      a local port nothing listens on
    silent_port                      a local port that accepts and then never answers
"""
from __future__ import annotations

import asyncio

import email
import email.policy
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

SMTP_USER = "mailer"
SMTP_PASSWORD = "s3cret"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class SmtpServer:
    host: str
    port: int
    auth: bool
    user: str = SMTP_USER
    password: str = SMTP_PASSWORD
    messages: list = field(default_factory=list)
    envelopes: list = field(default_factory=list)
    connections: int = 0
    # address -> SMTP reply, e.g. {"ghost@example.vn": "550 5.1.1 No such user"}
    refuse: dict = field(default_factory=dict)
    delay: float = 0.0  # seconds before accepting each DATA: lets a test kill a sender mid-batch
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _connected(self) -> None:
        with self._lock:
            self.connections += 1


class _Recorder:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.server.refuse:
            return self.server.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        # Enforced here rather than with auth_required=True, which makes aiosmtpd warn on
        # every connection that AUTH without TLS is unsafe; on 127.0.0.1 that is noise.
        if self.server.auth and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.server.delay:
            await asyncio.sleep(self.server.delay)
        # Record before answering 250, so the client never sees success for a lost mail.
        self.server.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.server.messages.append(email.message_from_bytes(envelope.original_content or envelope.content,
                                                             policy=email.policy.default))
        return "250 Message accepted for delivery"


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == SMTP_USER.encode()
        and auth_data.password == SMTP_PASSWORD.encode()
    )
    # handled=False makes aiosmtpd answer 535 itself; the default would leave the client hanging.
    return AuthResult(success=ok, handled=False)


class _CountingController(Controller):
    def __init__(self, record: SmtpServer, **kwargs) -> None:
        self.record = record
        super().__init__(_Recorder(record), **kwargs)

    def factory(self):
        record = self.record

        class CountingSMTP(SMTP):
            def connection_made(self, transport):
                record._connected()
                super().connection_made(transport)

        return CountingSMTP(self.handler, **self.SMTP_kwargs)


def _start_smtp(auth: bool):
    record = SmtpServer(host="127.0.0.1", port=free_port(), auth=auth)
    kwargs = dict(hostname=record.host, port=record.port, ready_timeout=5.0)
    if auth:
        kwargs.update(authenticator=_authenticator, auth_require_tls=False)
    controller = _CountingController(record, **kwargs)
    controller.start()
    # start() opens one probe connection of its own; the tests count only theirs.
    record.connections = 0
    return controller, record


@pytest.fixture
def unused_port() -> int:
    """A port on 127.0.0.1 with nothing listening: connections to it are refused."""
    return free_port()


@pytest.fixture
def silent_port():
    """A port that accepts TCP connections but never says a word: provokes read timeouts."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)  # never accept(): the kernel completes the handshake, nobody answers
        yield s.getsockname()[1]


@pytest.fixture
def smtp_server(request):
    options = getattr(request, "param", None) or {}
    controller, record = _start_smtp(auth=bool(options.get("auth")))
    try:
        yield record
    finally:
        controller.stop()


@pytest.fixture
def smtp_auth_server():
    controller, record = _start_smtp(auth=True)
    try:
        yield record
    finally:
        controller.stop()


@dataclass
class ReceivedRequest:
    method: str
    path: str
    headers: dict
    body: bytes


@dataclass
class WebhookReceiver:
    host: str
    port: int
    status: int = 200
    delay: float = 0.0  # seconds to wait before answering, to provoke client timeouts
    requests: list = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/hooks/petitions"


def _handler_for(receiver: WebhookReceiver):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            receiver.requests.append(ReceivedRequest("POST", self.path, dict(self.headers.items()), body))
            if receiver.delay:
                time.sleep(receiver.delay)
            reply = b'{"received":true}' if receiver.status < 400 else b'{"error":"rejected by test"}'
            try:
                self.send_response(receiver.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up first (timeout tests); that is the point of the test

        def log_message(self, format, *args):  # keep test output clean
            return None

    return Handler


@pytest.fixture
def webhook_receiver():
    receiver = WebhookReceiver(host="127.0.0.1", port=0)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(receiver))
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
