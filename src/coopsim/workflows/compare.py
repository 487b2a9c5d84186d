"""`coopsim compare`: test policy levers against a base scenario, paired, with uncertainty.

    coopsim compare BASE.toml POLICY.toml [MORE.toml ...] [--region NAME] [--reps N]

Common random numbers: replication i of every scenario runs with the same seed
(`coopsim.run.seeds.replication_seed`), and each mechanism draws from its own named random
stream, so replication i of the base and of a lever share their dice
(`coopsim.analysis.comparison` says what that buys and how effects get their verdicts).

`--region NAME` computes every outcome from that regional government's own partnerships
(`coopsim.run.tracking`): nothing is a national figure scaled down. Without it the same code
counts every partnership, and the numbers equal `coopsim.model.outcomes.summarize`.

The runs go through the executor (`coopsim.run.executor`) into `runs/` of the results folder;
each (scenario, replication) is a pure function of its seed and results are read back by their
index, so they do not depend on `--workers`.

The summary, summary.md, the figures and report.html are in the language asked for (`lang`:
'id' or 'en'); report.html is made from the folder's own tables (`write_comparison_report`), so
`coopsim report FOLDER --lang en` makes the same report, in English, from the same numbers. A
lever's own yearly cost stated in the scenarios (`levers.<lever>_cost`) is counted over the run
for the regions the levers apply to (the focus region, or all) and added to spending in the
ranking per unit of budget.

`--uncertain N` runs every scenario in N draws of the uncertain inputs (the behavioural rates'
posterior or priors, the obstacles' ranges; `coopsim.workflows.robust_levers`), `reps` runs per
draw with the same seeds for every scenario of a draw; the tables above then pool every draw's
runs (replication i = draw * reps + r), and the folder gains the robust verdicts: per lever the
share of draws where it helps, its median effect and its regret
(`coopsim.analysis.robust_levers`).

Python API: `plan = plan_comparison(files, reps=30)`, then `result = run_comparison(plan)`;
`plan_comparison(files, reps=1, uncertain=50)` for the verdicts under uncertainty.
"""

from __future__ import annotations

import json
import shlex
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from coopsim.analysis.comparison import (Findings, compared_outcomes, end_holdings, findings, lever_cost_fields,
                                         outcome_frame, own_cost, stage_frame, survival_frame)
from coopsim.analysis.robust_levers import RobustFindings, robust_findings
from coopsim.analysis.stats import BOOTSTRAP
from coopsim.config.errors import Joined, Text, UserError
from coopsim.config.toml import excerpt
from coopsim.config.scenario import Levers, Scenario, load_scenario
from coopsim.config.vocabulary import Outcome
from coopsim.model.model import CoopModel
from coopsim.model.population import find_region, lever_scope
from coopsim.reporting.comparison import introduction, make_figures, region_note
from coopsim.reporting.decision import Setting, summary_text
from coopsim.reporting.folders import check_output, folder_name, staged_output, write_text
from coopsim.reporting.html import comparison_page
from coopsim.reporting.manifest import write_manifest
from coopsim.run.executor import check_budget
from coopsim.run.runner import simulate
from coopsim.run.seeds import replication_seed
from coopsim.run.tracking import run_replications
from coopsim.workflows.robust_levers import (UncertainPlan, draw_target, load_robust, plan_uncertain,
                                             robust_manifest, uncertain_words, write_robust)

__all__ = ["ComparisonPlan", "ComparisonResult", "plan_comparison", "run_comparison", "resolve_region", "MAX_RUNS",
           "load_comparison", "write_comparison_report"]

RUNS = "runs"   # the executor's chunk files, inside the results folder
#: Most runs (scenarios x replications) without --no-limits: every run's outcomes, stage counts
#: and life table (~650 numbers) are read back into memory together.
MAX_RUNS = 50_000


@dataclass
class ComparisonPlan:
    """A comparison ready to run: scenarios loaded and checked, outcomes chosen, region found,
    results folder prepared.

    Attributes:
        files: scenario files, the base first; scenarios: them loaded; labels: their names
            in tables (unique).
        table: the outcomes compared; rank_by: the one that orders the ranking
            (rank_by_option: as given, None for the default).
        reps, seed: replications per scenario and master seed.
        regions: per scenario, the focus region's index in its population (None: all).
        region, region_query: the focus region's full name and the name it was asked by.
        out: the results folder (checked, written by `run_comparison`); force: replace what
            it holds; head: the summary's opening lines.
        lang: the language of the summary, figures and report ('id' or 'en').
        own_costs: per lever label, its levers' own extra cost over the run (budget units);
            setting: what is compared, for the words around the numbers.
        uncertain: the draws of the uncertain inputs (`--uncertain`; None: a plain
            comparison); then `reps` counts every draw's runs (draws x runs per draw).
    """
    files: list[str]
    scenarios: list[Scenario]
    labels: list[str]
    table: list[Outcome]
    rank_by: str
    rank_by_option: str | None
    reps: int
    seed: int
    regions: list[int | None]
    region: str | None
    region_query: str | None
    out: Path
    head: list[str] = field(default_factory=list)
    force: bool = False
    lang: str = "en"
    own_costs: dict[str, float] = field(default_factory=dict)
    setting: Setting | None = None
    uncertain: UncertainPlan | None = None

    @property
    def focus(self) -> str:
        """Whose partnerships are counted, in words."""
        return self.region or "all regional governments"


@dataclass
class ComparisonResult:
    """What `run_comparison` computed and wrote.

    Attributes:
        effects, ranking, outcomes: the tables (effects.csv, ranking.csv, outcomes.csv);
            found: everything computed (`coopsim.analysis.comparison.Findings`).
        note: a note on the focus region's partnerships ('' without a region).
        figures: the figures written; report: report.html (None when not written).
        runs: runs made; seconds: how long they took.
    """
    effects: pd.DataFrame
    ranking: pd.DataFrame
    outcomes: pd.DataFrame
    note: str
    figures: list[Path]
    report: Path | None
    runs: int
    seconds: float
    found: Findings | None = None


def _check_files(files: list[str], reps: int, uncertain: int = 0) -> None:
    if len(files) < 2:
        raise UserError(Text("compare.files_needed"))
    if reps < 2 and not uncertain:   # with --uncertain: at least 2 draws (`plan_uncertain`)
        raise UserError(Text("compare.reps_interval", reps=reps))


def _check_horizons(files: list[str], scenarios: list[Scenario]) -> None:
    base = scenarios[0]
    for f, s in zip(files[1:], scenarios[1:]):
        for key in ("years", "steps_per_year", "start_year"):
            if getattr(s.simulation, key) != getattr(base.simulation, key):
                raise UserError(Text("compare.horizon", file=f, key=key, value=getattr(s.simulation, key),
                                     base=files[0], base_value=getattr(base.simulation, key)))


def _labels(scenarios: list[Scenario], files: list[str]) -> list[str]:
    """Scenario names, made unique (the file name for a shared name, then a number)."""
    labels = [s.name for s in scenarios]
    for i, label in enumerate(labels):
        if labels.count(label) > 1:
            labels[i] = Path(files[i]).stem
    seen: dict[str, int] = {}
    for i, label in enumerate(labels):
        if label in seen:
            seen[label] += 1
            labels[i] = f"{label}_{seen[label]}"
        else:
            seen[label] = 1
    return labels


def _differs(da: dict, db: dict) -> list[str]:
    """Dotted paths whose values differ between two scenarios' parameters (`model_dump`; name,
    description and extends ignored)."""
    out = []
    for section in da:
        if section in ("name", "description", "extends"):
            continue
        if isinstance(da[section], dict):
            out += [f"{section}.{k}" for k in da[section] if da[section][k] != db[section].get(k)]
        elif da[section] != db[section]:
            out.append(section)
    return out


def resolve_region(scenarios: list[Scenario], files: list[str], query: str, seed: int) -> tuple[list[int], str]:
    """Find a regional government in every scenario's population.

    Args:
        scenarios, files: the scenarios and their files (for error messages).
        query: the name or ISO code asked for (case and prefix do not matter).
        seed: master seed (populations are built with replication 0's seed).

    Returns:
        The region's index in each scenario's population, and its full name.

    Raises:
        UserError: an unknown region, with suggestions.
    """
    indices, name = [], None
    for scenario, path in zip(scenarios, files):
        table = CoopModel(scenario, seed=replication_seed(seed, 0), agents=False).regions.table
        try:
            i = find_region(table, query if name is None else name)
        except UserError as err:   # find_region's words, and which scenario lacks the region
            where = Text("compare.region_in", path=str(path)) if name is not None else ""
            raise UserError(Joined("--region: ", err.message, where)) from None
        indices.append(int(i))
        name = name or str(table["name"].iat[i])
    return indices, name


def _default_folder(labels: list[str], region: str | None) -> Path:
    """results/compare_<base>_vs_<levers>[_<region>] (a safe name of bounded length)."""
    def clean(text: str) -> str:
        return "".join(ch if ch.isalnum() or ch in "_-" else "-" for ch in text.lower()).strip("-")

    slug = "_".join(clean(x) for x in labels[1:]) if len(labels) <= 4 else f"{len(labels) - 1}_scenarios"
    if region:
        slug += "_" + clean(region)
    return Path("results") / folder_name(f"compare_{clean(labels[0])}_vs_{slug}")


def _check_size(scenarios: list[Scenario], reps: int, seed: int, workers: int) -> None:
    """Refuse a comparison beyond `MAX_RUNS` runs or the time limit (one base run timed here)."""
    check_budget(len(scenarios) * reps, what=f"--reps {reps:,} for {len(scenarios)} scenarios",
                 fewer="Use fewer --reps (30 to 100 is usual)", workers=workers, max_runs=MAX_RUNS,
                 time_one=lambda: simulate(scenarios[0], replication_seed(seed, 0)))


def _own_costs(scenarios: list[Scenario], regions: list[int | None], seed: int) -> list[float]:
    """Each scenario's levers' own cost over the run (`own_cost`), for the regions counted
    where its levers apply (the population is built only for a scenario with a cost)."""
    out = []
    for scenario, region in zip(scenarios, regions):
        if not any(getattr(scenario.levers, cost) > 0 for cost in lever_cost_fields(scenario.levers).values()):
            out.append(0.0)
            continue
        table = CoopModel(scenario, seed=replication_seed(seed, 0), agents=False).regions.table
        scope = lever_scope(scenario, table)
        out.append(own_cost(scenario, int(scope[region]) if region is not None else int(scope.sum())))
    return out


def _missing_costs(base: dict, lever: dict) -> list[str]:
    """The cost keys (`levers.<lever>_cost`) of the levers a scenario switches on that are left
    at zero (a planner may want to state them)."""
    fields = Levers.model_fields
    on = [name for name in lever_cost_fields(Levers())
          if lever["levers"].get(name, fields[name].default) not in (fields[name].default, base["levers"].get(name))]
    return [f"levers.{name}_cost" for name in on if not lever["levers"].get(f"{name}_cost")]


def _setting(labels: list[str], files: list[str], parameters: list[dict], reps: int, seed: int, rank_by: str,
             region: str | None, region_query: str | None, repeat: str = "", uncertain: dict | None = None) -> Setting:
    """What is compared, from the scenarios' parameters (`model_dump`, as in the manifest)."""
    sim = parameters[0]["simulation"]
    return Setting(labels, files, [_differs(parameters[0], p) for p in parameters[1:]], reps, seed, sim["years"],
                   sim["start_year"], region, region_query, rank_by, compared_outcomes(sim["years"]), repeat,
                   {label: _missing_costs(parameters[0], p) for label, p in zip(labels[1:], parameters[1:])},
                   uncertain)


def plan_comparison(files: list[str], *, reps: int = 30, seed: int = 1, region: str | None = None,
                    rank_by: str | None = None, out: str | Path | None = None,
                    force: bool = False, workers: int = 1, limits: bool = True, lang: str = "en",
                    uncertain: int = 0, posterior: str | Path | None = None) -> ComparisonPlan:
    """Load and check the scenarios, choose the outcomes, find the region, prepare the folder.

    Args:
        files: scenario files, the base (status quo) first.
        reps: replications per scenario (at least 2); with `uncertain`, per draw (at least 1).
        seed: master seed.
        region: focus on this regional government's own partnerships (name or ISO code).
        rank_by: outcome that orders the ranking (default active_10y, else active_end).
        out: results folder (default results/compare_<names>); checked here, written by
            `run_comparison`.
        force: write into a non-empty folder.
        workers: worker processes (for the time estimate); limits: refuse a comparison beyond
            `MAX_RUNS` runs or estimated to take longer than the executor's limit.
        lang: the language of the summary, figures and report ('id' or 'en').
        uncertain: draws of the uncertain inputs (0: a plain comparison; else at least 2).
        posterior: with `uncertain`, a calibration's results folder whose posterior is drawn
            (default the shipped experiments/posterior, else the priors).

    Returns:
        The plan, with the summary's opening lines.

    Raises:
        UserError: on anything the user can fix (too few files or replications, horizons that
            differ, an unknown outcome or region, a folder that cannot be written or is not
            empty, a comparison too large, a missing posterior).
    """
    _check_files(files, reps, uncertain)
    scenarios = [load_scenario(f) for f in files]
    _check_horizons(files, scenarios)
    labels = _labels(scenarios, files)
    draws = plan_uncertain(uncertain, reps, seed, scenarios, labels, posterior) if uncertain else None
    reps = reps * uncertain if uncertain else reps
    keys = [o.key for o in compared_outcomes(scenarios[0].simulation.years)]
    chosen = rank_by or ("active_10y" if "active_10y" in keys else "active_end")
    if chosen not in keys:
        raise UserError(Text("compare.rank_by", chosen=excerpt(chosen), keys=", ".join(keys)))
    regions, name = resolve_region(scenarios, files, region, seed) if region else ([None] * len(scenarios), None)
    folder = check_output(out or _default_folder(labels, name), force=force)[0]
    if limits:
        _check_size(scenarios, reps, seed, workers)
    setting = _setting(labels, list(files), [s.model_dump() for s in scenarios], reps, seed, chosen, name, region,
                       uncertain=draws.words() if draws else None)
    costs = _own_costs(scenarios, regions, seed)
    plan = ComparisonPlan(list(files), scenarios, labels, setting.table, chosen, rank_by, reps, seed, regions, name,
                          region, folder, introduction(setting, lang), force, lang,
                          {label: c - costs[0] for label, c in zip(labels[1:], costs[1:])}, setting, draws)
    setting.repeat = _repeat(plan)
    return plan


def _repeat(plan: ComparisonPlan) -> str:
    """The command that repeats the comparison."""
    u = plan.uncertain
    repeat = ["coopsim", "compare", *plan.files, "--reps", str(u.reps if u else plan.reps), "--seed", str(plan.seed)]
    if u:
        repeat += ["--uncertain", str(u.n)]
        repeat += ["--posterior", u.source["path"]] if u.source["kind"] == "posterior" else []
    if plan.region_query:
        repeat += ["--region", plan.region_query]
    if plan.rank_by_option:
        repeat += ["--rank-by", plan.rank_by_option]
    repeat += ["--lang", plan.lang, "--out", str(plan.out), "--force"]
    return " ".join(shlex.quote(a) for a in repeat)


def _write_manifest(plan: ComparisonPlan, out: Path, workers: int, seconds: float, report: bool) -> None:
    write_manifest(out, "compare", base=plan.labels[0], scenarios=dict(zip(plan.labels, plan.files)),
                   scenario_parameters={label: s.model_dump() for label, s in zip(plan.labels, plan.scenarios)},
                   seed=plan.seed, reps=plan.reps, region=plan.region, region_query=plan.region_query,
                   common_random_numbers=True, bootstrap_resamples=BOOTSTRAP, rank_by=plan.rank_by,
                   lang=plan.lang, lever_costs=plan.own_costs,
                   replication_seeds=[replication_seed(plan.seed, i) for i in range(plan.reps)],
                   workers=workers, seconds=round(seconds, 1),
                   **({"uncertain": robust_manifest(plan.uncertain, plan.seed)} if plan.uncertain else {}),
                   outputs=sorted(p.name for p in out.iterdir()) + ["manifest.json"]
                   + (["report.html"] if report else []),
                   repeat=plan.setting.repeat if plan.setting else _repeat(plan))


def _write_tables(out: Path, outcomes: pd.DataFrame, stages: pd.DataFrame, km: pd.DataFrame, found: Findings) -> None:
    """The folder's tables: every run's outcomes (with its seed), the effects, the ranking, the
    levers against each other, and the runs' stages and survival."""
    outcomes.to_csv(out / "outcomes.csv", index=False)
    found.effects.to_csv(out / "effects.csv", index=False)
    found.ranking.to_csv(out / "ranking.csv", index=False)
    found.pairs.to_csv(out / "pairs.csv", index=False)
    stages.to_parquet(out / "stages.parquet", index=False)
    km.to_parquet(out / "survival.parquet", index=False)


def run_comparison(plan: ComparisonPlan, workers: int = 1, progress: bool = False,
                   report: bool = True) -> ComparisonResult:
    """Run every scenario's replications, compare them with the base, write the folder.

    Writes outcomes.csv, effects.csv, ranking.csv, pairs.csv, stages.parquet,
    survival.parquet, summary.md, the figures, manifest.json and (with `report`) report.html,
    all in `plan.lang`; with `plan.uncertain` also draws.csv, robust_effects.csv,
    robust_levers.csv and robust_effects.png (`coopsim.workflows.robust_levers`); the runs' chunk
    files stay in runs/. The folder is written whole or not at all (`staged_output`): a failed
    run, Ctrl+C or a full disk leaves nothing new in it.

    Args:
        plan: from `plan_comparison`.
        workers: local worker processes (the numbers do not depend on it).
        progress: show a progress bar.
        report: also write report.html.

    Returns:
        The tables, the region note and where the figures and report went.
    """
    labels, sim, u = plan.labels, plan.scenarios[0].simulation, plan.uncertain
    with staged_output(plan.out, force=plan.force) as staged:
        out = staged.stage
        t0 = time.perf_counter()
        runs = run_replications(plan.scenarios, plan.regions, plan.seed, plan.reps, out / RUNS, workers=workers,
                                progress=progress, target=draw_target(u, plan.scenarios, labels, plan.regions)
                                if u else None)
        seconds = time.perf_counter() - t0
        outcomes = outcome_frame(runs, labels, [replication_seed(plan.seed, i) for i in range(plan.reps)])
        if u:
            outcomes.insert(2, "draw", outcomes["replication"] // u.reps)
        stages = stage_frame(runs, labels, sim.start_year, sim.steps_per_year)
        km = survival_frame(runs, labels, sim.steps_per_year)
        note = region_note(plan.region, end_holdings(stages), labels, plan.lang) if plan.region else ""
        found = findings(outcomes, stages, labels, plan.table, plan.rank_by, plan.seed, sim.steps_per_year,
                         plan.own_costs)
        found.robust = _robust(plan, outcomes, out)
        _write_tables(out, outcomes, stages, km, found)
        (out / "summary.md").write_text(summary_text(plan.setting, found, plan.lang, markdown=True, full=True,
                                                     head=plan.head + ([note] if note else [])))
        figures = make_figures(found.effects, stages, km, plan.setting, out, plan.lang, found.robust)
        _write_manifest(plan, out, workers, seconds, report)
    figures = [staged.final_path(p) for p in figures]
    page = write_comparison_report(plan.out, lang=plan.lang) if report else None
    return ComparisonResult(found.effects, found.ranking, outcomes, note, figures, page, len(labels) * plan.reps,
                            seconds, found)


def _robust(plan: ComparisonPlan, outcomes: pd.DataFrame, out: Path) -> RobustFindings | None:
    """With --uncertain: the verdicts across the draws, written to the (staging) folder."""
    if plan.uncertain is None:
        return None
    u = plan.uncertain
    robust = robust_findings(outcomes, plan.labels, [o.key for o in plan.table], plan.rank_by, u.reps, u.draws,
                             u.kept)
    write_robust(out, robust)
    return robust


# --- a results folder's report ------------------------------------------------------------------
def _read_manifest(folder: Path) -> dict:
    """A compare folder's manifest.json, or a UserError saying what the folder lacks."""
    path = folder / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(Text("compare.no_manifest", folder=str(folder), why=type(exc).__name__)) from None
    if manifest.get("kind") != "compare":
        raise UserError(Text("compare.not_compare_folder", folder=str(folder), kind=repr(manifest.get("kind"))))
    return manifest


def load_comparison(folder: str | Path) -> tuple[Setting, Findings, pd.DataFrame, pd.DataFrame, dict]:
    """What a compare folder holds, computed again from its runs' tables (the same numbers as
    when it was written: every computation is seeded).

    Args:
        folder: a folder written by `coopsim compare`.

    Returns:
        (setting, findings, stages, survival, manifest).

    Raises:
        UserError: the folder is not a compare folder, or a table is missing.
    """
    folder = Path(folder)
    m = _read_manifest(folder)
    labels = list(m["scenarios"])
    try:
        outcomes = pd.read_csv(folder / "outcomes.csv", dtype={"scenario": str})
        stages = pd.read_parquet(folder / "stages.parquet")
        km = pd.read_parquet(folder / "survival.parquet")
    except (OSError, ValueError) as exc:
        raise UserError(Text("compare.table_missing", folder=str(folder), why=str(exc),
                             repeat=m.get("repeat", "coopsim compare ..."))) from None
    uncertain = m.get("uncertain")
    setting = _setting(labels, list(m["scenarios"].values()), [m["scenario_parameters"][x] for x in labels],
                       int(m["reps"]), int(m["seed"]), m["rank_by"], m.get("region"), m.get("region_query"),
                       m.get("repeat", ""), uncertain_words(uncertain) if uncertain else None)
    parameters = m["scenario_parameters"][labels[0]]["simulation"]
    found = findings(outcomes, stages, labels, setting.table, setting.rank_by, setting.seed,
                     parameters["steps_per_year"], m.get("lever_costs") or {})
    if uncertain:
        found.robust = load_robust(folder, uncertain, outcomes, labels, [o.key for o in setting.table],
                                   setting.rank_by)
    return setting, found, stages, km, m


def write_comparison_report(folder: str | Path, out: str | Path | None = None, lang: str = "en",
                            title: str | None = None) -> Path:
    """report.html of a compare folder: the conclusion first, the tables, the figures, a
    glossary, and the raw tables and seeds in a folded appendix, in one language.

    Args:
        folder: a folder written by `coopsim compare`.
        out: the HTML file (default FOLDER/report.html).
        lang: 'id' or 'en'.
        title: the page's title (default: the scenarios' names and the region).

    Returns:
        The file written (atomically).
    """
    folder = Path(folder)
    setting, found, stages, km, manifest = load_comparison(folder)
    page = comparison_page(folder, setting, found, stages, km, manifest, lang, title)
    out = Path(out) if out else folder / "report.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    return write_text(out, page)
