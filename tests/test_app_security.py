"""The class app (`coopsim app`) against what any web page or local client can send (issue 17,
defect 1): the server is started on a free port of 127.0.0.1 and stopped by the tests.

Before the fix, one 64-byte binary websocket message whose first 4 bytes claim 50,000,000
parts made the server keep 1.6-2.3 GB (Solara's deserialiser builds a struct format of that
length), pages of other sites could open websockets to it, each page load kept its model for
24 hours, and `POST /_solara/api/close/abc` answered HTTP 500. The server's memory is read from
/proc/PID/status (VmRSS).
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import struct
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
EVIL = "http://evil.example"
HUGE_COUNT_FRAME = struct.pack("!i", 50_000_000) + bytes(60)   # the 64-byte frame of the issue

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
websockets_sync = pytest.importorskip("websockets.sync.client")


# --- without a server ----------------------------------------------------------------------------
def test_only_binary_messages_framed_as_solara_frames_them_pass():
    from solara.server.kernel import serialize_binary_message

    from coopsim.app.server import MAX_BUFFERS, plausible_binary_message

    real = serialize_binary_message({"header": {"msg_type": "comm_msg"}, "buffers": [b"abc", b"xyz"]})
    assert plausible_binary_message(real), "what Solara's own front end sends"
    assert not plausible_binary_message(HUGE_COUNT_FRAME)
    parts = MAX_BUFFERS + 1   # framed correctly, but more parts than the guard allows
    offsets = [4 * (parts + 1)] * parts
    assert not plausible_binary_message(struct.pack(f"!i{parts}I", parts, *offsets) + b"{}")
    for bad in (b"", b"\0\0\0\1", struct.pack("!iI", 0, 4), struct.pack("!iI", -1, 8),
                struct.pack("!iI", 1, 9) + b"{}", struct.pack("!iII", 2, 12, 4) + b"{}",
                struct.pack("!iII", 2, 12, 99) + b"{}"):
        assert not plausible_binary_message(bad), bad


def test_lost_pages_are_freed_after_two_minutes_unless_the_environment_says_otherwise():
    import solara.util

    from coopsim.app.server import solara_settings

    settings = solara_settings("", "127.0.0.1", 8765, {})
    assert solara.util.parse_timedelta(settings["SOLARA_KERNEL_CULL_TIMEOUT"]) == 120
    assert solara_settings("", "127.0.0.1", 8765, {"SOLARA_KERNEL_CULL_TIMEOUT": "1h"})[
        "SOLARA_KERNEL_CULL_TIMEOUT"] == "1h"
    assert settings["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"


@pytest.mark.parametrize("name", ["http://lecturer-pc", "lecturer-pc:8765", "two words", ""])
def test_allow_host_refuses_what_is_not_a_host_name(name, capsys):
    from coopsim import cli

    assert cli.main(["app", "--port", str(_free_port()), "--allow-host", name]) == 2
    err = capsys.readouterr().err
    assert "--allow-host" in err and "without http:// or a port" in err and "Traceback" not in err


# --- the app, served --------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A `coopsim app` process on 127.0.0.1 (`env`: extra environment variables, `args`: options)."""

    def __init__(self, folder: Path, env: dict[str, str] | None = None, args: tuple[str, ...] = ()) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = folder / f"server_{self.port}.log"
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen([sys.executable, "-m", "coopsim.cli", "app", "--port", str(self.port), *args],
                                     cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})})

    def wait_ready(self) -> None:
        deadline = time.time() + 60
        while True:
            assert self.proc.poll() is None, f"coopsim app exited:\n{self.log()}"
            try:
                with urllib.request.urlopen(self.url + "readyz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            assert time.time() < deadline, f"coopsim app did not answer within 60 s:\n{self.log()}"
            time.sleep(0.25)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise AssertionError("no VmRSS")

    def kernels(self) -> int:
        """Sessions (Solara kernels, each holding a page's model) the server holds."""
        with urllib.request.urlopen(self.url + "resourcez", timeout=10) as r:
            return json.load(r)["kernels"]["total"]

    def request(self, method: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, headers=headers or {})
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode(errors="replace")
        finally:
            conn.close()

    def open_page(self, close: bool = True) -> int:
        """Open a page session as the page's front end does and close it as the page does on
        leaving (else drop its connection); returns the number of messages sent to render it."""
        kernel, page = uuid.uuid4(), uuid.uuid4()
        with self.websocket(kernel=kernel, page=page) as ws:
            comm = uuid.uuid4().hex
            ws.send(_shell("comm_open", {"comm_id": comm, "target_name": "solara.control", "data": {}}))
            ws.send(_shell("comm_msg", {"comm_id": comm, "data": {"method": "run", "args": {"path": ""}}}))
            received = 1
            while '"finished"' not in str(ws.recv(timeout=60)):
                received += 1
        if close:
            status, _, _ = self.request("POST", f"/_solara/api/close/{kernel}?session_id={page}",
                                        {"Origin": self.url.rstrip("/")})
            assert status == 200
        return received

    def websocket(self, origin: str | None = None, kernel=None, page=None, **headers):
        """A websocket to the page's kernel channel, as the page opens it (new page ids)."""
        url = (f"ws://127.0.0.1:{self.port}/jupyter/api/kernels/{kernel or uuid.uuid4()}/channels"
               f"?session_id={page or uuid.uuid4()}")
        return websockets_sync.connect(url, origin=origin or self.url.rstrip("/"), open_timeout=30, max_size=None,
                                       additional_headers={"Cookie": f"solara-session-id={uuid.uuid4()}",
                                                           **headers})


def _shell(msg_type: str, content: dict) -> str:
    """A Jupyter message on the shell channel, as the page's front end sends it."""
    return json.dumps({"header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": "test",
                                  "username": "", "version": "5.3"},
                       "parent_header": {}, "metadata": {}, "content": content, "channel": "shell", "buffers": []})


def _start(folder: Path, env: dict[str, str] | None = None, args: tuple[str, ...] = ()) -> Server:
    server = Server(folder, env, args)
    try:
        server.wait_ready()
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    server = _start(tmp_path_factory.mktemp("app_security"), args=("--allow-host", "Class-Laptop.example"))
    yield server
    server.stop()
    assert server.proc.returncode is not None, "the server is stopped"


def _close_code(ws) -> int | None:
    """Read until the server closes the connection; its close code (None if it stays open 30 s)."""
    from websockets.exceptions import ConnectionClosed

    deadline = time.time() + 30
    try:
        while time.time() < deadline:
            ws.recv(timeout=max(0.1, deadline - time.time()))
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
    except TimeoutError:
        return None
    return None


def _handshake_status(server: Server, headers: dict[str, str]) -> int:
    """The HTTP status of a websocket handshake with these headers (101: accepted)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request("GET", f"/jupyter/api/kernels/{uuid.uuid4()}/channels?session_id={uuid.uuid4()}",
                     headers={"Host": f"127.0.0.1:{server.port}", "Connection": "Upgrade",
                              "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
                              "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", **headers})
        return conn.getresponse().status
    finally:
        conn.close()


def test_the_huge_part_count_frame_and_cross_origin_sockets_are_refused(app):
    start = app.rss_mb()
    for _ in range(3):   # three such frames took the server from 249 MB to 6 GB
        assert _handshake_status(app, {"Origin": EVIL}) == 403, "a page of another site cannot open a websocket"
        with app.websocket() as ws:            # the app's own origin: accepted, then closed on the frame
            ws.send(HUGE_COUNT_FRAME)
            assert _close_code(ws) == 1003, "the frame closes the connection (unsupported data)"
    with app.websocket() as ws:                # a message over the size limit (1 MiB)
        ws.send(bytes(2 << 20))
        assert _close_code(ws) == 1009, "an oversized message closes the connection (too big)"
    time.sleep(1.0)
    grown = app.rss_mb() - start
    assert grown < 50, f"the server's memory grew by {grown:.0f} MB"
    assert "malformed binary message" in app.log() and "Traceback" not in app.log()
    assert app.request("GET", "/readyz")[0] == 200, "the server still serves"


@pytest.mark.parametrize("headers", [
    {"Origin": EVIL},
    {"Origin": "null"},
    {"Origin": "https://127.0.0.1"},
    {"Host": "evil.example"},                                   # DNS rebinding: another name for us
])
def test_requests_from_other_sites_and_names_are_refused(app, headers):
    headers = {k: v.replace("127.0.0.1", f"127.0.0.1:{app.port}") for k, v in headers.items()}
    headers.setdefault("Host", f"127.0.0.1:{app.port}")
    for method, path in (("GET", "/"), ("POST", "/_solara/api/close/abc?session_id=x")):
        status, _, body = app.request(method, path, headers)
        assert status == 403 and "refused" in body, (method, path, headers, status)
    assert _handshake_status(app, headers) == 403, "nor a websocket"


def test_the_page_is_served_to_its_own_origin_and_cannot_be_framed_by_others(app):
    for origin in (None, f"http://127.0.0.1:{app.port}", f"http://localhost:{app.port}"):
        status, headers, body = app.request("GET", "/", {"Origin": origin} if origin else {})
        assert status == 200 and "solara" in body.lower(), origin
        assert headers.get("content-security-policy") == "frame-ancestors 'self'"
    for name in ("localhost", "class-laptop.example"):   # this machine; a name given with --allow-host
        status, _, _ = app.request("GET", "/", {"Host": f"{name}:{app.port}"})
        assert status == 200, name
    assert app.request("GET", "/", {"Host": f"class-laptop.example:{app.port + 1}"})[0] == 403, "another port"
    assert _handshake_status(app, {"Origin": f"http://localhost:{app.port}"}) == 101


def test_no_request_gets_an_http_500(app):
    own = {"Origin": f"http://127.0.0.1:{app.port}"}
    requests = [("POST", "/_solara/api/close/abc"), ("POST", "/_solara/api/close/abc?session_id=x"),
                ("POST", "/_solara/api/close/"), ("GET", "/_solara/api/close/abc"),
                ("POST", "/_solara/api/evict/abc"), ("GET", "/jupyter/api/kernels/x"),
                ("GET", "/jupyter/api/kernels/x/channels"), ("GET", "/static/../../etc/passwd"),
                ("GET", "/%00"), ("GET", "/resourcez?verbose"), ("DELETE", "/"), ("GET", "/" + "a" * 4000)]
    for method, path in requests:
        status, _, _ = app.request(method, path, own)
        assert status < 500, (method, path, status)
    status, _, body = app.request("POST", "/_solara/api/close/abc", own)
    assert status == 400 and "session_id" in body, "the close beacon without a page id is a client error"


@pytest.mark.parametrize("message", ["not json", "{}", "[]", "[" * 100_000,
                                     json.dumps({"header": {}, "channel": "shell"}),
                                     struct.pack("!iI", 1, 8) + b"garbage",
                                     struct.pack("!iII", 2, 12, 4) + b"{}"])
def test_a_malformed_message_closes_its_connection_without_a_traceback(app, message):
    with app.websocket() as ws:
        ws.send(message)
        assert _close_code(ws) is not None, "the server closes the connection"
    assert "Traceback" not in app.log(), app.log()[-3000:]
    assert app.request("GET", "/readyz")[0] == 200


def test_fifty_page_sessions_opened_and_closed_leave_memory_where_it_was(app):
    """Each session does what a page load does on the server (its websocket asks Solara to run
    the page, which builds the page's model and widgets) and what closing the page does (its
    close beacon). Without the beacon's effect each session keeps about 2 MB."""
    app.open_page()
    time.sleep(1.0)
    start_mb, start_kernels = app.rss_mb(), app.kernels()
    for _ in range(50):
        assert app.open_page() > 20, "the page was rendered (its widgets were sent)"
    time.sleep(2.0)
    grown = app.rss_mb() - start_mb
    assert grown < 100, f"50 page sessions kept {grown:.0f} MB"
    assert app.kernels() <= start_kernels, "each closed page's session (and model) is freed"


@pytest.mark.browser
@pytest.mark.slow
def test_pages_closed_in_a_real_browser_free_their_sessions(app):
    """The browser's own close beacon (sent with the page's Origin) gets through and frees
    each page's session."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto("about:blank")
            start_kernels = app.kernels()
            for _ in range(10):   # leaving a page (here: loading it again) closes it
                page.goto(app.url)
                page.wait_for_selector(".coopsim-step", timeout=60_000)
            page.goto("about:blank")
        finally:
            browser.close()
    deadline = time.time() + 10
    while app.kernels() > start_kernels and time.time() < deadline:
        time.sleep(0.2)
    assert app.kernels() <= start_kernels, "each closed page's session (and model) is freed"


def test_pages_whose_connection_is_lost_are_freed_after_the_cull_time(tmp_path):
    """Pages that vanish without closing (a crashed browser, a dropped network) keep their
    sessions until SOLARA_KERNEL_CULL_TIMEOUT (coopsim's default 2 minutes; 12 s here)."""
    server = _start(tmp_path, {"SOLARA_KERNEL_CULL_TIMEOUT": "12s"})
    try:
        server.open_page()
        time.sleep(1.0)
        start_mb, start_kernels = server.rss_mb(), server.kernels()
        for _ in range(5):
            server.open_page(close=False)
        assert server.kernels() == start_kernels + 5, "a lost page's session waits for it to reconnect"
        deadline = time.time() + 30
        while server.kernels() > start_kernels and time.time() < deadline:
            time.sleep(0.5)
        assert server.kernels() == start_kernels, "sessions of lost pages are freed after the cull time"
        time.sleep(1.0)
        assert server.rss_mb() - start_mb < 30, "and their memory with them"
    finally:
        server.stop()
