"""Held-out measures (issue #13): the documented statuses of known partnerships against the
runs and a null model that keeps the start state, the per-province numbers and dated counts,
on hand-made traces with answers worked out by hand; and the two sections `coopsim validate`
reports."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coopsim.analysis import validation as V
from coopsim.config.evidence import CountTarget
from coopsim.model.partnerships import ACTIVE, ENDED, LOI, STAGNANT
from coopsim.run.tracing import Trace

A, S, L, E, X = ACTIVE, STAGNANT, LOI, ENDED, -1

REGIONS = pd.DataFrame({"name": ["Provinsi Satu", "Kota Bitung", "Kota Manado", "Provinsi Dua"],
                        "level": ["province", "city", "city", "province"],
                        "province": ["ID-AA", "ID-SA", "ID-SA", "ID-BB"]})


def _trace(stage, region, known, partner, start_year=2025.0):
    """One step per year from `start_year`; row k is the state after k years."""
    stage = np.asarray(stage, dtype=np.int8)
    rows = stage.shape[1]
    region = np.asarray(region)
    parties = pd.DataFrame({"region": REGIONS["name"].to_numpy()[region], "level": REGIONS["level"].to_numpy()[region],
                            "province": REGIONS["province"].to_numpy()[region], "partner": partner,
                            "country": "Japan", "known": known})
    return Trace(stage=stage, term_end=np.zeros(stage.shape), renewals=np.zeros(stage.shape, np.int32),
                 last_election=np.zeros((stage.shape[0], len(REGIONS))), region=region,
                 institutionalised=np.zeros(rows, bool), term_years=np.full(rows, 5), case=np.full(rows, -1),
                 case_names=[], steps_per_year=1, start_year=start_year, parties=parties, regions=REGIONS)


def _documented(rows):
    """partnerships.csv rows: (party, level, province, partner, status, evidence year)."""
    columns = ["indonesian_party", "indonesian_level", "indonesian_province_iso", "foreign_party",
               "status_if_known", "status_evidence_year"]
    return pd.DataFrame(rows, columns=columns).assign(country="Japan")


def test_status_scores_by_hand():
    # two runs, two statuses: documented active, dormant; the runs say active in both / in one
    s = V.status_scores(active=[[1, 0], [1, 1]], start_active=[[1, 1], [1, 1]], observed=[1, 0])
    assert s["brier"][0] == pytest.approx((0 ** 2 + 0.5 ** 2) / 2)
    assert s["null_brier"] == pytest.approx((0 + 1) / 2)
    assert s["matched"][0] == pytest.approx(0.5) and s["null_matched"] == pytest.approx(0.5)
    assert s["brier"][1] <= s["brier"][0] <= s["brier"][2]


def test_status_scores_base_rate_by_hand():
    # forecasting both statuses at the runs' base rates 0.2 and 0.4 (mean 0.3 for each status)
    s = V.status_scores(active=[[1, 0], [1, 1]], start_active=[[1, 1], [1, 1]], observed=[1, 0],
                        base_rate=[[0.2, 0.2], [0.4, 0.4]])
    assert s["base_brier"] == pytest.approx(((0.3 - 1) ** 2 + 0.3 ** 2) / 2)
    assert "base_brier" not in V.status_scores(active=[[1]], start_active=[[1]], observed=[1])


def test_registered_active_share_from_the_event_log():
    """Three partnerships in a past from 2020 (one step a year, run from 2025 = step 0): row 0
    signed 2020 and active throughout; row 1 active 2021, dormant 2023, ended 2024; row 2
    explored 2022, never signed. Mid-2022: 2 registered, 2 active; mid-2023: 1 of 2; mid-2024
    (row 1 ended, still on the register): 1 of 2; mid-2020: only row 0, active."""
    events = {"row": np.array([0, 1, 2, 1, 1]), "t": np.array([-5.0, -4, -3, -2, -1]),
              "stage": np.array([A, A, V.EXPLORATION, S, E]), "cause": np.full(5, -1)}
    tr = _trace([[A, E, E]] * 2, region=[0, 1, 2], known=[False] * 3, partner=["Kyoto", "Davao", "Osaka"])
    tr.events, tr.first_step = events, -5
    assert V.registered_active_share(tr, 2022) == pytest.approx(1.0)
    assert V.registered_active_share(tr, 2023) == pytest.approx(0.5)
    assert V.registered_active_share(tr, 2024) == pytest.approx(0.5)
    assert V.registered_active_share(tr, 2020) == pytest.approx(1.0)
    assert np.isnan(V.registered_active_share(tr, 2019))     # nothing registered yet


def test_documented_statuses_beat_or_lose_to_the_null():
    """Partnership 0 (Satu-Kyoto) is documented dormant in 2027, 1 (Bitung-Davao) active in 2027
    (Manado shares the partner: the name decides), 2 is documented in 2019, before the run.
    Run 'dynamic': 0 stagnates in 2026, 1 stays active: the model beats the null (which keeps
    everything active). Run 'frozen': nothing changes: the null's score, so the check fails."""
    doc = _documented([("Satu", "province", "ID-AA", "Kyoto", "dormant", "2027"),
                       ("Bitung", "city", "ID-SA", "Davao", "active", "2027"),
                       ("Manado", "city", "ID-SA", "Davao", "dormant", ""),       # no year: not scored
                       ("Dua", "province", "ID-BB", "Osaka", "active", "2019"),
                       ("Satu", "province", "ID-AA", "Nara", "unknown", "")])
    args = dict(region=[0, 1, 2, 3], known=[True] * 4, partner=["Kyoto", "Davao", "Davao", "Osaka"])
    dynamic = _trace([[A, A, A, A], [S, A, A, A], [S, A, S, A], [S, A, S, A]], **args)
    frozen = _trace([[A, A, A, A]] * 4, **args)
    evidence = V.Evidence(doc, (), ("province", "city"))
    good = V.pattern_7_statuses([dynamic, dynamic], evidence)
    assert [c.key for c in good] == ["known_status_brier", "known_status_matched", "known_status_base_rate",
                                     "kyoto_known_2025"]
    assert not good[3].measurable and not good[3].passed    # no past in these runs, and no DIY-Kyoto
    # base rate in 2027 (row 2): 2 of the 4 registered active -> 0.5 for both scored statuses
    assert "< 0.250 (CI below)" in good[2].target and good[2].value == 0 and good[2].passed
    assert good[0].value == 0 and good[0].passed and good[1].value == 1 and good[1].passed
    assert "0.500, the null" in good[0].target and "2 of 3 dated statuses scored" in good[0].target
    assert "1 dated outside the run" in good[0].target
    bad = V.pattern_7_statuses([frozen, frozen], evidence)
    assert bad[0].value == pytest.approx(0.5) and not bad[0].passed and not bad[1].passed
    # everything active: the base rate is 1, scored 0.5 like the runs; no better than the base rate
    assert "< 0.500" in bad[2].target and not bad[2].passed
    # with the run starting after every evidence year nothing can be scored: not a pass
    late = _trace([[A, A, A, A]] * 4, start_year=2030.0, **args)
    none = V.pattern_7_statuses([late], evidence)
    assert all(not c.measurable and not c.passed for c in none) and "2019-2027" in none[0].note


def test_known_columns_ignore_unknown_rows_and_use_the_name():
    tr = _trace([[A, A, A]], region=[1, 2, 1], known=[True, True, False], partner=["Davao", "Davao", "Davao"])
    rec = _documented([("Manado", "city", "ID-SA", "Davao", "active", "2025")]).iloc[0]
    assert V.known_columns(tr.parties, rec).tolist() == [1]


def test_province_counts_and_rank():
    # own signings: three in ID-SA (Bitung twice, Manado); the known row and the LoI don't count
    tr = _trace([[X, X, A, X, X], [A, S, A, L, A], [A, E, A, L, A]], region=[1, 2, 0, 3, 1],
                known=[False, False, True, False, False], partner=["a", "b", "c", "d", "e"])
    counts = V.province_counts(tr, np.array(["ID-AA", "ID-BB", "ID-SA"]))
    assert counts.tolist() == [0, 0, 3]
    doc = _documented([("Bitung", "city", "ID-SA", "x", "unknown", "")] * 3 + [("Dua", "province", "ID-BB", "y", "unknown", "")])
    check = V.pattern_8_counts([tr, tr], V.Evidence(doc, (), ("province", "city")))[0]
    # data (AA 0, BB 1, SA 3) vs model (0, 0, 3): Spearman 0.866; null (governments 1, 1, 2): 0.866
    assert check.key == "province_rank" and check.value == pytest.approx(0.8660254)
    assert not check.passed and "> 0.87" in check.target


def test_dated_counts_read_the_books_in_the_middle_of_the_year():
    count = CountTarget("partners_bitung_2026", "Bitung partners", "Kota Bitung", 1.5, 2.0, 2026, "src")
    tr = _trace([[A, L, X, A], [A, L, A, S], [E, L, A, S]], region=[1, 1, 1, 0], known=[True, True, False, False],
                partner=["a", "b", "c", "d"])
    # 2026 is row 1 with yearly steps (its start): active, LoI, active -> 3 on the books
    check = V.pattern_8_counts([tr], V.Evidence(_documented([]), (count,)))[1]
    assert check.key == "partners_bitung_2026" and check.value == 3 and check.bounds == pytest.approx((4 / 3, 3))
    assert check.passed
    early = CountTarget("partners_bitung_2019", "Bitung partners", "Kota Bitung", 1.5, 2.0, 2019, "src")
    missing = CountTarget("partners_x", "x", "Kota Nowhere", 1.5, 2.0, 2026, "src")
    checks = V.pattern_8_counts([tr], V.Evidence(_documented([]), (early, missing)))[1:]
    assert [c.measurable for c in checks] == [False, False] and not any(c.passed for c in checks)
    assert "2019 is not inside the run" in checks[0].note and "not among the scenario's regions" in checks[1].note


def test_sections_keep_not_measurable_apart():
    table = pd.DataFrame({"pattern": [1, 1, 3, 8, 8], "part": ["calibration"] * 2 + ["held_out"] * 3,
                          "passed": [True, True, False, True, False], "measurable": [True, True, True, True, False]})
    sections = V.section_summary(table).set_index("part")
    assert sections.loc["calibration", ["checks", "passed", "patterns_passed"]].tolist() == [2, 2, 1]
    assert sections.loc["held_out", ["checks", "measurable", "passed", "patterns_measured", "patterns_passed"]].tolist() \
        == [3, 2, 1, 2, 1]
    assert V.pattern_summary(table).to_dict() == {1: True, 3: False, 8: True}


def test_only_the_measures_asked_for_are_computed(monkeypatch):
    called = []
    for k, m in list(V.MEASURES.items()):
        monkeypatch.setitem(V.MEASURES, k, V.Measure(m.keys, m.runs, lambda r, k=k: called.append(k) or []))
    V.check_patterns(V.PatternRuns(None, []), keys=["quiet_share", "term_renewals"])
    assert called == [1, 6]
    assert V.runs_needed(["kyoto_active"]) == {"cases"} and V.runs_needed(["province_rank"]) == {"base", "evidence"}


def test_feasibility_points_cover_the_robust_experiments_uncertain_inputs():
    """experiments/heldout_feasibility.py draws its points inside the uncertain inputs' bounds of
    the robust experiment, integers as integers, the obstacles untouched."""
    import importlib.util
    from pathlib import Path

    from coopsim.config.experiment import load_experiment

    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("feasibility", root / "experiments" / "heldout_feasibility.py")
    feasibility = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(feasibility)
    robust = root / "experiments" / "obstacles_sobol_robust.toml"
    points = feasibility.design(robust, 16, seed=3)
    exp = load_experiment(robust)
    uncertain = {i.path: i.bounds for i in exp.inputs if i.group in set(exp.spec.robust.uncertain)}
    assert list(points.columns) == list(uncertain) and len(points) == 16
    for path, (lo, hi) in uncertain.items():
        assert points[path].between(lo, hi).all(), path
    floats = [p for p in uncertain if p != "behaviour.stagnation_quarters"]
    assert (points[floats].nunique() == 16).all()     # a Latin hypercube: one point per stratum
    assert points["behaviour.stagnation_quarters"].map(lambda v: isinstance(v, int)).all()
    assert not any(p.startswith("regions.") for p in points.columns)
