"""Serving the classroom web app offline (the command is `coopsim.cli.app`).

Serves the page of `coopsim.app.page` with Solara (Mesa's SolaraViz), with no request
leaving the machine: Solara's front-end assets come from the `solara-assets` package
(installed into `<prefix>/share/solara/cdn`, which Solara's asset proxy serves before it
would ask a CDN), the Vue 2 front end matches them (ipyvue/ipyvuetify 1.x), the charts are
SVG drawn on the server and the network an SVG drawn by a Vue template (no Altair/Vega,
which Solara loads from a CDN; nor solara.Markdown, which loads KaTeX), and Solara's
telemetry is off.

No web page can make the server hold more than a bounded amount of memory: Solara's app runs
behind `AppGuard`, standard ASGI middleware that answers only requests addressed to this app
(its Host) from this app's own pages (their Origin), so another site open in the lecturer's
browser cannot reach it, and that closes a websocket whose binary message is not the framing
Solara's deserialiser expects (a 4-byte part count, then that many offsets) before the
deserialiser sees it. Uvicorn caps a websocket message at `MAX_MESSAGE_BYTES`, and Solara
frees a page's model when the page closes (its close beacon) or `SESSION_CULL` after its
connection was lost.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import re
import socket
import struct
import sys
from pathlib import Path
from typing import Mapping, Sequence
from urllib.parse import parse_qs, urlsplit

from coopsim.config.errors import Text, UserError

__all__ = ["DEFAULT_PORT", "REQUIRED_ASSETS", "MAX_MESSAGE_BYTES", "MAX_BUFFERS", "SESSION_CULL",
           "offline_problems", "check_port", "check_host_names", "trusted_host_names",
           "plausible_binary_message", "AppGuard", "solara_settings", "serve"]

DEFAULT_PORT = 8765
# What Solara 1.64's page template asks its asset proxy for (see solara.html.j2).
REQUIRED_ASSETS = ("@widgetti/solara-vuetify-app@10.1.1/dist/solara-vuetify-app8.min.js",
                   "requirejs@2.3.6/require.js",
                   "@widgetti/vue-grid-layout@2.3.13-alpha.2/dist/vue-grid-layout.umd.js")
# The largest websocket message the server reads (the page's own are a few kB).
MAX_MESSAGE_BYTES = 1 << 20
# The most parts a binary websocket message may declare (the page sends none; widgets that send
# binary data send a few). Solara builds a struct format of this length before it checks the size.
MAX_BUFFERS = 64
# How long Solara keeps the model of a page whose connection was lost (a page that closes sends a
# beacon and is freed at once; Solara's default is 24 h): long enough for the page to reconnect
# after a network blip. SOLARA_KERNEL_CULL_TIMEOUT in the environment overrides it.
SESSION_CULL = "2m"
CLOSE_ROUTE = "/_solara/api/close/"
NO_PAGE_ID = "the close beacon names no page (session_id)"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
ANY_ADDRESS = ("0.0.0.0", "::", "")
_HOST_NAME = re.compile(r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                        r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?")

_log = logging.getLogger("coopsim.app")


def offline_problems() -> list[str]:
    """Why the page would need the internet, if it would.

    Returns:
        One sentence per problem (empty when the page works offline).
    """
    problems = []
    try:
        import ipyvue
    except ImportError:
        return ["Solara is not installed (pip install 'coopsim[app]')."]
    if not ipyvue.__version__.startswith("1."):
        problems.append(f"ipyvue {ipyvue.__version__} selects Solara's Vue 3 front end, which "
                        f"solara-assets does not ship; install 'ipyvue<2' 'ipyvuetify<2'.")
    cdn = Path(sys.prefix) / "share" / "solara" / "cdn"
    missing = [a for a in REQUIRED_ASSETS if not (cdn / a).exists()]
    if missing:
        problems.append(f"Solara's front-end files are missing from {cdn} ({missing[0]}...); "
                        f"install 'solara-assets==1.58.2'.")
    return problems


def check_port(host: str, port: int) -> None:
    """Raise a UserError unless the app can listen on host:port (checked before serving).

    Args:
        host: the address to listen on.
        port: the port.
    """
    if not 0 < port < 65536:
        raise UserError(Text("app.port_range", port=port))
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as s:
        if os.name == "posix":  # as uvicorn does: a just-stopped app's closing connections don't block it
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            raise UserError(Text("app.cannot_listen", host=host, port=port, why=exc.strerror)) from None


def check_host_names(names: Sequence[str]) -> list[str]:
    """The names given to `coopsim app --allow-host`, checked and in lower case.

    Args:
        names: host names or IP addresses, without scheme or port.

    Returns:
        The names in lower case; a UserError names the first one that is not a host name.
    """
    for name in names:
        if not (_HOST_NAME.fullmatch(name) or _is_ip(name.strip("[]"))):
            raise UserError(Text("app.allow_host", name=repr(name[:80])))
    return [name.strip("[]").lower() for name in names]


def trusted_host_names(host: str, also: Sequence[str] = ()) -> frozenset[str]:
    """The names a browser may use for this app (besides IP addresses, see `AppGuard`).

    Args:
        host: the address the app listens on.
        also: further names (`coopsim app --allow-host`).

    Returns:
        Lower-case host names: the loopback names, `also`, and the address itself, or the
        machine's names when the app listens on every address (0.0.0.0 or ::).
    """
    names = {*LOOPBACK_NAMES, *also}
    if host in ANY_ADDRESS:
        names |= {socket.gethostname(), socket.getfqdn()}
    else:
        names.add(host.strip("[]"))
    return frozenset(name.lower() for name in names if name)


def plausible_binary_message(data: bytes) -> bool:
    """Whether a binary websocket message has the framing Solara's deserialiser expects.

    Args:
        data: the message: a big-endian 4-byte count n of parts (1 to MAX_BUFFERS), then n
            4-byte offsets (the first right after them, none decreasing, none past the end).

    Returns:
        True if Solara can split it without building anything larger than the message.
    """
    if len(data) < 8:
        return False
    parts = int.from_bytes(data[:4], "big", signed=True)
    if not 1 <= parts <= MAX_BUFFERS or len(data) < 4 * (parts + 1):
        return False
    offsets = struct.unpack(f"!{parts}I", data[4:4 * (parts + 1)])
    return (offsets[0] == 4 * (parts + 1) and offsets[-1] <= len(data)
            and all(a <= b for a, b in zip(offsets, offsets[1:])))


class AppGuard:
    """ASGI middleware in front of Solara's app: refuses requests that another site or another
    host name sends (HTTP 403, also for a websocket handshake), closes a websocket on a binary
    message with implausible framing (code 1003), answers Solara's close beacon without a page id
    with HTTP 400 (Solara's route would fail with 500), and forbids framing the page by other sites.

    Args:
        app: Solara's ASGI app.
        host: the address the app listens on.
        port: the port it listens on.
        also: further host names to accept (`trusted_host_names`).
    """

    def __init__(self, app, host: str, port: int, also: Sequence[str] = ()) -> None:
        self.app, self.port = app, port
        self.names = trusted_host_names(host, also)
        self.any_address = host in ANY_ADDRESS

    def addresses_us(self, netloc: str) -> bool:
        """Whether `host[:port]` (a Host header, an Origin's netloc) names this app.

        Args:
            netloc: the host and optional port (80 when absent).

        Returns:
            True for this port and a trusted name, or any IP address when listening on all.
        """
        parts = urlsplit("//" + netloc)
        try:
            port = parts.port or 80
        except ValueError:
            return False
        name = parts.hostname or ""
        return port == self.port and (name in self.names or (self.any_address and _is_ip(name)))

    def refusal(self, scope) -> str | None:
        """Why this request is refused (None if it is served).

        Args:
            scope: the ASGI scope of an HTTP request or a websocket handshake.

        Returns:
            A short reason, or None.
        """
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if not self.addresses_us(headers.get("host", "")):
            name = urlsplit("//" + headers.get("host", "")).hostname or "?"
            return (f"this app does not answer to the name {name[:80]!r}; start it with "
                    f"--allow-host {name[:80]} if that name is this machine")
        origin = headers.get("origin")
        if origin is not None:
            parts = urlsplit(origin)
            if parts.scheme != "http" or not self.addresses_us(parts.netloc):
                return "cross-origin request"
        if scope["type"] == "http" and scope["path"].startswith(CLOSE_ROUTE) \
                and "session_id" not in parse_qs(scope.get("query_string", b"").decode("latin-1")):
            return NO_PAGE_ID
        return None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        reason = self.refusal(scope)
        if reason is not None and scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})  # before accepting: HTTP 403
        elif reason is not None:
            from starlette.responses import PlainTextResponse

            status = 400 if reason == NO_PAGE_ID else 403
            await PlainTextResponse(f"coopsim app: refused ({reason}).", status_code=status)(scope, receive, send)
        elif scope["type"] == "websocket":
            await _GuardedSocket(receive, send).serve(self.app, scope)
        else:
            await self.app(scope, receive, _not_framed(send))


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _not_framed(send):
    """`send` adding headers that stop other sites from showing the page in a frame."""
    async def framed_send(message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []),
                                              (b"content-security-policy", b"frame-ancestors 'self'"),
                                              (b"x-frame-options", b"SAMEORIGIN")]}
        await send(message)
    return framed_send


class _GuardedSocket:
    """Solara's side of one websocket: a binary message with implausible framing closes the
    connection (code 1003) and reaches Solara as a disconnect; messages Solara sends after a
    close are dropped; an error Solara raises on a malformed message closes the connection (code
    1011) and is logged as one line, not a traceback."""

    def __init__(self, receive, send) -> None:
        self._receive, self._send, self.closed = receive, send, False

    async def receive(self):
        message = await self._receive()
        data = message.get("bytes") if message["type"] == "websocket.receive" else None
        if data is not None and not plausible_binary_message(data):
            _log.warning("coopsim app: closed a connection that sent a malformed binary message "
                         "(%d bytes)", len(data))
            await self.send({"type": "websocket.close", "code": 1003, "reason": "malformed message"})
            return {"type": "websocket.disconnect", "code": 1003}
        return message

    async def send(self, message) -> None:
        if self.closed:
            return
        self.closed = message["type"] == "websocket.close"
        await self._send(message)

    async def serve(self, app, scope) -> None:
        try:
            await app(scope, self.receive, self.send)
        except Exception as exc:  # a message Solara cannot read: one line, not a traceback
            while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
                exc = exc.exceptions[0]
            _log.warning("coopsim app: closed a connection after a message it could not read (%s: %s)",
                         type(exc).__name__, str(exc)[:200])
            _log.debug("the error", exc_info=True)
            with contextlib.suppress(RuntimeError, OSError):  # the client may be gone already
                await self.send({"type": "websocket.close", "code": 1011})


def solara_settings(scenario_path: str, host: str, port: int, environ: Mapping[str, str]) -> dict[str, str]:
    """The environment variables Solara is started with (it reads its settings from them).

    Args:
        scenario_path: the scenario file the page starts from ('' for the built-in defaults).
        host: the address to listen on.
        port: the port.
        environ: the current environment: its telemetry, loader and cull settings win.

    Returns:
        Variable -> value: the page module and scenario, telemetry off, the plain loader (no
        0.5 s fade-out, no banner), and the cull time of lost pages (`SESSION_CULL`).
    """
    defaults = {"SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "SOLARA_THEME_LOADER": "plain",
                "SOLARA_KERNEL_CULL_TIMEOUT": SESSION_CULL}
    return {**defaults, **{key: environ[key] for key in defaults if key in environ},
            "SOLARA_APP": "coopsim.app.page", "COOPSIM_APP_SCENARIO": scenario_path,
            "SERVER_NAME": host, "SERVER_PORT": str(port)}


def serve(scenario_path: str, host: str, port: int, allow_hosts: Sequence[str] = ()) -> None:
    """Serve the class app until interrupted.

    Args:
        scenario_path: the scenario file the page starts from ('' for the built-in defaults).
        host: the address to listen on.
        port: the port.
        allow_hosts: further names browsers may use for this machine (`AppGuard`).
    """
    # Solara reads its settings from the environment when first imported.
    os.environ.update(solara_settings(scenario_path, host, port, os.environ))
    import uvicorn
    from solara.server.starlette import app as solara_app

    uvicorn.run(AppGuard(solara_app, host, port, allow_hosts), host=host, port=port,
                log_level="warning", ws_max_size=MAX_MESSAGE_BYTES)
