"""`coopsim` command line. Each command lives in the module that does its work; the module
exposes `add_arguments(parser)` and `main(args) -> int`. Modules are imported only when
their command runs, so `coopsim run` does not pay for SALib, Dask or Solara."""

from __future__ import annotations

import argparse
import importlib
import sys

from coopsim.config.errors import UserError

__all__ = ["main", "COMMANDS"]

# name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("coopsim.cli.run", "run a scenario (replicated) and write time series, ledger, figures"),
    "scenarios": ("coopsim.cli.scenarios", "list the scenario files with a one-line description"),
    "validate": ("coopsim.cli.validate", "check the model against the known patterns (TRACE)"),
    "sensitivity": ("coopsim.cli.sensitivity", "global sensitivity analysis of an experiment file"),
    "compare": ("coopsim.cli.compare", "compare policy levers against a base scenario (paired)"),
    "report": ("coopsim.cli.report", "turn a results folder into one self-contained HTML file"),
    "app": ("coopsim.cli.app", "start the classroom web app"),
    "discover": ("coopsim.cli.discover", "scenario discovery (PRIM, CART, feature scoring)"),
}


def _top_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coopsim",
        description="Agent-based model of regional governments' international partnerships.",
        epilog="Run 'coopsim COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"coopsim {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    return parser


def _version() -> str:
    from coopsim import __version__

    return __version__


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS:
        parser = _top_parser()
        if argv and not argv[0].startswith("-"):
            parser.error(f"unknown command '{argv[0]}'; choose from: {', '.join(COMMANDS)}")
        parser.parse_args(argv)
        parser.print_help()
        return 0 if argv else 2
    name = argv[0]
    module_name, help_text = COMMANDS[name]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:  # an optional extra is missing
        print(f"coopsim {name}: not available ({exc}). Install with: pip install 'coopsim[all]'",
              file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(prog=f"coopsim {name}", description=help_text)
    module.add_arguments(parser)
    args = parser.parse_args(argv[1:])
    try:
        return int(module.main(args) or 0)
    except UserError as exc:
        print(f"coopsim {name}: error: {exc}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        print(f"coopsim {name}: interrupted; finished work is kept on disk.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
