"""Serve the demo shop page (web/) and tell its chat widget where Rasa's socket is.

``/config.js`` is generated from the command line, so the page needs no build step and
follows ``RASA_PORT``. Every response carries a Content Security Policy that allows
scripts and styles from this server only and connections to that socket only: a second
line of defence behind the widget never putting bot text into HTML.

Run by the stack: ``python -m stack.web --host 127.0.0.1 --port 8080 --socket-url
http://127.0.0.1:5005`` (``BIND_HOST`` and the public Rasa URL).
"""

from __future__ import annotations

import argparse
import json
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from settings import LOOPBACK, PROJECT_ROOT

WEB_DIR = PROJECT_ROOT / "web"


def content_security_policy(socket_url: str) -> str:
    socket_ws = "ws" + socket_url.removeprefix("http")  # http->ws, https->wss
    return "; ".join(
        [
            "default-src 'self'",
            f"connect-src 'self' {socket_url} {socket_ws}",
            "img-src 'self' data:",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ]
    )


class ShopPageHandler(SimpleHTTPRequestHandler):
    """Static files from web/, the generated /config.js, no directory listings."""

    def __init__(self, *args: Any, socket_url: str, **kwargs: Any) -> None:
        self.socket_url = socket_url
        super().__init__(*args, directory=str(WEB_DIR), **kwargs)

    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] != "/config.js":
            super().do_GET()
            return
        body = f"window.JESSOPS_CHAT = {json.dumps({'socketUrl': self.socket_url})};\n".encode()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/javascript; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def list_directory(self, path: str) -> None:
        self.send_error(HTTPStatus.NOT_FOUND)

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", content_security_policy(self.socket_url))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        super().end_headers()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=LOOPBACK, help="the address to listen on")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--socket-url", required=True, help="Rasa server URL, e.g. http://...")
    args = parser.parse_args(argv)
    handler = partial(ShopPageHandler, socket_url=args.socket_url)
    with ThreadingHTTPServer((args.host, args.port), handler) as server:
        server.serve_forever()


if __name__ == "__main__":
    main()
