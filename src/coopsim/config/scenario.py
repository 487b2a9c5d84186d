"""Scenario files: what a planner edits.

A scenario is a TOML file in `scenarios/`. It may `extends = "other.toml"` and override a
few keys. Every parameter is declared once, here, with its unit, range, default and the
paper's section it comes from (docs/ODD.md is the long form of this file). Bad input raises
`UserError` with one paragraph naming the file, the key and what is allowed.

The tables here (`Regions`, `Partners`, ...) are the schema of the file, named like its TOML
tables; the model's running state lives in `coopsim.model`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import Field

from coopsim.config.errors import UserError
from coopsim.config.parameters import Section, param
from coopsim.config.profiles import Profile, check_profiles, profile_table
from coopsim.config.schema import FileSchema, Strict
from coopsim.config.structure import (Approval, Decline, FollowUp, Funding, Implementation, Institutions,
                                      Matching, PartnerSide, RelationsEffects, Renewal, Revival, Traits,
                                      Turnover)
from coopsim.config.checks import check_scenario
from coopsim.config.toml import excerpt, read_toml, read_toml_extending

__all__ = [
    "SCENARIO_DIR", "Behaviour", "Case", "Central", "Elections", "GrowthAreas", "Levers",
    "Partners", "Regions", "RelationsEpisode", "Scenario", "Section", "Shock", "Simulation", "load_scenario",
    "parameter_paths", "parameter_table", "scenario_files",
]

SCENARIO_DIR = Path("scenarios")


_p = param
#: Source of a lever's own cost: what the planner knows of their region (none is assumed).
_COST = "planner's estimate (default: not counted)"


class Simulation(Section):
    """Horizon, time step and the population of regions taking part."""
    years: int = _p(20, 1, 200, unit="years", doc="horizon")
    steps_per_year: int = _p(4, 1, 12, unit="steps/year", doc="quarterly by default")
    start_year: int = _p(2025, 1900, 2100, unit="calendar year")
    population: str = _p("indonesia", doc="'indonesia', 'synthetic', or a CSV path (same columns as the package's regions table)")
    levels: list[Literal["province", "regency", "city"]] = _p(
        ["province", "regency", "city"], doc="which levels of government take part")
    synthetic_regions: int = _p(552, 1, 1_000_000, unit="regions", doc="size of a synthetic population")
    seed_known_partnerships: bool = _p(True, doc="start from the known partnerships in the data")
    hindcast_from: int | None = _p(None, 1900, 2100, unit="calendar year",
                                   doc="start the model in this past year and let the known partnerships be signed "
                                       "in their documented years (undated ones: a year drawn from the documented "
                                       "ones); the state at start_year comes out of the model's own dynamics")
    history: Literal["reconstructed", "rerun", "none"] = _p(
        "reconstructed", doc="with hindcast_from: 'reconstructed' starts from one of history_draws reconstructions of "
                             "the past under the status quo (the defaults of [regions], [levers], [elections], no "
                             "shock, relations episode, case or profile), made once per process and reused, so the "
                             "scenario's conditions and levers act from start_year; 'rerun' runs the past under this "
                             "scenario's own settings with the run's seed (what if they had always held; slower); "
                             "'none' starts from the data as without hindcast_from (the known partnerships seeded "
                             "as of start_year)")
    history_draws: int = _p(32, 1, 100_000, unit="reconstructions", source="judgement",
                            doc="distinct reconstructions of the past a sweep starts from: run seed s starts from "
                                "reconstruction s mod history_draws (its stochastic spread of the start state)")


class Regions(Section):
    """Obstacles and capacities of the Indonesian side (section 'Hambatan ...')."""
    budget_line_share: float = _p(0.30, 0, 1, unit="share of regions", source="Hambatan: Funding",
                                  doc="regions with a fixed budget line for cooperation")
    budget_level: float = _p(0.50, 0, 1.5, unit="x program need", source="Hambatan: Funding",
                             doc="size of a budget line relative to what its partnerships need")
    hr_capacity: float = _p(0.40, 0, 1, unit="index", source="Hambatan: SDM",
                            doc="mean staff capacity (languages, negotiation, economics, IT); shifted by HDI")
    data_quality: float = _p(0.35, 0, 1, unit="index", source="Hambatan: Data",
                             doc="mean knowledge of partners' conditions and potential")
    bureaucracy_quality: float = _p(0.45, 0, 1, unit="index", source="Hambatan: Policy and bureaucracy",
                                    doc="professionalism (1) vs rent-seeking (0)")
    regulatory_alignment: float = _p(0.60, 0, 1, unit="index", source="Hambatan: Policy and bureaucracy",
                                     doc="regional rules consistent with the centre's")
    infrastructure: float = _p(0.50, 0, 1, unit="index", source="Hambatan: Infrastructure",
                               doc="mean quality of roads/ports between economic centres")
    dprd_support: float = _p(0.55, 0, 1, unit="probability-like index", source="Lifecycle: MoU approved by DPRD",
                             doc="legislature's readiness to approve MoUs and their funding")
    community_participation: float = _p(0.30, 0, 1, unit="index", source="Menakar Efektivitas (6)",
                                        doc="private sector and citizens taking part")
    leader_commitment: float = _p(0.50, 0, 1, unit="index", source="Menakar Efektivitas: leadership",
                                  doc="mean commitment of a regional head to foreign cooperation")
    bureau_share: float = _p(0.10, 0, 1, unit="share of regions", source="Recommendations: cooperation bureau",
                             doc="regions with a dedicated cooperation bureau")
    legal_umbrella_share: float = _p(0.15, 0, 1, unit="share of regions", source="Recommendations: SK / Perda",
                                     doc="regions with a governor's decree or Perda on cooperation")
    mid_term_plan_share: float = _p(0.10, 0, 1, unit="share of regions", source="Conditions: RPJMD",
                                    doc="regions that write cooperation into the mid-term plan")
    perda_share: float = _p(0.30, 0, 1, unit="share of legal umbrellas", source="Recommendations: SK then Perda (judgement)",
                            doc="of the regions with a legal umbrella, those with a Perda (the rest a governor's decree)")


class Partners(Section):
    """Foreign local governments: usually better resourced (Actors)."""
    pool_size: int = _p(300, 0, 100_000, unit="partners", doc="synthetic partners besides the known ones")
    capacity: float = _p(0.70, 0, 1, unit="index", doc="mean resources of a foreign partner")
    interest: float = _p(0.45, 0, 1, unit="index", doc="mean interest in Indonesian partners")
    data_openness: float = _p(0.50, 0, 1, unit="index", source="Hambatan: Data",
                              doc="how much a partner's conditions can be learnt")


class Elections(Section):
    """Regional heads: five-year terms, at most one re-election (Law 23/2014 Art. 60)."""
    timing: Literal["simultaneous", "staggered"] = _p("simultaneous", doc="simultaneous since Nov 2024")
    first_year: int = _p(2029, 1900, 2200, unit="calendar year", doc="next simultaneous election")
    term_years: int = _p(5, 1, 10, unit="years")
    max_terms: int = _p(2, 1, 10, unit="terms")
    reelection_probability: float = _p(0.55, 0, 1, unit="probability", doc="an eligible incumbent wins")
    adoption_probability: float = _p(0.35, 0, 1, unit="probability", source="Menakar Efektivitas: turnover",
                                     doc="a new head adopts a predecessor's partnership (low = strong turnover obstacle)")
    unelected_heads: list[str] = _p(["ID-YO"], doc="ISO codes of provinces whose head is not elected (DIY: Law 13/2012)")


class Central(Section):
    """Central government: Foreign Ministry and Home Ministry (Actors)."""
    approval_delay_quarters: float = _p(2.0, 0, 20, unit="quarters", doc="mean Foreign Ministry consideration delay")
    regulatory_stability: float = _p(0.70, 0, 1, unit="probability/year", source="Hambatan: Policy",
                                     doc="chance a year passes without a disruptive rule change")
    diplomat_regions: list[str] = _p(["ID-YO"], doc="ISO codes of provinces with a Foreign Ministry diplomat")


class Behaviour(Section):
    """Rates no source pins down; calibrated to the patterns (docs/TRACE.md)."""
    exploration_rate: float = _p(0.05, 0, 2, unit="explorations/region/year", source="Lifecycle: exploration")
    foreign_exploration_rate: float = _p(0.03, 0, 2, unit="explorations/region/year", source="Riau pattern")
    candidates: int = _p(8, 1, 100, unit="partners", source="judgement", doc="partners a region compares when searching")
    follow_up: float = _p(0.35, 0, 1, unit="probability/quarter", source="Riau: no follow-up",
                          doc="base chance an exploration becomes a letter of intent")
    exploration_patience_quarters: int = _p(6, 1, 40, unit="quarters", source="judgement",
                                            doc="an exploration with no follow-up by then dies")
    drafting: float = _p(0.70, 0, 1, unit="probability/quarter", doc="base chance an LoI is drafted into an MoU")
    program_cost: float = _p(1.0, 0.01, 10, unit="budget units/program/year", source="model unit (judgement)")
    activity_threshold: float = _p(0.25, 0, 1, unit="activity index", source="stagnansi",
                                   doc="below it a quarter counts as inactive")
    stagnation_quarters: int = _p(4, 1, 40, unit="quarters", source="judgement", doc="inactive quarters before stagnation")
    revival_rate: float = _p(0.02, 0, 1, unit="probability/quarter", doc="a dormant partnership's base chance of revival")
    junket_propensity: float = _p(0.6, 0, 1, unit="share of spending", source="ajang rekreasi para birokrat",
                                  doc="spending lost to trips when bureaucracy and community are weakest")
    feedback: float = _p(0.03, 0, 1, unit="per benefit unit", source="Menakar Efektivitas (6), (7)",
                         doc="how strongly delivered benefits raise support and engagement")
    activity_noise: float = _p(0.15, 0, 1, unit="sd (log)", doc="quarter-to-quarter variation in activity")


class Levers(Section):
    """Policy levers a planner switches on (Conditions and Recommendations)."""
    joint_committee: bool = _p(False, source="Conditions: joint committee", doc="every new partnership gets one")
    dedicated_budget: float = _p(0.0, 0, 2, unit="x program need", source="Conditions: dedicated funds",
                                 doc="budget earmarked per partnership")
    cooperation_bureau: bool = _p(False, source="Recommendations: bureau", doc="every region gets a bureau")
    hr_training: float = _p(0.0, 0, 1, unit="index points", source="Hambatan: SDM", doc="added to staff capacity")
    data_platform: bool = _p(False, source="Hambatan: Data", doc="shared partner data for every region")
    diplomat: bool = _p(False, source="Actors: Kemlu diplomat", doc="a diplomat in every province")
    legal_umbrella: Literal["none", "decree", "perda"] = _p("none", source="Recommendations: SK then Perda")
    community_program: bool = _p(False, source="Conditions: people-to-people", doc="community participation program")
    mid_term_plan: bool = _p(False, source="Conditions: RPJMD", doc="cooperation written into the mid-term plan")
    scope: list[str] = _p([], doc="regions (names or ISO codes) the levers apply to; empty: every region")
    data_platform_gain: float = _p(0.3, 0, 1, unit="index points", source="Hambatan: Data (judgement)",
                                   doc="data quality the shared data platform adds")
    community_program_gain: float = _p(0.3, 0, 1, unit="index points", source="Conditions: people-to-people (judgement)",
                                       doc="community participation the community programme adds")
    # A lever's own running cost, which the model's spending (programmes) does not count; `coopsim
    # compare` adds it to spending when it prices levers per unit of budget. 1 budget unit = one
    # programme's yearly cost (behaviour.program_cost). Counted only when the lever is switched on.
    joint_committee_cost: float = _p(0.0, 0, 100, unit="budget units/region/year", source=_COST,
                                     doc="own cost of the joint committees (meetings, secretariat)")
    cooperation_bureau_cost: float = _p(0.0, 0, 100, unit="budget units/region/year", source=_COST,
                                        doc="own cost of the cooperation bureau (staff, office)")
    hr_training_cost: float = _p(0.0, 0, 100, unit="budget units/region/year", source=_COST,
                                 doc="own cost of the staff training")
    data_platform_cost: float = _p(0.0, 0, 100, unit="budget units/region/year", source=_COST,
                                   doc="own cost of the data platform")
    diplomat_cost: float = _p(0.0, 0, 100, unit="budget units/region/year", source=_COST,
                              doc="own cost of hosting the diplomat")
    legal_umbrella_cost: float = _p(0.0, 0, 100, unit="budget units/region/year", source=_COST,
                                    doc="own cost of the decree or Perda (drafting, spread over the years)")
    community_program_cost: float = _p(0.0, 0, 100, unit="budget units/region/year", source=_COST,
                                       doc="own cost of the community programme")
    mid_term_plan_cost: float = _p(0.0, 0, 100, unit="budget units/region/year", source=_COST,
                                   doc="own cost of writing cooperation into the RPJMD")


class Shock(Section):
    """A national shock (the 1998 crisis cut West Java - South Australia for eight years)."""
    crisis_year: int | None = _p(None, 1900, 2200, unit="calendar year")
    budget_cut: float = _p(0.8, 0, 1, unit="share of budgets lost")
    duration_years: float = _p(2.0, 0, 50, unit="years")
    downturn_country: str | None = _p(None, doc="relations with this country sour for good (shorthand for a "
                                                "[[relations]] episode that never recovers)")
    downturn_year: int | None = _p(None, 1900, 2200, unit="calendar year")
    downturn_engagement: float = _p(0.5, 0, 1, unit="share of relations lost")


class GrowthAreas(Section):
    """IMT-GT, IMS-GT, BIMP-EAGA: frameworks that ease finding and keeping partners."""
    enabled: bool = _p(True)
    search_bonus: float = _p(3.0, 1, 20, unit="x weight", doc="member partners are this much likelier candidates")
    data_bonus: float = _p(0.2, 0, 1, unit="index points", doc="shared data")
    meetings: bool = _p(True, doc="regular meetings act as a yearly follow-up")


class RelationsEpisode(Section):
    """A scripted episode in the relations between Indonesia and one country: relations fall
    to 1 - depth at `start_year`, stay there `duration_years`, then recover linearly."""
    country: str = Field(description="the partner country (as in the partner data)")
    start_year: float = Field(ge=1900, le=2200, description="calendar year relations sour")
    depth: float = Field(0.8, ge=0, le=1, description="share of relations lost (1: frozen)")
    duration_years: float = Field(2.0, ge=0, le=200, description="years at the lowest level")
    recovery_years: float = Field(2.0, ge=0, le=200, description="years to recover fully afterwards")


class Case(Section):
    """A named partnership pinned by the scenario (e.g. Yogyakarta-Kyoto)."""
    name: str = Field(description="label in the ledger")
    region: str = Field(description="region name or ISO code")
    partner: str = Field(description="a known partner's name, or a new one")
    country: str = Field("", description="partner's country")
    signed_year: int | None = Field(None, ge=1900, le=2200, description="year the MoU was signed")
    dedicated_budget: float = Field(0.0, ge=0, le=2, description="funds earmarked, x program need")
    joint_committee: bool = Field(False, description="a joint committee meets yearly")
    data: float = Field(0.5, ge=0, le=1, description="knowledge of this partner")
    partner_capacity: float = Field(0.7, ge=0, le=1, description="partner's resources")
    partner_interest: float = Field(0.5, ge=0, le=1, description="partner's interest and initial engagement")
    partner_budget: bool = Field(True, description="the foreign side funds its part")
    region_budget: bool = Field(True, description="the region's budget line pays a share")
    term_years: int = Field(5, ge=1, le=10, description="MoU term before renewal")
    programs: int = Field(3, ge=1, le=7, description="sector programs, matched to both potential maps")


class Scenario(Strict):
    """A whole scenario file: its name, description, tables and pinned cases."""
    name: str = "unnamed"
    description: str = ""
    extends: str | None = None
    simulation: Simulation = Simulation()
    regions: Regions = Regions()
    partners: Partners = Partners()
    elections: Elections = Elections()
    central: Central = Central()
    behaviour: Behaviour = Behaviour()
    levers: Levers = Levers()
    shock: Shock = Shock()
    growth_areas: GrowthAreas = GrowthAreas()
    traits: Traits = Traits()
    funding: Funding = Funding()
    implementation: Implementation = Implementation()
    institutions: Institutions = Institutions()
    matching: Matching = Matching()
    follow_up: FollowUp = FollowUp()
    approval: Approval = Approval()
    renewal: Renewal = Renewal()
    revival: Revival = Revival()
    partner_side: PartnerSide = PartnerSide()
    relations_effects: RelationsEffects = RelationsEffects()
    turnover: Turnover = Turnover()
    decline: Decline = Decline()
    relations: list[RelationsEpisode] = []
    profiles: list[Profile] = []   # a planner's own regions (coopsim.config.profiles)
    cases: list[Case] = []
    source_file: str | None = Field(None, exclude=True)

    def override(self, values: dict[str, Any], origin: str = "override") -> "Scenario":
        """A copy with some parameters set, validated like a file.

        Args:
            values: dotted path -> value, e.g. {"regions.hr_capacity": 0.6}.
            origin: where the values come from, starting any error message (a file, an option).

        Returns:
            A new scenario (this one is unchanged), keeping its `source_file`.

        Raises:
            UserError: a path is not a parameter, or a value is outside what it allows.
        """
        data = self.model_dump()
        for path, value in values.items():
            _set_dotted(data, path, value, origin)
        return _validate(data, origin, source_file=self.source_file)

    @property
    def steps(self) -> int:
        """Time steps of a run: years times steps per year."""
        return self.simulation.years * self.simulation.steps_per_year


_SCHEMA = FileSchema(Scenario, doc="docs/ODD.md")


def _set_dotted(data: dict, path: str, value: Any, origin: str) -> None:
    """Set `data` at a dotted path that must already exist (a misspelt path is an error)."""
    keys = path.split(".")
    node = data
    for i, key in enumerate(keys):
        if not isinstance(node, dict) or key not in node:
            where = ".".join(keys[:i]) or "the scenario"
            allowed = ", ".join(sorted(node)) if isinstance(node, dict) else "none (not a table)"
            raise UserError(f"{origin}: unknown parameter '{excerpt(path)}': '{excerpt(key)}' is not a key of {excerpt(where)}. "
                            f"Allowed there: {allowed}.")
        if i == len(keys) - 1:
            node[key] = value
        else:
            node = node[key]


def parameter_paths(scenario: Scenario | None = None) -> list[str]:
    """Every numeric or yes/no parameter's dotted path (what experiments and the app may vary).

    Args:
        scenario: whose parameters (default: the default scenario; both have the same paths).

    Returns:
        Paths such as "regions.hr_capacity", in declaration order.
    """
    scenario = scenario or Scenario()
    paths = []
    for section, value in scenario.model_dump().items():
        if isinstance(value, dict):
            paths += [f"{section}.{k}" for k, v in value.items() if isinstance(v, (int, float, bool))]
    return paths


def _validate(data: dict, origin: str, source_file: str | None = None) -> Scenario:
    """A scenario from its merged tables, remembering the file it came from."""
    scenario = _SCHEMA.validate(data, origin)
    check_scenario(scenario, origin)
    check_profiles(scenario, origin)
    scenario.source_file = source_file
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file, following `extends`, and validate it.

    Args:
        path: the scenario file (relative paths inside it resolve from its folder).

    Returns:
        The validated scenario, with `source_file` set to `path`.

    Raises:
        UserError: naming the file, the key and what is allowed.
    """
    path = Path(path)
    data = read_toml_extending(path, "scenario", "Scenario files are TOML files such as scenarios/baseline.toml; "
                                                 "run 'coopsim scenarios' to list them.")
    return _validate(data, str(path), source_file=str(path))


def scenario_files(folder: Path = SCENARIO_DIR) -> list[tuple[Path, str]]:
    """The scenario files of a folder, each with the first line of its description.

    Args:
        folder: where to look (default `scenarios/`).

    Returns:
        (path, line) pairs sorted by file name; the line says "(not valid TOML)" for a file
        that does not parse.
    """
    out = []
    for path in sorted(folder.glob("*.toml")):
        try:
            _, data = read_toml(path, "scenario")
        except UserError:
            out.append((path, "(not valid TOML)"))
            continue
        lines = str(data.get("description", "")).strip().splitlines()
        out.append((path, lines[0] if lines else ""))
    return out


# --- the parameter table of docs/ODD.md ------------------------------------------------------
def parameter_table() -> str:
    """Markdown table of every scenario parameter: path, default, range, unit, paper's
    section, meaning. docs/ODD.md embeds it; a test keeps the two identical."""
    lines = ["| parameter | default | range | unit | paper / source | meaning |",
             "|---|---|---|---|---|---|"]
    for section_name, field in Scenario.model_fields.items():
        section = field.annotation
        if not (isinstance(section, type) and issubclass(section, Section)):
            continue
        for name, f in section.model_fields.items():
            lo = hi = None
            for m in f.metadata:
                lo = getattr(m, "ge", lo)
                hi = getattr(m, "le", hi)
            extra = f.json_schema_extra or {}
            rng = f"{lo} – {hi}" if lo is not None or hi is not None else _choices(f.annotation)
            source = extra.get("source") or _SECTION_SOURCE.get(section_name, "")
            lines.append(f"| `{section_name}.{name}` | `{f.default!r}` | {rng} | {extra.get('unit', '')} "
                         f"| {source} | {f.description or ''} |")
    for title, entry in (("a `[[cases]]` entry (a named partnership pinned by the scenario)", Case),
                         ("a `[[relations]]` episode (relations with one country sour, then recover)",
                          RelationsEpisode)):
        lines += ["", f"Fields of {title}:", "", "| field | default | meaning |", "|---|---|---|"]
        for name, f in entry.model_fields.items():
            default = "required" if f.is_required() else f"`{f.default!r}`"
            lines.append(f"| `{name}` | {default} | {f.description or ''} |")
    return "\n".join(lines + profile_table())


_SECTION_SOURCE = {
    "simulation": "model design",
    "partners": "Actors: foreign local governments",
    "elections": "Menakar Efektivitas; Law 23/2014, Law 10/2016",
    "central": "Actors: central government",
    "behaviour": "calibrated (docs/TRACE.md)",
    "levers": "Conditions / Recommendations",
    "shock": "SOURCES.md: West Java–South Australia",
    "growth_areas": "Forms: IMT-GT, IMS-GT, BIMP-EAGA",
}


def _choices(annotation) -> str:
    """The allowed values of a parameter without a numeric range, in words."""
    args = get_args(annotation)
    if args and all(isinstance(a, str) for a in args):
        return " / ".join(args)
    if annotation is bool:
        return "true / false"
    return str(getattr(annotation, "__name__", annotation)).replace("|", "or")
