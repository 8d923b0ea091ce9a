"""A loopback HTTP server for fetching articles in tests: /article (a news page), /login (a page
without an article), /error (500), /image (not HTML), /slow (answers only when the server stops),
anything else 404; it records the User-Agent of every request."""

import http.server
import threading
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


class ArticleServer:
    """Start with `with ArticleServer() as server:`; `server.url` is "http://127.0.0.1:PORT"."""

    def __init__(self):
        self.agents = []
        self.release = threading.Event()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.agents.append(self.headers.get("User-Agent"))
                if self.path == "/article":
                    page = (FIXTURES / "article.html").read_bytes()
                    self.reply(200, "text/html; charset=utf-8", page)
                elif self.path == "/login":
                    self.reply(200, "text/html", (FIXTURES / "no-article.html").read_bytes())
                elif self.path == "/error":
                    self.reply(500, "text/html", b"<h1>Internal Server Error</h1>")
                elif self.path == "/image":
                    self.reply(200, "image/png", b"\x89PNG\r\n\x1a\n")
                elif self.path == "/slow":
                    server.release.wait(10)  # bounded: the client gives up long before
                    self.reply(200, "text/html", b"<p>late</p>")
                else:
                    self.reply(404, "text/html", b"not found")

            def reply(self, status, kind, body):
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out and left

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
