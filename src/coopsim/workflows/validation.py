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
produce (a `Trace` of each run: the stage of every partnership after every step). The
scenarios patterns 3 and 5 need are derived from the validated scenario by overrides
(`case_scenario`, `crisis_scenarios`), so another base scenario can be validated too.

    coopsim validate [scenarios/baseline.toml] --reps 30 --seed 1 --out results/validation
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from coopsim.config.errors import UserError
from coopsim.model.model import CoopModel
from coopsim.model.partnerships import ACTIVE, ENDED, EXPLORATION, LOI, MOU, STAGNANT
from coopsim.run.seeds import replication_seed
from coopsim.config.scenario import Scenario, load_scenario

DEFAULT_SCENARIO = "scenarios/baseline.toml"
BOOTSTRAP = 2000

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


# --- one run, traced ---------------------------------------------------------------------------
@dataclass
class Trace:
    """Everything the checks read from one run. Row 0 of each matrix is the initial state;
    row k + 1 is the state after step k. Partnerships that do not exist yet have stage -1."""
    stage: np.ndarray          # (steps + 1, rows) int8
    term_end: np.ndarray       # (steps + 1, rows) term end step (0 when not signed)
    renewals: np.ndarray       # (steps + 1, rows)
    last_election: np.ndarray  # (steps + 1, regions) step of each region's last election
    region: np.ndarray         # (rows,) region of each partnership
    institutionalised: np.ndarray  # (rows,) joint committee or the region's bureau
    term_years: np.ndarray     # (rows,)
    case: np.ndarray           # (rows,) index into case_names, -1 otherwise
    case_names: list[str]
    steps_per_year: int

    @property
    def steps(self) -> int:
        return self.stage.shape[0] - 1


def trace(scenario: Scenario, seed: int) -> Trace:
    """Run the model step by step, recording every partnership's stage after each step."""
    model = CoopModel(scenario, seed=seed, agents=False)
    e = model.partnerships
    stages, terms, renewals, elections = [], [], [], []

    def record():
        stages.append(e.stage[:e.n].astype(np.int8))
        terms.append(e.term_end[:e.n].copy())
        renewals.append(e.renewals[:e.n].astype(np.int32))
        elections.append(model.last_election.copy())

    record()
    while model.t < scenario.steps:
        model.step()
        record()
    n = e.n

    def pad(rows, fill, dtype):
        out = np.full((len(rows), n), fill, dtype=dtype)
        for k, row in enumerate(rows):
            out[k, :len(row)] = row
        return out

    return Trace(stage=pad(stages, -1, np.int8), term_end=pad(terms, 0.0, float),
                 renewals=pad(renewals, 0, np.int32), last_election=np.array(elections),
                 region=e.region[:n].copy(),
                 institutionalised=e.committee[:n] | model.regions.bureau[e.region[:n]],
                 term_years=e.term_years[:n].copy(), case=e.case[:n].copy(),
                 case_names=list(model.case_names), steps_per_year=model.steps_per_year)


def traces(scenario: Scenario, seed: int, reps: int) -> list[Trace]:
    """Replications with the runner's seeds, so scenario pairs share random numbers."""
    return [trace(scenario, replication_seed(seed, i)) for i in range(reps)]


# --- scenarios derived from the validated one ----------------------------------------------
def case_scenario(base: Scenario) -> Scenario:
    """Pattern 3: the base scenario with the two Yogyakarta cases, DIY's unelected head and
    diplomat, provinces only (as in scenarios/yogyakarta_cases.toml)."""
    return base.override({
        "cases": CASES,
        "elections.unelected_heads": sorted(set(base.elections.unelected_heads) | {"ID-YO"}),
        "central.diplomat_regions": sorted(set(base.central.diplomat_regions) | {"ID-YO"}),
        "simulation.levels": ["province"],
    }, origin="validation pattern 3")


def crisis_scenarios(base: Scenario) -> tuple[Scenario, Scenario]:
    """Pattern 5: (control without a crisis, the same with one). The base scenario's own crisis
    is kept; otherwise a 1998-like one (80% budget cut for two years) a quarter of the way in."""
    control = base.override({"shock.crisis_year": None}, origin="validation pattern 5")
    if base.shock.crisis_year is not None:
        return control, base
    sim = base.simulation
    crisis = base.override({"shock.crisis_year": sim.start_year + max(1, sim.years // 4),
                            "shock.budget_cut": 0.8, "shock.duration_years": 2.0},
                           origin="validation pattern 5")
    return control, crisis


# --- statistics -------------------------------------------------------------------------------
def _ratio_of_sums(sums: np.ndarray) -> np.ndarray:
    """(a / b) / (c / d) for columns (a, b, c, d) of summed counts, or a / b for two columns;
    NaN where a denominator is zero. `sums` is (..., 2) or (..., 4)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if sums.shape[-1] == 2:
            out = sums[..., 0] / sums[..., 1]
        else:
            out = (sums[..., 0] / sums[..., 1]) / (sums[..., 2] / sums[..., 3])
    return np.where(np.isfinite(out), out, np.nan)


def _interval(draws: np.ndarray) -> tuple[float, float]:
    draws = draws[np.isfinite(draws)]
    if not len(draws):
        return np.nan, np.nan
    lo, hi = np.percentile(draws, [2.5, 97.5])
    return float(lo), float(hi)


def _resample(n: int, seed: int = 0) -> np.ndarray:
    """Bootstrap indices over replications (the same for every check: reproducible)."""
    return np.random.default_rng(seed).integers(0, n, (BOOTSTRAP, n))


def mean_interval(values) -> tuple[float, float, float]:
    """Mean over replications and its 95% percentile-bootstrap interval."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if not len(values):
        return np.nan, np.nan, np.nan
    return (float(values.mean()), *_interval(values[_resample(len(values))].mean(axis=1)))


def ratio_interval(counts) -> tuple[float, float, float]:
    """Pooled ratio of counts summed over replications (rows (a, b) -> a/b, or (a, b, c, d) ->
    (a/b)/(c/d)) and its 95% interval, resampling replications."""
    counts = np.asarray(counts, dtype=float)
    value = float(_ratio_of_sums(counts.sum(axis=0)))
    return (value, *_interval(_ratio_of_sums(counts[_resample(len(counts))].sum(axis=1))))


INF = float("inf")


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


def _mature(tr: Trace) -> slice:
    """The second half of the run: the register of signed agreements has had time to build
    up and the start from the known partnerships (all seeded active) has worn off."""
    return slice(1 + tr.steps // 2, tr.steps + 1)


def _burn_in(tr: Trace) -> int:
    """Flows (hazards, renewals) are counted after the first five years (or half the run)."""
    return min(5 * tr.steps_per_year, tr.steps // 2)


# --- the six patterns ---------------------------------------------------------------------------
def pattern_1_quiet(base: list[Trace]) -> list[Check]:
    """Share of ever-signed partnerships not active, averaged over the mature period."""
    shares, inside = [], []
    for tr in base:
        share = quiet_share(tr)[_mature(tr)]
        shares.append(share.mean())
        inside.append(((share >= 0.60) & (share <= 0.80)).mean())
    return [_check(1, "ever-signed not active (mature period mean)", "60-80% (CI inside)",
                   mean_interval(shares), (0.60, 0.80), (0.60, 0.80)),
            _check(1, "mature quarters with that share in 60-80%", ">= 90% ('at any given moment')",
                   mean_interval(inside), (0.90, 1.0))]


def quiet_share(tr: Trace) -> np.ndarray:
    """After each step: 1 - active / partnerships signed so far (ever active or dormant)."""
    ever = np.maximum.accumulate(np.isin(tr.stage, (ACTIVE, STAGNANT)), axis=0).sum(axis=1)
    return 1 - (tr.stage == ACTIVE).sum(axis=1) / np.maximum(ever, 1)


def pattern_2_funnel(base: list[Trace]) -> list[Check]:
    expl_loi, loi_active, dropped = [], [], []
    for tr in base:
        m = tr.stage[_mature(tr)]
        n_expl, n_loi, n_active = ((m == s).sum(axis=1).mean() for s in (EXPLORATION, LOI, ACTIVE))
        expl_loi.append((n_expl, n_loi))
        loi_active.append((n_loi, n_active))
        # explorations begun in the run and resolved: share that died without an LoI
        begun = tr.stage[0] == -1
        explored = begun & (tr.stage == EXPLORATION).any(axis=0)
        reached = np.isin(tr.stage, (LOI, MOU, ACTIVE, STAGNANT)).any(axis=0)
        # an exploration still open at the end is unresolved; an ended one never at LoI died
        final = tr.stage[-1]
        died = explored & ~reached & (final == ENDED)
        resolved = explored & (reached | (final == ENDED))
        dropped.append((died.sum(), resolved.sum()))
    return [
        _check(2, "explorations / LoIs (mature stock)", "> 1 (CI above 1)",
               ratio_interval(expl_loi), (1.0, INF), (1.0, INF)),
        _check(2, "LoIs / active MoUs (mature stock)", "<= 1.25, fewer or comparable (data 13/20 = 0.65)",
               ratio_interval(loi_active), (0.0, 1.25), (0.0, 1.25)),
        _check(2, "explorations never followed up", ">= 30% ('many'; CI above)",
               ratio_interval(dropped), (0.30, 1.0), (0.30, 1.0)),
    ]


def pattern_3_cases(cases: list[Trace]) -> list[Check]:
    kyoto_active, kyoto_renewed, ism_stop, ism_dormant = [], [], [], []
    for tr in cases:
        names = {name: int(np.flatnonzero(tr.case == k)[0]) for k, name in enumerate(tr.case_names)}
        k, i = names["Kyoto-like"], names["Ismailiya-like"]
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


def election_hazards(tr: Trace, institutionalised: bool) -> tuple[float, float, float, float]:
    """(stagnations, active quarters) in the year after an election, then between elections,
    for partnerships with or without a joint committee / bureau, after the burn-in."""
    spy = tr.steps_per_year
    group = tr.institutionalised == institutionalised
    out = np.zeros(4)
    for k in range(_burn_in(tr), tr.steps):
        before, after = tr.stage[k], tr.stage[k + 1]
        at_risk = (before == ACTIVE) & group
        if not at_risk.any():
            continue
        event = at_risk & (after == STAGNANT)
        since = k - tr.last_election[k + 1][tr.region]
        post = (since >= 0) & (since <= spy)
        out += [(event & post).sum(), (at_risk & post).sum(), (event & ~post).sum(), (at_risk & ~post).sum()]
    return tuple(out)


def pattern_4_elections(base: list[Trace]) -> list[Check]:
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
class Runs:
    """The traced replications behind the checks (kept for the figure)."""
    scenario: Scenario
    base: list[Trace]
    control: list[Trace]
    crisis: list[Trace]
    crisis_scenario: Scenario
    cases: list[Trace]


def run_all(scenario: Scenario, seed: int = 1, reps: int = 30) -> tuple[list[Check], Runs]:
    """All six patterns on `scenario` (and the scenarios derived from it), with the runs."""
    if scenario.simulation.population != "indonesia":
        raise UserError(f"simulation.population is '{scenario.simulation.population}': the patterns "
                        f"are Indonesian (pattern 3 places its cases in DI Yogyakarta); validate a "
                        f"scenario with population = 'indonesia'.")
    base = traces(scenario, seed, reps)
    control, crisis_scenario = crisis_scenarios(scenario)
    control_runs = base if scenario.shock.crisis_year is None else traces(control, seed, reps)
    crisis_runs = traces(crisis_scenario, seed, reps)
    case_runs = traces(case_scenario(scenario), seed, reps)
    checks = (pattern_1_quiet(base) + pattern_2_funnel(base) + pattern_3_cases(case_runs)
              + pattern_4_elections(base) + pattern_5_crisis(control_runs, crisis_runs, crisis_scenario)
              + pattern_6_terms(base))
    return checks, Runs(scenario, base, control_runs, crisis_runs, crisis_scenario, case_runs)


def run_checks(scenario: Scenario, seed: int = 1, reps: int = 30) -> list[Check]:
    """All six patterns on `scenario` (and the scenarios derived from it)."""
    return run_all(scenario, seed, reps)[0]


def figure(runs: Runs, path: Path) -> Path:
    """One panel per pattern: what the checks measure, over time, with bands over replications."""
    import matplotlib
    import matplotlib.ticker

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sim = runs.scenario.simulation
    spy = sim.steps_per_year

    def years(tr):
        return sim.start_year + np.arange(tr.steps + 1) / spy

    def band(ax, x, rows, colour, label):
        rows = np.asarray(rows, dtype=float)
        ax.plot(x, np.nanmean(rows, axis=0), color=colour, label=label)
        lo, hi = np.nanpercentile(rows, [2.5, 97.5], axis=0)
        ax.fill_between(x, lo, hi, color=colour, alpha=0.2)

    fig, axes = plt.subplots(2, 3, figsize=(15, 8.5))
    tr0 = runs.base[0]
    x = years(tr0)
    # 1: share of ever-signed not active
    ax = axes[0, 0]
    band(ax, x, [quiet_share(tr) for tr in runs.base], "#e6550d", "model")
    ax.axhspan(0.6, 0.8, color="grey", alpha=0.15, label="target 60-80%")
    ax.axvline(x[_mature(tr0).start], color="k", lw=0.8, ls=":", label="mature period")
    ax.set(title="1. ever-signed partnerships not active", ylabel="share", ylim=(0, 1))
    ax.legend(fontsize=8)
    # 2: funnel stocks
    ax = axes[0, 1]
    for stage, colour, label in ((EXPLORATION, "#9ecae1", "exploration"), (LOI, "#3182bd", "LoI"),
                                 (ACTIVE, "#31a354", "active (signed MoU)")):
        band(ax, x, [(tr.stage == stage).sum(axis=1) for tr in runs.base], colour, label)
    ax.set(title="2. funnel (data 2010-13: 17 : 13 : 20)", ylabel="partnerships")
    ax.legend(fontsize=8)
    # 3: the cases
    ax = axes[0, 2]
    xc = years(runs.cases[0])
    for name, colour in (("Kyoto-like", "#31a354"), ("Ismailiya-like", "#e6550d")):
        rows = []
        for tr in runs.cases:
            j = int(np.flatnonzero(tr.case == tr.case_names.index(name))[0])
            rows.append(tr.stage[:, j] == ACTIVE)
        ax.plot(xc, np.mean(rows, axis=0), color=colour, label=name)
    ax.set(title="3. Yogyakarta cases: share of runs active", ylabel="share of replications", ylim=(-0.02, 1.02))
    ax.legend(fontsize=8)
    # 4: hazard by quarters since the last election
    ax = axes[1, 0]
    horizon = 5 * spy
    for inst, colour, label in ((False, "#e6550d", "no committee or bureau"),
                                (True, "#31a354", "committee or bureau")):
        events, exposure = np.zeros(horizon), np.zeros(horizon)
        for tr in runs.base:
            group = tr.institutionalised == inst
            for k in range(_burn_in(tr), tr.steps):
                at_risk = (tr.stage[k] == ACTIVE) & group
                since = k - tr.last_election[k + 1][tr.region]
                ok = at_risk & (since >= 0) & (since < horizon)
                np.add.at(exposure, since[ok], 1)
                np.add.at(events, since[ok & (tr.stage[k + 1] == STAGNANT)], 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            ax.plot(np.arange(horizon) / spy, events / exposure, "o-", ms=3, color=colour, label=label)
    ax.axvspan(0, 1 + 1 / spy, color="grey", alpha=0.15, label="year after the election")
    ax.set(title="4. stagnation hazard after an election", xlabel="years since the last election",
           ylabel="stagnations per active quarter")
    ax.legend(fontsize=8)
    # 5: crisis
    ax = axes[1, 1]
    shock = runs.crisis_scenario.shock
    band(ax, x, [(tr.stage == ACTIVE).sum(axis=1) for tr in runs.control], "#636363", "no crisis")
    band(ax, x, [(tr.stage == ACTIVE).sum(axis=1) for tr in runs.crisis], "#e6550d", "crisis")
    ax.axvspan(shock.crisis_year, shock.crisis_year + shock.duration_years, color="#e6550d", alpha=0.1)
    ax.set(title=f"5. crisis in {shock.crisis_year} ({shock.budget_cut:.0%} budget cut)",
           ylabel="active partnerships")
    ax.legend(fontsize=8)
    # 6: term ends
    ax = axes[1, 2]
    table = {3: [0, 0], 5: [0, 0]}
    for tr in runs.base:
        renewed, due = _term_ends(tr, _burn_in(tr))
        for term in table:
            m = tr.term_years == term
            table[term][0] += renewed[m].sum()
            table[term][1] += (due[m] - renewed[m]).sum()
    labels = [f"{t}-year term" for t in table]
    ax.bar(labels, [v[0] for v in table.values()], color="#31a354", label="renewed")
    ax.bar(labels, [v[1] for v in table.values()], bottom=[v[0] for v in table.values()],
           color="#636363", label="lapsed")
    ax.set(title="6. term ends: renewed or lapsed", ylabel=f"term ends ({len(runs.base)} runs)")
    ax.legend(fontsize=8)
    for ax in axes.flat[:3].tolist() + [axes[1, 1]]:
        ax.set_xlabel("year")
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    fig.suptitle(f"Validation patterns: {runs.scenario.name} ({len(runs.base)} replications)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def validate(scenario: Scenario, seed: int = 1, reps: int = 30) -> pd.DataFrame:
    """All six patterns on `scenario`; one row per check."""
    return pd.DataFrame([c.row() for c in run_checks(scenario, seed, reps)])


def format_table(table: pd.DataFrame) -> str:
    """Markdown table: pattern, check, target, value [95% interval], pass."""
    lines = ["| # | check | target | model value [95% interval] | result |",
             "|---|---|---|---|---|"]
    for r in table.itertuples():
        lines.append(f"| {r.pattern} | {r.check} | {r.target} | {r.value:.3g} [{r.low:.3g}, {r.high:.3g}] "
                     f"| {'pass' if r.passed else 'FAIL'} |")
    return "\n".join(lines)


def pattern_summary(table: pd.DataFrame) -> pd.Series:
    """A pattern passes when all its checks pass."""
    return table.groupby("pattern")["passed"].all()


# --- `coopsim validate` ---------------------------------------------------------------------------
def add_arguments(parser) -> None:
    parser.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO,
                        help=f"scenario file to validate (default {DEFAULT_SCENARIO})")
    parser.add_argument("--reps", type=int, default=30, help="replications per scenario (default 30)")
    parser.add_argument("--seed", type=int, default=1, help="master seed (default 1)")
    parser.add_argument("--out", default=None, help="results folder (default results/validation_<scenario>)")
    parser.add_argument("--force", action="store_true", help="write into a non-empty folder")


def main(args) -> int:
    from coopsim.reporting.folders import prepare_output
    from coopsim.reporting.manifest import write_manifest

    if args.reps < 2:
        raise UserError(f"--reps must be at least 2 for an interval (got {args.reps}).")
    scenario = load_scenario(args.scenario)
    if scenario.simulation.years < 8:
        raise UserError(f"{args.scenario}: simulation.years is {scenario.simulation.years}; the "
                        f"patterns need a run of at least 8 years (a mature period and a crisis).")
    out = prepare_output(args.out or Path("results") / f"validation_{scenario.name}", force=args.force)
    checks, runs = run_all(scenario, seed=args.seed, reps=args.reps)
    table = pd.DataFrame([c.row() for c in checks])
    figure(runs, out / "validation.png")
    summary = pattern_summary(table)
    table.to_csv(out / "validation.csv", index=False)
    header = (f"# Validation of '{scenario.name}' ({args.scenario})\n\n"
              f"{args.reps} replications per scenario, seed {args.seed}. Intervals: 95% percentile "
              f"bootstrap over replications. Patterns passed: {int(summary.sum())} of {len(summary)}.\n\n")
    mechanisms = "\n".join(f"- Pattern {k}: {v}" for k, v in MECHANISMS.items())
    (out / "validation.md").write_text(header + format_table(table) + "\n\n![patterns](validation.png)"
                                       + "\n\n## Mechanisms producing each pattern\n\n" + mechanisms + "\n")
    write_manifest(out, "validate", scenario=scenario.model_dump(), scenario_file=args.scenario,
                   seed=args.seed, reps=args.reps,
                   replication_seeds=[replication_seed(args.seed, i) for i in range(args.reps)],
                   patterns_passed={int(k): bool(v) for k, v in summary.items()},
                   outputs=["validation.csv", "validation.md", "validation.png", "manifest.json"],
                   repeat=f"coopsim validate {args.scenario} --reps {args.reps} --seed {args.seed} "
                          f"--out {out} --force")
    print(f"{scenario.name}: {args.reps} replications, seed {args.seed} -> {out}/")
    width = max(len(c) for c in table["check"])
    for r in table.itertuples():
        print(f"  {r.pattern}  {r.check:<{width}}  {r.value:8.3f} [{r.low:7.3f}, {r.high:7.3f}]  "
              f"{'pass' if r.passed else 'FAIL'}   target {r.target}")
    print(f"  patterns passed: {int(summary.sum())} of {len(summary)}")
    return 0 if summary.all() else 1
