"""Survival with lifelines (issue #13): Kaplan-Meier equals the product-limit value worked out by
hand (ties, censoring, weights, life tables), the Cox helper recovers a known hazard ratio from
a ledger and handles late entry, and the hazard outcome is failures over active exposure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coopsim.analysis.survival import cox_table, kaplan_meier, ledger_durations, life_table_survival
from coopsim.model.outcomes import failure_hazard, summarize
from coopsim.run.runner import simulate


def test_kaplan_meier_is_the_product_limit_value_with_ties_and_censoring():
    # seven partnerships: failures at 1, 2, 3, 4; censored at 1, 3, 5
    duration = [1, 1, 2, 3, 3, 4, 5]
    event = [1, 0, 1, 1, 0, 1, 0]
    s = kaplan_meier(duration, np.array(event, bool), times=[0, 1, 2, 3, 4, 5, 6])
    # at risk 7, 5, 4, 2 at the failure times 1, 2, 3, 4
    by_hand = [1, 6 / 7, 6 / 7 * 4 / 5, 6 / 7 * 4 / 5 * 3 / 4, 6 / 7 * 4 / 5 * 3 / 4 * 1 / 2]
    assert s.tolist() == pytest.approx(by_hand + [by_hand[-1]] * 2)
    # between event times the curve stays flat; weights are repeated rows
    assert kaplan_meier(duration, np.array(event, bool), [2.5])[0] == pytest.approx(by_hand[2])
    weighted = kaplan_meier([1, 2, 3], np.array([1, 1, 0], bool), [1, 2, 3], weights=[2, 1, 3])
    repeated = kaplan_meier([1, 1, 2, 3, 3, 3], np.array([1, 1, 1, 0, 0, 0], bool), [1, 2, 3])
    assert weighted.tolist() == pytest.approx(repeated.tolist())
    assert repeated.tolist() == pytest.approx([4 / 6, 4 / 6 * 3 / 4, 0.5])
    assert np.isnan(kaplan_meier([], np.array([], bool), [0, 1])).all()
    assert kaplan_meier([1, 2], np.array([0, 0], bool), [0, 5]).tolist() == [1, 1]


def test_life_table_and_ledger_durations():
    assert life_table_survival(np.array([0, 1, 0, 1, 0, 0]), np.array([0, 0, 1, 0, 1, 0])).tolist() \
        == pytest.approx([1, 0.75, 0.75, 0.375, 0.375, 0.375])
    assert np.isnan(life_table_survival(np.zeros(3), np.zeros(3))).all()
    ledger = pd.DataFrame({"signed": [True, True, True, False], "mou": [2015.0, 2026.0, 2027.0, np.nan],
                           "stagnated": [2030.0, np.nan, 2026.0, np.nan], "ended": [np.nan, 2031.0, np.nan, np.nan]})
    d = ledger_durations(ledger, 2025.0, 2035.0)
    # row 2 stagnated before its (re)signing: an older life's failure, so it is censored
    assert d["event"].tolist() == [True, True, False]
    assert d["duration"].tolist() == [15.0, 5.0, 8.0] and d["entry"].tolist() == [10.0, 0.0, 0.0]


def test_cox_recovers_a_known_hazard_ratio_from_a_ledger():
    """Exponential lives, hazard 0.1 a year without a committee and 0.2 with one (ratio 2),
    signed during the run or before it (entering late), censored at its end."""
    rng = np.random.default_rng(4)
    n = 4000
    committee = rng.random(n) < 0.5
    mou = np.where(rng.random(n) < 0.3, 2025 - rng.uniform(0, 10, n), 2025 + rng.uniform(0, 5, n))
    fail = mou + rng.exponential(1 / np.where(committee, 0.2, 0.1))
    ledger = pd.DataFrame({"signed": True, "mou": mou, "stagnated": np.where(fail < 2045, fail, np.nan),
                           "ended": np.nan, "joint_committee": committee, "dedicated_budget": 0.0})
    ledger = ledger[(ledger["stagnated"].isna()) | (ledger["stagnated"] >= 2025)]   # alive at the start
    table = cox_table(ledger, 2025.0, 2045.0)
    assert table["covariate"].tolist() == ["joint_committee"]        # the constant budget is left out
    row = table.iloc[0]
    assert row["hr_low"] < 2.0 < row["hr_high"] and row["hazard_ratio"] == pytest.approx(2.0, rel=0.1)
    assert row["n"] == len(ledger) and 0 < row["events"] < len(ledger)
    assert cox_table(ledger.assign(stagnated=np.nan), 2025.0, 2045.0).empty


def test_failure_hazard_is_failures_over_active_exposure(baseline):
    # three failures over 4 + 8 + 4 active quarters = 4 partnership-years
    assert failure_hazard(3, np.array([4, 8, 4]), 4) == pytest.approx(0.75)
    assert np.isnan(failure_hazard(0, np.zeros(3), 4))
    model = simulate(baseline.override({"simulation.years": 6, "simulation.levels": ["province"]}), 5)
    out = summarize(model)
    failures = sum(v for k, v in out.items() if k.startswith("failures_"))
    exposure = model.partnerships.active_quarters[:model.partnerships.n].sum() / model.steps_per_year
    assert exposure > 0 and failures > 0
    assert out["failure_hazard"] == pytest.approx(failures / exposure)
