"""Fuzzing every way in: generated scenario files, experiment files and command lines, each run
through the real entry point (`coopsim.cli.main`, in-process under a limit of 20 s of CPU time
and 120 s of wall time; a few in a subprocess). Every case must end in exit 0 with a complete
folder, or a refusal (exit 2) whose message names the file (and the key or option) — never a
traceback, a hang or a crash after the input was accepted.

`make test` runs a small seeded sample; `make fuzz` (COOPSIM_FUZZ=large) runs at least 2,000
scenario files, 500 experiment files and 200 command lines and prints a summary. A failure
names the case's seed and number, what was spoiled, and the command line that repeats it (the
case's files are kept under pytest's temporary folder). COOPSIM_FUZZ_SEED picks another sample.
"""

from __future__ import annotations

import os
import random

import pytest

from fuzz.experiments import experiment_case
from fuzz.options import fixtures, option_case
from fuzz.runner import Case, Tally, judge, run_in_process, run_in_subprocess
from fuzz.scenarios import scenario_case

SIZE = os.environ.get("COOPSIM_FUZZ", "small")
SIZES = {"small": {"scenario": 100, "experiment": 24, "cli": 50, "subprocess": 3, "chain": 40},
         "large": {"scenario": 2000, "experiment": 500, "cli": 200, "subprocess": 20, "chain": 1200}}
COUNTS = SIZES.get(SIZE, SIZES["small"])
SEED = int(os.environ.get("COOPSIM_FUZZ_SEED", "20261201"))
TALLY = Tally()


def _check(outcomes) -> None:
    failures = [o for o in outcomes if o.verdict not in ("accepted", "refused")]
    for o in outcomes:
        TALLY.add(o)
    shown = "\n\n".join(o.describe() for o in failures[:15])
    assert not failures, f"{len(failures)} of {len(outcomes)} cases failed (seed {SEED}):\n\n{shown}"


def _cases(make, n: int, stream: int):
    rng = random.Random(f"{SEED}-{stream}")
    return (make(i, rng) for i in range(n))


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def test_scenario_files(root):
    cases = _cases(lambda i, rng: scenario_case(i, rng, root / "scenario" / f"{i:05d}", COUNTS["chain"]),
                   COUNTS["scenario"], 1)
    _check([run_in_process(c) for c in cases])


def test_experiment_files(root):
    cases = _cases(lambda i, rng: experiment_case(i, rng, root / "experiment" / f"{i:05d}"), COUNTS["experiment"], 2)
    _check([run_in_process(c) for c in cases])


def test_command_lines(root):
    shared = fixtures(root / "cli-fixtures")
    cases = _cases(lambda i, rng: option_case(i, rng, root / "cli" / f"{i:05d}", shared), COUNTS["cli"], 3)
    _check([run_in_process(c) for c in cases])


def test_in_subprocesses(root):
    """A few cases of each kind as a user runs them: a fresh `python -m coopsim.cli`."""
    shared = fixtures(root / "sub-fixtures")
    rng = random.Random(f"{SEED}-4")
    cases = []
    for i in range(COUNTS["subprocess"]):
        make = [lambda: scenario_case(i, rng, root / "sub" / f"s{i:04d}", COUNTS["chain"]),
                lambda: experiment_case(i, rng, root / "sub" / f"e{i:04d}"),
                lambda: option_case(i, rng, root / "sub" / f"o{i:04d}", shared)][i % 3]
        case = make()
        case.kind = "subprocess"
        cases.append(case)
    _check([run_in_subprocess(c) for c in cases])


# -- the judge has teeth: each failure the suite exists to find is reported as one ---------------
def _case(tmp_path, argv=("run", "x.toml"), files=("x.toml",), keys=()) -> Case:
    return Case("check", 0, "a check of the judge", list(argv), [tmp_path / f for f in files], list(keys), tmp_path)


def test_a_hang_is_reported(tmp_path, monkeypatch):
    import time

    from coopsim import cli

    def spin(argv):             # a loop that never ends: the CPU-time limit stops it
        while True:
            pass

    monkeypatch.setattr(cli, "main", spin)
    assert run_in_process(_case(tmp_path), limit=0.5).verdict == "hang"
    monkeypatch.setattr(cli, "main", lambda argv: time.sleep(5))    # a wait: the wall-time limit
    assert run_in_process(_case(tmp_path), wall=0.5).verdict == "hang"


def test_an_escaping_exception_is_a_traceback(tmp_path, monkeypatch):
    from coopsim import cli

    def crash(argv):
        raise KeyError("group")

    monkeypatch.setattr(cli, "main", crash)
    outcome = run_in_process(_case(tmp_path))
    assert outcome.verdict == "traceback" and "KeyError: 'group'" in outcome.detail


def test_refusals_must_name_the_file_and_key_and_not_echo(tmp_path):
    case = _case(tmp_path, keys=["regions.hr_capacity"])
    good = f"coopsim run: error: {tmp_path / 'x.toml'}: key 'regions.hr_capacity': must be a number."
    assert judge(case, 2, good, 0.1).verdict == "refused"
    assert judge(case, 2, "coopsim run: error: key 'regions.hr_capacity' is bad.", 0.1).verdict == "bad refusal"
    assert judge(case, 2, good.replace("regions.hr_capacity", "hr"), 0.1).verdict == "bad refusal"
    assert judge(case, 2, good + " got " + "x" * 600, 0.1).verdict == "bad refusal"
    assert judge(case, 1, good, 0.1).verdict == "failed after acceptance"


def test_an_accepted_run_must_leave_a_complete_folder(tmp_path):
    case = _case(tmp_path, argv=("run", "x.toml", "--out", str(tmp_path / "out")))
    (tmp_path / "out").mkdir()
    assert judge(case, 0, "", 0.1).verdict == "failed after acceptance"
    (tmp_path / "out" / "manifest.json").write_text("{}")
    assert judge(case, 0, "", 0.1).verdict == "accepted"


def test_summary(capsys):
    """The counts of each verdict (printed to the terminal in the large run)."""
    if not TALLY.counts:
        pytest.skip("no fuzz case ran in this session")
    summary = f"fuzz ({SIZE}, seed {SEED}):\n{TALLY.summary()}"
    if SIZE == "large":
        with capsys.disabled():
            print("\n" + summary)
    assert sum(c["accepted"] for c in TALLY.counts.values()) > 0, summary
