"""Real receivers on loopback for alert sinks: an HTTP server keeping JSON bodies, an SMTP server keeping mail."""

from __future__ import annotations

import json
import threading
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from nexus_gw.stack import free_port


class WebhookReceiver:
    """Keeps every JSON body POSTed to ``url``; answers ``status`` (204 unless told otherwise)."""

    def __init__(self, status: int = 204) -> None:
        received: list[dict[str, Any]] = []
        self.received = received
        self.status = status
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received.append(json.loads(body))
                self.send_response(outer.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def codes(self) -> list[str]:
        return [str(a.get("code")) for a in list(self.received)]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class SmtpReceiver:
    """aiosmtpd's SMTP server on loopback, keeping each message (and the login it was sent with)."""

    def __init__(self, require_login: bool = False) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        self.messages: list[Message] = []
        self.logins: list[tuple[str, str]] = []
        outer = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                outer.messages.append(message_from_bytes(envelope.content))
                return "250 OK"

        def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
            if isinstance(data, LoginPassword):
                outer.logins.append((data.login.decode(), data.password.decode()))
                return AuthResult(success=True)
            return AuthResult(success=False, handled=False)

        self.port = free_port()
        self.controller = Controller(
            Handler(),
            hostname="127.0.0.1",
            port=self.port,
            authenticator=authenticate,
            auth_require_tls=False,
            auth_required=require_login,
        )
        self.controller.start()

    def close(self) -> None:
        self.controller.stop()
