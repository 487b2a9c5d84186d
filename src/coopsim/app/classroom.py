"""The class app's model: `CoopModel` with flat keyword parameters (the page's sliders and
switches), a log of elections and of every partnership's stage changes (for timelines), an
optional twin run with the same seed and one lever changed (side by side), and guards so that a
bad slider combination or a step racing a Reset never crashes the page.

Also the pure functions the page draws from (the chart data, what a region, a partner or a
partnership is, as data the page puts into words), kept here so they are tested without a
browser. The default scenario ships inside the package (`coopsim/app/scenarios/class.toml`),
so the app starts the same from any folder.
"""

from __future__ import annotations

import itertools
import threading
import traceback
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from coopsim.app.lessons import INSTITUTIONS
from coopsim.app.map import map_layout
from coopsim.config.scenario import Scenario, load_scenario
from coopsim.config.vocabulary import CAUSES, STAGES
from coopsim.model.model import HISTORY, CoopModel
from coopsim.model.partnerships import ENDED, EXPLORATION, LOI, MOU, STAGNANT

__all__ = ["OBSTACLES", "OBSTACLE_MAX", "LEVERS", "ClassroomModel", "packaged_scenario", "default_scenario_path",
           "base_scenario", "slider_defaults", "overrides", "node_info", "partnership_info", "scenario_label",
           "region_of_partnership_rows"]

# Obstacles (section 'Hambatan'): slider name -> scenario path. "turnover" is shown as the
# obstacle (a new head drops a predecessor's partnership) = 1 - adoption probability.
OBSTACLES = {name: f"regions.{name}" for name in ("budget_line_share", "budget_level", "hr_capacity",
                                                  "data_quality", "bureaucracy_quality", "infrastructure")}
OBSTACLES["turnover"] = "elections.adoption_probability"
#: The top of each slider (all start at 0).
OBSTACLE_MAX = {name: (1.5 if name == "budget_level" else 1.0) for name in OBSTACLES}
# Levers (Conditions, Recommendations): switch name -> (scenario path, value when on).
LEVERS = {
    "joint_committee": ("levers.joint_committee", True),
    "dedicated_budget": ("levers.dedicated_budget", 1.0),
    "cooperation_bureau": ("levers.cooperation_bureau", True),
    "diplomat": ("levers.diplomat", True),
    "data_platform": ("levers.data_platform", True),
    "hr_training": ("levers.hr_training", 0.2),
    "perda": ("levers.legal_umbrella", "perda"),
    "mid_term_plan": ("levers.mid_term_plan", True),
    "community_program": ("levers.community_program", True),
}

_SERIAL = itertools.count()


def _dotted(model_or_dict, path: str):
    node = model_or_dict
    for key in path.split("."):
        node = node[key] if isinstance(node, dict) else getattr(node, key)
    return node


def packaged_scenario(name: str = "class") -> str:
    """A scenario file shipped with the app (found from the package, not the working folder).

    Args:
        name: the file's name without .toml.

    Returns:
        Its path.
    """
    return str(resources.files("coopsim").joinpath("app", "scenarios", f"{name}.toml"))


def default_scenario_path() -> str:
    """The class-sized scenario the app starts with: the packaged `class.toml` (the 38 provinces
    and the two Yogyakarta cases)."""
    return packaged_scenario("class")


@lru_cache(maxsize=8)
def base_scenario(path: str) -> Scenario:
    """The scenario the app starts from (cached: every Reset builds a model from it).

    Args:
        path: a scenario file, or '' for the built-in defaults restricted to the 38 provinces.

    Returns:
        The scenario.

    Raises:
        UserError: the file is missing or not a valid scenario.
    """
    if path:
        return load_scenario(path)
    return Scenario().override({"simulation.levels": ["province"]}, origin="class app default")


def _lever_on(value, on) -> bool:
    return bool(value >= on) if isinstance(on, float) else value == on


def slider_defaults(path: str) -> dict:
    """The scenario's own value of each obstacle slider and lever switch.

    Args:
        path: as for `base_scenario`.

    Returns:
        Slider or switch name -> value.
    """
    data = base_scenario(path).model_dump()
    out = {name: float(_dotted(data, p)) for name, p in OBSTACLES.items()}
    out["turnover"] = round(1 - out["turnover"], 4)
    for name, (p, on) in LEVERS.items():
        out[name] = _lever_on(_dotted(data, p), on)
    return out


def overrides(values: dict) -> dict:
    """Flat slider and switch values as dotted scenario overrides (out-of-range values clipped).

    Args:
        values: slider or switch name -> value (names of OBSTACLES and LEVERS; others ignored).

    Returns:
        Dotted scenario path -> value.
    """
    out = {}
    for name, p in OBSTACLES.items():
        if name in values:
            v = float(np.clip(values[name], 0.0, OBSTACLE_MAX[name]))
            out[p] = 1 - v if name == "turnover" else v
    for name, (p, on) in LEVERS.items():
        if name in values:
            off = "none" if isinstance(on, str) else (0.0 if isinstance(on, float) else False)
            out[p] = on if values[name] else off
    return out


def _flipped(values: dict, lever: str, path: str) -> dict:
    """The same settings with one lever (or the institutions together) switched the other way."""
    names = INSTITUTIONS if lever == "institutions" else {lever: True}
    defaults = slider_defaults(path)
    now = all(bool(values.get(name, defaults[name])) for name in names)
    return {**values, **{name: not now for name in names}}


class ClassroomModel(CoopModel):
    """`CoopModel` built from a scenario file plus the page's sliders and switches.

    Never raises out of `__init__` or `step`: a failure is kept in `self.error` (a message id of
    the catalogues, with `self.error_detail`; the traceback goes to the server's stderr) and the
    model falls back to the scenario's own values, or stops running.

    Args:
        scenario_file: the scenario ('' for the built-in province-only defaults).
        seed: the random seed.
        scenario: Mesa's own experiment object (ignored: coopsim's scenario is the file).
        extra: scenario parameters a lesson sets (dotted path -> value), before the sliders.
        compare: a lever (or 'institutions') to run a twin with, flipped, with the same seed.
        **values: slider and switch values (see `overrides`).
    """

    def __init__(self, scenario_file: str = "", seed: int = 1, scenario=None, extra: dict | None = None,
                 compare: str = "", **values):
        del scenario
        self.error, self.error_detail = "", ""
        self._lock = threading.RLock()
        try:
            params = base_scenario(scenario_file).override({**(extra or {}), **overrides(values)},
                                                           origin="class app")
            super().__init__(params, seed=int(seed))
        except Exception as exc:  # noqa: BLE001 - shown on the page, never a crash
            traceback.print_exc()
            self.error, self.error_detail = "app.error.settings", str(exc)
            super().__init__(base_scenario(scenario_file), seed=int(seed))
        self.scenario_path, self.values, self.extra, self.compare = scenario_file, values, extra or {}, compare
        self.serial = next(_SERIAL)  # identifies this run for the page's caches (id() can be reused)
        self.layout = map_layout(self)  # fixed: computed once per model, never per frame
        self.elections: list[tuple[int, int, int]] = []  # (step, regions voting, new heads)
        self.called_elections: list[int] = []
        self.twin = (ClassroomModel(scenario_file, seed, extra=extra, **_flipped(values, compare, scenario_file))
                     if compare else None)

    def step(self) -> None:
        """One quarter (and the twin's); logs elections and stage changes. Stops (never raises)
        at the end or on an error."""
        with self._lock:
            if not self.running or self.t >= self.params.steps:
                self.running = False
                return
            t = self.t
            try:
                super().step()
            except Exception as exc:  # noqa: BLE001
                traceback.print_exc()
                self.error, self.error_detail = "app.error.step", f"{t}: {exc}"
                self.running = False
                return
            voted = int((self.last_election == t).sum())
            if voted:
                self.elections.append((t, voted, int(np.sum(self.turnovers))))
            if self.twin is not None:
                self.twin.step()

    def election_now(self) -> None:
        """The page's button: every elected region votes in the quarter about to run, and that
        quarter runs (the page says so)."""
        with self._lock:
            if not self.running:
                return
            self.called_elections.append(self.t)
            self.call_election()
            if self.twin is not None:
                self.twin.call_election()
            self.step()

    # --- what the page shows -----------------------------------------------------------------
    def quarter_of(self, t: int | None = None) -> tuple[int, int]:
        """(year, quarter) of step t (default: the step about to run); quarter 1..steps per year."""
        t = self.t if t is None else int(t)
        spy = self.steps_per_year
        return self.params.simulation.start_year + t // spy, t % spy + 1

    def quarter_label(self, t: int | None = None) -> str:
        """'2027 Q3' for step t (default: the step about to run): the English label tests use."""
        year, q = self.quarter_of(t)
        return f"{year} Q{q}"

    @property
    def finished(self) -> bool:
        """The run has reached its horizon."""
        return self.t >= self.params.steps

    def n_active(self) -> int:
        """How many partnerships are active now."""
        return self.stage_counts()["active"]

    def stage_counts(self) -> dict[str, int]:
        """How many partnerships are in each stage now (stage name -> count)."""
        with self._lock:
            return dict(zip(STAGES, (int(x) for x in self.partnerships.stage_counts())))

    def chart_data(self) -> dict:
        """A consistent snapshot for the charts, taken under the step lock (the play loop
        steps the model in another thread while the page renders)."""
        with self._lock:
            t, spy, start = self.t, self.steps_per_year, self.params.simulation.start_year
            k = HISTORY.index(f"stagnated_{CAUSES[0]}")
            stagnated = np.cumsum(self.history[:t, k:k + len(CAUSES)], axis=0)
            return {"t": t, "run": self.serial,
                    "years": start + np.arange(t) / spy,
                    "stages": {s: self.history[:t, i].copy() for i, s in enumerate(STAGES)},
                    "stagnated": {c: stagnated[:, i] for i, c in enumerate(CAUSES)},
                    "elections": [start + e / spy for e, _, _ in self.elections],
                    "election_quarters": [self.quarter_of(e) for e, _, _ in self.elections],
                    "xlim": (start, start + max(t, 8) / spy)}

    def applied(self) -> dict:
        """The slider and switch values this run was built with (the scenario's own where the
        page gave none)."""
        return {**slider_defaults(self.scenario_path), **self.values}

    def case_rows(self) -> list[int]:
        """The partnerships the scenario names as cases (e.g. Yogyakarta-Kyoto), in order."""
        e = self.partnerships
        return [int(k) for k in np.argsort(e.case[:e.n], kind="stable") if e.case[k] >= 0]


def region_of_partnership_rows(model, region: int) -> list[int]:
    """The partnership rows of one region (every stage, ended ones included), oldest first.

    Args:
        model: a ClassroomModel.
        region: the region's index.

    Returns:
        Row indices of the partnership table.
    """
    e = model.partnerships
    return [int(k) for k in np.flatnonzero(e.region[:e.n] == region)]


def _level(value: float) -> float:
    return round(float(value), 2)


def _region_info(model, i: int) -> dict:
    r, table = model.regions, model.regions.table
    legal = ("none", "decree", "perda")[int(r.legal[i])]
    next_election = int(r.next_election[i])
    return {"kind": "region", "name": str(table["name"].iat[i]), "level": str(table["level"].iat[i]),
            "island_group": str(table["island_group"].iat[i]), "province": str(table["province"].iat[i]),
            "traits": {"budget": _level(r.budget[i]), "hr": _level(r.hr[i]), "data": _level(r.data[i]),
                       "bureaucracy": _level(r.bureaucracy[i]), "infrastructure": _level(r.infrastructure[i]),
                       "commitment": _level(r.leader_commitment[i])},
            "bureau": bool(r.bureau[i]), "diplomat": bool(r.diplomat[i]), "legal": legal,
            "elected": not bool(r.unelected[i]),
            "next_election": model.quarter_of(next_election) if 0 <= next_election < model.params.steps else None,
            "partnerships": region_of_partnership_rows(model, i)}


def _partner_info(model, j: int) -> dict:
    p, e = model.partners, model.partnerships
    return {"kind": "partner", "name": str(p.name[j]), "country": str(p.country[j]),
            "traits": {"capacity": _level(p.capacity[j]), "interest": _level(p.interest[j]),
                       "openness": _level(p.openness[j])},
            "partnerships": [int(k) for k in np.flatnonzero(e.partner[:e.n] == j)]}


def node_info(model, node_id: int) -> dict | None:
    """What a region (id < n) or a partner (n + j) is, as data the page puts into words.

    Args:
        model: a ClassroomModel.
        node_id: the node's id on the map (-1: none).

    Returns:
        None for no node; else a dict: kind ('region' or 'partner'), name, traits (0-1
        levels), the region's level, island group, bureau, diplomat, legal umbrella, elected head
        and next election (year, quarter), and its partnership rows.
    """
    with model._lock:
        n = model.regions.n
        if node_id is None or node_id < 0 or node_id >= n + model.partners.n:
            return None
        return _region_info(model, node_id) if node_id < n else _partner_info(model, node_id - n)


def _timeline(model, k: int) -> list[tuple[int, int, int]]:
    """(step, stage, cause) of each stage a partnership reached: the stages before its first
    logged one (a known partnership signed before the run starts active; its earlier dates are
    in the ledger's columns), then every change of its event log, its past included."""
    e, ev = model.partnerships, model.partnerships.events()
    mine = np.flatnonzero(ev["row"] == k)
    logged = [(int(ev["t"][i]), int(ev["stage"][i]), int(ev["cause"][i])) for i in mine]
    first_t, first_stage = logged[0][:2] if logged else (0, len(STAGES))
    earlier = [(int(t), s, -1) for t, s in ((e.t_explore[k], EXPLORATION), (e.t_loi[k], LOI), (e.t_mou[k], MOU))
               if e.NEVER < t <= first_t and s < first_stage]
    return earlier + logged


def partnership_info(model, k: int) -> dict | None:
    """One partnership's parties, stage, institutions and timeline.

    Args:
        model: a ClassroomModel.
        k: a row of the partnership table (-1: none).

    Returns:
        None for no partnership; else a dict: region, partner, country, case name, stage,
        cause (of its stagnation or end, '' if none), joint committee, dedicated budget,
        renewals, revivals, and timeline: (year, quarter, stage, cause) in order.
    """
    with model._lock:
        e = model.partnerships
        if k is None or not 0 <= k < e.n:
            return None
        stage = int(e.stage[k])
        cause = int(e.end_cause[k]) if stage == ENDED else int(e.cause[k]) if stage == STAGNANT else -1
        return {"region": str(model.regions.table["name"].iat[e.region[k]]),
                "partner": str(model.partners.name[e.partner[k]]),
                "country": str(model.partners.country[e.partner[k]]),
                "case": model.case_names[e.case[k]] if e.case[k] >= 0 else "",
                "stage": STAGES[stage], "cause": CAUSES[cause] if cause >= 0 else "",
                "committee": bool(e.committee[k]), "dedicated": float(e.dedicated[k]),
                "renewals": int(e.renewals[k]), "revivals": int(e.revivals[k]),
                "timeline": [(*model.quarter_of(t), STAGES[s], CAUSES[c] if c >= 0 else "")
                             for t, s, c in _timeline(model, k)]}


def scenario_label(path: str) -> str:
    """The scenario's short name for the page (its file name without .toml; '' for the
    built-in defaults)."""
    return Path(path).stem if path else ""
