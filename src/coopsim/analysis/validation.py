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

Nothing here feeds back into the model: every check reads the state the general mechanisms
produce (a `coopsim.run.tracing.Trace` of each run: the stage of every partnership after every
step). The scenarios patterns 3 and 5 need are derived from the validated scenario by
overrides (`case_scenario`, `crisis_scenarios`), so another base scenario can be validated too.

Pure functions: traces in, `Check`s (and the series the figure draws) out. Running the model is
`coopsim.workflows.validation`; the figure and tables are `coopsim.reporting.validation`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from coopsim.analysis.stats import mean_interval, ratio_interval
from coopsim.config.scenario import Scenario
from coopsim.model.partnerships import ACTIVE, ENDED, EXPLORATION, LOI, MOU, STAGNANT
from coopsim.run.tracing import Trace

__all__ = ["MECHANISMS", "CASES", "INF", "Check", "PatternRuns", "case_scenario", "crisis_scenarios",
           "mature_period", "quiet_share", "election_hazards", "pattern_1_quiet", "pattern_2_funnel",
           "pattern_3_cases", "pattern_4_elections", "pattern_5_crisis", "pattern_6_terms",
           "check_patterns", "pattern_summary", "stage_counts", "case_active", "hazard_since_election",
           "term_end_totals"]

# Which general mechanism produces each pattern (the closing note of issue 3; docs/TRACE.md).
MECHANISMS = {
    1: "implementation (Liebig's law of funding, staff, data, leadership...) -> stagnation after "
       "stagnation_quarters of low activity -> lapse at term end; revival rare",
    2: "matching (exploration, foreign exploration) and follow_up (staff x sponsor x bureaucracy; "
       "exploration_patience) -> approval (DPRD, Kemlu delay)",
    3: "implementation with dedicated budget, data, partner engagement; joint committee "
       "(evaluation, institutional_support); unelected head (elections); revival",
    4: "elections (turnover, adoption_probability) -> leadership factor and the head's ad-hoc "
       "money in implementation; institutional_support (committee, bureau, Perda, RPJMD) "
       "replaces a lost sponsor",
    5: "shocks (crisis budget cut, no ad-hoc money, no revival during the crisis) -> stagnation; "
       "stagnation.revival and re-signing of ended agreements after it",
    6: "approval (term 3 or 5 years; 5 with a decree/Perda) and evaluation (renewal by DPRD at "
       "term end, lapse otherwise)",
}

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


def _check(pattern: int, name: str, target: str, stats, bounds, ci_bounds=None) -> Check:
    value, low, high = stats
    ok = bool(np.isfinite(value) and bounds[0] <= value <= bounds[1])
    if ok and ci_bounds is not None:
        ok = bool(np.isfinite(low) and ci_bounds[0] <= low and high <= ci_bounds[1])
    return Check(pattern, name, target, value, low, high, ok, MECHANISMS[pattern],
                 tuple(bounds), tuple(ci_bounds) if ci_bounds is not None else None)


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
                   mean_interval(shares), (0.60, 0.80), (0.60, 0.80)),
            _check(1, "mature quarters with that share in 60-80%", ">= 90% ('at any given moment')",
                   mean_interval(inside), (0.90, 1.0))]


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
               ratio_interval(expl_loi), (1.0, INF), (1.0, INF)),
        _check(2, "LoIs / active MoUs (mature stock)", "<= 1.25, fewer or comparable (data 13/20 = 0.65)",
               ratio_interval(loi_active), (0.0, 1.25), (0.0, 1.25)),
        _check(2, "explorations never followed up", ">= 30% ('many'; CI above)",
               ratio_interval(dropped), (0.30, 1.0), (0.30, 1.0)),
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
               mean_interval(kyoto_active), (0.9, 1.0)),
        _check(3, "Kyoto-like: term ends renewed", ">= 0.8",
               mean_interval(kyoto_renewed), (0.8, 1.0)),
        _check(3, "Ismailiya-like: stagnates within 5 years", ">= 0.8 of runs",
               mean_interval(ism_stop), (0.8, 1.0)),
        _check(3, "Ismailiya-like: share of time dormant after", ">= 0.7",
               mean_interval(ism_dormant), (0.7, 1.0)),
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
               ">= 1.5 (CI above 1)", plain, (1.5, INF), (1.0, INF)),
        _check(4, "hazard ratio after/between elections, committee or bureau",
               "< 1.5, not clearly higher", inst, (0.0, 1.5)),
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
               ratio_interval(pairs), (1.5, INF), (1.0, INF)),
        _check(5, "crisis-stopped partnerships active again later", ">= 10% (CI above 0)",
               ratio_interval(restarted), (0.10, 1.0), (1e-9, 1.0)),
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
               mean_interval(term_ok), (1.0, 1.0)),
        _check(6, "term ends renewed (rest lapse)", "10-90%, both happen (CI inside)",
               ratio_interval(renewals), (0.10, 0.90), (0.10, 0.90)),
    ]


# --- all together ---------------------------------------------------------------------------------
@dataclass
class PatternRuns:
    """The traced replications behind the checks (the figure draws them too)."""
    scenario: Scenario
    base: list[Trace]
    control: list[Trace]
    crisis: list[Trace]
    crisis_scenario: Scenario
    cases: list[Trace]


def check_patterns(runs: PatternRuns) -> list[Check]:
    """All six patterns, in order, on the traced runs.

    Args:
        runs: the validated scenario's runs and those of the scenarios derived from it.

    Returns:
        Every check, pattern 1 first.
    """
    return (pattern_1_quiet(runs.base) + pattern_2_funnel(runs.base) + pattern_3_cases(runs.cases)
            + pattern_4_elections(runs.base)
            + pattern_5_crisis(runs.control, runs.crisis, runs.crisis_scenario)
            + pattern_6_terms(runs.base))


def pattern_summary(table: pd.DataFrame) -> pd.Series:
    """A pattern passes when all its checks pass.

    Args:
        table: one row per check (`Check.row`).

    Returns:
        pattern -> passed.
    """
    return table.groupby("pattern")["passed"].all()


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
