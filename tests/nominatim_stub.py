"""A loopback HTTP server that answers /search as Nominatim does (format=json), counting the
requests it gets; canned answers by query, a 500 for "http-error", a slow answer for "slow"."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# Shaped like https://nominatim.openstreetmap.org/search?format=json&addressdetails=1 answers.
ANSWERS = {
    "Kok-Tash": [
        {
            "place_id": 1001,
            "licence": "Data © OpenStreetMap contributors, ODbL 1.0.",
            "osm_type": "node",
            "osm_id": 2001,
            "lat": "39.9501",
            "lon": "70.5362",
            "class": "place",
            "type": "village",
            "addresstype": "village",
            "name": "Kok-Tash",
            "display_name": "Kok-Tash, Batken District, Batken Region, Kyrgyzstan",
            "address": {"village": "Kok-Tash", "country": "Kyrgyzstan", "country_code": "kg"},
            "boundingbox": ["39.9301", "39.9701", "70.5162", "70.5562"],
        },
        {
            "place_id": 1002,
            "licence": "Data © OpenStreetMap contributors, ODbL 1.0.",
            "osm_type": "node",
            "osm_id": 2002,
            "lat": "41.8260",
            "lon": "72.9760",
            "class": "place",
            "type": "village",
            "addresstype": "village",
            "name": "Kok-Tash",
            "display_name": "Kok-Tash, Jalal-Abad Region, Kyrgyzstan",
            "address": {"village": "Kok-Tash", "country": "Kyrgyzstan", "country_code": "kg"},
            "boundingbox": ["41.8060", "41.8460", "72.9560", "72.9960"],
        },
    ],
    "Batken": [
        {
            "place_id": 1003,
            "licence": "Data © OpenStreetMap contributors, ODbL 1.0.",
            "osm_type": "node",
            "osm_id": 2003,
            "lat": "40.0628",
            "lon": "70.8195",
            "class": "place",
            "type": "town",
            "addresstype": "town",
            "name": "Batken",
            "display_name": "Batken, Batken Region, Kyrgyzstan",
            "address": {"town": "Batken", "country": "Kyrgyzstan", "country_code": "kg"},
            "boundingbox": ["40.0228", "40.1028", "70.7795", "70.8595"],
        }
    ],
}


class NominatimStub:
    """Start with `with NominatimStub() as stub:`; `stub.domain` is "127.0.0.1:PORT"."""

    def __init__(self, delay=2.0):
        self.requests = []  # the q parameter of every request received
        self.delay = delay  # how long "slow" takes to answer, in seconds
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlsplit(self.path)
                query = parse_qs(url.query).get("q", [""])[0]
                stub.requests.append(query)
                if url.path != "/search":
                    return self.reply(404, {"error": "not found"})
                if query == "http-error":
                    return self.reply(500, {"error": "internal error"})
                if query == "slow":
                    time.sleep(stub.delay)
                return self.reply(200, ANSWERS.get(query, []))

            def reply(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the timeout test)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.domain = f"127.0.0.1:{self.server.server_port}"

    def __enter__(self):
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
