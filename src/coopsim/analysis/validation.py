"""Pattern-oriented validation (issue 3, docs/TRACE.md): does the model reproduce what is known?

Six patterns from the paper and the data (`../shared/data/SOURCES.md`), checked together on
one scenario (the baseline by default), each over replications with a 95% interval:

1. Most agreements go quiet: 60-80% of the partnerships ever signed are not active (Home
   Ministry, 2010-2013: ~50 of >100 registered "active", only 20 of them at MoU stage).
2. The funnel: explorations outnumber LoIs; LoIs fewer than or comparable to active MoUs
   (17 : 13 : 20); many explorations never followed up (Riau).
3. The two Yogyakarta cases: a Kyoto-like partnership runs on; an Ismailiya-like one
   stagnates within a few years and stays dormant.
4. Elections hurt what is not institutionalised: the stagnation hazard in the year after an
   election is clearly higher than between elections without a joint committee or bureau,
   and not with one.
5. Stop and restart: a crisis that cuts budgets stops partnerships; some restart after it
   (West Java - South Australia, 1998 - ~2015).
6. Renewal terms: MoUs run three or five years; at term end they are renewed or lapse.

Two more measures read evidence the calibration never sees (issue #13):

7. The documented status (active or dormant, dated) of individual known partnerships
   (`partnerships.csv`), scored against a null model that keeps every partnership's start state.
8. How many partnerships each province's governments form (against the documented numbers per
   province) and dated counts of named governments' partners (Jakarta 2019, ...).

Which checks calibration may use and which are held out is declared in
`src/coopsim/data/evidence_split.toml` (`coopsim.config.evidence`): every check has a `key`, and
`check_patterns(runs, keys)` computes only the measures that produce the keys asked for, so the
calibration (which asks for the calibration keys) never computes a held-out one.

Nothing here feeds back into the model: every check reads the state the general mechanisms
produce (a `coopsim.run.tracing.Trace` of each run: the stage of every partnership after every
step). The scenarios patterns 3 and 5 need are derived from the validated scenario by
overrides (`case_scenario`, `crisis_scenarios`), so another base scenario can be validated too.

Pure functions: traces in, `Check`s (and the series the figure draws) out. Running the model is
`coopsim.workflows.validation`; the figure and tables are `coopsim.reporting.validation`.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field
from typing import Callable, Iterable

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from coopsim.analysis.stats import mean_interval, percentile_interval, ratio_interval, resample
from coopsim.config.errors import UserError
from coopsim.config.evidence import CountTarget, EvidenceSplit
from coopsim.config.scenario import Scenario
from coopsim.model.partnerships import ACTIVE, ENDED, EXPLORATION, LOI, MOU, STAGNANT
from coopsim.run.tracing import Trace

__all__ = ["MECHANISMS", "CASES", "INF", "ON_THE_BOOKS", "Check", "Evidence", "PatternRuns", "Measure", "MEASURES",
           "CHECK_KEYS", "case_scenario", "crisis_scenarios", "mature_period", "quiet_share", "election_hazards",
           "pattern_1_quiet", "pattern_2_funnel", "pattern_3_cases", "pattern_4_elections", "pattern_5_crisis",
           "pattern_6_terms", "documented_statuses", "evidence_row", "known_columns", "evidence_step", "stages_at", "stage_on", "status_table",
           "registered_active_share",
           "status_scores", "pattern_7_statuses", "province_counts", "pattern_8_counts", "measure_keys",
           "runs_needed", "check_patterns", "check_split", "with_parts", "pattern_summary", "section_summary",
           "stage_counts", "case_active", "hazard_since_election", "term_end_totals"]

# Which general mechanism produces each pattern (the closing note of issue 3; docs/TRACE.md).
MECHANISMS = {
    1: "implementation (Liebig's law of funding, staff, data, leadership...) -> stagnation after "
       "stagnation_quarters of low activity -> lapse at term end; revival rare",
    2: "matching (exploration, foreign exploration) and follow_up (staff x sponsor x bureaucracy; "
       "exploration_patience) -> approval (DPRD, Kemlu delay)",
    3: "implementation with dedicated budget, data, partner engagement; joint committee "
       "(evaluation, institutional_support); unelected head (elections); revival",
    4: "elections (a new head keeps, weakens or drops a partnership: adoption_probability, turnover.*) "
       "-> leadership factor and the head's discretionary funds in implementation; "
       "institutional_support (committee, bureau, Perda, RPJMD) and people-to-people ties replace a lost sponsor",
    5: "shocks (crisis budget cut, no discretionary funds, no revival during the crisis) -> stagnation; "
       "stagnation.revival and re-signing of ended agreements after it",
    6: "approval (term 3 or 5 years; 5 with a decree/Perda) and evaluation (renewal by DPRD at "
       "term end, lapse otherwise)",
    7: "the whole lifecycle from each known partnership's start (implementation, stagnation, elections, "
       "evaluation and renewal, revival) from its documented signing year in the past (hindcast from "
       "simulation.hindcast_from: every known partnership enters active); no mechanism reads the documented "
       "status. Without a past, the 2025 start is seeded from it (dormant rows start stagnant)",
    8: "matching (own and foreign explorations by capacity and complementarity) and follow-up decide where "
       "partnerships form; the lifecycle decides how many are on the books in a given year",
}

#: Stages at which a partnership is on a government's books (a count of its partners).
ON_THE_BOOKS = (LOI, MOU, ACTIVE, STAGNANT)

# Pattern 3's two cases (the paper's Yogyakarta partnerships; same as yogyakarta_cases.toml).
CASES = [
    {"name": "Kyoto-like", "region": "ID-YO", "partner": "Kyoto Prefecture", "country": "Japan",
     "signed_year": 1985, "dedicated_budget": 1.0, "joint_committee": True, "data": 0.8,
     "partner_capacity": 0.9, "partner_interest": 0.8, "term_years": 5, "programs": 5},
    {"name": "Ismailiya-like", "region": "ID-YO", "partner": "Ismailiya", "country": "Egypt",
     "signed_year": 1992, "dedicated_budget": 0.0, "partner_budget": False, "region_budget": False,
     "joint_committee": False, "data": 0.1, "partner_capacity": 0.3, "partner_interest": 0.3,
     "term_years": 5, "programs": 4},
]

INF = float("inf")


# --- scenarios derived from the validated one ----------------------------------------------
def case_scenario(base: Scenario) -> Scenario:
    """Pattern 3: the base scenario with the two Yogyakarta cases, DIY's unelected head and
    diplomat, provinces only (as in scenarios/yogyakarta_cases.toml).

    Args:
        base: the validated scenario.

    Returns:
        The derived scenario.
    """
    return base.override({
        "cases": CASES,
        "elections.unelected_heads": sorted(set(base.elections.unelected_heads) | {"ID-YO"}),
        "central.diplomat_regions": sorted(set(base.central.diplomat_regions) | {"ID-YO"}),
        "simulation.levels": ["province"],
    }, origin="validation pattern 3")


def crisis_scenarios(base: Scenario) -> tuple[Scenario, Scenario]:
    """Pattern 5: (control without a crisis, the same with one). The base scenario's own crisis
    is kept; otherwise a 1998-like one (80% budget cut for two years) a quarter of the way in.

    Args:
        base: the validated scenario.

    Returns:
        (control, crisis) scenarios.
    """
    control = base.override({"shock.crisis_year": None}, origin="validation pattern 5")
    if base.shock.crisis_year is not None:
        return control, base
    sim = base.simulation
    crisis = base.override({"shock.crisis_year": sim.start_year + max(1, sim.years // 4),
                            "shock.budget_cut": 0.8, "shock.duration_years": 2.0},
                           origin="validation pattern 5")
    return control, crisis


# --- one criterion ----------------------------------------------------------------------------
@dataclass
class Check:
    """One criterion of a pattern. It passes when the model value lies in `bounds` and its
    95% interval lies in `ci_bounds` (when given): a target is met clearly, not by luck."""
    pattern: int
    check: str
    target: str
    value: float
    low: float
    high: float
    passed: bool
    mechanism: str
    bounds: tuple[float, float] = (-INF, INF)
    ci_bounds: tuple[float, float] | None = None
    key: str = ""            # the target's key in the evidence split
    part: str = ""           # "calibration" or "held_out" (`with_parts`)
    measurable: bool = True  # False: the run cannot show it (e.g. evidence dated before the run)
    note: str = ""           # why it is not measurable, or a caveat

    def row(self) -> dict:
        """The check as one row of `validation.csv` (bounds split into low/high columns)."""
        out = asdict(self)
        out["bound_low"], out["bound_high"] = out.pop("bounds")
        ci = out.pop("ci_bounds") or (None, None)
        out["ci_bound_low"], out["ci_bound_high"] = ci
        return out

    def miss(self) -> float:
        """How far the value is outside its bounds, relative to their scale (0 when inside);
        calibration's distance."""
        if not np.isfinite(self.value):
            return 10.0
        lo, hi = self.bounds
        width = hi - lo
        scale = width if np.isfinite(width) and width > 0 else max(abs(lo if np.isfinite(lo) else hi), 0.1)
        return float(max(0.0, lo - self.value, self.value - hi) / scale)


def _check(pattern: int, name: str, target: str, stats, bounds, ci_bounds=None, key: str = "") -> Check:
    value, low, high = stats
    ok = bool(np.isfinite(value) and bounds[0] <= value <= bounds[1])
    if ok and ci_bounds is not None:
        ok = bool(np.isfinite(low) and ci_bounds[0] <= low and high <= ci_bounds[1])
    return Check(pattern, name, target, value, low, high, ok, MECHANISMS[pattern],
                 tuple(bounds), tuple(ci_bounds) if ci_bounds is not None else None, key=key)


def _unmeasurable(pattern: int, name: str, target: str, key: str, why: str) -> Check:
    """A check the runs cannot show (reported as such, never as a pass)."""
    return Check(pattern, name, target, np.nan, np.nan, np.nan, False, MECHANISMS[pattern], key=key,
                 measurable=False, note=why)


def mature_period(tr: Trace) -> slice:
    """The second half of the run: the register of signed agreements has had time to build
    up and the start from the known partnerships (all seeded active) has worn off.

    Args:
        tr: one traced run.

    Returns:
        The rows of the trace's matrices in the mature period.
    """
    return slice(1 + tr.steps // 2, tr.steps + 1)


def _burn_in(tr: Trace) -> int:
    """Flows (hazards, renewals) are counted after the first five years (or half the run)."""
    return min(5 * tr.steps_per_year, tr.steps // 2)


# --- the six patterns ---------------------------------------------------------------------------
def pattern_1_quiet(base: list[Trace]) -> list[Check]:
    """Pattern 1's two checks on `base`, the validated scenario's traced replications: the share
    of ever-signed partnerships not active, averaged over the mature period, and the share of
    mature quarters in which it lies in 60-80%."""
    shares, inside = [], []
    for tr in base:
        share = quiet_share(tr)[mature_period(tr)]
        shares.append(share.mean())
        inside.append(((share >= 0.60) & (share <= 0.80)).mean())
    return [_check(1, "ever-signed not active (mature period mean)", "60-80% (CI inside)",
                   mean_interval(shares), (0.60, 0.80), (0.60, 0.80), key="quiet_share"),
            _check(1, "mature quarters with that share in 60-80%", ">= 90% ('at any given moment')",
                   mean_interval(inside), (0.90, 1.0), key="quiet_quarters")]


def quiet_share(tr: Trace) -> np.ndarray:
    """After each step: 1 - active / partnerships signed so far (ever active or dormant).

    Args:
        tr: one traced run.

    Returns:
        (steps + 1,) shares.
    """
    ever = np.maximum.accumulate(np.isin(tr.stage, (ACTIVE, STAGNANT)), axis=0).sum(axis=1)
    return 1 - (tr.stage == ACTIVE).sum(axis=1) / np.maximum(ever, 1)


def _dropped_explorations(tr: Trace) -> tuple[int, int]:
    """Explorations begun in the run and resolved: (died without an LoI, resolved)."""
    begun = tr.stage[0] == -1
    explored = begun & (tr.stage == EXPLORATION).any(axis=0)
    reached = np.isin(tr.stage, (LOI, MOU, ACTIVE, STAGNANT)).any(axis=0)
    # an exploration still open at the end is unresolved; an ended one never at LoI died
    final = tr.stage[-1]
    died = explored & ~reached & (final == ENDED)
    resolved = explored & (reached | (final == ENDED))
    return died.sum(), resolved.sum()


def pattern_2_funnel(base: list[Trace]) -> list[Check]:
    """Pattern 2's three checks on `base`, the validated scenario's traced replications:
    mature-period stocks of explorations / LoIs and LoIs / active MoUs; the share of
    explorations never followed up."""
    expl_loi, loi_active, dropped = [], [], []
    for tr in base:
        m = tr.stage[mature_period(tr)]
        n_expl, n_loi, n_active = ((m == s).sum(axis=1).mean() for s in (EXPLORATION, LOI, ACTIVE))
        expl_loi.append((n_expl, n_loi))
        loi_active.append((n_loi, n_active))
        dropped.append(_dropped_explorations(tr))
    return [
        _check(2, "explorations / LoIs (mature stock)", "> 1 (CI above 1)",
               ratio_interval(expl_loi), (1.0, INF), (1.0, INF), key="funnel_explorations_per_loi"),
        _check(2, "LoIs / active MoUs (mature stock)", "<= 1.25, fewer or comparable (data 13/20 = 0.65)",
               ratio_interval(loi_active), (0.0, 1.25), (0.0, 1.25), key="funnel_lois_per_active"),
        _check(2, "explorations never followed up", ">= 30% ('many'; CI above)",
               ratio_interval(dropped), (0.30, 1.0), (0.30, 1.0), key="funnel_not_followed_up"),
    ]


def _case_row(tr: Trace, name: str) -> int:
    """Column of the named case in a trace."""
    return int(np.flatnonzero(tr.case == tr.case_names.index(name))[0])


def pattern_3_cases(cases: list[Trace]) -> list[Check]:
    """The Kyoto-like case runs on and is renewed; the Ismailiya-like one stops within five
    years and stays dormant.

    Args:
        cases: traced replications of `case_scenario`.

    Returns:
        Pattern 3's four checks.
    """
    kyoto_active, kyoto_renewed, ism_stop, ism_dormant = [], [], [], []
    for tr in cases:
        k, i = _case_row(tr, "Kyoto-like"), _case_row(tr, "Ismailiya-like")
        kyoto_active.append((tr.stage[1:, k] == ACTIVE).mean())
        renewed, due = _term_ends(tr, 0)
        kyoto_renewed.append(renewed[k] / due[k] if due[k] else np.nan)
        stopped = np.flatnonzero(tr.stage[1:, i] != ACTIVE)
        first = stopped[0] if len(stopped) else None
        ism_stop.append(float(first is not None and first < 5 * tr.steps_per_year))
        ism_dormant.append((tr.stage[1 + first:, i] != ACTIVE).mean() if first is not None else 0.0)
    return [
        _check(3, "Kyoto-like: share of run active", ">= 0.9",
               mean_interval(kyoto_active), (0.9, 1.0), key="kyoto_active"),
        _check(3, "Kyoto-like: term ends renewed", ">= 0.8",
               mean_interval(kyoto_renewed), (0.8, 1.0), key="kyoto_renewed"),
        _check(3, "Ismailiya-like: stagnates within 5 years", ">= 0.8 of runs",
               mean_interval(ism_stop), (0.8, 1.0), key="ismailiya_stops"),
        _check(3, "Ismailiya-like: share of time dormant after", ">= 0.7",
               mean_interval(ism_dormant), (0.7, 1.0), key="ismailiya_dormant"),
    ]


def _since_election(tr: Trace, k: int) -> np.ndarray:
    """Per partnership: steps from its region's last election to step k."""
    return k - tr.last_election[k + 1][tr.region]


def election_hazards(tr: Trace, institutionalised: bool) -> tuple[float, float, float, float]:
    """(stagnations, active quarters) in the year after an election, then between elections,
    for partnerships with or without a joint committee / bureau, after the burn-in.

    Args:
        tr: one traced run.
        institutionalised: count partnerships with (True) or without (False) a committee/bureau.

    Returns:
        (events after, exposure after, events between, exposure between).
    """
    spy = tr.steps_per_year
    group = tr.institutionalised == institutionalised
    out = np.zeros(4)
    for k in range(_burn_in(tr), tr.steps):
        before, after = tr.stage[k], tr.stage[k + 1]
        at_risk = (before == ACTIVE) & group
        if not at_risk.any():
            continue
        event = at_risk & (after == STAGNANT)
        since = _since_election(tr, k)
        post = (since >= 0) & (since <= spy)
        out += [(event & post).sum(), (at_risk & post).sum(), (event & ~post).sum(), (at_risk & ~post).sum()]
    return tuple(out)


def pattern_4_elections(base: list[Trace]) -> list[Check]:
    """Pattern 4's two checks on `base`, the validated scenario's traced replications: the
    stagnation hazard ratio after / between elections, without and with a committee or bureau."""
    plain = ratio_interval([election_hazards(tr, False) for tr in base])
    inst = ratio_interval([election_hazards(tr, True) for tr in base])
    return [
        _check(4, "hazard ratio after/between elections, no committee or bureau",
               ">= 1.5 (CI above 1)", plain, (1.5, INF), (1.0, INF), key="election_hazard_plain"),
        _check(4, "hazard ratio after/between elections, committee or bureau",
               "< 1.5, not clearly higher", inst, (0.0, 1.5), key="election_hazard_institutionalised"),
    ]


def _stops(tr: Trace, start: int, stop: int) -> np.ndarray:
    """Partnerships that were active and stopped (stagnant or ended) within steps [start, stop)."""
    out = np.zeros(tr.stage.shape[1], dtype=bool)
    for k in range(max(start, 0), min(stop, tr.steps)):
        out |= (tr.stage[k] == ACTIVE) & np.isin(tr.stage[k + 1], (STAGNANT, ENDED))
    return out


def pattern_5_crisis(control: list[Trace], crisis: list[Trace], scenario: Scenario) -> list[Check]:
    """Stops during a crisis (and the year after) against the same seeds without it; the share
    of the stopped partnerships active again later.

    Args:
        control: traced replications without the crisis.
        crisis: the same replications with it.
        scenario: the crisis scenario (its shock dates the crisis).

    Returns:
        Pattern 5's two checks.
    """
    spy = crisis[0].steps_per_year
    s = scenario.shock
    start = int(round((s.crisis_year - scenario.simulation.start_year) * spy))
    stop = start + int(round(s.duration_years * spy)) + spy  # the crisis and the year after it
    pairs, restarted = [], []
    for ctl, cri in zip(control, crisis):
        hit = _stops(cri, start, stop)
        pairs.append((hit.sum(), 1, _stops(ctl, start, stop).sum(), 1))
        later = cri.stage[stop + 1:]
        back = hit & (later == ACTIVE).any(axis=0) if len(later) else np.zeros_like(hit)
        restarted.append((back.sum(), hit.sum()))
    return [
        _check(5, "stops in crisis (+1 year) vs same seeds without", ">= 1.5 (CI above 1)",
               ratio_interval(pairs), (1.5, INF), (1.0, INF), key="crisis_stops"),
        _check(5, "crisis-stopped partnerships active again later", ">= 10% (CI above 0)",
               ratio_interval(restarted), (0.10, 1.0), (1e-9, 1.0), key="crisis_restarts"),
    ]


def _term_ends(tr: Trace, start: int) -> tuple[np.ndarray, np.ndarray]:
    """Per partnership: term ends reached in steps [start, end) that were renewed, and all
    term ends reached (renewed or lapsed)."""
    renewed = np.zeros(tr.stage.shape[1], dtype=np.int64)
    due_all = np.zeros_like(renewed)
    for k in range(start, tr.steps):
        due = np.isin(tr.stage[k], (ACTIVE, STAGNANT)) & (tr.term_end[k] > 0) & (tr.term_end[k] <= k)
        up = due & (tr.renewals[k + 1] > tr.renewals[k])
        renewed += up
        due_all += up | (due & (tr.stage[k + 1] == ENDED))
    return renewed, due_all


def pattern_6_terms(base: list[Trace]) -> list[Check]:
    """Pattern 6's two checks on `base`, the validated scenario's traced replications: every
    signed agreement has a three- or five-year term; term ends are both renewed and lapse."""
    term_ok, renewals = [], []
    for tr in base:
        signed = np.isin(tr.stage, (ACTIVE, STAGNANT)).any(axis=0)
        term_ok.append((np.isin(tr.term_years[signed], (3, 5))).mean())
        renewed, due = _term_ends(tr, _burn_in(tr))
        renewals.append((renewed.sum(), due.sum()))
    return [
        _check(6, "signed agreements with a 3- or 5-year term", "= 100%",
               mean_interval(term_ok), (1.0, 1.0), key="term_lengths"),
        _check(6, "term ends renewed (rest lapse)", "10-90%, both happen (CI inside)",
               ratio_interval(renewals), (0.10, 0.90), (0.10, 0.90), key="term_renewals"),
    ]


# --- evidence the model is read against (patterns 7 and 8) ------------------------------------------
@dataclass
class Evidence:
    """The data patterns 7 and 8 read.

    Attributes:
        documented: the known partnerships (`partnerships.csv`, every column as text).
        counts: the dated counts of named governments' partners (`EvidenceSplit.counts`).
        levels: the validated scenario's levels (rows at other levels are not in its runs).
    """
    documented: pd.DataFrame
    counts: tuple[CountTarget, ...] = ()
    levels: tuple[str, ...] = ("province", "regency", "city")


def documented_statuses(documented: pd.DataFrame, levels: Iterable[str]) -> pd.DataFrame:
    """The known partnerships with a documented status (active or dormant) and the year of
    that evidence, at `levels`.

    Args:
        documented: `partnerships.csv` as text.
        levels: the levels the runs have.

    Returns:
        Those rows, with `year` (int) and `observed_active` (bool) added.
    """
    d = documented
    ok = (d["status_if_known"].isin(("active", "dormant")) & (d["status_evidence_year"].str.strip() != "")
          & d["indonesian_level"].isin(list(levels)))
    out = d[ok].copy()
    out["year"] = out["status_evidence_year"].astype(int)
    out["observed_active"] = out["status_if_known"] == "active"
    return out.reset_index(drop=True)


def evidence_row(tr: Trace, year: float) -> int | None:
    """Row of a trace in the middle of calendar year `year` (with yearly steps, its start).

    Args:
        tr: one traced run (its `start_year` dates row 0).
        year: a calendar year.

    Returns:
        The row, or None when that is not after at least one simulated step or lies beyond
        the run's end.
    """
    r = int(np.floor((year + 0.5 - tr.start_year) * tr.steps_per_year))
    return r if 1 <= r <= tr.steps else None


def known_columns(parties: pd.DataFrame, rec) -> np.ndarray:
    """Columns of a run's trace that are one documented partnership.

    Args:
        parties: the run's `Trace.parties`.
        rec: a row of `partnerships.csv`.

    Returns:
        The known rows of the same province, level, partner and country; where several
        governments of a province share a partner, those whose name contains the party's.
    """
    p = parties
    match = (p["known"].to_numpy(bool) & (p["province"] == rec.indonesian_province_iso).to_numpy()
             & (p["level"] == rec.indonesian_level).to_numpy() & (p["partner"] == rec.foreign_party).to_numpy()
             & (p["country"] == rec.country).to_numpy())
    cols = np.flatnonzero(match)
    if len(cols) > 1:
        name = rec.indonesian_party.removesuffix(" Regency").lower()
        named = [c for c in cols if name in str(p["region"].iloc[c]).lower()]
        cols = np.array(named, dtype=int) if named else cols
    return cols


def evidence_step(tr: Trace, year: float) -> int | None:
    """Like `evidence_row` (the state at the start of step r, in the middle of calendar year
    `year`), reaching into the run's past: any step after its first one (the hindcast start
    with a past) up to its end; None otherwise."""
    t = int(np.floor((year + 0.5 - tr.start_year) * tr.steps_per_year))
    first = tr.first_step if tr.events is not None else 0
    return t if first < t <= tr.steps and (t >= 1 or first < 0) else None


def stages_at(tr: Trace, t: int) -> np.ndarray:
    """Every partnership's stage at the start of step `t` of a run (-1 where it does not exist
    yet): from the traced stages from the start on, from the event log before it.

    Args:
        tr: one traced run.
        t: a step from `evidence_step`.

    Returns:
        (rows,) stage codes.
    """
    if t >= 0:
        return tr.stage[t]
    ev = tr.events
    happened = np.flatnonzero(ev["t"] < t)
    rows, latest = np.unique(ev["row"][happened][::-1], return_index=True)   # each row's last event
    out = np.full(tr.stage.shape[1], -1, dtype=np.int64)
    out[rows] = ev["stage"][happened][::-1][latest]
    return out


def stage_on(events: dict, row: int, t: float) -> int:
    """A partnership's stage at the start of step `t` from the event log (-1 before it exists).

    Args:
        events: `Trace.events` (row, t, stage columns, in the order they happened).
        row: the partnership.
        t: a step (negative: before the start).

    Returns:
        The stage code of its last event before `t`, or -1.
    """
    mine = np.flatnonzero((events["row"] == row) & (events["t"] < t))
    return int(events["stage"][mine[-1]]) if len(mine) else -1


def status_table(tr: Trace, documented: pd.DataFrame) -> pd.DataFrame:
    """Each documented status in one run: whether the partnership is in the run (`found`),
    whether its evidence year is inside the simulated time (`in_run`: with a past, the years
    since the hindcast start count, read from the event log), whether it is active in the
    middle of that year (`active`), whether it was active when it entered the run
    (`start_active`: what a null model that keeps the start state predicts) and the run's
    share of registered partnerships active in the middle of that year (`base_rate`:
    `registered_active_share`; what a model that knows nothing of the partnership predicts).

    Args:
        tr: one traced run (with `parties`; with `events` when it has a past).
        documented: `documented_statuses`.

    Returns:
        One row per documented status, in order.
    """
    rows = []
    shares = {year: registered_active_share(tr, year) for year in set(documented["year"])}   # once a year
    for rec in documented.itertuples():
        cols = known_columns(tr.parties, rec)
        if tr.events is not None and tr.first_step < 0:
            rows.append(_status_from_events(tr, cols, rec.year) + (shares[rec.year],))
            continue
        r = evidence_row(tr, rec.year)
        # a status dated in the run's first year is what the run started from, not a prediction
        r = r if r is not None and r >= tr.steps_per_year else None
        base = shares[rec.year]
        if not len(cols):
            rows.append((False, r is not None, False, False, base))
            continue
        born = np.argmax(tr.stage[:, cols] >= 0, axis=0)
        start_active = bool(tr.stage[born.min(), cols[np.argmin(born)]] == ACTIVE)
        active = r is not None and bool((tr.stage[r, cols] == ACTIVE).any())
        rows.append((True, r is not None, active, start_active, base))
    return pd.DataFrame(rows, columns=["found", "in_run", "active", "start_active", "base_rate"])


def registered_active_share(tr: Trace, year: float) -> float:
    """The share of a run's registered partnerships (ever active or dormant so far, ended ones
    included, as in pattern 1) that are active in the middle of calendar year `year`: the
    chance that a partnership picked from the register without knowing anything else about it
    is active. With a past, read from the event log (the register since the hindcast start).

    Args:
        tr: one traced run.
        year: a calendar year inside the run (or its past).

    Returns:
        The share (nan when nothing is registered by then or the year is outside the run).
    """
    t = (year + 0.5 - tr.start_year) * tr.steps_per_year
    if tr.events is not None and tr.first_step < 0:
        ev = tr.events
        before = ev["t"] < t
        rows, stages = ev["row"][before][::-1], ev["stage"][before][::-1]   # latest event first
        registered = np.unique(rows[np.isin(stages, (ACTIVE, STAGNANT))])
        _, latest = np.unique(rows, return_index=True)
        active = int((stages[latest] == ACTIVE).sum())
        return active / len(registered) if len(registered) else float("nan")
    r = evidence_row(tr, year)
    if r is None:
        return float("nan")
    ever = np.isin(tr.stage[: r + 1], (ACTIVE, STAGNANT)).any(axis=0).sum()
    return float((tr.stage[r] == ACTIVE).sum() / ever) if ever else float("nan")


def _status_from_events(tr: Trace, cols: np.ndarray, year: float) -> tuple[bool, bool, bool, bool]:
    """(found, in_run, active, start_active) of one documented status from a run with a past."""
    t = (year + 0.5 - tr.start_year) * tr.steps_per_year
    in_run = tr.first_step < t <= tr.steps
    if not len(cols):
        return False, in_run, False, False
    first = [np.flatnonzero(tr.events["row"] == c) for c in cols]
    entered = [int(tr.events["stage"][f[0]]) for f in first if len(f)]
    start_active = bool(entered) and entered[0] == ACTIVE
    active = in_run and any(stage_on(tr.events, int(c), t) == ACTIVE for c in cols)
    return True, in_run, active, start_active


def status_scores(active: np.ndarray, start_active: np.ndarray, observed: np.ndarray,
                  rng: np.random.Generator | None = None,
                  base_rate: np.ndarray | None = None) -> dict[str, tuple[float, float, float] | float]:
    """Brier score and share matched of the model's statuses and of the null model's.

    The model's forecast for a partnership is the share of runs in which it is active in its
    evidence year; the Brier score is the mean squared difference from the documented status
    (1 active, 0 dormant; 0 is perfect). A status is matched when most runs agree with it. The
    null model keeps every partnership's start state. Intervals: percentile bootstrap over runs.
    With `base_rate`, also the Brier score of forecasting every status at the runs' mean share
    of registered partnerships active in its year (`base_brier`): the model beats it only where
    it knows which partnerships last.

    Args:
        active: (runs, statuses) active in the evidence year.
        start_active: (runs, statuses) active at the start (the null model's forecast).
        observed: (statuses,) documented active.
        rng: the bootstrap's generator (default: seeded 0).
        base_rate: (runs, statuses) `registered_active_share` of each run in each evidence year.

    Returns:
        brier and matched (value, low, high); null_brier and null_matched (values); with
        `base_rate`, base_brier (value).
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    a, obs = np.asarray(active, float), np.asarray(observed, float)
    p_null = np.asarray(start_active, float).mean(axis=0)
    boot = a[resample(rng, len(a))].mean(axis=1)                 # (n_boot, statuses)
    brier = ((boot - obs) ** 2).mean(axis=1)
    matched = ((boot >= 0.5) == (obs == 1)).mean(axis=1)
    p = a.mean(axis=0)
    out = {"brier": (float(((p - obs) ** 2).mean()), *percentile_interval(brier)),
           "matched": (float(((p >= 0.5) == (obs == 1)).mean()), *percentile_interval(matched)),
           "null_brier": float(((p_null - obs) ** 2).mean()),
           "null_matched": float(((p_null >= 0.5) == (obs == 1)).mean())}
    if base_rate is not None:
        out["base_brier"] = float(((np.nanmean(np.asarray(base_rate, float), axis=0) - obs) ** 2).mean())
    return out


def pattern_7_statuses(base: list[Trace], evidence: Evidence) -> list[Check]:
    """The documented statuses of the known partnerships against the runs, and against a null
    model that keeps each partnership's start state: the model passes where it does better.

    Args:
        base: the validated scenario's traced replications.
        evidence: the documented partnerships.

    Returns:
        Pattern 7's two checks (not measurable when no documented status falls in the run).
    """
    documented = documented_statuses(evidence.documented, evidence.levels)
    tables = [status_table(tr, documented) for tr in base]
    scored = (tables[0]["found"] & tables[0]["in_run"]).to_numpy()
    counts = (f"{int(scored.sum())} of {len(documented)} dated statuses scored "
              f"({int((~tables[0]['in_run']).sum())} dated outside the run, "
              f"{int((~tables[0]['found']).sum())} not in it)")
    names = ("documented statuses: Brier score of the share of runs active", "documented statuses matched by most runs",
             "documented statuses: Brier score against the runs' own base rate")
    keys = ("known_status_brier", "known_status_matched", "known_status_base_rate")
    if not scored.any():
        why = (f"no documented status is dated inside the run after its first year (evidence years "
               f"{documented['year'].min() if len(documented) else '-'}-{documented['year'].max() if len(documented) else '-'}; "
               f"the run covers {base[0].start_year:g}-{base[0].start_year + base[0].steps / base[0].steps_per_year:g})")
        return [_unmeasurable(7, n, counts, k, why) for n, k in zip(names, keys)] + [_kyoto_at_start(base, evidence)]
    pick = lambda col: np.array([t[col].to_numpy()[scored] for t in tables])
    s = status_scores(pick("active"), pick("start_active"), documented["observed_active"].to_numpy()[scored],
                      base_rate=pick("base_rate"))
    return [
        _check(7, names[0], f"< {s['null_brier']:.3f}, the null model's (start state kept); {counts}",
               s["brier"], (0.0, np.nextafter(s["null_brier"], -INF)), key="known_status_brier"),
        _check(7, names[1], f"> {s['null_matched']:.3f}, the null model's; {counts}",
               s["matched"], (np.nextafter(s["null_matched"], INF), 1.0), key="known_status_matched"),
        # a model that knew nothing of these partnerships would forecast each at the share of
        # its register active in that year; beating that is knowing which partnerships last
        _check(7, names[2], f"< {s['base_brier']:.3f} (CI below), each forecast at the runs' share of registered "
                            f"partnerships active that year; {counts}",
               s["brier"], (0.0, np.nextafter(s["base_brier"], -INF)), (0.0, np.nextafter(s["base_brier"], -INF)),
               key="known_status_base_rate"),
        _kyoto_at_start(base, evidence),
    ]


#: The oldest documented partnership (signed 16 July 1985, renewed every five years since).
KYOTO = ("Special Region of Yogyakarta", "Kyoto Prefecture")


def _kyoto_at_start(base: list[Trace], evidence: Evidence) -> Check:
    """DIY-Kyoto, active since 1985, in the runs' 2025: active in most runs whose past signed it
    (not pinned by anything); not measurable in a run that starts from the data (which seeds it)."""
    name = "DIY-Kyoto (signed 1985, documented active; not pinned): share of runs active at the start"
    target, key = "> 0.5 ('in most runs')", "kyoto_known_2025"
    d = evidence.documented
    rec = d[(d["indonesian_party"] == KYOTO[0]) & (d["foreign_party"] == KYOTO[1])]
    if not len(rec) or base[0].first_step >= 0 or base[0].events is None:
        return _unmeasurable(7, name, target, key, "the run has no past (a start from the data seeds it as documented)"
                             if len(rec) else "DIY-Kyoto is not among the scenario's partnerships")
    cols = [known_columns(tr.parties, next(rec.itertuples())) for tr in base]
    active = np.array([bool(len(c)) and bool((tr.stage[0, c] == ACTIVE).any()) for tr, c in zip(base, cols)], float)
    return _check(7, name, target, mean_interval(active), (np.nextafter(0.5, INF), 1.0), key=key)


def province_counts(tr: Trace, provinces: np.ndarray) -> np.ndarray:
    """Partnerships the run itself signed (not the known ones it started from or was given),
    per province of the signing government.

    Args:
        tr: one traced run (with `parties` and `regions`).
        provinces: the provinces to count, in order.

    Returns:
        (provinces,) counts.
    """
    own = ~tr.parties["known"].to_numpy(bool) & np.isin(tr.stage, (ACTIVE, STAGNANT)).any(axis=0)
    where = tr.regions["province"].to_numpy()[tr.region[own]]
    return np.array([(where == p).sum() for p in provinces], dtype=float)


def _province_rank(base: list[Trace], evidence: Evidence) -> Check:
    """Spearman correlation across provinces of the run's own signings with the documented
    partnerships, against the null of signings in proportion to a province's governments."""
    regions = base[0].regions
    provinces = np.array(sorted(set(regions["province"])))
    d = evidence.documented
    d = d[d["indonesian_level"].isin(list(evidence.levels))]
    data = np.array([(d["indonesian_province_iso"] == p).sum() for p in provinces], dtype=float)
    governments = np.array([(regions["province"] == p).sum() for p in provinces], dtype=float)
    with warnings.catch_warnings():   # a constant column (no signings) has no rank correlation: NaN
        warnings.simplefilter("ignore")
        null = float(spearmanr(data, governments).statistic)
        rho = [spearmanr(data, province_counts(tr, provinces)).statistic for tr in base]
    return _check(8, "provinces: rank correlation of the run's signings with the documented partnerships",
                  f"> {null:.2f}, the null's (signings in proportion to a province's {int(governments.sum())} "
                  f"governments); {len(provinces)} provinces, {int(data.sum())} documented partnerships",
                  mean_interval(np.nan_to_num(rho, nan=0.0)), (np.nextafter(null, INF), 1.0), key="province_rank")


def _dated_count(base: list[Trace], count: CountTarget) -> Check:
    """A named government's partners on the books in the middle of a year, against the data."""
    name = f"{count.region}: partners on the books in {count.year}"
    low, high = count.value / count.factor, count.value * count.factor
    target = f"{count.value:g} ({count.figure}, {count.year}); within a factor {count.factor:g}: {low:.3g}-{high:.3g}"
    tr0 = base[0]
    match = np.flatnonzero(tr0.regions["name"].to_numpy() == count.region)
    t = evidence_step(tr0, count.year)
    if not len(match) or t is None:
        first = tr0.start_year + tr0.first_step / tr0.steps_per_year
        why = (f"{count.region} is not among the scenario's regions" if not len(match) else
               f"{count.year} is not inside the run ({first:g}-{tr0.start_year + tr0.steps / tr0.steps_per_year:g})")
        return _unmeasurable(8, name, target, count.key, why)
    values = [np.isin(stages_at(tr, t)[tr.region == match[0]], ON_THE_BOOKS).sum() for tr in base]
    return _check(8, name, target, mean_interval(np.array(values, float)), (low, high), key=count.key)


def pattern_8_counts(base: list[Trace], evidence: Evidence) -> list[Check]:
    """Where partnerships form (per province) and dated counts of named governments' partners.

    Args:
        base: the validated scenario's traced replications (with `parties` and `regions`).
        evidence: the documented partnerships and the dated counts.

    Returns:
        The province check, then one check per dated count.
    """
    return [_province_rank(base, evidence)] + [_dated_count(base, c) for c in evidence.counts]


# --- all together ---------------------------------------------------------------------------------
@dataclass
class PatternRuns:
    """The traced replications behind the checks (the figure draws them too). A calibration
    point traces only what its targets need: the others stay empty."""
    scenario: Scenario
    base: list[Trace]
    control: list[Trace] = field(default_factory=list)
    crisis: list[Trace] = field(default_factory=list)
    crisis_scenario: Scenario | None = None
    cases: list[Trace] = field(default_factory=list)
    evidence: Evidence | None = None


@dataclass(frozen=True)
class Measure:
    """One pattern's computation: the check keys it produces, what it reads, the function.

    Attributes:
        keys: its check keys (pattern 8 adds one per dated count of the evidence).
        runs: the traced runs it reads: "base", "crisis" (with its control), "cases"; "evidence"
            when it reads the data.
        compute: `compute(runs) -> [Check]`.
    """
    keys: tuple[str, ...]
    runs: tuple[str, ...]
    compute: Callable[[PatternRuns], list[Check]]


MEASURES: dict[int, Measure] = {
    1: Measure(("quiet_share", "quiet_quarters"), ("base",), lambda r: pattern_1_quiet(r.base)),
    2: Measure(("funnel_explorations_per_loi", "funnel_lois_per_active", "funnel_not_followed_up"), ("base",),
               lambda r: pattern_2_funnel(r.base)),
    3: Measure(("kyoto_active", "kyoto_renewed", "ismailiya_stops", "ismailiya_dormant"), ("cases",),
               lambda r: pattern_3_cases(r.cases)),
    4: Measure(("election_hazard_plain", "election_hazard_institutionalised"), ("base",),
               lambda r: pattern_4_elections(r.base)),
    5: Measure(("crisis_stops", "crisis_restarts"), ("crisis",),
               lambda r: pattern_5_crisis(r.control, r.crisis, r.crisis_scenario)),
    6: Measure(("term_lengths", "term_renewals"), ("base",), lambda r: pattern_6_terms(r.base)),
    7: Measure(("known_status_brier", "known_status_matched", "known_status_base_rate", "kyoto_known_2025"),
               ("base", "evidence"),
               lambda r: pattern_7_statuses(r.base, r.evidence)),
    8: Measure(("province_rank",), ("base", "evidence"), lambda r: pattern_8_counts(r.base, r.evidence)),
}

#: Every fixed check key (pattern 8 adds the keys of the split's dated counts).
CHECK_KEYS: tuple[str, ...] = tuple(k for m in MEASURES.values() for k in m.keys)


def measure_keys(pattern: int, counts: Iterable[CountTarget] = ()) -> tuple[str, ...]:
    """The check keys a pattern produces.

    Args:
        pattern: its number (a key of `MEASURES`).
        counts: the dated counts (pattern 8 has one check per count).

    Returns:
        The keys, in order.
    """
    extra = tuple(c.key for c in counts) if pattern == 8 else ()
    return MEASURES[pattern].keys + extra


def _patterns_for(keys: Iterable[str] | None, counts: Iterable[CountTarget] = ()) -> list[int]:
    """The patterns that produce any of `keys` (all when None)."""
    counts = tuple(counts)
    if keys is None:
        return list(MEASURES)
    wanted = set(keys)
    return [k for k in MEASURES if wanted & set(measure_keys(k, counts))]


def runs_needed(keys: Iterable[str] | None, counts: Iterable[CountTarget] = ()) -> set[str]:
    """What must be traced (and read) to compute `keys`: "base", "crisis", "cases", "evidence".

    Args:
        keys: check keys (None: all).
        counts: the dated counts (their keys are pattern 8's).

    Returns:
        The union of the producing measures' `runs`.
    """
    return {need for k in _patterns_for(keys, counts) for need in MEASURES[k].runs}


def check_patterns(runs: PatternRuns, keys: Iterable[str] | None = None) -> list[Check]:
    """The checks of `keys` (all when None), pattern 1 first. Only the measures that produce
    one of `keys` are computed: a calibration asking for its targets computes nothing else.

    Args:
        runs: the traced runs the measures need (`runs_needed`).
        keys: the check keys wanted.

    Returns:
        Those checks.
    """
    counts = runs.evidence.counts if runs.evidence is not None else ()
    out = [c for k in _patterns_for(keys, counts) for c in MEASURES[k].compute(runs)]
    return out if keys is None else [c for c in out if c.key in set(keys)]


def check_split(split: EvidenceSplit, regions: Iterable[str] | None = None) -> None:
    """An evidence split names exactly the checks the validation computes: every target is a
    check key (or a dated count), every check is in one part, and each dated count's region is
    a real government.

    Args:
        split: the declared split (`coopsim.config.evidence.load_split`).
        regions: official names of the regional governments (None: not checked).

    Raises:
        UserError: naming the file, the targets that are wrong and the keys allowed.
    """
    known = set(CHECK_KEYS) | {c.key for c in split.counts}
    named = set(split.calibration) | set(split.held_out)
    unknown = [t for t in split.calibration + split.held_out if t not in known]
    if unknown:
        raise UserError(f"{split.path}: key 'targets': unknown target(s) {', '.join(unknown)}. Allowed: the check "
                        f"keys {', '.join(CHECK_KEYS)}, or the key of a [[counts]] entry.")
    missing = [k for k in CHECK_KEYS if k not in named]
    if missing:
        raise UserError(f"{split.path}: check(s) {', '.join(missing)} are in neither part; name each in the "
                        f"'targets' of a [[calibration]] or a [[held_out]] entry.")
    if regions is not None:
        names = set(regions)
        bad = [c for c in split.counts if c.region not in names]
        if bad:
            raise UserError(f"{split.path}: counts '{bad[0].key}': key 'region' ('{bad[0].region}') is no regional "
                            f"government's official name (as in provinces.csv or regencies.csv, e.g. 'Kota Bandung').")


def with_parts(checks: list[Check], split: EvidenceSplit) -> list[Check]:
    """The checks with `part` set from the split ("calibration" or "held_out").

    Args:
        checks: computed checks.
        split: the declared split (which names every check: `check_split`).

    Returns:
        The same checks (changed in place).
    """
    for c in checks:
        c.part = split.part_of(c.key) or ""
    return checks


def pattern_summary(table: pd.DataFrame) -> pd.Series:
    """A pattern passes when all its measurable checks pass; a pattern none of whose checks is
    measurable is left out (it is neither passed nor failed).

    Args:
        table: one row per check (`Check.row`; without a `measurable` column, every check is).

    Returns:
        pattern -> passed.
    """
    measurable = table["measurable"] if "measurable" in table else pd.Series(True, index=table.index)
    return table[measurable.astype(bool)].groupby("pattern")["passed"].all()


def section_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per part of the split: its patterns, checks, measurable checks, checks passed and
    patterns passed (of those with a measurable check).

    Args:
        table: one row per check with `part` and `measurable`.

    Returns:
        One row per part, calibration first.
    """
    rows = []
    for part in ("calibration", "held_out"):
        t = table[table["part"] == part]
        summary = pattern_summary(t) if len(t) else pd.Series(dtype=bool)
        rows.append({"part": part, "patterns": ", ".join(str(p) for p in sorted(set(t["pattern"]))),
                     "checks": len(t), "measurable": int(t["measurable"].sum()),
                     "passed": int((t["passed"] & t["measurable"]).sum()),
                     "patterns_measured": len(summary), "patterns_passed": int(summary.sum())})
    return pd.DataFrame(rows)


# --- the series the figure draws ------------------------------------------------------------------
def stage_counts(runs: list[Trace], stage: int) -> list[np.ndarray]:
    """Per replication: partnerships at `stage` after each step."""
    return [(tr.stage == stage).sum(axis=1) for tr in runs]


def case_active(cases: list[Trace], name: str) -> np.ndarray:
    """After each step: the share of replications in which the named case is active."""
    return np.mean([tr.stage[:, _case_row(tr, name)] == ACTIVE for tr in cases], axis=0)


def hazard_since_election(base: list[Trace], institutionalised: bool, horizon: int) -> np.ndarray:
    """Stagnations per active quarter by steps since the region's last election (0 to
    horizon - 1), pooled over replications after the burn-in; NaN where nothing was at risk."""
    events, exposure = np.zeros(horizon), np.zeros(horizon)
    for tr in base:
        group = tr.institutionalised == institutionalised
        for k in range(_burn_in(tr), tr.steps):
            at_risk = (tr.stage[k] == ACTIVE) & group
            since = _since_election(tr, k)
            ok = at_risk & (since >= 0) & (since < horizon)
            np.add.at(exposure, since[ok], 1)
            np.add.at(events, since[ok & (tr.stage[k + 1] == STAGNANT)], 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return events / exposure


def term_end_totals(base: list[Trace]) -> dict[int, list[int]]:
    """Term ends after the burn-in, summed over replications: term years -> [renewed, lapsed]."""
    table = {3: [0, 0], 5: [0, 0]}
    for tr in base:
        renewed, due = _term_ends(tr, _burn_in(tr))
        for term in table:
            m = tr.term_years == term
            table[term][0] += renewed[m].sum()
            table[term][1] += (due[m] - renewed[m]).sum()
    return table
