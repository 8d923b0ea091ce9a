"""Shared fixtures: the real data loaded once per test run, and a live server for real clients.

The data is loaded into the test database once, committed, before any test runs; tests that use
the ``db`` fixture run inside a transaction that is rolled back, so they all see the same data.
"""

import threading

import pytest
from django.core.management import call_command
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker):
    """The test database, loaded with data/ once.

    Replaces pytest-django's fixture, which makes no database when no collected test carries a
    django_db mark — as in a run of the browser tests alone, which reach the database through
    the live server.
    """
    from django.test.utils import setup_databases, teardown_databases

    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        databases = setup_databases(verbosity=verbosity, interactive=False)
        call_command("load_data", verbosity=0)
    yield
    with django_db_blocker.unblock():
        teardown_databases(databases, verbosity=verbosity)


class _LiveServer(ThreadedWSGIServer):
    # Django's threaded server closes a request thread's database connections when the thread
    # ends; waiting for those threads on close means none is left open on the test database
    # when it is dropped (PostgreSQL refuses to drop a database in use).
    daemon_threads = False
    block_on_close = True


class _Handler(WSGIRequestHandler):
    # One request per connection: an idle keep-alive connection from the browser would hold
    # its thread, and that thread's database connection, until the end of the run.
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def live_url(django_db_setup, django_db_blocker):
    """Base URL of the app served on loopback over the loaded test database."""
    from django.core.wsgi import get_wsgi_application

    with django_db_blocker.unblock():
        server = _LiveServer(("127.0.0.1", 0), _Handler)
        server.set_app(get_wsgi_application())
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            server.server_close()
