"""A planner's own region in a scenario file: `[[profiles]]`.

A profile names one regional government (by name or ISO code, as `levers.scope` does) and
states what the planner knows of it: its budget line, staff, data, bureaucracy, institutions,
head and next election, and its existing partnerships. Every key but `region` is optional;
a key left out keeps the trait the model draws for that region (around the `[regions]`
levels, shifted by HDI). Levers scoped to the region (`levers.scope`) still act on top of
the profile. The model applies profiles in `coopsim.model.profiles`.

    [[profiles]]
    region = "Kota Surabaya"
    budget_line = true
    budget_programs = 3.0
    hr = 0.5
    [[profiles.partnerships]]
    partner = "Busan"
    country = "South Korea"
    year = 1994
    status = "active"

Names are checked when the scenario loads (`check_profiles`): an unknown region gets the
closest names, an existing partnership cannot be signed after the run starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, get_args

from pydantic import model_validator

from coopsim.config.checks import places_of, region_key
from coopsim.config.errors import Text, UserError
from coopsim.config.parameters import Section, param
from coopsim.config.toml import excerpt

if TYPE_CHECKING:  # scenario.py calls this module; the type is only for annotations
    from coopsim.config.scenario import Scenario

__all__ = ["LEGAL_LEVELS", "STATUSES", "Profile", "ProfilePartnership", "check_profiles", "profile_table"]

#: A profile's `legal_umbrella` as the model's legal level (0 none, 1 decree, 2 Perda).
LEGAL_LEVELS = {"none": 0, "decree": 1, "perda": 2}
#: Stages an existing partnership can be in when the run starts.
Status = Literal["active", "stagnant", "exploration", "loi"]
STATUSES: tuple[str, ...] = get_args(Status)

_SOURCE = "planner's profile"


class ProfilePartnership(Section):
    """One existing partnership of a profiled region (`[[profiles.partnerships]]`)."""
    partner: str = param(..., doc="the foreign local government's name (a known partner's, or a new one)")
    country: str = param("", doc="the partner's country")
    year: int | None = param(None, 1900, 2200, unit="calendar year", source=_SOURCE,
                             doc="year signed (active, stagnant) or talks began (exploration, loi); "
                                 "left out: unknown (drawn)")
    status: Status = param("active", source=_SOURCE,
                           doc="active; stagnant (signed, dormant); exploration (talks); loi (letter of intent)")


class Profile(Section):
    """A named region's own situation (`[[profiles]]`); a key left out keeps the drawn trait."""
    region: str = param(..., doc="region name or ISO code (as in levers.scope)")
    budget_line: bool | None = param(None, source=_SOURCE, doc="the region has a budget line for cooperation")
    budget_programs: float | None = param(None, 0, 50, unit="programs/year", source=_SOURCE,
                                          doc="programs a year the line pays for; left out with budget_line "
                                              "= true: regions.budget_level x funding.programs_<level>")
    hr: float | None = param(None, 0, 1, unit="index", source=_SOURCE,
                             doc="staff capacity (languages, negotiation, economics, IT)")
    data: float | None = param(None, 0, 1, unit="index", source=_SOURCE,
                               doc="knowledge of partners' conditions and potential")
    bureaucracy: float | None = param(None, 0, 1, unit="index", source=_SOURCE,
                                      doc="professionalism (1) vs rent-seeking (0)")
    cooperation_bureau: bool | None = param(None, source=_SOURCE, doc="a dedicated cooperation bureau")
    legal_umbrella: Literal["none", "decree", "perda"] | None = param(
        None, source=_SOURCE, doc="legal umbrella for cooperation: none, a head's decree, or a Perda")
    mid_term_plan: bool | None = param(None, source=_SOURCE, doc="cooperation is written into the RPJMD")
    leader_commitment: float | None = param(None, 0, 1, unit="index", source=_SOURCE,
                                            doc="the sitting head's commitment to foreign cooperation")
    next_election_year: int | None = param(None, 1900, 2200, unit="calendar year", source=_SOURCE,
                                           doc="year of the head's next election (simulation.start_year or later)")
    partnerships: list[ProfilePartnership] | None = param(
        None, doc="existing partnerships; they replace the known ones of the data ([] = none); "
                  "left out: the known ones")

    @model_validator(mode="after")
    def _budget_consistent(self) -> "Profile":
        """A line of some size cannot also be absent."""
        if self.budget_line is False and self.budget_programs:
            raise ValueError(Text("profile.budget_conflict", programs=self.budget_programs))
        return self


def check_profiles(scenario: "Scenario", origin: str) -> None:
    """Refuse profiles the model could not apply: an unknown region, a region profiled twice,
    an election before the start, an existing partnership signed after it, a partner twice.

    Args:
        scenario: the validated scenario.
        origin: its file, starting every message.

    Raises:
        UserError: naming the file, the key, what was written and what is allowed.
    """
    if not scenario.profiles:
        return
    sim = scenario.simulation
    places, levels, seen = places_of(scenario, origin), list(sim.levels), {}
    for k, profile in enumerate(scenario.profiles):
        where = f"profiles[{k}]"
        if not places.region_known(profile.region, levels):
            close = ", ".join(places.close(profile.region, levels)) or Text("region.none_close")
            raise UserError(Text("error.at_key", origin=origin, key=f"{where}.region", problem=Text(
                "case.region_unknown", region=excerpt(profile.region), levels=", ".join(levels),
                population=excerpt(sim.population), suggestion=close)))
        key = region_key(profile.region)
        if key in seen:
            raise UserError(Text("error.at_key", origin=origin, key=f"{where}.region", problem=Text(
                "profile.region_profiled_twice", region=excerpt(profile.region), first=seen[key])))
        seen[key] = k
        if profile.next_election_year is not None and profile.next_election_year < sim.start_year:
            raise UserError(Text("error.at_key", origin=origin, key=f"{where}.next_election_year", problem=Text(
                "profile.election_before_start", year=profile.next_election_year, start=sim.start_year)))
        _check_partnerships(profile, origin, f"{where}.partnerships", sim.start_year)


def _check_partnerships(profile: Profile, origin: str, where: str, start_year: int) -> None:
    """Existing partnerships: each partner once, none begun after the run starts."""
    names = set()
    for j, p in enumerate(profile.partnerships or []):
        if p.year is not None and p.year > start_year:
            raise UserError(Text("error.at_key", origin=origin, key=f"{where}[{j}].year", problem=Text(
                "profile.partnership_after_start", year=p.year, start=start_year)))
        name = (p.partner.strip().lower(), p.country.strip().lower())
        if name in names:
            raise UserError(Text("error.at_key", origin=origin, key=f"{where}[{j}].partner", problem=Text(
                "profile.partner_twice", partner=excerpt(p.partner), country=excerpt(p.country),
                region=excerpt(profile.region))))
        names.add(name)


def profile_table() -> list[str]:
    """Markdown lines documenting the keys of `[[profiles]]` and `[[profiles.partnerships]]`
    (docs/ODD.md's parameter table ends with them).

    Returns:
        The lines: a heading sentence and one table per kind of entry.
    """
    lines = []
    for model, title in ((Profile, "Keys of a `[[profiles]]` entry (a planner's own region; a key left out "
                                   "keeps the drawn trait):"),
                         (ProfilePartnership, "Keys of a `[[profiles.partnerships]]` entry (an existing "
                                              "partnership of the profiled region):")):
        lines += ["", title, "", "| key | default | range | unit | meaning |", "|---|---|---|---|---|"]
        for name, f in model.model_fields.items():
            default = "required" if f.is_required() else "left out" if f.default is None else f"`{f.default!r}`"
            lo = hi = None
            for m in f.metadata:
                lo, hi = getattr(m, "ge", lo), getattr(m, "le", hi)
            rng = f"{lo} – {hi}" if lo is not None else _choices(f.annotation)
            unit = (f.json_schema_extra or {}).get("unit", "")
            lines.append(f"| `{name}` | {default} | {rng} | {unit} | {f.description or ''} |")
    return lines


def _choices(annotation) -> str:
    """The allowed values of a key without a numeric range, in words ('' for free text)."""
    args = [a for a in get_args(annotation) if a is not type(None)] or [annotation]
    words = []
    for arg in args:
        inner = get_args(arg)
        if inner and all(isinstance(a, str) for a in inner):
            words.append(" / ".join(inner))
        elif isinstance(arg, str):
            words.append(arg)
        elif arg is bool:
            words.append("true / false")
    return " / ".join(words)
