"""`coopsim compare BASE.toml POLICY.toml [MORE.toml ...]`: policy levers against a base
scenario, paired (common random numbers), with intervals and plain-words verdicts
(`coopsim.workflows.compare` does the work), in Bahasa Indonesia or English (`--lang`)."""

from __future__ import annotations

import shlex
import sys

import argparse

from coopsim.cli.common import add_limits_argument
from coopsim.config.errors import Text, UserError
from coopsim.reporting.decision import summary_text
from coopsim.reporting.i18n import LANGUAGE_NAMES, Messages, default_language, language
from coopsim.workflows.compare import MAX_RUNS, plan_comparison, run_comparison

__all__ = ["add_arguments", "add_language_argument", "main"]


def _language_option(value: str) -> str:
    try:
        return language(value)
    except UserError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_language_argument(parser) -> None:
    """--lang id|en: the language of everything the command writes (default: the locale)."""
    parser.add_argument("--lang", type=_language_option, default=None, metavar="id|en",
                        help=f"language of the summary, figures, report and error hints: "
                             f"{', '.join(f'{k} ({v})' for k, v in LANGUAGE_NAMES.items())}; default from the "
                             f"environment's locale (LANG=id_ID... gives id, anything else en)")


def add_arguments(parser) -> None:
    """Options of `coopsim compare`."""
    parser.add_argument("scenarios", nargs="+", metavar="SCENARIO.toml",
                        help="the base scenario first (the status quo), then one or more scenarios with a lever "
                             "(or several) switched on")
    parser.add_argument("--region", default=None, metavar="NAME",
                        help="focus on one regional government and its own partnerships (name or ISO code; "
                             "case and the Kota/Kabupaten/Provinsi prefix do not matter), e.g. 'DI Yogyakarta'")
    parser.add_argument("--reps", type=int, default=None,
                        help=f"replications per scenario (default 30; 100 for firmer intervals; at most "
                             f"{MAX_RUNS:,} runs in all without --no-limits); with --uncertain, runs per draw "
                             f"(default 1)")
    parser.add_argument("--uncertain", type=int, default=0, metavar="N",
                        help="also run every lever against the base in N draws of what is uncertain (the "
                             "behavioural rates' posterior, or their priors, and the obstacles' ranges of "
                             "experiments/obstacles_sobol.toml), with the same seeds within a draw, and report per "
                             "lever the share of draws where it helps, its median effect and its regret "
                             "(off by default; 50 is a usual start)")
    parser.add_argument("--posterior", default=None, metavar="DIR",
                        help="with --uncertain: the calibration results folder whose posterior.csv is drawn "
                             "(default the shipped experiments/posterior, the one the baseline's rates come from, else the "
                             "priors of experiments/calibration.toml; your own calibration only when named, e.g. "
                             "--posterior results/calibration; the summary says which)")
    parser.add_argument("--seed", type=int, default=1, help="master seed (default 1)")
    parser.add_argument("--out", default=None, help="results folder (default results/compare_<names>)")
    parser.add_argument("--force", action="store_true", help="write into a non-empty results folder")
    parser.add_argument("--workers", type=int, default=1,
                        help="worker processes (default 1); results are identical for any number")
    parser.add_argument("--rank-by", default=None, metavar="OUTCOME",
                        help="outcome that orders the ranking (default active_10y, or active_end for runs "
                             "shorter than 10 years)")
    parser.add_argument("--no-report", action="store_true",
                        help="do not write report.html (the one-file HTML report; 'coopsim report DIR' makes it later)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_language_argument(parser)
    add_limits_argument(parser)


def main(args) -> int:
    """Plan the comparison, say what it compares, run it, print the summary."""
    if args.workers < 1:
        raise UserError(Text("option.at_least", name="workers", minimum=1, value=args.workers))
    args.lang = args.lang or default_language()
    t = Messages(args.lang)
    if args.posterior is not None and not args.uncertain:
        raise UserError(Text("compare.posterior_needs_uncertain"))
    reps = args.reps if args.reps is not None else 1 if args.uncertain else 30
    plan = plan_comparison(args.scenarios, reps=reps, seed=args.seed, region=args.region,
                           rank_by=args.rank_by, out=args.out, force=args.force, workers=args.workers,
                           limits=not args.no_limits, lang=args.lang, uncertain=args.uncertain,
                           posterior=args.posterior)
    print("\n".join(line.replace("`", "") for line in plan.head) + "\n")
    result = run_comparison(plan, workers=args.workers, progress=not args.no_progress and sys.stderr.isatty(),
                            report=not args.no_report)
    if result.note:
        print(result.note + "\n")
    print(summary_text(plan.setting, result.found, args.lang, markdown=False, full=False))
    print(t("compare.done", runs=result.runs, seconds=f"{result.seconds:.0f}", folder=f"{plan.out}/",
            files=", ".join(["summary.md", "effects.csv", "ranking.csv",
                             *(["robust_levers.csv", "robust_effects.csv"] if plan.uncertain else []),
                             *(p.name for p in result.figures)])))
    if result.report is None:
        print(t("compare.report_later", command=f"coopsim report {shlex.quote(str(plan.out))} --lang {args.lang}"))
    else:
        print(t("compare.report", path=str(result.report)))
    return 0
