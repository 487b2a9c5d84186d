"""The liability of newness (`institutions.maturity_protection`, off by default): what a
partnership's active years built lowers its ending hazards; a model form to test, not part of the
calibrated baseline (docs/TRACE.md, section 9)."""

import numpy as np
import pytest

from coopsim.config.scenario import Scenario
from coopsim.model.mechanisms.implementation import maturity
from coopsim.model.model import CoopModel
from coopsim.model.outcomes import summarize
from coopsim.run.seeds import replication_seed

SMALL = {"simulation.years": 30, "simulation.levels": ["province", "city"]}


def test_maturity_grows_with_active_years_toward_the_protection():
    model = CoopModel(Scenario().override({**SMALL, "institutions.maturity_protection": 0.8,
                                           "institutions.maturity_years": 10.0}), seed=1)
    e = model.partnerships
    rows = np.arange(3)
    e.active_quarters[rows] = [0, 40, 400]          # new, 10 years, 100 years
    assert maturity(model, rows) == pytest.approx([0.0, 0.8 * (1 - np.exp(-1.0)), 0.8 * (1 - np.exp(-10.0))])
    off = CoopModel(Scenario().override(SMALL), seed=1)
    off.partnerships.active_quarters[rows] = [0, 40, 400]
    assert (maturity(off, rows) == 0).all()         # the default: no protection


@pytest.mark.parametrize("i", range(3))
def test_mature_partnerships_end_less_and_live_longer(i):
    """Common seeds: with strong protection the failure hazard per active partnership-year falls
    and partnerships stay active longer; nothing else changes between the two runs."""
    seed = replication_seed(11, i)
    off = summarize(CoopModel(Scenario().override(SMALL), seed=seed).run())
    on = summarize(CoopModel(Scenario().override({**SMALL, "institutions.maturity_protection": 0.9,
                                                  "institutions.maturity_years": 3.0}), seed=seed).run())
    assert on["failure_hazard"] < 0.8 * off["failure_hazard"]
    assert on["mean_active_lifetime"] > off["mean_active_lifetime"]
