"""`coopsim scenarios [FOLDER]`: list the scenario files with the first line of each
description."""

from __future__ import annotations

from pathlib import Path

from coopsim.config.errors import UserError
from coopsim.config.scenario import SCENARIO_DIR, scenario_files

__all__ = ["add_arguments", "main"]


def add_arguments(parser) -> None:
    """Options of `coopsim scenarios`."""
    parser.add_argument("folder", nargs="?", default=str(SCENARIO_DIR), help="folder of scenario files")


def main(args) -> int:
    """Print one line per scenario file: its name and what it is about.

    Args:
        args: the parsed options (`folder`).

    Returns:
        0.

    Raises:
        UserError: the folder does not exist.
    """
    folder = Path(args.folder)
    if not folder.is_dir():
        raise UserError(f"{folder}: no such folder of scenario files.")
    files = scenario_files(folder)
    width = max((len(p.name) for p, _ in files), default=0)
    for path, line in files:
        print(f"{path.name:<{width}}  {line}")
    return 0
