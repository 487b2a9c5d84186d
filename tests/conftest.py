import math
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
os.environ.setdefault("MPLBACKEND", "Agg")
# the stored pasts of this test session only (shared by its subprocesses; none from earlier runs)
if "COOPSIM_PAST_CACHE" not in os.environ:
    import tempfile

    os.environ["COOPSIM_PAST_CACHE"] = tempfile.mkdtemp(prefix="coopsim-pasts-")


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
