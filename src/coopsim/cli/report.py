"""`coopsim report FOLDER`: one self-contained HTML file (figures embedded) from any results
folder, to open in a browser or send by e-mail."""

from __future__ import annotations

from pathlib import Path

from coopsim.reporting.folders import check_output
from coopsim.reporting.html import write_report

__all__ = ["add_arguments", "main"]


def add_arguments(parser) -> None:
    """Options of `coopsim report`."""
    parser.add_argument("folder", help="a results folder (from coopsim run, compare, validate, sensitivity)")
    parser.add_argument("--out", default=None, help="HTML file to write (default FOLDER/report.html)")
    parser.add_argument("--title", default=None, help="title of the page")


def main(args) -> int:
    """Check where the report goes, write it, say where it is and how large."""
    if args.out:
        check_output(Path(args.out).parent, force=True, option="--out")
    out = write_report(args.folder, args.out, args.title)
    size = out.stat().st_size
    print(f"{out} ({size / 1e6:.1f} MB): one self-contained file (figures embedded); open it in any browser "
          f"or e-mail it.")
    return 0
