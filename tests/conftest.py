import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def baseline():
    from coopsim.scenario import load_scenario

    return load_scenario(SCENARIOS / "baseline.toml")
