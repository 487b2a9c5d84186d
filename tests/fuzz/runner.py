"""Running a fuzz case through coopsim's real entry point and judging what happened.

A case is a command line for `coopsim.cli.main`. In-process runs (fast: no interpreter start)
get a time limit whose signal raises `Hang`: 20 s of CPU time (a loop that never ends; CPU
time, so a machine shared with other jobs does not make a slow case look hung) and 120 s of
wall time (a read that waits forever uses no CPU). A few cases run in a subprocess
(`python -m coopsim.cli`), as a user would. The verdicts:

- accepted: exit 0 (or another status the command uses for an answer: `validate` exits 1 when
  a pattern fails) and, for `run`, `compare` and `sensitivity`, a complete folder (manifest.json);
- refused: exit 2 with a message naming one of the case's files (and one of its keys or
  options, when it has any), no traceback, no long echo of the input;
- traceback: an exception escaped `main` (or "Traceback" was printed);
- hang: over the time limit;
- bad refusal: exit 2 whose message misses the file or key, or echoes `ECHO` (500) characters of
  one value (a path is quoted up to 400 characters, a key or value up to a few dozen);
- failed after acceptance: any other exit status, or exit 0 with an incomplete folder.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from fuzz.values import LONG

TIME_LIMIT = 20.0      # CPU seconds
WALL_LIMIT = 120.0     # seconds, for waits that use no CPU
ECHO = 500             # a refusal quotes at most a short excerpt: never this many characters of one value
VERDICTS = ("accepted", "refused", "traceback", "hang", "bad refusal", "failed after acceptance")


@dataclass
class Case:
    """One fuzz case: what it is, the command line, and what a refusal must name."""

    kind: str                    # "scenario", "experiment", "cli"
    number: int
    label: str                   # what was spoiled, in words
    argv: list[str]              # arguments of `coopsim`
    files: list[Path]            # a refusal names one of these (none for option errors)
    keys: list[str]              # and one of these, when given (keys or option names)
    folder: Path
    subprocess: bool = False
    complete: tuple[str, ...] = ("manifest.json",)   # what an accepted run leaves in --out
    accept: tuple[int, ...] = (0,)                     # exit statuses of an accepted run

    def reproducer(self) -> str:
        """The command line that repeats the case (its files are kept in `folder`)."""
        return "coopsim " + " ".join(a if len(a) < 120 else a[:60] + "..." for a in self.argv)


@dataclass
class Outcome:
    """What a case did."""

    case: Case
    verdict: str
    status: int | None
    message: str
    seconds: float
    detail: str = ""

    def describe(self) -> str:
        """Several lines for a failure report."""
        return (f"[{self.case.kind} #{self.case.number}] {self.verdict} (exit {self.status}, {self.seconds:.1f} s): "
                f"{self.case.label}\n  reproduce (files in {self.case.folder}): {self.case.reproducer()}\n  "
                + (self.detail or self.message)[-1500:].replace("\n", "\n  "))


class Hang(BaseException):
    """The time limit passed (a BaseException, so `except Exception` in coopsim cannot hide it)."""


def _alarm(signum, frame):
    raise Hang()


def run_in_process(case: Case, limit: float = TIME_LIMIT, wall: float = WALL_LIMIT) -> Outcome:
    """Run `coopsim.cli.main(case.argv)` here, in the case's folder, under time limits (CPU
    seconds and wall seconds)."""
    from coopsim import cli

    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    previous = {s: signal.signal(s, _alarm) for s in (signal.SIGALRM, signal.SIGPROF)}
    start, status, detail = time.perf_counter(), None, ""
    os.chdir(case.folder)
    signal.setitimer(signal.ITIMER_PROF, limit)
    signal.setitimer(signal.ITIMER_REAL, wall)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = cli.main(list(case.argv))
    except Hang:
        detail = "hang"
    except SystemExit as exc:       # argparse: exit 2 after its usage message
        status = exc.code if isinstance(exc.code, int) else 2
    except BaseException:           # noqa: BLE001 - the fuzz suite's very point
        detail = traceback.format_exc()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.setitimer(signal.ITIMER_PROF, 0)
        for s, handler in previous.items():
            signal.signal(s, handler)
        os.chdir(cwd)
    seconds = time.perf_counter() - start
    if detail == "hang" or "fuzz.runner.Hang" in detail:     # a Hang wrapped by another exception
        detail = "hang"
    if detail == "hang":
        return Outcome(case, "hang", None, err.getvalue(), seconds,
                       f"over {limit:.0f} s of CPU or {wall:.0f} s of wall time")
    if detail:
        return Outcome(case, "traceback", None, err.getvalue(), seconds, detail)
    if "fuzz.runner.Hang" in err.getvalue():     # the limit struck where Python could only print it
        return Outcome(case, "hang", status, err.getvalue(), seconds, "over the time limit (then finished)")
    return judge(case, status, err.getvalue(), seconds)


def run_in_subprocess(case: Case, limit: float = WALL_LIMIT) -> Outcome:
    """Run `python -m coopsim.cli ARGS` in the case's folder (wall time: interpreter start included)."""
    start = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-m", "coopsim.cli", *case.argv], cwd=case.folder,
                              capture_output=True, text=True, timeout=limit, stdin=subprocess.DEVNULL,
                              env={**os.environ, "MPLBACKEND": "Agg"})
    except subprocess.TimeoutExpired as exc:
        return Outcome(case, "hang", None, str(exc.stderr or ""), time.perf_counter() - start, f"over {limit:.0f} s")
    return judge(case, done.returncode, done.stderr, time.perf_counter() - start)


def _refusal_problem(case: Case, message: str) -> str:
    """What is wrong with a refusal's message ('' if nothing)."""
    if "Traceback" in message:
        return "a traceback was printed"
    if LONG[:ECHO] in message:
        return f"the message echoes {ECHO}+ characters of the input"
    if case.files and not any(str(f)[:200] in message for f in case.files):     # a long path: its start
        return "the message names none of the case's files"
    if case.keys and not any(k in message for k in case.keys):
        return f"the message names none of {case.keys}"
    return ""


def judge(case: Case, status: int | None, message: str, seconds: float) -> Outcome:
    """The verdict on a finished case from its exit status and error output."""
    if "Traceback (most recent call last)" in message:
        return Outcome(case, "traceback", status, message, seconds, message)
    if status in case.accept:
        out = _out_folder(case)
        missing = [name for name in case.complete if out is not None and not (out / name).exists()]
        if missing:
            return Outcome(case, "failed after acceptance", status, message, seconds,
                           f"exit 0 but {out} lacks {', '.join(missing)}\n{message}")
        return Outcome(case, "accepted", status, message, seconds)
    if status == 2:
        problem = _refusal_problem(case, message)
        return Outcome(case, "bad refusal" if problem else "refused", status, message, seconds,
                       f"{problem}: {message}" if problem else "")
    return Outcome(case, "failed after acceptance", status, message, seconds, message)


def _out_folder(case: Case) -> Path | None:
    """The --out folder of a case's command line, if it has one."""
    if "--out" in case.argv[:-1] and case.argv[case.argv.index("--out") + 1]:
        out = Path(case.argv[case.argv.index("--out") + 1])
        return out if out.is_absolute() else case.folder / out
    return None     # the command's default folder


@dataclass
class Tally:
    """Counts of verdicts by kind of case, and the failures with their reproducers."""

    counts: dict[str, Counter] = field(default_factory=dict)
    failures: list[Outcome] = field(default_factory=list)
    slowest: list[Outcome] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
    cpu_started: float = field(default_factory=time.process_time)

    def add(self, outcome: Outcome) -> None:
        """Count one outcome (failures kept for the report)."""
        self.counts.setdefault(outcome.case.kind, Counter())[outcome.verdict] += 1
        if outcome.verdict not in ("accepted", "refused"):
            self.failures.append(outcome)
        self.slowest = sorted(self.slowest + [outcome], key=lambda o: -o.seconds)[:3]

    def summary(self) -> str:
        """One line per kind of case and a total: counts of each verdict."""
        lines = []
        total = Counter()
        for kind, counts in self.counts.items():
            total += counts
            lines.append(f"{kind:<11} {sum(counts.values()):5d} cases: " + _counts(counts))
        lines.append(f"{'total':<11} {sum(total.values()):5d} cases: " + _counts(total))
        lines += [f"slowest: {o.seconds:.1f} s {o.case.kind} #{o.case.number} ({o.case.label[:60]})"
                  for o in self.slowest[:1]]
        lines.append(f"time: {time.perf_counter() - self.started:.0f} s wall, "
                     f"{time.process_time() - self.cpu_started:.0f} s CPU in this process")
        return "\n".join(lines)


def _counts(counts: Counter) -> str:
    return ", ".join(f"{counts.get(v, 0)} {v}" for v in VERDICTS)
