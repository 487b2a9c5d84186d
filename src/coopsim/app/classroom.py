"""The class app's model: `CoopModel` with flat keyword parameters (what Mesa's SolaraViz
sliders and switches hand to a Reset), a log of election moments, and guards so that a bad
slider combination or a step racing a Reset never crashes the page.

Also the pure functions the page draws from (a fixed network layout, the network's nodes and
edges, the chart data), kept here so they are tested without a browser.
"""

from __future__ import annotations

import itertools
import threading
import traceback
from functools import lru_cache
from pathlib import Path

import numpy as np

from coopsim.config.scenario import SCENARIO_DIR, Scenario, load_scenario
from coopsim.config.vocabulary import CAUSES, STAGES
from coopsim.model.model import HISTORY, CoopModel
from coopsim.model.partnerships import ACTIVE, ENDED
from coopsim.reporting.style import INK, MUTED, PARTNER, STAGE_COLOURS

__all__ = ["DEFAULT_SCENARIOS", "OBSTACLES", "LEVERS", "FOREIGN_PARTNER_COLOUR", "PROVINCE_LONLAT",
           "COUNTRY_BEARING", "MAP_BOX", "VIEW", "ClassroomModel", "default_scenario_path", "base_scenario",
           "slider_defaults", "overrides", "network_layout", "network_data", "node_info", "scenario_label"]

# The class-sized default: the first of these that exists, else the built-in defaults
# restricted to the 38 provinces.
DEFAULT_SCENARIOS = (SCENARIO_DIR / "class.toml", SCENARIO_DIR / "yogyakarta_cases.toml")

# Obstacles (section 'Hambatan'): slider name -> (scenario path, label). A region obstacle's
# slider is named after its `regions.` setting. "turnover" is shown as the obstacle (a new head
# drops a predecessor's partnership) = 1 - adoption probability.
OBSTACLES = {name: (f"regions.{name}", label) for name, label in (
    ("budget_line_share", "Budget line (share)"), ("budget_level", "Budget size"),
    ("hr_capacity", "Staff skills (HR)"), ("data_quality", "Data on partners"),
    ("bureaucracy_quality", "Clean bureaucracy"), ("infrastructure", "Infrastructure"))}
OBSTACLES["turnover"] = ("elections.adoption_probability", "Turnover")
# Levers (Conditions, Recommendations): switch name -> (scenario path, value when on, label).
LEVERS = {
    "joint_committee": ("levers.joint_committee", True, "Joint committee"),
    "dedicated_budget": ("levers.dedicated_budget", 1.0, "Dedicated budget"),
    "cooperation_bureau": ("levers.cooperation_bureau", True, "Cooperation bureau"),
    "diplomat": ("levers.diplomat", True, "Diplomat in every province"),
    "data_platform": ("levers.data_platform", True, "Data platform"),
    "hr_training": ("levers.hr_training", 0.2, "Staff training"),
    "perda": ("levers.legal_umbrella", "perda", "Perda (regional regulation)"),
    "mid_term_plan": ("levers.mid_term_plan", True, "In the mid-term plan (RPJMD)"),
    "community_program": ("levers.community_program", True, "Community program"),
}

# Network dots: Indonesian regions in INK (with an active partnership) or MUTED (without),
# foreign partners in gold. Edges take their stage's colour from coopsim.reporting.style.
FOREIGN_PARTNER_COLOUR = PARTNER

_SERIAL = itertools.count()


def _dotted(model_or_dict, path: str):
    node = model_or_dict
    for key in path.split("."):
        node = node[key] if isinstance(node, dict) else getattr(node, key)
    return node


def default_scenario_path() -> str:
    """The class-sized scenario file, or '' for the built-in province-only defaults."""
    for path in DEFAULT_SCENARIOS:
        if path.exists():
            return str(path)
    return ""


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


def slider_defaults(path: str) -> dict:
    """The scenario's own value of each obstacle slider and lever switch.

    Args:
        path: as for `base_scenario`.

    Returns:
        Slider or switch name -> value.
    """
    data = base_scenario(path).model_dump()
    out = {name: float(_dotted(data, p)) for name, (p, _) in OBSTACLES.items()}
    out["turnover"] = round(1 - out["turnover"], 4)
    for name, (p, on, _) in LEVERS.items():
        out[name] = _dotted(data, p) == on if not isinstance(on, float) else _dotted(data, p) >= on
    return out


def overrides(values: dict) -> dict:
    """Flat slider and switch values as dotted scenario overrides (out-of-range values clipped).

    Args:
        values: slider or switch name -> value (names of OBSTACLES and LEVERS; others ignored).

    Returns:
        Dotted scenario path -> value.
    """
    out = {}
    for name, (p, _) in OBSTACLES.items():
        if name in values:
            v = float(np.clip(values[name], 0.0, 1.5 if name == "budget_level" else 1.0))
            out[p] = 1 - v if name == "turnover" else v
    for name, (p, on, _) in LEVERS.items():
        if name in values:
            off = "none" if isinstance(on, str) else (0.0 if isinstance(on, float) else False)
            out[p] = on if values[name] else off
    return out


class ClassroomModel(CoopModel):
    """`CoopModel` built from a scenario file plus the app's sliders and switches.

    Never raises out of `__init__` or `step`: a failure is kept in `self.error` (shown on the
    page, traceback on the server's stderr) and the model falls back to the scenario's own
    values, or stops running."""

    def __init__(self, scenario_file: str = "", seed: int = 1, scenario=None, **values):
        # `scenario` is Mesa's own experiment object, which SolaraViz's Reset passes to every
        # model; coopsim's scenario is the file `scenario_file` plus the slider `values`.
        del scenario
        scenario = scenario_file
        self.error = ""
        self._lock = threading.RLock()
        try:
            params = base_scenario(scenario).override(overrides(values), origin="class app")
            super().__init__(params, seed=int(seed))
        except Exception as exc:  # noqa: BLE001 - shown on the page, never a crash
            traceback.print_exc()
            self.error = f"These settings could not start the model ({exc}); using the scenario's own values."
            super().__init__(base_scenario(scenario), seed=int(seed))
        self.scenario_path = scenario
        self.values = values
        self.serial = next(_SERIAL)  # identifies this run for the page's caches (id() can be reused)
        self.layout = network_layout(self)  # fixed: computed once per model, never per frame
        self.elections: list[tuple[int, int, int]] = []  # (step, regions voting, new heads)
        self.called_elections: list[int] = []

    def step(self) -> None:
        """One quarter; logs an election if regions voted. Stops (never raises) at the end or
        on an error."""
        with self._lock:
            if not self.running or self.t >= self.params.steps:
                self.running = False
                return
            t = self.t
            try:
                super().step()
            except Exception as exc:  # noqa: BLE001
                traceback.print_exc()
                self.error = f"The model stopped at step {t}: {exc}"
                self.running = False
                return
            voted = int((self.last_election == t).sum())
            if voted:
                self.elections.append((t, voted, int(np.sum(self.turnovers))))

    def election_now(self) -> None:
        """The page's button: every elected region votes this quarter (one step)."""
        with self._lock:
            if not self.running:
                return
            self.called_elections.append(self.t)
            self.call_election()
            self.step()

    # --- what the page shows -----------------------------------------------------------------
    def quarter_label(self, t: int | None = None) -> str:
        """'2027 Q3' for step t (default: the step about to run)."""
        t = self.t if t is None else t
        spy = self.steps_per_year
        year = self.params.simulation.start_year + t // spy
        return f"{year} Q{t % spy + 1}" if spy == 4 else f"{year} step {t % spy + 1}/{spy}"

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
                    "xlim": (start, start + max(t, 8) / spy)}

    def settings_text(self) -> str:
        """The obstacle and lever values this run was built with, in short words."""
        parts = [f"{label.split(' (')[0].lower()} {float(_dotted(self.params, path)):.2f}"
                 for name, (path, label) in OBSTACLES.items() if name != "turnover"]
        parts.append(f"turnover {1 - self.params.elections.adoption_probability:.2f}")
        levers = []
        for path, on, label in LEVERS.values():
            value = _dotted(self.params, path)
            if (value >= on) if isinstance(on, float) else (value == on):
                levers.append(label)
        return (f"This run: {', '.join(parts)}; levers: {', '.join(levers) or 'none'}; "
                f"seed {self.seed}.")



# --- a fixed layout --------------------------------------------------------------------------
# Approximate (lon, lat) of each province's capital, for placing the 38 provinces on a
# sketch map; regencies and cities are placed around their province's point.
PROVINCE_LONLAT = {
    "ID-AC": (95.3, 5.5), "ID-SU": (98.7, 3.6), "ID-SB": (100.4, -0.9), "ID-RI": (101.4, 0.5),
    "ID-JA": (103.6, -1.6), "ID-SS": (104.8, -3.0), "ID-BE": (102.3, -3.8), "ID-LA": (105.3, -5.4),
    "ID-BB": (106.1, -2.1), "ID-KR": (104.4, 0.9), "ID-JK": (106.8, -6.2), "ID-JB": (107.6, -6.9),
    "ID-JT": (110.4, -7.0), "ID-YO": (110.4, -7.8), "ID-JI": (112.7, -7.3), "ID-BT": (106.1, -6.1),
    "ID-BA": (115.2, -8.7), "ID-NB": (116.1, -8.6), "ID-NT": (123.6, -10.2), "ID-KB": (109.3, 0.0),
    "ID-KT": (113.9, -2.2), "ID-KS": (114.8, -3.4), "ID-KI": (117.1, -0.5), "ID-KU": (117.4, 2.8),
    "ID-SA": (124.8, 1.5), "ID-ST": (119.9, -0.9), "ID-SN": (119.4, -5.1), "ID-SG": (122.5, -4.0),
    "ID-GO": (123.1, 0.5), "ID-SR": (118.9, -2.7), "ID-MA": (128.2, -3.7), "ID-MU": (127.6, 0.8),
    "ID-PA": (140.7, -2.5), "ID-PB": (134.1, -0.9), "ID-PS": (140.4, -8.5), "ID-PT": (136.9, -3.4),
    "ID-PE": (138.9, -4.1), "ID-PD": (131.3, -0.9),
}
# Rough direction of each partner country seen from Indonesia (degrees, 0 = east, 90 = north).
COUNTRY_BEARING = {
    "Japan": 40, "South Korea": 50, "North Korea": 55, "China": 70, "Taiwan": 60,
    "Philippines": 35, "Vietnam": 85, "Thailand": 100, "Malaysia": 115, "Singapore": 125,
    "Brunei": 80, "Russia": 95, "Kazakhstan": 120, "Uzbekistan": 128, "Nepal": 135, "India": 140,
    "Pakistan": 145, "Saudi Arabia": 160, "Lebanon": 150, "Palestine": 154, "Turkey": 146,
    "Ukraine": 138, "Bulgaria": 142, "Hungary": 136, "Germany": 132, "Netherlands": 130,
    "Belgium": 131, "France": 134, "United Kingdom": 128, "Italy": 140, "Morocco": 165,
    "Sudan": 175, "Mozambique": 190, "South Africa": 200, "Australia": 270,
    "Papua New Guinea": 330, "New Caledonia (France)": 300, "United States": 20, "Mexico": 10,
    "Cuba": 5, "Ecuador": 355, "Suriname": 345,
}
MAP_BOX = (92.0, 144.0, -12.0, 8.0)  # lon min/max, lat min/max of the sketch map
VIEW = (100.0, 64.0)                 # SVG viewBox width, height


def network_layout(model) -> dict[str, np.ndarray]:
    """Positions in SVG units: regions on a sketch map of Indonesia, partners on an outer
    ellipse in the rough direction of their country. Deterministic; computed once."""
    table = model.regions.table
    lon0, lon1, lat0, lat1 = MAP_BOX
    w, h = VIEW
    cx, cy, ax, ay = w / 2, h / 2, 0.32 * w, 0.25 * h  # the map's half-size inside the ring

    def to_xy(lon, lat):
        x = cx - ax + 2 * ax * (lon - lon0) / (lon1 - lon0)
        y = cy + ay - 2 * ay * (lat - lat0) / (lat1 - lat0)
        return x, y

    n = len(table)
    rx, ry = np.zeros(n), np.zeros(n)
    for i, (prov, level) in enumerate(zip(table["province"], table["level"])):
        lon, lat = PROVINCE_LONLAT.get(prov, (118.0, -2.0))
        if level != "province":  # regencies and cities: a small deterministic spiral around it
            k = i + 1
            angle, radius = 2.4 * k, 0.25 + 0.06 * (k % 23)
            lon, lat = lon + radius * np.cos(angle) * 2, lat + radius * np.sin(angle)
        rx[i], ry[i] = to_xy(lon, lat)

    names, countries = model.partners.name, model.partners.country
    m = len(names)
    px, py = np.zeros(m), np.zeros(m)
    by_country: dict[str, list[int]] = {}
    for j, c in enumerate(countries):
        by_country.setdefault(str(c), []).append(j)
    for c, members in by_country.items():
        base = COUNTRY_BEARING.get(c, 180 + (sum(map(ord, c)) % 90))
        k = len(members)
        for rank, j in enumerate(members):
            spread = min(26.0, 1.2 * k)  # degrees a country's partners fan out over
            angle = np.radians(base + (rank / max(k - 1, 1) - 0.5) * spread if k > 1 else base)
            ring = 1.0 + 0.07 * (rank % 3)
            px[j] = cx + ring * 0.41 * w * np.cos(angle)
            py[j] = cy - ring * 0.40 * h * np.sin(angle)
    return {"region_x": rx, "region_y": ry, "partner_x": px, "partner_y": py}


def _static_nodes(model) -> tuple[list[dict], list[dict]]:
    """Region nodes (coloured per frame, by whether they have an active partnership) and
    partner nodes: built once per model."""
    cached = getattr(model, "_static_nodes_cache", None)
    if cached is None:
        lay, table, p = model.layout, model.regions.table, model.partners
        provinces = (table["level"] == "province").to_numpy()
        regions = [{"id": i, "x": round(float(x), 2), "y": round(float(y), 2), "r": 0.9 if big else 0.45,
                    "k": "r", "label": str(name)}
                   for i, (x, y, big, name) in enumerate(zip(lay["region_x"], lay["region_y"], provinces,
                                                              table["name"]))]
        n = len(regions)
        partners = [{"id": n + j, "x": round(float(x), 2), "y": round(float(y), 2), "r": 0.6,
                     "c": FOREIGN_PARTNER_COLOUR,
                     "k": "p", "label": f"{name} ({country})"}
                    for j, (x, y, name, country) in enumerate(zip(lay["partner_x"], lay["partner_y"],
                                                                  p.name, p.country))]
        cached = model._static_nodes_cache = (regions, partners)
    return cached


def network_data(model, show_ended: bool = False) -> tuple[list[dict], list[list]]:
    """Nodes (all regions; partners that have or had a partnership) and edges coloured by stage,
    as plain lists for the SVG widget. Node ids: regions 0..n-1, partners n + j."""
    with model._lock:  # not while the play loop is in the middle of a step
        return _network_data(model, show_ended)


def _network_data(model, show_ended: bool) -> tuple[list[dict], list[list]]:
    e, lay = model.partnerships, model.layout
    n_e = e.n
    stage = e.stage[:n_e]
    rows = np.arange(n_e) if show_ended else np.flatnonzero(stage != ENDED)
    reg, par = e.region[rows], e.partner[rows]
    regions, partners = _static_nodes(model)
    n = len(regions)
    has_active = np.bincount(reg[stage[rows] == ACTIVE], minlength=n) > 0
    nodes = [{**node, "c": INK if live else MUTED} for node, live in zip(regions, has_active)]
    nodes += [partners[j] for j in np.unique(e.partner[:n_e])]
    rx, ry = lay["region_x"][reg].round(2), lay["region_y"][reg].round(2)
    px, py = lay["partner_x"][par].round(2), lay["partner_y"][par].round(2)
    names = [STAGES[k] for k in stage[rows]]
    edges = [[float(a), float(b), float(c), float(d), STAGE_COLOURS[s], s]
             for a, b, c, d, s in zip(rx, ry, px, py, names)]
    return nodes, edges


def node_info(model, node_id: int) -> dict | None:
    """Traits and partnerships of a node (region id < n, else partner n + j) for the info card."""
    with model._lock:
        return _node_info(model, node_id)


def _node_info(model, node_id: int) -> dict | None:
    e, n = model.partnerships, model.regions.n
    if node_id is None or node_id < 0:
        return None
    if node_id < n:
        r, i = model.regions, node_id
        table = r.table
        traits = {
            "level": str(table["level"].iat[i]), "island group": str(table["island_group"].iat[i]),
            "budget line (programs/yr)": round(float(r.budget[i]), 2),
            "staff capacity": round(float(r.hr[i]), 2), "data": round(float(r.data[i]), 2),
            "bureaucracy": round(float(r.bureaucracy[i]), 2),
            "infrastructure": round(float(r.infrastructure[i]), 2),
            "head's commitment": round(float(r.leader_commitment[i]), 2),
            "bureau": bool(r.bureau[i]), "diplomat": bool(r.diplomat[i]),
            "legal umbrella": ("none", "decree", "Perda")[int(r.legal[i])],
            "elected head": not bool(r.unelected[i]),
        }
        rows = np.flatnonzero(e.region[: e.n] == i)
        links = [(str(model.partners.name[e.partner[k]]), str(model.partners.country[e.partner[k]]),
                  STAGES[e.stage[k]]) for k in rows]
        return {"name": str(table["name"].iat[i]), "kind": "Indonesian regional government",
                "traits": traits, "partnerships": links}
    j = node_id - n
    if j >= model.partners.n:
        return None
    p = model.partners
    rows = np.flatnonzero(e.partner[: e.n] == j)
    links = [(str(model.regions.table["name"].iat[e.region[k]]), "Indonesia", STAGES[e.stage[k]]) for k in rows]
    return {"name": str(p.name[j]), "kind": f"foreign local government, {p.country[j]}",
            "traits": {"capacity": round(float(p.capacity[j]), 2), "interest": round(float(p.interest[j]), 2),
                       "data openness": round(float(p.openness[j]), 2)},
            "partnerships": links}


def scenario_label(path: str) -> str:
    """The scenario's short name for the page (its file name without .toml)."""
    return Path(path).stem if path else "built-in defaults, 38 provinces"
