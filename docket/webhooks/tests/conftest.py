"""A platform receiving pushes: a local HTTP server in a thread, answering as told and keeping what it got."""

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from docket import testing as t
from docket.officers.models import Role
from docket.subjects.models import Kind, Subject


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str = ""
    # Statuses to answer, one per request, the last repeated.
    statuses: list[int] = field(default_factory=lambda: [200])
    got: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, received: Received) -> int:
        with self.lock:
            self.got.append(received)
            return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]


@pytest.fixture
def receiver():
    box = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = box.answer(Received(dict(self.headers.items()), body))
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", box.url + "elsewhere")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def do_GET(self):  # noqa: N802 - a redirected push would arrive here as a GET
            self.do_POST()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    box.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/docket"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield box
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _plain_http(settings):
    # The receiver is a local plain-HTTP server; production refuses anything but https://.
    settings.DOCKET_WEBHOOKS_ALLOW_HTTP = True


def platform(key: str = "weibo") -> Subject:
    org = t.organisation()
    org.runs_platform = key
    org.save(update_fields=["runs_platform"])
    return org


def platform_client(org: Subject):
    return t.officer(None, Role.PLATFORM, platform=org)


def accounts(key: str, n: int) -> list[Subject]:
    """``n`` accounts on platform ``key``; the first ones of a test are ``<key>-u0``, ``<key>-u1``, ..."""
    made: list[Subject] = []
    taken = Subject.objects.filter(kind=Kind.ACCOUNT, platform=key).count()
    for i in range(taken, taken + n):
        made.append(Subject.objects.create(kind=Kind.ACCOUNT, name=f"账号{i}", identifier=f"{key}-u{i}", platform=key))
    return made
