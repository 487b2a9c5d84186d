"""The written comparison: what `coopsim compare` found, in words a planner can act on, in
Bahasa Indonesia or English (every word from the catalogues, `coopsim.reporting.i18n`).

The text is built once as `Part`s (a conclusion, the results lever by lever, the ranking with
what each lever costs, the levers against each other, the model's own accounting behind results
that look wrong, a glossary) from `coopsim.analysis.comparison.Findings`, then rendered as the
printed summary, as summary.md (`summary_text`) or as HTML sections of report.html
(`part_html`).

Numbers are shown so that they add up: a row's means and its difference use the same decimals,
and the difference shown is the difference of the two means shown (`shown_effect`), the same in
every table and in the conclusion. Indonesian numbers use a decimal comma ("25,0%").
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from coopsim.analysis.comparison import Findings
from coopsim.config.vocabulary import HORIZONS, Outcome
from coopsim.reporting.i18n import Messages
from coopsim.reporting.markdown import inline_html

__all__ = ["Numbers", "Cell", "Table", "Heading", "Bullets", "Part", "Setting", "Shown", "shown_effect",
           "outcome_words", "outcome_explanation", "unit_words", "lever_words", "change_words", "needed_words",
           "verdict_words", "name_of",
           "focus_words", "report_title", "written_comparison", "render_table", "render_text", "summary_text", "part_html", "table_html",
           "GLOSSARY", "ROBUST_GLOSSARY", "source_words"]


# --- numbers --------------------------------------------------------------------------------------
class Numbers:
    """Numbers as a reader of one language writes them: '1,234.5' (en), '1.234,5' (id).

    Args:
        lang: 'id' or 'en'.
    """

    def __init__(self, lang: str) -> None:
        self.lang = lang

    @staticmethod
    def decimals(*values: float) -> int:
        """Decimals for numbers of this size: 0 from 100, 1 from 10, else 2."""
        finite = [abs(v) for v in values if v is not None and np.isfinite(v)]
        top = max(finite, default=0.0)
        return 0 if top >= 100 else 1 if top >= 10 else 2

    def number(self, x: float, decimals: int, signed: bool = False) -> str:
        """`x` with `decimals` decimals and thousands separators ('–' when missing)."""
        if x is None or not np.isfinite(x):
            return "–"
        text = f"{x:+,.{decimals}f}" if signed else f"{x:,.{decimals}f}"
        if text.lstrip("+-").strip("0.,") == "":   # no sign on a zero ("-0.00", "+0.00")
            text = text.lstrip("+-")
        return text.translate(str.maketrans(",.", ".,")) if self.lang == "id" else text

    def auto(self, x: float, signed: bool = False) -> str:
        """`x` with as many decimals as its size deserves."""
        return self.number(x, self.decimals(x), signed)

    @staticmethod
    def significant_decimals(x: float, digits: int = 3) -> int:
        """Decimals that show `x` to `digits` significant digits."""
        if x is None or not np.isfinite(x) or x == 0:
            return 0
        return max(0, digits - 1 - math.floor(math.log10(abs(x))))

    def significant(self, x: float, digits: int = 3) -> str:
        """`x` to `digits` significant digits (a ratio: '0.558', '16.8')."""
        return self.number(x, self.significant_decimals(x, digits))

    def interval(self, low: float, high: float, decimals: int | None = None, scale: float = 1.0) -> str:
        """'[+0.50, +2.00]' ('[+0,50; +2,00]' in Indonesian); '' when there is none.

        Args:
            low, high: the interval.
            decimals: decimals (default: as the larger end deserves).
            scale: multiply both ends first (100 for a share in %).

        Returns:
            The text.
        """
        if not (np.isfinite(low) and np.isfinite(high)):
            return ""
        d = self.decimals(scale * low, scale * high) if decimals is None else decimals
        sep = "; " if self.lang == "id" else ", "
        return f"[{self.number(scale * low, d, True)}{sep}{self.number(scale * high, d, True)}]"


@dataclass
class Shown:
    """An effect as every table shows it: both means and their difference, rounded alike (the
    difference is the difference of the rounded means), and its interval.

    Attributes:
        base, lever, difference: the texts; interval: '[lo, hi]' ('' when none); low, high:
        its ends with their unit (for a sentence).
    """
    base: str
    lever: str
    difference: str
    interval: str
    low: str = ""
    high: str = ""


def shown_effect(base: float, lever: float, low: float, high: float, share: bool, numbers: Numbers,
                 t: Messages) -> Shown:
    """Two means and their difference as shown, consistent to the last digit.

    Args:
        base, lever: the means (over the same runs).
        low, high: the difference's 95% interval.
        share: the outcome is a share (shown in %, differences in percentage points).
        numbers: the reader's number format; t: the reader's messages.

    Returns:
        The texts (`Shown`).
    """
    scale = 100.0 if share else 1.0
    d = 1 if share else numbers.decimals(base, lever)
    rb, rl = (round(scale * x, d) if np.isfinite(x) else np.nan for x in (base, lever))
    unit, points = ("%", " " + t("unit.pp")) if share else ("", "")

    def text(x: float, after: str, signed: bool = False) -> str:
        shown = numbers.number(x, d, signed)
        return shown + after if shown != "–" else shown

    return Shown(text(rb, unit), text(rl, unit), text(rl - rb, points, True), numbers.interval(low, high, d, scale),
                 text(scale * low, points, True), text(scale * high, points, True))


# --- words ----------------------------------------------------------------------------------------
def outcome_words(key: str, t: Messages, years: int | None = None) -> str:
    """An outcome in words ('active partnerships after 5 years'), from the catalogues.

    Args:
        key: the outcome's key (`coopsim.config.vocabulary.OUTCOMES`).
        t: the reader's messages.
        years: the runs' horizon (for active_end).

    Returns:
        The words.
    """
    for k in HORIZONS:   # active_5y, survival_10y, ...: one message per kind, the years filled in
        if key.endswith(f"_{k}y"):
            return t(f"outcome.{key.removesuffix(f'_{k}y')}_k", years=k)
    if key.startswith("failures_") and key != "failures_total":
        return t("outcome.failures_cause", cause=t(f"cause.{key.removeprefix('failures_')}"))
    if key == "active_end":
        return t("outcome.active_end", years=years if years is not None else "")
    return t(f"outcome.{key}")


def outcome_explanation(key: str, t: Messages) -> str:
    """One line saying what an outcome counts, from the catalogues."""
    for k in HORIZONS:
        if key.endswith(f"_{k}y"):
            return t(f"outcome.{key.removesuffix(f'_{k}y')}_k.explain", years=k)
    if key.startswith("failures_") and key != "failures_total":
        return t("outcome.failures_cause.explain", cause=t(f"cause.{key.removeprefix('failures_')}"))
    return t(f"outcome.{key}.explain")


def unit_words(o: Outcome, t: Messages) -> str:
    """An outcome's unit in words ('budget units over the run')."""
    return t("unit." + o.unit.replace(" ", "_"))


def lever_words(name: str, t: Messages) -> str:
    """A lever (a key of [levers]) in words: 'Joint committee', 'own cost of the joint committee'."""
    base = name.removesuffix("_cost")
    words = t.get(f"lever.{base}") or t.get(f"report.lever.{base}") or base.replace("_", " ")
    return t("report.lever_cost", lever=words) if name.endswith("_cost") else words


def change_words(path: str, t: Messages) -> str:
    """A setting a scenario changes, in words for a lever, else its dotted key in `code`."""
    section, _, key = path.partition(".")
    if section == "levers" and key == "scope":
        return t("report.lever_scope")
    if section == "levers" and key:
        return lever_words(key, t)
    return f"`{path}`"


def needed_words(needed: float, t: Messages) -> str:
    """Replications needed, in words ('about 48', 'more than a million')."""
    return t("verdict.needed_many") if needed >= 1e6 else Numbers(t.lang).number(math.ceil(needed), 0)


def verdict_words(code: str, pairs: int, needed: float, tiny: bool, t: Messages) -> str:
    """A verdict in words ('clear gain', 'not distinguishable at N = 19; about 48 runs needed').

    Args:
        code: the verdict's code (`coopsim.analysis.comparison.verdict`).
        pairs: runs with a value in both scenarios (N).
        needed: runs needed to tell (for 'unclear').
        tiny: a clear effect under 1% of the base.
        t: the reader's messages.

    Returns:
        The words.
    """
    if code == "unclear":
        if not np.isfinite(needed):
            return t("verdict.unclear_flat", n=pairs)
        return t("verdict.unclear", n=pairs, needed=needed_words(needed, t))
    if code == "too_few":
        return t("verdict.too_few", n=pairs)
    return t(f"verdict.{code}") + (" " + t("verdict.tiny") if tiny else "")


def focus_words(region: str | None, t: Messages) -> str:
    """Whose partnerships are counted: the region's name, or all regional governments."""
    return region or t("report.all_regions")


# --- the document -------------------------------------------------------------------------------
@dataclass
class Cell:
    """One table cell: its text, an interval below a number, a note below a label, CSS classes."""
    text: str
    interval: str = ""
    note: str = ""
    kind: str = ""


@dataclass
class Table:
    """A table: its name (CSS class), header, rows and notes under it."""
    name: str
    header: list[str]
    rows: list[list[Cell]]
    notes: list[str] = field(default_factory=list)


@dataclass
class Heading:
    """A sub-heading inside a part."""
    text: str


@dataclass
class Bullets:
    """A bullet list (items in the Markdown subset: **bold**, `code`)."""
    items: list[str]


@dataclass
class Part:
    """A section: its anchor, title and blocks (paragraphs as str, Table, Heading, Bullets)."""
    key: str
    title: str
    blocks: list


@dataclass
class Setting:
    """What was compared, for the words around the numbers (from the plan, or a results
    folder's manifest).

    Attributes:
        labels: scenario labels, the base first; files: their files; changes: per lever, the
        dotted settings it changes; reps, seed, years, start_year: the runs; region,
        region_query: the focus region (None: all) and how it was asked for; rank_by: the
        ranked outcome; table: the outcomes compared; repeat: the command that repeats it;
        missing_costs: per lever, its cost keys left at 0 (`levers.<lever>_cost`);
        uncertain: with `--uncertain`, the draws (draws, reps per draw, source, inputs, kept:
        `coopsim.workflows.robust_levers.uncertain_words`), else None.
    """
    labels: list[str]
    files: list[str]
    changes: list[list[str]]
    reps: int
    seed: int
    years: int
    start_year: int
    region: str | None
    region_query: str | None
    rank_by: str
    table: list[Outcome]
    repeat: str = ""
    missing_costs: dict[str, list[str]] = field(default_factory=dict)
    uncertain: dict | None = None

    def outcome(self, key: str) -> Outcome:
        """The declaration of a compared outcome."""
        return next(o for o in self.table if o.key == key)


def name_of(label: str) -> str:
    """A scenario's label as a name in text ('joint_committee' -> 'joint committee')."""
    return str(label).replace("_", " ")


# --- the conclusion -----------------------------------------------------------------------------
def _favoured(pairs: pd.DataFrame, lever: str) -> bool:
    """Whether `lever` is clearly ahead of every other lever it was compared with."""
    mine = pairs[(pairs["first"] == lever) | (pairs["second"] == lever)]
    return len(mine) > 0 and all((a == lever and code == "ahead") or (b == lever and code == "behind")
                                 for a, b, code in zip(mine["first"], mine["second"], mine["verdict_code"]))


def _spending_sentences(s: Setting, c: dict, t: Messages, nb: Numbers, what: str) -> list[str]:
    """What the best lever costs: extra spending (programmes and its own cost), and what it buys
    per 100 extra budget units; or that it does not clearly cost more."""
    lever = name_of(c["lever"])
    if not c["costs_money"]:
        out = [t("report.conclusion.no_spending", lever=lever)]
    else:
        key = "report.conclusion.spending_own" if c["own_cost"] > 0 else "report.conclusion.spending"
        out = [t(key, total=nb.auto(c["total_spending"]), years=s.years, programme=nb.auto(c["spending"]),
                 own=nb.auto(c["own_cost"]))]
        share = s.outcome(c["outcome"]).share
        per = (nb.significant(100 * c["per_100"]) + " " + t("unit.pp")) if share else nb.significant(c["per_100"])
        out.append(t("report.conclusion.per_100", value=per, outcome=what))
    missing = s.missing_costs.get(c["lever"], [])
    if missing:
        out.append(t("report.conclusion.no_own_cost", keys=", ".join(f"`{k}`" for k in missing)))
    return out


def _clear_conclusion(s: Setting, f: Findings, t: Messages, nb: Numbers) -> list[str]:
    """Paragraphs for a lever with a clear gain: how much, how sure, against the others, cost."""
    c, o = f.conclusion, s.outcome(f.conclusion["outcome"])
    what, lever = outcome_words(o.key, t, s.years), name_of(c["lever"])
    e = shown_effect(c["base_mean"], c["scenario_mean"], c["low"], c["high"], o.share, nb, t)
    first = [t("report.conclusion.best", lever=lever, outcome=what, base=e.base, value=e.lever,
               difference=e.difference, focus=focus_words(s.region, t)),
             t("report.conclusion.sure", n=c["pairs"], low=e.low, high=e.high)]
    if c["ties"]:
        first.append(t("report.conclusion.ties", lever=lever, others=", ".join(f"**{name_of(x)}**" for x in c["ties"])))
    elif len(s.labels) > 2 and _favoured(f.pairs, c["lever"]):
        first.append(t("report.conclusion.ahead", lever=lever))
    out = [" ".join(first), " ".join(_spending_sentences(s, c, t, nb, what))]
    if c["losses"]:
        out.append(t("report.conclusion.losses", lever=lever,
                     outcomes=", ".join(outcome_words(k, t, s.years) for k in c["losses"])))
    return out


def _unclear_conclusion(s: Setting, f: Findings, t: Messages, nb: Numbers) -> list[str]:
    """Paragraphs when no lever clearly helps: the best guess and why it is not enough."""
    c, o = f.conclusion, s.outcome(f.conclusion["outcome"])
    what = outcome_words(o.key, t, s.years)
    e = shown_effect(c["base_mean"], c["scenario_mean"], c["low"], c["high"], o.share, nb, t)
    text = [t("report.conclusion.none", outcome=what, n=s.reps),
            t("report.conclusion.guess", lever=name_of(c["lever"]), difference=e.difference)]
    if c["verdict_code"] == "unclear":
        text.append(t("report.conclusion.includes_zero", low=e.low, high=e.high))
        if np.isfinite(c["replications_needed"]):
            text.append(t("report.conclusion.needed", needed=needed_words(c["replications_needed"], t)))
    elif c["verdict_code"] == "loss":
        text.append(t("report.conclusion.worse", low=e.low, high=e.high))
    return [" ".join(text)]


def _conclusion_part(s: Setting, f: Findings, t: Messages, nb: Numbers) -> Part:
    """First section: which lever helps most here, how sure, at what spending."""
    blocks = (_clear_conclusion if f.conclusion["clear"] else _unclear_conclusion)(s, f, t, nb)
    if f.robust is not None and s.uncertain:
        blocks.append(_robust_conclusion(s, f, t))
    blocks.append(t("report.conclusion.basis", reps=s.reps, years=s.years, start=s.start_year,
                    focus=t("report.focus_region", region=s.region) if s.region else t("report.focus_all")))
    return Part("conclusion", t("report.conclusion.title"), blocks)


# --- the results, lever by lever ----------------------------------------------------------------
def _effects_table(s: Setting, f: Findings, label: str, t: Messages, nb: Numbers, full: bool) -> Table:
    """One lever against the base: every outcome (full) or the main ones, with units, a line
    saying what each counts, both means, their difference, its interval and the verdict."""
    sub = f.effects[f.effects["scenario"] == label].set_index("outcome")
    causes = [o for o in s.table if o.key.startswith("failures_") and o.key != "failures_total"]
    never = [o for o in causes if sub.loc[o.key, "base_mean"] == 0 and sub.loc[o.key, "scenario_mean"] == 0]
    rows, notes = [], ([t("report.results.never", causes=", ".join(t(f"cause.{o.key[9:]}") for o in never))]
                       if full and never else [])
    for o in (o for o in s.table if (o not in causes or full) and o not in never):
        r = sub.loc[o.key]
        e = shown_effect(r["base_mean"], r["scenario_mean"], r["low"], r["high"], o.share, nb, t)
        words = outcome_words(o.key, t, s.years)
        subset = r["pairs"] < r["replications"]
        if subset:
            notes.append("† " + t("report.results.subset", outcome=words, n=int(r["pairs"]), reps=int(r["replications"])))
        rows.append([Cell(words + (" †" if subset else ""), note=outcome_explanation(o.key, t), kind="measure"),
                     Cell(unit_words(o, t), kind="unit"), Cell(e.base, kind="num base"),
                     Cell(e.lever, kind="num lever"), Cell(e.difference, e.interval, kind="num diff"),
                     Cell(verdict_words(r["verdict_code"], int(r["pairs"]), r["replications_needed"], bool(r["tiny"]), t),
                          kind=f"verdict {r['verdict_code']}")])
    header = [t("report.col.measure"), t("report.col.unit"), name_of(s.labels[0]), name_of(label),
              t("report.col.difference"), t("report.col.verdict")]
    return Table("effects", header, rows, notes)


def _results_part(s: Setting, f: Findings, t: Messages, nb: Numbers, full: bool) -> Part:
    """Each lever against the base, one table each."""
    blocks: list = [t("report.results.intro", base=name_of(s.labels[0]))]
    for label in s.labels[1:]:
        blocks += [Heading(t("report.results.lever", lever=name_of(label), base=name_of(s.labels[0]))),
                   _effects_table(s, f, label, t, nb, full)]
    return Part("results", t("report.results.title"), blocks)


# --- ranking, costs, levers against each other --------------------------------------------------
def _ranking_row(r: dict, s: Setting, f: Findings, t: Messages, nb: Numbers) -> list[Cell]:
    """One lever's rank, effect, extra spending (programmes + own cost) and what it buys."""
    o = s.outcome(s.rank_by)
    e = f.effects.set_index(["scenario", "outcome"]).loc[(r["scenario"], s.rank_by)]
    shown = shown_effect(e["base_mean"], e["scenario_mean"], e["low"], e["high"], o.share, nb, t)
    split = t("report.ranking.split", programme=nb.auto(r["spending"], True), own=nb.auto(r["own_cost"])) \
        if r["own_cost"] > 0 else ""
    spend = Cell(nb.auto(r["total_spending"], True), nb.interval(r["total_spending_low"], r["total_spending_high"]),
                 split, "num")
    per = f"{s.rank_by}_per_100_budget_units"
    scale = 100.0 if o.share else 1.0
    if r["costs_money"]:
        d, b = nb.significant_decimals(scale * r[per]), nb.significant_decimals(r["benefits_per_budget_unit"])
        buys = Cell(nb.number(scale * r[per], d, True), nb.interval(r[f"{per}_low"], r[f"{per}_high"], d, scale), kind="num")
        benefits = Cell(nb.number(r["benefits_per_budget_unit"], b, True),
                        nb.interval(r["benefits_per_budget_unit_low"], r["benefits_per_budget_unit_high"], b), kind="num")
    else:
        buys = benefits = Cell(t("report.ranking.not_priced"), kind="muted")
    return [Cell(str(r["rank"]), kind="num"), Cell(name_of(r["scenario"])),
            Cell(shown.difference, shown.interval, kind="num diff"), spend, buys, benefits]


def _shown_pairs(pairs: pd.DataFrame, ranking: pd.DataFrame) -> pd.DataFrame:
    """The pairs worth a row: all of them for up to four levers, else each lever against the
    best and against the next in the ranking."""
    if len(pairs) <= 6:
        return pairs
    order = list(ranking["scenario"])
    keep = [(a == order[0]) or (order.index(b) == order.index(a) + 1) for a, b in zip(pairs["first"], pairs["second"])]
    return pairs[keep]


def _pair_verdict(p: dict, t: Messages) -> tuple[str, str]:
    """Words and CSS class for two levers compared."""
    if p["verdict_code"] in ("ahead", "behind"):
        leader = p["first"] if p["verdict_code"] == "ahead" else p["second"]
        return t("report.pairs.ahead", lever=name_of(leader)), "verdict gain"
    if p["verdict_code"] == "unclear":
        needed = p["replications_needed"]
        return (t("report.pairs.unclear", n=int(p["pairs"]), needed=needed_words(needed, t)) if np.isfinite(needed)
                else t("report.pairs.unclear_flat", n=int(p["pairs"]))), "verdict unclear"
    if p["verdict_code"] == "same":
        return t("report.pairs.same"), "verdict unclear"
    return t("verdict.too_few", n=int(p["pairs"])), "verdict unclear"


def _pairs_table(s: Setting, f: Findings, t: Messages, nb: Numbers) -> Table:
    """Levers against each other on the ranked outcome: both means, the difference, verdict."""
    o = s.outcome(s.rank_by)
    rows = []
    for p in _shown_pairs(f.pairs, f.ranking).to_dict("records"):
        e = shown_effect(p["second_mean"], p["first_mean"], p["low"], p["high"], o.share, nb, t)
        words, kind = _pair_verdict(p, t)
        rows.append([Cell(name_of(p["first"])), Cell(e.lever, kind="num lever"), Cell(name_of(p["second"])),
                     Cell(e.base, kind="num base"), Cell(e.difference, e.interval, kind="num diff"), Cell(words, kind=kind)])
    header = [t("report.pairs.first"), t("report.col.mean"), t("report.pairs.second"), t("report.col.mean"),
              t("report.pairs.difference"), t("report.col.verdict")]
    return Table("pairs", header, rows, [t("report.pairs.note", outcome=outcome_words(o.key, t, s.years))])


def _ranking_part(s: Setting, f: Findings, t: Messages, nb: Numbers) -> Part:
    """The levers ranked, what each costs and buys, and whether the levers can be told apart."""
    what = outcome_words(s.rank_by, t, s.years)
    header = [t("report.ranking.rank"), t("report.ranking.lever"), t("report.ranking.effect", outcome=what),
              t("report.ranking.spending"), t("report.ranking.per_100", outcome=what), t("report.ranking.benefits")]
    rows = [_ranking_row(r, s, f, t, nb) for r in f.ranking.to_dict("records")]
    blocks: list = [t("report.ranking.intro", outcome=what, base=name_of(s.labels[0])),
                    Table("ranking", header, rows, [t("report.ranking.note")])]
    if len(f.pairs):
        blocks += [Heading(t("report.pairs.title")), t("report.pairs.intro"), _pairs_table(s, f, t, nb)]
    return Part("ranking", t("report.ranking.title"), blocks)


# --- verdicts across the draws of the uncertain inputs --------------------------------------------
def source_words(u: dict, t: Messages) -> str:
    """Where the drawn behavioural rates come from: the posterior, or the priors (and why).

    Args:
        u: `Setting.uncertain`.
        t: the reader's messages.

    Returns:
        The words (Markdown: paths in `code`).
    """
    src = u["source"]
    if src["kind"] == "posterior":
        return t("report.robust.source_posterior", path=f"`{src['path']}`", particles=src["particles"])
    return t("report.robust.source_priors", path=f"`{src['path']}`", looked_for=f"`{src['looked_for']}`")


def _share(x: float, nb: Numbers) -> str:
    """A share of draws as a percentage ('80%')."""
    return nb.number(100 * x, 0) + "%" if np.isfinite(x) else "–"


def _robust_decimals(table: pd.DataFrame, o: Outcome, nb: Numbers) -> int:
    """One number of decimals for a whole robust table (1 for a share in percentage points)."""
    return 1 if o.share else nb.decimals(*table[["median", "low", "high", "regret_median", "regret_p90"]]
                                         .to_numpy(float).ravel())


def _robust_row(r: dict, o: Outcome, d: int, t: Messages, nb: Numbers) -> list[Cell]:
    """One lever across the draws (`d` decimals): help share, median effect [5-95%], regret, best share."""
    scale, unit = (100.0, " " + t("unit.pp")) if o.share else (1.0, "")

    def value(x: float, signed: bool = False) -> str:
        return nb.number(scale * x, d, signed) + unit if np.isfinite(x) else "–"

    return [Cell(str(r["rank"]), kind="num"), Cell(name_of(r["scenario"])),
            Cell(_share(r["help_share"], nb), note=t("report.robust.harm", share=_share(r["harm_share"], nb)),
                 kind="num"),
            Cell(value(r["median"], True), nb.interval(r["low"], r["high"], d, scale), kind="num diff"),
            Cell(value(r["regret_median"]), kind="num"), Cell(value(r["regret_p90"]), kind="num"),
            Cell(_share(r["best_share"], nb), kind="num")]


def _robust_verdict(table: pd.DataFrame, o: Outcome, s: Setting, t: Messages, nb: Numbers) -> str:
    """The lever with the least regret, and whether its verdict survives the draws."""
    top = table.iloc[0]
    what = outcome_words(o.key, t, s.years)
    if not top["draws"]:
        return t("report.robust.no_values", outcome=what)
    row = _robust_row(top.to_dict(), o, _robust_decimals(table, o, nb), t, nb)
    level = "robust" if top["help_share"] >= 0.9 else "mostly" if top["help_share"] >= 0.5 else "fragile"
    key = "report.robust.single" if len(table) == 1 else "report.robust.least_regret"
    return " ".join([t(key, lever=name_of(top["scenario"]), outcome=what,
                       share=row[2].text, draws=int(top["draws"]), median=row[3].text, best=row[6].text),
                     t(f"report.robust.{level}")])


def _robust_conclusion(s: Setting, f: Findings, t: Messages) -> str:
    """The conclusion's sentence on the draws: the least regret on the ranked outcome, whether it
    helps in most draws (or, for a single lever, how often it helps)."""
    table = f.robust.lever_table(s.rank_by)
    top = table.iloc[0]
    key = "robust_single" if len(table) == 1 else "robust" if top["help_share"] >= 0.5 else "robust_none"
    return t(f"report.conclusion.{key}", draws=s.uncertain["draws"], lever=name_of(top["scenario"]),
             outcome=outcome_words(s.rank_by, t, s.years), share=_share(top["help_share"], Numbers(t.lang)),
             section=t("report.robust.title"))


def _robust_part(s: Setting, f: Findings, t: Messages, nb: Numbers) -> Part | None:
    """The levers across the draws of the uncertain inputs (None without `--uncertain`)."""
    u = s.uncertain
    if f.robust is None or not u:
        return None
    blocks: list = [t("report.robust.intro", base=name_of(s.labels[0]), draws=u["draws"], reps=u["reps"],
                      source=source_words(u, t), obstacles=f"`{u['source']['obstacles']}`"),
                    t("report.robust.inputs", inputs=", ".join(f"`{x}`" for x in u["inputs"]))]
    blocks += [t("report.robust.kept", lever=name_of(k), keys=", ".join(f"`{x}`" for x in v))
               for k, v in u["kept"].items()]
    header = [t("report.ranking.rank"), t("report.ranking.lever"), t("report.robust.col.helps"),
              t("report.robust.col.median"), t("report.robust.col.regret"), t("report.robust.col.regret90"),
              t("report.robust.col.best")]
    for key in f.robust.outcomes:
        o, table = s.outcome(key), f.robust.lever_table(key)
        rows = [_robust_row(r, o, _robust_decimals(table, o, nb), t, nb) for r in table.to_dict("records")]
        notes = [t("report.robust.note", unit=t("unit.pp") if o.share else unit_words(o, t))]
        if table["missing"].max() > 0:
            notes.append(t("report.robust.missing", n=int(table["missing"].max()), draws=u["draws"]))
        blocks += [Heading(t("report.robust.table_title", outcome=outcome_words(key, t, s.years))),
                   _robust_verdict(table, o, s, t, nb), Table("robust", header, rows, notes)]
    blocks.append(t("report.robust.noise", reps=u["reps"]))
    return Part("robust", t("report.robust.title"), blocks)


# --- the model's own accounting, and the words used -----------------------------------------------
def _pair_values(base: float, value: float, key: str, s: Setting, t: Messages, nb: Numbers) -> Shown:
    """Two means of an outcome shown as the tables show them."""
    share = any(o.key == key and o.share for o in s.table)
    return shown_effect(base, value, np.nan, np.nan, share, nb, t)


def _why_item(r: dict, s: Setting, t: Messages, nb: Numbers) -> str:
    """One explanation (`coopsim.analysis.comparison.explanations`) in words, with its numbers."""
    words, n = outcome_words(r["outcome"], t, s.years), nb.auto
    v = _pair_values(r["base"], r.get("lever_value", np.nan), r["outcome"], s, t, nb)
    years = {"base_years": n(r["base_years"]), "lever_years": n(r.get("lever_years", np.nan))}
    if r["kind"] == "exposure" and r["more"]:
        return " ".join([t("report.why.exposure", lever=name_of(r["lever"]), outcome=words, base=v.base,
                           value=v.lever, **years),
                         t(f"report.why.rate_{r['rate']}", base=n(r["base_rate"]), value=n(r["lever_rate"]))])
    if r["kind"] == "exposure":
        return t("report.why.riskier", lever=name_of(r["lever"]), outcome=words, base=v.base, value=v.lever,
                 base_rate=n(r["base_rate"]), lever_rate=n(r["lever_rate"]), **years)
    if r["kind"] == "signed":
        a = _pair_values(r["active_base"], r["active_lever"], r["active_key"], s, t, nb)
        return " ".join([t("report.why.signed", lever=name_of(r["lever"]), base=v.base, value=v.lever,
                           active=outcome_words(r["active_key"], t, s.years), active_base=a.base,
                           active_lever=a.lever, **years),
                         t("report.why.pipeline", exploration_base=n(r["exploration_base"]),
                           exploration_lever=n(r["exploration_lever"]), loi_base=n(r["loi_base"]),
                           loi_lever=n(r["loi_lever"]))])
    if r["kind"] == "tradeoff":
        g = _pair_values(r["gain_base"], r["gain_lever"], r["gain_key"], s, t, nb)
        return t("report.why.tradeoff", lever=name_of(r["lever"]), gain=outcome_words(r["gain_key"], t, s.years),
                 gain_base=g.base, gain_lever=g.lever, outcome=words, base=v.base, value=v.lever)
    return t("report.why.repeat", scenario=name_of(r["scenario"]), failures=v.base, held=n(r["held"]),
             base_years=years["base_years"])


def _why_part(s: Setting, f: Findings, t: Messages, nb: Numbers) -> Part | None:
    """Results that look wrong, explained by what the model counted (None when there is none)."""
    if not f.explanations:
        return None
    return Part("why", t("report.why.title"),
                [t("report.why.intro"), Bullets([_why_item(r, s, t, nb) for r in f.explanations])])


#: The words the glossary explains (`glossary.<name>.term` and `.text` in the catalogues).
GLOSSARY = ("base", "lever", "run", "paired", "interval", "difference", "pp", "gain_loss", "higher_lower",
            "unclear", "active", "active_years", "survival", "signed", "exploration", "failure", "hr",
            "budget_unit", "programme_unit", "own_cost", "per_100")


#: The words the glossary adds when the levers were run across draws of the uncertain inputs.
ROBUST_GLOSSARY = ("draw", "help_share", "regret")


def _glossary_part(t: Messages, robust: bool = False) -> Part:
    """Every term of the report that is not everyday language, in one line each."""
    terms = GLOSSARY + (ROBUST_GLOSSARY if robust else ())
    return Part("glossary", t("report.glossary.title"),
                [Bullets([f"**{t(f'glossary.{k}.term')}**: {t(f'glossary.{k}.text')}" for k in terms])])


def report_title(s: Setting, t: Messages) -> str:
    """The title: the scenarios' names and whose partnerships are counted."""
    return t("report.title", levers=", ".join(name_of(x) for x in s.labels[1:]), base=name_of(s.labels[0]),
             focus=focus_words(s.region, t))


def written_comparison(s: Setting, f: Findings, lang: str, full: bool = True) -> list[Part]:
    """The comparison in words and tables, in one language.

    Args:
        s: what was compared; f: what it found.
        lang: 'id' or 'en'.
        full: every outcome and the glossary (summary.md, report.html), or the main outcomes
            (the printed summary).

    Returns:
        The parts, the conclusion first.
    """
    t, nb = Messages(lang), Numbers(lang)
    parts = [_conclusion_part(s, f, t, nb), _results_part(s, f, t, nb, full), _ranking_part(s, f, t, nb),
             _robust_part(s, f, t, nb), _why_part(s, f, t, nb)]
    robust = f.robust is not None and bool(s.uncertain)
    return [p for p in parts if p is not None] + ([_glossary_part(t, robust)] if full else [])


# --- rendering ------------------------------------------------------------------------------------
def _plain(text: str) -> str:
    """Markdown inline marks removed (for the terminal)."""
    return text.replace("**", "").replace("`", "")


def _cell_text(cell: Cell, markdown: bool) -> str:
    text = cell.text + (f" {cell.interval}" if cell.interval else "")
    if cell.note and markdown:
        text += f": *{cell.note}*" if "measure" in cell.kind else f" ({cell.note})"
    return text if markdown else _plain(text)


def render_table(header: list[str], rows: list[list[str]], markdown: bool) -> str:
    """A table as Markdown (pipe table) or as aligned plain text for the terminal.

    Args:
        header: column names.
        rows: rows of cell texts.
        markdown: Markdown, or aligned plain text.

    Returns:
        The table.
    """
    if markdown:
        esc = [[c.replace("|", "\\|") for c in r] for r in [header] + rows]
        lines = ["| " + " | ".join(esc[0]) + " |", "|" + "|".join("---" for _ in header) + "|"]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in esc[1:]])
    widths = [max(len(r[j]) for r in [header] + rows) for j in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(header, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    return "\n".join(lines + ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows])


def _block_text(block, markdown: bool) -> list[str]:
    """One block as Markdown or plain text lines."""
    if isinstance(block, Heading):
        return [f"### {block.text}" if markdown else _plain(block.text)]
    if isinstance(block, Bullets):
        return [f"- {item}" if markdown else f"- {_plain(item)}" for item in block.items]
    if isinstance(block, Table):
        rows = [[_cell_text(c, markdown) for c in row] for row in block.rows]
        return [render_table(block.header, rows, markdown), ""] + [n if markdown else _plain(n) for n in block.notes]
    return [block if markdown else _plain(block)]


def render_text(parts: list[Part], markdown: bool) -> str:
    """Parts as Markdown (summary.md) or plain text (the terminal).

    Args:
        parts: `written_comparison`.
        markdown: Markdown, or plain text without marks.

    Returns:
        The text, ending with a newline.
    """
    out: list[str] = []
    for part in parts:
        out += [f"## {part.title}", ""] if markdown else [part.title, "=" * len(part.title), ""]
        for block in part.blocks:
            out += _block_text(block, markdown) + [""]
    return "\n".join(out).rstrip() + "\n"


def summary_text(s: Setting, f: Findings, lang: str, markdown: bool, full: bool, head: list[str] = ()) -> str:
    """The comparison as summary.md (Markdown, full) or as printed (plain, main outcomes).

    Args:
        s: what was compared; f: what it found.
        lang: 'id' or 'en'.
        markdown: Markdown with a title, or plain text.
        full: every outcome and the glossary.
        head: opening lines (`coopsim.reporting.comparison.introduction`, the region note).

    Returns:
        The text, ending with a newline.
    """
    t = Messages(lang)
    top = [f"# {report_title(s, t)}", ""] + [f"- {h}" for h in head] if markdown else list(head)
    return ("\n".join(top) + "\n\n" if top else "") + render_text(written_comparison(s, f, lang, full), markdown)


def table_html(table: Table) -> str:
    """A table as HTML: numbers with their interval on a second line, labels with their note.

    Args:
        table: the table.

    Returns:
        The HTML (the table and its notes).
    """
    def cell(c: Cell) -> str:
        extra = (f'<span class="ci">{html.escape(c.interval)}</span>' if c.interval else "") + \
                (f'<span class="note">{inline_html(c.note)}</span>' if c.note else "")
        return f'<td class="{html.escape(c.kind)}">{inline_html(c.text)}{extra}</td>'

    head = "".join(f"<th>{inline_html(h)}</th>" for h in table.header)
    body = "".join("<tr>" + "".join(cell(c) for c in row) + "</tr>" for row in table.rows)
    notes = "".join(f'<p class="note">{inline_html(n)}</p>' for n in table.notes)
    return (f'<div class="table-wrap"><table class="{html.escape(table.name)}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>{notes}")


def part_html(part: Part) -> str:
    """One part as an HTML section (`<section id=KEY>` with an h2).

    Args:
        part: the part.

    Returns:
        The HTML.
    """
    blocks = []
    for block in part.blocks:
        if isinstance(block, Heading):
            blocks.append(f"<h3>{inline_html(block.text)}</h3>")
        elif isinstance(block, Bullets):
            blocks.append("<ul>" + "".join(f"<li>{inline_html(item)}</li>" for item in block.items) + "</ul>")
        elif isinstance(block, Table):
            blocks.append(table_html(block))
        else:
            blocks.append(f"<p>{inline_html(block)}</p>")
    return f'<section id="{part.key}"><h2>{html.escape(part.title)}</h2>{"".join(blocks)}</section>'
