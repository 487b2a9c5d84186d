"""The class app's words for what the model holds: a region's, a partner's and a partnership's
card, the quarter, a partner's name, the pending changes, the state of the run. Pure
functions from the model's data (`coopsim.app.classroom`) and the catalogues
(`coopsim.reporting.i18n`) to strings, tested without a browser: a card shows words ("Staff
skills: low (0.31)", "Head of region: not elected"), never field names.
"""

from __future__ import annotations

import re

from coopsim.app.classroom import LEVERS, OBSTACLES, ClassroomModel
from coopsim.reporting.i18n import Messages

__all__ = ["quarter", "level_word", "country", "partner_name", "region_rows", "partner_rows",
           "partnership_title", "partnership_rows", "timeline_rows", "setting_words", "compare_words", "pending_changes",
           "now_text", "election_notice", "end_text"]

_SYNTHETIC = re.compile(r"^(?P<country>.+) partner (?P<number>\d+)$")


def quarter(t: Messages, year: int, q: int) -> str:
    """'2027 Q3' or '2027 TW3'.

    Args:
        t: the messages.
        year: the calendar year.
        q: the quarter (1-4).

    Returns:
        The words.
    """
    return t("app.quarter", year=year, quarter=q)


def level_word(t: Messages, value: float) -> str:
    """A 0-1 level in words with its value: 'low (0.31)'.

    Args:
        t: the messages.
        value: the level.

    Returns:
        The words.
    """
    word = t("app.level.low") if value < 0.34 else t("app.level.medium") if value < 0.67 else t("app.level.high")
    return t("app.level.value", word=word, value=f"{value:.2f}")


def country(t: Messages, name: str) -> str:
    """A country's name in the page's language (its own name when the catalogue has none)."""
    return t.get(f"country.{name}", default=name)


def partner_name(t: Messages, name: str, country_name: str) -> str:
    """A partner's name; a synthetic partner ('Malaysia partner 293') in words.

    Args:
        t: the messages.
        name: the partner's name in the model.
        country_name: its country.

    Returns:
        The name to show.
    """
    found = _SYNTHETIC.match(name)
    if found:
        return t("app.partner.synthetic", country=country(t, found["country"]), number=found["number"])
    return name


def _yes_no(t: Messages, value: bool) -> str:
    return t("app.yes") if value else t("app.no")


def region_rows(t: Messages, info: dict, model: ClassroomModel) -> list[tuple[str, str]]:
    """A region's card: (label, value) rows in words.

    Args:
        t: the messages.
        info: `classroom.node_info` of a region.
        model: the model (for the quarter of the next election).

    Returns:
        Rows: level and island group, budget line, each capacity, bureau, diplomat, legal
        umbrella, whether the head is elected and when the next election is.
    """
    traits = info["traits"]
    budget = (t("app.card.none") if traits["budget"] <= 0
              else t("app.card.programs", value=f"{traits['budget']:.1f}"))
    if not info["elected"]:
        head = t("app.card.not_elected")
    elif info["next_election"]:
        head = t("app.card.elected_next", quarter=quarter(t, *info["next_election"]))
    else:
        head = t("app.card.elected")
    rows = [(t("app.card.level"), t(f"level.{info['level']}")), (t("app.card.island"), info["island_group"]),
            (t("app.card.budget"), budget)]
    rows += [(t(f"app.card.{key}"), level_word(t, traits[key]))
             for key in ("hr", "data", "bureaucracy", "infrastructure", "commitment")]
    rows += [(t("app.card.bureau"), _yes_no(t, info["bureau"])), (t("app.card.diplomat"), _yes_no(t, info["diplomat"])),
             (t("app.card.legal"), t(f"legal.{info['legal']}")), (t("app.card.head"), head)]
    return rows


def partner_rows(t: Messages, info: dict) -> list[tuple[str, str]]:
    """A foreign partner's card: (label, value) rows in words.

    Args:
        t: the messages.
        info: `classroom.node_info` of a partner.

    Returns:
        Rows: country, capacity, interest, the data it shares.
    """
    traits = info["traits"]
    return [(t("app.card.country"), country(t, info["country"]))] + [
        (t(f"app.card.partner_{key}"), level_word(t, traits[key])) for key in ("capacity", "interest", "openness")]


def partnership_title(t: Messages, info: dict) -> str:
    """'Provinsi DI Yogyakarta – Kyoto Prefecture (Japan)'."""
    return t("app.card.pair", region=info["region"], partner=partner_name(t, info["partner"], info["country"]),
             country=country(t, info["country"]))


def partnership_rows(t: Messages, info: dict) -> list[tuple[str, str]]:
    """A partnership's card: (label, value) rows in words.

    Args:
        t: the messages.
        info: `classroom.partnership_info`.

    Returns:
        Rows: its stage now (and the cause if it stalled or ended), joint committee,
        dedicated budget, renewals and revivals.
    """
    stage = t(f"stage.{info['stage']}")
    if info["cause"]:
        stage = t("app.card.stage_cause", stage=stage, cause=t(f"cause.{info['cause']}"))
    return [(t("app.card.stage"), stage), (t("app.card.committee"), _yes_no(t, info["committee"])),
            (t("app.card.dedicated"), _yes_no(t, info["dedicated"] > 0)),
            (t("app.card.renewals"), str(info["renewals"])), (t("app.card.revivals"), str(info["revivals"]))]


def timeline_rows(t: Messages, info: dict) -> list[tuple[str, str]]:
    """A partnership's timeline: (quarter, what happened) per stage it reached, in order.

    Args:
        t: the messages.
        info: `classroom.partnership_info`.

    Returns:
        Rows; a stall or an end names its binding cause.
    """
    rows = []
    for year, q, stage, cause in info["timeline"]:
        what = t(f"stage.{stage}")
        if cause:
            what = t("app.card.stage_cause", stage=what, cause=t(f"cause.{cause}"))
        rows.append((quarter(t, year, q), what))
    return rows


def setting_words(t: Messages, name: str, value) -> str:
    """A slider's or a switch's name with its value: 'Staff skills (HR): 0.40', 'Joint committee: yes'.

    Args:
        t: the messages.
        name: a name of OBSTACLES or LEVERS, 'seed' or 'compare'.
        value: its value.

    Returns:
        The words.
    """
    if name in OBSTACLES:
        return t("app.setting", name=t(f"obstacle.{name}"), value=f"{float(value):.2f}")
    if name in LEVERS:
        return t("app.setting", name=t(f"lever.{name}"), value=_yes_no(t, bool(value)))
    if name == "compare":
        return t("app.setting", name=t("app.compare.label"), value=compare_words(t, value))
    return t("app.setting", name=t("app.settings.seed"), value=str(value))


def compare_words(t: Messages, lever: str) -> str:
    """What a side-by-side comparison switches, in words ('' = nothing)."""
    if not lever:
        return t("app.compare.none")
    return t("app.compare.institutions") if lever == "institutions" else t(f"lever.{lever}")


def pending_changes(pending: dict, model: ClassroomModel) -> list[str]:
    """The settings moved since the run started (they take effect on Reset).

    Args:
        pending: the page's slider and switch values, 'seed' and 'compare'.
        model: the running model.

    Returns:
        Names of the settings whose value differs from the run's, in the page's order.
    """
    applied = {**model.applied(), "seed": model.seed, "compare": model.compare}
    out = []
    for name, value in pending.items():
        now = applied.get(name)
        differs = (abs(float(value) - float(now)) > 1e-9 if name in OBSTACLES
                   else bool(value) != bool(now) if name in LEVERS else value != now)
        if differs:
            out.append(name)
    return out


def now_text(t: Messages, model: ClassroomModel) -> str:
    """The state of the run in a sentence (and the last election in another), Markdown."""
    counts = model.stage_counts()
    text = t("app.now", quarter=quarter(t, *model.quarter_of()), active=counts["active"],
             stagnant=counts["stagnant"], forming=counts["exploration"] + counts["loi"] + counts["mou"])
    if model.elections:
        step, voted, new_heads = model.elections[-1]
        text += " " + t("app.now.election", quarter=quarter(t, *model.quarter_of(step)), voted=voted,
                        new_heads=new_heads)
    return text


def election_notice(t: Messages, model: ClassroomModel) -> str:
    """What the election button just did: which quarter voted, how many heads changed, and that
    the quarter has run."""
    step = model.called_elections[-1]
    held = [e for e in model.elections if e[0] == step]
    voted, new_heads = (held[-1][1], held[-1][2]) if held else (0, 0)
    return t("app.election.done", quarter=quarter(t, *model.quarter_of(step)), voted=voted,
             new_heads=new_heads, now=quarter(t, *model.quarter_of()))


def end_text(t: Messages, model: ClassroomModel) -> str:
    """The message at the end of the run."""
    return t("app.end", quarter=quarter(t, *model.quarter_of(model.t - 1)), years=model.params.simulation.years)

