"""`coopsim app [SCENARIO] [--lang id|en] [--port P] [--host H] [--allow-host NAME]`: the classroom web app,
served offline on this machine (see coopsim.app.server)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from coopsim.app.classroom import base_scenario, default_scenario_path
from coopsim.app.server import DEFAULT_PORT, check_host_names, check_port, offline_problems, serve
from coopsim.reporting.i18n import LANGUAGE_NAMES, LANGUAGES, default_language

__all__ = ["add_arguments", "main"]


def add_arguments(parser) -> None:
    """Options of `coopsim app`."""
    parser.add_argument("scenario", nargs="?", default=None,
                        help="scenario file (default: the class scenario shipped with coopsim: the 38 "
                             "provinces and their partners, with the two Yogyakarta cases)")
    parser.add_argument("--lang", choices=LANGUAGES, default=None,
                        help="language of the page: " + ", ".join(f"{c} ({n})" for c, n in LANGUAGE_NAMES.items())
                             + "; the page also has a switch (default: COOPSIM_LANG, else the locale, else en)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1, this machine only; "
                             "0.0.0.0 shows the page to the whole network, on purpose)")
    parser.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                        help="another name browsers use for this machine (repeatable). The app "
                             "answers only to 127.0.0.1, localhost, the --host address and, with "
                             "0.0.0.0, IP addresses and the machine's own name, and only to its "
                             "own pages: other web sites open in the browser cannot reach it")


def main(args) -> int:
    """Check the scenario and the port, warn if the page would need the internet, then serve."""
    path = args.scenario if args.scenario is not None else default_scenario_path()
    if path:
        path = str(Path(path).resolve())
    base_scenario(path)  # a bad scenario file fails here, as a UserError, before serving
    check_port(args.host, args.port)
    allow_hosts = check_host_names(args.allow_host)
    for problem in offline_problems():
        print(f"coopsim app: warning: {problem} Without it the page needs the internet.", file=sys.stderr)
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    print(f"coopsim app: scenario {path or '(built-in defaults, 38 provinces)'}", flush=True)
    print(f"coopsim app: open http://{shown}:{args.port}/ in a browser (Ctrl+C stops it)", flush=True)
    os.environ["COOPSIM_APP_LANG"] = args.lang or default_language()
    serve(path, args.host, args.port, allow_hosts)
    return 0
