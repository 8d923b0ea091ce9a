"""A loopback HTTP server that answers /search as Nominatim does (format=json), recording the
requests it gets and when; canned answers by query, a 500 for "http-error", a slow answer for
"slow"."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


def _answer(osm_id, kind, name, lat, lon, display_name, box):
    """One result shaped like Nominatim's /search?format=json&addressdetails=1 answers (test
    data: the ids are not OSM's)."""
    return {
        "place_id": osm_id - 1000,
        "licence": "Data © OpenStreetMap contributors, ODbL 1.0.",
        "osm_type": "node",
        "osm_id": osm_id,
        "lat": lat,
        "lon": lon,
        "class": "place",
        "type": kind,
        "addresstype": kind,
        "name": name,
        "display_name": display_name,
        "address": {kind: name, "country": "Kyrgyzstan", "country_code": "kg"},
        "boundingbox": box,
    }


# Far candidates come first, as a geocoder's ranking may put them, so that taking the first
# candidate instead of choosing in context fails the tests.
ANSWERS = {
    "Kok-Tash": [
        _answer(
            2002,
            "village",
            "Kok-Tash",
            "41.8260",
            "72.9760",
            "Kok-Tash, Jalal-Abad Region, Kyrgyzstan",
            ["41.8060", "41.8460", "72.9560", "72.9960"],
        ),
        _answer(
            2001,
            "village",
            "Kok-Tash",
            "39.9501",
            "70.5362",
            "Kok-Tash, Batken District, Batken Region, Kyrgyzstan",
            ["39.9301", "39.9701", "70.5162", "70.5562"],
        ),
    ],
    "Ak-Sai": [
        _answer(
            2005,
            "village",
            "Ak-Sai",
            "40.9000",
            "75.7000",
            "Ak-Sai, Naryn Region, Kyrgyzstan",
            ["40.8800", "40.9200", "75.6800", "75.7200"],
        ),
        _answer(
            2004,
            "village",
            "Ak-Sai",
            "39.8744",
            "70.5221",
            "Ak-Sai, Batken District, Batken Region, Kyrgyzstan",
            ["39.8544", "39.8944", "70.5021", "70.5421"],
        ),
    ],
    "Batken": [
        _answer(
            2003,
            "town",
            "Batken",
            "40.0628",
            "70.8195",
            "Batken, Batken Region, Kyrgyzstan",
            ["40.0228", "40.1028", "70.7795", "70.8595"],
        )
    ],
    # A village the gazetteer lacks (made-up test data, as the others).
    "Uch-Dobo": [
        _answer(
            2006,
            "village",
            "Uch-Dobo",
            "39.9300",
            "70.4900",
            "Uch-Dobo, Batken District, Batken Region, Kyrgyzstan",
            ["39.9200", "39.9400", "70.4800", "70.5000"],
        )
    ],
}


class NominatimStub:
    """Start with `with NominatimStub() as stub:`; `stub.domain` is "127.0.0.1:PORT"."""

    def __init__(self, delay=2.0):
        self.requests = []  # the q parameter of every request received
        self.times = []  # when each request arrived (time.monotonic())
        self.delay = delay  # how long "slow" takes to answer, in seconds
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlsplit(self.path)
                query = parse_qs(url.query).get("q", [""])[0]
                stub.times.append(time.monotonic())
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
