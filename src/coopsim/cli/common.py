"""Options that several commands share, and their checks (run before any work)."""

from __future__ import annotations

import os
import sys

from coopsim.config.errors import Text, UserError
from coopsim.run.executor import BACKENDS, MAX_POINTS, MAX_SECONDS, duration_words

__all__ = ["add_sweep_arguments", "add_limits_argument", "check_workers", "check_worker_cap", "check_options",
           "cores", "command_line", "NO_LIMITS_HELP"]

NO_LIMITS_HELP = (f"run even what the limits refuse: work estimated to take over {duration_words(MAX_SECONDS)}, "
                  f"more runs than fit in memory (sweeps: {MAX_POINTS:,} points), more --workers than cores")


def cores() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def add_limits_argument(parser) -> None:
    """--no-limits: lift the size, time and worker limits."""
    parser.add_argument("--no-limits", action="store_true", help=NO_LIMITS_HELP)


def add_sweep_arguments(parser, resume_help: str = "continue a killed sweep in --out") -> None:
    """The options every sweep command shares (sensitivity, discover)."""
    parser.add_argument("--out", required=True, help="results folder")
    parser.add_argument("--workers", type=int, default=cores(),
                        help="worker processes (default: every core, at most that many without --no-limits); "
                             "1 runs serially")
    parser.add_argument("--scheduler", default=None,
                        help="address of a running Dask scheduler (tcp://host:8786); runs there")
    parser.add_argument("--backend", choices=BACKENDS, default=None,
                        help="serial, process (local worker pool) or dask (a LocalCluster of --workers "
                             "on 127.0.0.1 unless --scheduler); default: dask with --scheduler, else "
                             "process when --workers > 1, else serial")
    parser.add_argument("--resume", action="store_true", help=resume_help)
    parser.add_argument("--force", action="store_true", help="delete earlier results in --out first")
    parser.add_argument("--chunk-size", type=int, default=None, help="runs per chunk file (default: automatic)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_limits_argument(parser)


def check_workers(workers: int) -> None:
    """A clear error for a worker count below 1."""
    if workers < 1:
        raise UserError(Text("option.at_least", name="workers", minimum=1, value=workers))


def check_worker_cap(workers: int, *, no_limits: bool = False, remote: bool = False) -> None:
    """A clear error for a worker count below 1, or above this machine's cores.

    Args:
        workers: --workers.
        no_limits: --no-limits (more workers than cores allowed).
        remote: the runs go to a Dask scheduler elsewhere (its workers are not ours to count).

    Raises:
        UserError: what is allowed.
    """
    check_workers(workers)
    if workers > cores() and not (no_limits or remote):
        raise UserError(Text("option.too_many_workers", workers=workers, cores=cores()))


def check_options(args) -> None:
    """Check the options any command may have, before any work: --seed (0 or more),
    --workers (1 to the cores), --chunk-size and --points (1 or more).

    Args:
        args: the parsed options of one command (those it lacks are skipped).

    Raises:
        UserError: the first option out of range, with what is allowed.
    """
    seed = getattr(args, "seed", None)
    if seed is not None and seed < 0:
        raise UserError(Text("option.at_least", name="seed", minimum=0, value=seed))
    for name in ("chunk_size", "points"):
        value = getattr(args, name, None)
        if value is not None and value < 1:
            raise UserError(Text("option.at_least", name=name.replace("_", "-"), minimum=1, value=value))
    workers = getattr(args, "workers", None)
    if workers is not None:
        check_worker_cap(workers, no_limits=getattr(args, "no_limits", False),
                         remote=bool(getattr(args, "scheduler", None)))


def command_line(name: str) -> str | None:
    """`coopsim NAME ARGS...` as typed, for the manifest (None when not run from the shell)."""
    return " ".join(["coopsim", name, *sys.argv[2:]]) if len(sys.argv) > 2 else None
