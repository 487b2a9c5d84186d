"""Serving the classroom web app offline (the command is `coopsim.cli.app`).

Serves the page of `coopsim.app.page` with Solara (Mesa's SolaraViz), with no request
leaving the machine: Solara's front-end assets come from the `solara-assets` package
(installed into `<prefix>/share/solara/cdn`, which Solara's asset proxy serves before it
would ask a CDN), the Vue 2 front end matches them (ipyvue/ipyvuetify 1.x), the charts are
SVG drawn on the server and the network an SVG drawn by a Vue template (no Altair/Vega,
which Solara loads from a CDN; nor solara.Markdown, which loads KaTeX), and Solara's
telemetry is off.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

from coopsim.config.errors import UserError

__all__ = ["DEFAULT_PORT", "REQUIRED_ASSETS", "offline_problems", "check_port", "serve"]

DEFAULT_PORT = 8765
# What Solara 1.64's page template asks its asset proxy for (see solara.html.j2).
REQUIRED_ASSETS = ("@widgetti/solara-vuetify-app@10.1.1/dist/solara-vuetify-app8.min.js",
                   "requirejs@2.3.6/require.js",
                   "@widgetti/vue-grid-layout@2.3.13-alpha.2/dist/vue-grid-layout.umd.js")


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
        raise UserError(f"--port {port}: give a port number between 1 and 65535.")
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError as exc:
            raise UserError(f"cannot listen on {host}:{port} ({exc.strerror}). Is another app "
                            f"running there? Choose another with --port.") from None


def serve(scenario_path: str, host: str, port: int) -> None:
    """Serve the class app until interrupted.

    Args:
        scenario_path: the scenario file the page starts from ('' for the built-in defaults).
        host: the address to listen on.
        port: the port.
    """
    # Solara reads its settings from the environment when first imported.
    os.environ["SOLARA_APP"] = "coopsim.app.page"
    os.environ["COOPSIM_APP_SCENARIO"] = scenario_path
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    os.environ.setdefault("SOLARA_THEME_LOADER", "plain")  # no 0.5 s fade-out, no banner
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = host, str(port)
    import uvicorn

    uvicorn.run("solara.server.starlette:app", host=host, port=port, log_level="warning")
