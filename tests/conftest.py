"""Shared fixtures: the real data loaded once per test run, and a live server for real clients.

The data is loaded into the test database once, committed, before any test runs; tests that use
the ``db`` fixture run inside a transaction that is rolled back, so they all see the same data.
"""

import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_data", verbosity=0)


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def live_url(django_db_setup, django_db_blocker):
    """Base URL of the app served on loopback over the loaded test database."""
    from django.core.wsgi import get_wsgi_application

    with django_db_blocker.unblock():
        server = make_server(
            "127.0.0.1", 0, get_wsgi_application(), _ThreadingServer, handler_class=_QuietHandler
        )
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            server.server_close()
