"""History as the start of the baseline (issue #13): runs start from stored reconstructions of
the past made under the status quo, the scenario's conditions act from the start year, and a
partnership's life is an event log that a re-signing does not overwrite."""

import numpy as np
import pandas as pd
import pytest

from coopsim.analysis.validation import evidence_step, stage_on, stages_at
from coopsim.model.hindcast import history_params, start_mode
from coopsim.model.model import CoopModel
from coopsim.model.partnerships import ENDED, LOI
from coopsim.run.tracing import trace


@pytest.fixture(scope="module")
def short(baseline):
    return baseline.override({"simulation.years": 2})


def start_ledger(model) -> pd.DataFrame:
    return model.ledger()[["region", "partner", "stage", "mou", "ended", "end_cause"]]


def test_the_baseline_starts_from_a_reconstructed_past(baseline):
    assert start_mode(baseline) == "reconstructed" and baseline.simulation.hindcast_from == 1985
    past = history_params(baseline.override({"regions.hr_capacity": 0.9, "levers.joint_committee": True}))
    assert past.regions.hr_capacity == baseline.regions.hr_capacity and not past.levers.joint_committee
    assert past.behaviour == baseline.behaviour    # the past runs the scenario's own model


def test_seeds_that_share_a_reconstruction_share_the_start_and_not_the_future(short):
    k = short.simulation.history_draws
    a, b, c = CoopModel(short, seed=3), CoopModel(short, seed=3 + k), CoopModel(short, seed=4)
    assert start_ledger(a).equals(start_ledger(b))
    assert not start_ledger(a).equals(start_ledger(c))
    a.run(), b.run()
    assert not a.timeseries().equals(b.timeseries())


def test_a_scenarios_conditions_act_from_the_start_over_a_common_past(short):
    strong = short.override({"regions.hr_capacity": 0.9})
    base, other = CoopModel(short, seed=5), CoopModel(strong, seed=5)
    assert start_ledger(base).equals(start_ledger(other))        # the same past
    assert other.regions.hr.mean() > base.regions.hr.mean() + 0.3  # its own conditions from 2025


def test_a_run_does_not_change_the_stored_reconstruction(short):
    first = CoopModel(short, seed=6)
    before = start_ledger(first)
    first.run()
    assert start_ledger(CoopModel(short, seed=6)).equals(before)


def test_no_partnership_is_on_the_books_twice_with_a_profiled_region(short, tmp_path):
    sc = short.override({"profiles": [{"region": "Kota Surabaya", "hr": 0.9}]})
    e = CoopModel(sc, seed=2).partnerships
    live = e.stage[: e.n] != ENDED
    pairs = list(zip(e.region[: e.n][live].tolist(), e.partner[: e.n][live].tolist()))
    assert len(pairs) == len(set(pairs))


def test_the_event_log_holds_every_stage_change_and_survives_a_re_signing(short):
    model = CoopModel(short.override({"simulation.years": 6}), seed=1).run()
    ev, ledger = model.events(), model.ledger().set_index("id")
    last = ev.groupby("id")["stage"].last()
    assert (last == ledger.loc[last.index, "stage"]).all() and set(last.index) == set(ledger.index)
    assert (ev.groupby("id")["year"].apply(lambda y: y.is_monotonic_increasing)).all()
    raw = model.partnerships.events()
    resigned = [r for r in np.unique(raw["row"])
                if any((raw["stage"][raw["row"] == r][i], raw["stage"][raw["row"] == r][i + 1]) == (ENDED, LOI)
                       for i in range((raw["row"] == r).sum() - 1))]
    assert resigned, "some ended agreement is re-negotiated in six years of the baseline"
    row = resigned[0]
    ended = ev[(ev["id"] == row) & (ev["stage"] == "ended")]
    assert len(ended) and (ended["cause"] != "").all()            # its first life's end and cause are kept
    assert ledger.loc[row, "loi"] > ended["year"].iloc[0]          # while the ledger shows the latest


def test_the_event_log_gives_the_traced_stages(short):
    tr = trace(short, 7)
    for t in (1, 3, tr.steps):   # row t: the state at the start of step t
        from_log = np.array([stage_on(tr.events, r, t) for r in range(tr.stage.shape[1])])
        assert (from_log == tr.stage[t]).all()
    t = evidence_step(tr, 2019)
    assert t is not None and t < 0                                 # before the start: read from the log
    past = stages_at(tr, t)
    assert (past == np.array([stage_on(tr.events, r, t) for r in range(len(past))])).all()
    assert (past >= 0).sum() < (tr.stage[0] >= 0).sum()            # fewer partnerships existed in 2019


def test_history_none_starts_from_the_data_as_without_a_hindcast(short):
    none = CoopModel(short.override({"simulation.history": "none"}), seed=3)
    data = CoopModel(short.override({"simulation.hindcast_from": None}), seed=3)
    assert start_mode(none.params) == "seeded"
    assert start_ledger(none).equals(start_ledger(data)) and none.ledger()["mou"].min() > 1900


def test_a_past_stored_on_disk_gives_the_same_run(short, tmp_path, monkeypatch):
    from coopsim.model.hindcast import forget_reconstructions

    monkeypatch.setenv("COOPSIM_PAST_CACHE", str(tmp_path))
    forget_reconstructions()
    made = CoopModel(short, seed=9).run()
    stored = list((tmp_path / "pasts").glob("*.pkl"))
    assert len(stored) == 1
    forget_reconstructions()                       # a new process: only the disk remembers
    again = CoopModel(short, seed=9).run()
    assert again.ledger().equals(made.ledger()) and again.timeseries().equals(made.timeseries())
    assert list((tmp_path / "pasts").glob("*.pkl")) == stored
    forget_reconstructions()
