"""`coopsim` command line. Each command lives in the module that does its work; the module
exposes `add_arguments(parser)` and `main(args) -> int`. Modules are imported only when
their command runs, so `coopsim run` does not pay for SALib, Dask or Solara."""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import sys
import warnings

from coopsim.cli.common import check_options
from coopsim.config.errors import UserError, error_language
from coopsim.config.toml import excerpt
from coopsim.reporting.i18n import default_language, error_text

__all__ = ["main", "COMMANDS"]

# name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("coopsim.cli.run", "run a scenario (replicated) and write time series, ledger, figures"),
    "scenarios": ("coopsim.cli.scenarios", "list the scenario files with a one-line description"),
    "validate": ("coopsim.cli.validate", "check the model against the known patterns (TRACE)"),
    "sensitivity": ("coopsim.cli.sensitivity", "global sensitivity analysis of an experiment file"),
    "compare": ("coopsim.cli.compare", "compare policy levers against a base scenario (paired)"),
    "oat": ("coopsim.cli.oat", "move each obstacle from weak to strong, one at a time (paired)"),
    "report": ("coopsim.cli.report", "turn a results folder into one self-contained HTML file"),
    "app": ("coopsim.cli.app", "start the classroom web app"),
    "discover": ("coopsim.cli.discover", "scenario discovery (PRIM, CART, feature scoring)"),
    "profile": ("coopsim.cli.profile", "write your region's own profile (traits, partnerships) as a scenario to edit"),
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
    """Run `coopsim COMMAND [OPTIONS]`.

    Args:
        argv: the arguments (default: the command line's).

    Returns:
        The exit status: 0 done, 1 done with failed runs or checks, 2 a refusal or an error
        (one line on stderr, never a traceback), 130 interrupted, 141 output pipe closed.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS:
        parser = _top_parser()
        if argv and not argv[0].startswith("-"):
            parser.error(f"unknown command '{excerpt(argv[0])}'; choose from: {', '.join(COMMANDS)}")
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
    with warnings.catch_warnings():
        warnings.showwarning = _warning_printer(name)
        return _run(name, module, args)


def _warning_printer(name: str):
    """Warnings for a user: `coopsim NAME: warning: ...` on stderr, no source line."""
    def show(message, category, filename, lineno, file=None, line=None) -> None:
        print(f"coopsim {name}: warning: {message}", file=sys.stderr)
    return show


def _os_error(exc: OSError) -> str:
    """An operating-system error in words, with the file it concerns."""
    words = {errno.ENOSPC: "no space left on the disk", errno.EROFS: "the disk is read-only",
             errno.EACCES: "permission denied", errno.EDQUOT: "the disk quota is used up"}.get(exc.errno)
    words = words or exc.strerror or str(exc) or type(exc).__name__
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        words += ". Free some space and run the command again (a sweep continues with --resume)"
    where = str(exc.filename) if exc.filename else ""
    return f"{where[:200]}{'...' if len(where) > 200 else ''}: {words}" if where else words


def _language(args) -> str:
    """The language of a command's messages: its --lang, else COOPSIM_LANG, else the environment's
    locale (`default_language`); English when COOPSIM_LANG names no language."""
    try:
        return getattr(args, "lang", None) or default_language()
    except UserError:   # COOPSIM_LANG names no language: the messages stay in English
        return "en"


def _run(name: str, module, args) -> int:
    """Run the command; every error a user can meet becomes one line on stderr and an exit status.
    A user's error reads in the command's language (`_language`), also where one error quotes
    another."""
    lang = _language(args)
    try:
        with error_language(lang):
            check_options(args)
            return int(module.main(args) or 0)
    except UserError as exc:
        print(f"coopsim {name}: error: {error_text(exc.in_language(lang), lang)}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        print(f"coopsim {name}: interrupted. A sweep's finished runs are kept (--resume continues it); "
              f"other commands leave no partial results folder.", file=sys.stderr)
        return 130
    except BrokenPipeError:   # the reader of our output went away (coopsim ... | head): stop quietly
        try:   # and let Python's exit flush nothing more into the closed pipe
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 141
    except MemoryError:
        print(f"coopsim {name}: error: out of memory. Use fewer replications, points or workers, or a machine "
              f"with more memory.", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"coopsim {name}: error: {_os_error(exc)}.", file=sys.stderr)
        return 2
    except Exception as exc:   # a library that fails while cleaning up after a full disk (matplotlib's PDF)
        cause = _os_cause(exc)
        if cause is None:
            raise
        print(f"coopsim {name}: error: {_os_error(cause)}.", file=sys.stderr)
        return 2


def _os_cause(exc: BaseException) -> OSError | None:
    """The operating-system error behind an exception raised while handling it, if any."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, OSError):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


if __name__ == "__main__":
    sys.exit(main())
