"""`coopsim app [SCENARIO] [--port P] [--host H]`: the classroom web app.

Serves the page of `coopsim/app_page.py` with Solara (Mesa's SolaraViz) on 127.0.0.1, with
no request leaving the machine: Solara's front-end assets come from the `solara-assets`
package (installed into `<prefix>/share/solara/cdn`, which Solara's asset proxy serves
before it would ask a CDN), the Vue 2 front end matches them (ipyvue/ipyvuetify 1.x), the
charts are SVG drawn on the server and the network an SVG drawn by a Vue template (no
Altair/Vega, which Solara loads from a CDN; nor solara.Markdown, which loads KaTeX), and
Solara's telemetry is off.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

from coopsim.config.errors import UserError

DEFAULT_PORT = 8765
# What Solara 1.64's page template asks its asset proxy for (see solara.html.j2).
REQUIRED_ASSETS = ("@widgetti/solara-vuetify-app@10.1.1/dist/solara-vuetify-app8.min.js",
                   "requirejs@2.3.6/require.js",
                   "@widgetti/vue-grid-layout@2.3.13-alpha.2/dist/vue-grid-layout.umd.js")


def add_arguments(parser) -> None:
    parser.add_argument("scenario", nargs="?", default=None,
                        help="scenario file (default: scenarios/class.toml, else "
                             "scenarios/yogyakarta_cases.toml: the 38 provinces and their partners)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1, this machine only; "
                             "0.0.0.0 shows the page to the whole network, on purpose)")


def offline_problems() -> list[str]:
    """Why the page would need the internet, if it would (empty when it works offline)."""
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


def _check_port(host: str, port: int) -> None:
    if not 0 < port < 65536:
        raise UserError(f"--port {port}: give a port number between 1 and 65535.")
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError as exc:
            raise UserError(f"cannot listen on {host}:{port} ({exc.strerror}). Is another app "
                            f"running there? Choose another with --port.") from None


def main(args) -> int:
    from coopsim.app.classroom import default_scenario_path, base_scenario

    path = args.scenario if args.scenario is not None else default_scenario_path()
    if path:
        path = str(Path(path).resolve())
    base_scenario(path)  # a bad scenario file fails here, as a UserError, before serving
    _check_port(args.host, args.port)
    for problem in offline_problems():
        print(f"coopsim app: warning: {problem} Without it the page needs the internet.", file=sys.stderr)

    # Solara reads its settings from the environment when first imported.
    os.environ["SOLARA_APP"] = "coopsim.app.page"
    os.environ["COOPSIM_APP_SCENARIO"] = path
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    os.environ.setdefault("SOLARA_THEME_LOADER", "plain")  # no 0.5 s fade-out, no banner
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = args.host, str(args.port)
    import uvicorn

    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    print(f"coopsim app: scenario {path or '(built-in defaults, 38 provinces)'}", flush=True)
    print(f"coopsim app: open http://{shown}:{args.port}/ in a browser (Ctrl+C stops it)", flush=True)
    uvicorn.run("solara.server.starlette:app", host=args.host, port=args.port, log_level="warning")
    return 0
