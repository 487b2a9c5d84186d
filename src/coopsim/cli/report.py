"""`coopsim report FOLDER`: one self-contained HTML file (figures embedded) from any results
folder, to open in a browser or send by e-mail, in Bahasa Indonesia or English (`--lang`). A
`coopsim compare` folder gets the report that decides (conclusion first, tables, glossary),
made again from the folder's own tables in the language asked for."""

from __future__ import annotations

from pathlib import Path

from coopsim.cli.compare import add_language_argument
from coopsim.reporting.folders import check_output
from coopsim.reporting.html import report_kind, write_report
from coopsim.reporting.i18n import Messages, default_language

__all__ = ["add_arguments", "main"]


def add_arguments(parser) -> None:
    """Options of `coopsim report`."""
    parser.add_argument("folder", help="a results folder (from coopsim run, compare, validate, sensitivity)")
    parser.add_argument("--out", default=None, help="HTML file to write (default FOLDER/report.html)")
    parser.add_argument("--title", default=None, help="title of the page")
    add_language_argument(parser)


def main(args) -> int:
    """Check where the report goes, write it, say where it is and how large."""
    lang = args.lang or default_language()
    if args.out:
        check_output(Path(args.out).parent, force=True, option="--out")
    if Path(args.folder).is_dir() and report_kind(args.folder) == "compare":
        from coopsim.workflows.compare import write_comparison_report   # the model only when needed

        out = write_comparison_report(args.folder, args.out, lang, args.title)
    else:
        out = write_report(args.folder, args.out, args.title, lang)
    size = out.stat().st_size
    print(Messages(lang)("report.written", path=str(out), size=f"{size / 1e6:.1f}"))
    return 0
