import math
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
os.environ.setdefault("MPLBACKEND", "Agg")
# the stored pasts of this test session only (shared by its subprocesses; none from earlier runs)
if "COOPSIM_PAST_CACHE" not in os.environ:
    import atexit
    import shutil
    import tempfile

    os.environ["COOPSIM_PAST_CACHE"] = tempfile.mkdtemp(prefix="coopsim-pasts-")
    # removed when the process that made it ends (pytest-xdist's workers inherit it, and end first)
    atexit.register(shutil.rmtree, os.environ["COOPSIM_PAST_CACHE"], ignore_errors=True)


@pytest.fixture(scope="session")
def baseline():
    from coopsim.config.scenario import load_scenario

    return load_scenario(SCENARIOS / "baseline.toml")


def ishigami_experiment(*, name: str = "t", seed: int = 7, method: str = "sobol", n: int = 64,
                        bootstrap: int | None = 100, bounds: tuple[float, float] = (-math.pi, math.pi),
                        target: str = "", top: str = "") -> str:
    """An experiment file (TOML text) over the Ishigami verification target, inputs x1..x3.

    `target` adds lines to [target] (noise); `top` adds tables before
    [method] (e.g. [stochasticity])."""
    lines = [f'name = "{name}"', f"seed = {seed}", 'outputs = ["y"]', "[target]", 'kind = "ishigami"', target,
             top, "[method]", f'name = "{method}"', f"n = {n}"]
    if bootstrap is not None:
        lines.append(f"bootstrap = {bootstrap}")
    for x in ("x1", "x2", "x3"):
        lines += ["[[inputs]]", f'path = "{x}"', f"bounds = [{bounds[0]!r}, {bounds[1]!r}]"]
    return "\n".join(line for line in lines if line) + "\n"


def small_scenario(folder: Path) -> Path:
    """A small scenario file in `folder` (the 38 provinces, 6 years, frequent explorations) for
    sweeps on the real model at test size."""
    path = folder / "small.toml"
    path.write_text(f'extends = "{(SCENARIOS / "baseline.toml").as_posix()}"\nname = "small"\n'
                    '[simulation]\nyears = 6\nlevels = ["province"]\n[behaviour]\nexploration_rate = 0.3\n')
    return path


def scenario_error(folder: Path, text: str) -> str:
    """The message of the UserError a scenario file with this text is refused with (the test
    fails if it loads)."""
    from coopsim.config.errors import UserError
    from coopsim.config.scenario import load_scenario

    path = folder / "refused.toml"
    path.write_text(text)
    with pytest.raises(UserError) as err:
        load_scenario(path)
    return str(err.value)



# --- the suite on two cores (`make test`: pytest -n 2, pytest-xdist) ---------------------------
# With -n (xdist's default --dist load) the tests are handed out by module: each module runs on
# one worker, so its module fixtures are made once; the longest modules go first, so that none
# starts near the end; the tests marked `alone` (they assert how fast something is) come last
# and run while no other test runs. Without -n (`pytest`, `make fuzz`) none of this applies.

#: The longest modules, longest first (serial run on a 2-core machine: test_identity 220 s, the
#: next ones 15-85 s); the others follow in their usual order, then the `alone` tests.
LONGEST_FIRST = ("test_identity", "test_fuzz", "test_figures", "test_tutorials", "test_docs_site",
                 "test_app_security", "test_app_browser", "test_oat", "test_sensitivity", "test_outputs",
                 "test_compare", "test_executor", "test_mechanisms", "test_cli", "test_calibration",
                 "test_decision", "test_uncertain", "test_report", "test_discovery", "test_study_api",
                 "test_validation")
#: Modules that share a worker: the app's tests start servers on a free port of 127.0.0.1 (two
#: started at once could be given the same port); the site is built from the tutorials that
#: tests/test_tutorials.py executes once per process.
SAME_WORKER = {"test_app_browser": "app_servers", "test_app_security": "app_servers",
               "test_docs_site": "tutorials", "test_tutorials": "tutorials"}
#: The tests marked `alone` (the scheduler sees test ids only, not marks; a mismatch is an error).
ALONE = ("tests/test_app_browser.py::test_class_app_in_a_real_browser",
         "tests/test_app_browser.py::test_the_baseline_552_regions_steps_within_target")


def _module(nodeid: str) -> str:
    return Path(nodeid.split("::")[0]).stem


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ByModule(LoadScopeScheduling):
        """xdist's scheduling by scope, a scope being a module (or SAME_WORKER's group, or
        the `alone` tests), handed out in the workers' order of the tests."""

        def _split_scope(self, nodeid: str) -> str:
            if nodeid in ALONE:
                return "alone"
            return SAME_WORKER.get(_module(nodeid), _module(nodeid))

    config.option.loadscopereorder = False     # keep the order below, not the largest scope first
    return ByModule(config, log)


def _xdist_worker() -> bool:
    return bool(os.environ.get("PYTEST_XDIST_WORKER"))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    if not _xdist_worker():
        return
    for item in items:
        if (item.get_closest_marker("alone") is not None) != (item.nodeid in ALONE):
            raise pytest.UsageError(f"{item.nodeid}: mark it `alone` and list it in ALONE "
                                    "(tests/conftest.py), or neither")
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: len(rank) + 1 if item.nodeid in ALONE else rank.get(_module(item.nodeid), len(rank)))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Under xdist, a readers-writer lock over the whole test (setup, call, teardown): every test
    holds it shared, an `alone` test exclusively. A gate taken first keeps new tests from
    starting while an `alone` test waits for the running ones to end."""
    if not _xdist_worker():
        return (yield)
    import fcntl

    folder = Path(item.config.option.basetemp).parent   # the run's folder, shared by its workers
    alone = item.get_closest_marker("alone") is not None
    with open(folder / "coopsim-gate.lock", "a") as gate, open(folder / "coopsim-tests.lock", "a") as tests:
        fcntl.flock(gate, fcntl.LOCK_EX)
        fcntl.flock(tests, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
        if not alone:
            fcntl.flock(gate, fcntl.LOCK_UN)
        return (yield)
