"""A starting region profile for a planner to edit (`coopsim profile`): a scenario file that
extends a base scenario with one `[[profiles]]` table for the region (its traits as the model
draws them for one seed, its known partnerships from the package data), every key explained
in Bahasa Indonesia and English (the words are in the `profile.*` messages of
`coopsim/locale`). The text is returned, not written: the command writes it.

    text = region_profile("Kota Surabaya", "scenarios/baseline.toml", extends="scenarios/baseline.toml")
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coopsim.config.profiles import LEGAL_LEVELS
from coopsim.config.scenario import load_scenario
from coopsim.model.model import CoopModel
from coopsim.model.seeding import known_rows
from coopsim.model.population import find_region, known_partnerships
from coopsim.model.profiles import STAGE_OF_STATUS
from coopsim.reporting.i18n import LANGUAGES, translate

__all__ = ["RegionProfile", "region_profile", "lever_file_name"]

_WIDTH = 96                   # comment lines are wrapped at this many characters
_LEGAL_WORDS = {level: word for word, level in LEGAL_LEVELS.items()}
_STATUS_OF_STAGE = {stage: status for status, stage in STAGE_OF_STATUS.items()}


@dataclass(frozen=True)
class RegionProfile:
    """A written profile: the region's name as the data spell it, the file's text, and how
    many partnerships it lists."""
    region: str
    text: str
    partnerships: int


def lever_file_name(out: str | Path) -> str:
    """The file name the profile suggests for a lever test next to it ('my_region_lever.toml')."""
    out = Path(out)
    return f"{out.stem}_lever{out.suffix or '.toml'}"


def region_profile(region: str, scenario: str | Path, extends: str, seed: int = 0,
                   file_name: str = "my_region.toml") -> RegionProfile:
    """A scenario file's text with one region's profile, ready to edit.

    Args:
        region: the region's name or a province's ISO code (as `levers.scope` takes them).
        scenario: the base scenario whose draws give the starting traits.
        extends: what the file's `extends` says (the base scenario, relative to where the
            file will be written).
        seed: the run seed whose draws give the starting traits.
        file_name: the name the file will have (the comments name it in examples).

    Returns:
        The region's name, the TOML text (valid for `coopsim.load_scenario`) and the number
        of partnerships listed.

    Raises:
        UserError: the scenario cannot be read, or no region has that name (with the closest names).
    """
    base = load_scenario(scenario)
    model = CoopModel(base, seed=seed)
    i = find_region(model.regions.table, region)
    name = str(model.regions.table["name"].iat[i])
    rows = _partnerships(model, i)
    lines = _header(name, base.name, extends, seed, file_name)
    lines += ["", "[[profiles]]", *_comment("profile.key.region"), f"region = {_text(name)}"]
    lines += _traits(model, i)
    lines += _partnership_lines(rows)
    return RegionProfile(region=name, text="\n".join(lines) + "\n", partnerships=len(rows))


def _comment(key: str, **fields) -> list[str]:
    """A message as comment lines, once per language ('# (ID) ...', '# (EN) ...')."""
    out = []
    for lang in LANGUAGES:
        wrapped = textwrap.wrap(translate(key, lang, **fields), _WIDTH - 7)
        out += [f"# ({lang.upper()}) {wrapped[0]}"] + [f"#      {line}" for line in wrapped[1:]]
    return out


def _text(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def _header(name: str, base: str, extends: str, seed: int, file_name: str) -> list[str]:
    """The file's opening: what it is, how to edit it, its name and base, a lever example."""
    lever_file = lever_file_name(file_name)
    command = f'coopsim compare {file_name} {lever_file} --region {_text(name)}'
    description = " / ".join(translate("profile.scenario.description", lang, region=name, base=base)
                             for lang in LANGUAGES)
    lines = [*_comment("profile.file.title", region=name), *_comment("profile.file.written"), "#",
             *_comment("profile.file.edit"), *_comment("profile.file.syntax"), *_comment("profile.file.drawn", seed=seed),
             "", *_comment("profile.key.name"), f"name = {_text(name + ' (profil)')}",
             *_comment("profile.key.description"),
             f"description = {_text(description)}",
             *_comment("profile.key.extends"), f"extends = {_text(extends)}", "",
             f"# --- {translate('profile.levers.title', 'id')} / {translate('profile.levers.title', 'en')} ---",
             *_comment("profile.levers.how", lever_file=lever_file, file=file_name),
             f"# name = {_text(name + ' + joint committee')}", f"# extends = {_text(file_name)}",
             "# [levers]", "# joint_committee = true", f"# scope = [{_text(name)}]",
             *_comment("profile.levers.compare"), f"#     {command}"]
    return lines


def _traits(model, i: int) -> list[str]:
    """The region's traits as profile keys, each with its comment."""
    r, sim = model.regions, model.params.simulation
    lines = [*_comment("profile.key.budget_line")]
    if r.budget_base[i] > 0:
        lines += ["budget_line = true", *_comment("profile.key.budget_programs"),
                  f"budget_programs = {r.budget_base[i]:.2f}"]
    else:
        lines += ["budget_line = false", *_comment("profile.key.no_line"), "# budget_line = true",
                  "# budget_programs = 2.0"]
    for key, value in (("hr", r.hr[i]), ("data", r.data[i]), ("bureaucracy", r.bureaucracy[i])):
        lines += [*_comment(f"profile.key.{key}"), f"{key} = {value:.2f}"]
    lines += [*_comment("profile.key.cooperation_bureau"), f"cooperation_bureau = {str(bool(r.bureau[i])).lower()}",
              *_comment("profile.key.legal_umbrella"), f"legal_umbrella = {_text(_LEGAL_WORDS[int(r.legal[i])])}",
              *_comment("profile.key.mid_term_plan"), f"mid_term_plan = {str(bool(r.mid_term_plan[i])).lower()}",
              *_comment("profile.key.leader_commitment"), f"leader_commitment = {r.leader_commitment[i]:.2f}"]
    if r.unelected[i]:
        lines += _comment("profile.key.unelected")
    else:
        year = sim.start_year + int(r.next_election[i]) // model.steps_per_year
        lines += [*_comment("profile.key.next_election_year"), f"next_election_year = {year}"]
    return lines


def _partnerships(model, i: int) -> list[dict]:
    """The region's known partnerships from the data (`partnerships.csv`), each with the stage
    a start from the data gives it (its documented status), the data's year, stage and status:
    what the planner corrects. (A start from the past may have ended some of them; a profile's
    list states what the region has now.)"""
    p = model.partners
    table = model.regions.table
    data = known_partnerships()
    data = data[(data["indonesian_level"] == table["level"].iat[i])
                & (data["indonesian_province_iso"] == table["province"].iat[i])]
    out = []
    for region, partner, stage, _ in known_rows(tuple(model.params.simulation.levels)):
        if region != i:
            continue
        name, country = str(p.name[partner]), str(p.country[partner])
        match = data[(data["foreign_party"] == name) & (data["country"] == country)]
        record = match.iloc[0] if len(match) else None
        out.append({"partner": name, "country": country, "status": _STATUS_OF_STAGE[int(stage)],
                    "year": record["year_signed"] if record is not None else "",
                    "stage": record["agreement_stage"] if record is not None else "",
                    "known": record["status_if_known"] if record is not None else ""})
    return out


def _partnership_lines(rows: list[dict]) -> list[str]:
    """The `[[profiles.partnerships]]` tables (or `partnerships = []` and an example)."""
    lines = ["", f"# --- {translate('profile.partnerships.title', 'id')} / "
                 f"{translate('profile.partnerships.title', 'en')} ---", *_comment("profile.partnerships.how")]
    if not rows:
        return lines + [*_comment("profile.partnerships.none"), "partnerships = []", "# [[profiles.partnerships]]",
                        '# partner = "Kitakyushu"', '# country = "Japan"', "# year = 2012", '# status = "active"']
    lines += _comment("profile.partnerships.replace")
    for row in rows:
        lines += ["", "[[profiles.partnerships]]", f"# {row['partner']} ({row['country']})",
                  *_comment("profile.partnerships.source", stage=row["stage"] or "-", status=row["known"] or "-"),
                  f"partner = {_text(row['partner'])}", f"country = {_text(row['country'])}"]
        if row["year"]:
            lines.append(f"year = {int(row['year'])}")
        else:
            lines.append(f"# year = ...   # {translate('profile.partnerships.no_year', 'id')} / "
                         f"{translate('profile.partnerships.no_year', 'en')}")
        lines.append(f"status = {_text(row['status'])}")
    return lines
