"""The model's words, declared once: stages, binding causes, sectors and every outcome a
command reports (its key, its words for tables, its unit, and whether more is better).

Every command reads these: the model records by them, `coopsim sensitivity` and
`coopsim compare` label their tables and figures from them, experiment files are checked
against them. A new outcome is one line in `OUTCOMES` (and its computation in
`coopsim.model.outcomes`).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["HORIZONS", "STAGES", "STAGE_WORDS", "CAUSES", "STAGNATION_CAUSES", "FAILURE_CAUSES", "SECTORS", "ECONOMIC_SECTOR_NAMES", "Outcome", "OUTCOMES",
           "MODEL_OUTPUTS", "outcome", "words", "short_number"]

#: Lifecycle of a partnership (section 'Forms and lifecycle'), in order.
STAGES = ("exploration", "loi", "mou", "active", "stagnant", "ended")
STAGE_WORDS = {"exploration": "exploration", "loi": "letter of intent", "mou": "MoU (awaiting approval)",
               "active": "active", "stagnant": "stagnant (dormant)", "ended": "ended"}

#: Binding causes of a stagnation or an ending (section 'Hambatan', plus turnover and partner), then
#: the reasons that are not an obstacle of the region: soured relations between the countries, a
#: purpose achieved (programmes completed) and competing priorities (natural decline).
CAUSES = ("budget", "hr", "data", "leadership", "bureaucracy", "infrastructure", "partner", "legal",
          "relations", "completed", "priorities")
#: The inputs of a quarter's activity (implementation): the only causes a stagnation can have.
STAGNATION_CAUSES = CAUSES[:8]
#: The causes that are a failure (a purpose achieved is not).
FAILURE_CAUSES = tuple(c for c in CAUSES if c != "completed")

#: Sectors of the regions' and partners' potential maps.
SECTORS = ("culture", "education", "tourism", "industry", "trade", "agriculture", "environment")
ECONOMIC_SECTOR_NAMES = ("industry", "trade", "agriculture")


#: Years after which the stock of active partnerships and the survival of new ones are reported
#: (`active_5y`, `survival_5y`, ...). Adding a year here adds both outcomes to every command.
HORIZONS = (5, 10)


@dataclass(frozen=True)
class Outcome:
    """One reported outcome.

    Attributes:
        key: column name in every table (`summary.parquet`, `outputs.parquet`, `effects.csv`).
        words: what it is, for tables and figures.
        unit: its unit ("partnerships", "years", "share", ...).
        good: +1 when more is better, -1 when less is better, 0 when neither (spending).
        share: a share in [0, 1] (shown in %, differences in percentage points).
    """
    key: str
    words: str
    unit: str
    good: int
    share: bool = False

    @property
    def label(self) -> str:
        """Words with the unit, e.g. 'benefits delivered (programme units)'."""
        return f"{self.words} ({self.unit})" if self.unit not in ("", "share", "partnerships", "failures") \
            else self.words


def _declare() -> dict[str, Outcome]:
    rows = [
        Outcome("share_failed", "share of signed partnerships stagnant or ended at the horizon", "share", -1,
                share=True),
        Outcome("mean_active_lifetime", "mean active lifetime of a partnership", "years", +1),
        Outcome("benefits", "benefits delivered", "programme units", +1),
        Outcome("signed", "partnerships signed during the run", "partnerships", +1),
        Outcome("active_end", "partnerships active at the horizon", "partnerships", +1),
    ]
    rows += [Outcome(f"active_{k}y", f"active partnerships after {k} years", "partnerships", +1) for k in HORIZONS]
    rows += [Outcome(f"survival_{k}y", f"new partnerships still active {k} years after signing", "share", +1,
                     share=True) for k in HORIZONS]
    rows += [Outcome(f"cohort_survival_{k}y", f"partnerships active at the start still active {k} years later",
                     "share", +1, share=True) for k in HORIZONS]
    rows += [
        Outcome("spending", "regional spending on cooperation", "budget units", 0),
        Outcome("junkets", "spending lost to junkets (trips)", "budget units", -1),
        Outcome("misjudged_share", "share of partnerships that misjudged the partner", "share", -1, share=True),
        Outcome("clarity", "mean clarity of signed partnerships' programmes", "index", +1),
        Outcome("failures_total", "failures (stagnations and unrenewed lapses), all causes", "failures", -1),
    ]
    rows += [Outcome("completed", "partnerships concluded with their purpose achieved", "partnerships", +1)]
    rows += [Outcome(f"failures_{c}", f"failures caused by {c}", "failures", -1) for c in FAILURE_CAUSES]
    rows += [Outcome("failure_hazard", "failure hazard, all causes", "failures per active partnership-year", -1)]
    return {o.key: o for o in rows}


OUTCOMES: dict[str, Outcome] = _declare()

#: What one model run reports (`coopsim.model.outcomes.summarize`, in this order): the outputs an
#: experiment file may name.
MODEL_OUTPUTS = (("share_failed", "mean_active_lifetime", "benefits", "signed", "active_end")
                 + tuple(f"survival_{k}y" for k in HORIZONS)
                 + tuple(f"cohort_survival_{k}y" for k in HORIZONS)
                 + ("spending", "junkets", "misjudged_share", "clarity", "completed")
                 + tuple(f"failures_{c}" for c in FAILURE_CAUSES) + ("failure_hazard",))


def outcome(key: str) -> Outcome:
    """The declaration of outcome `key` (KeyError for an unknown one)."""
    return OUTCOMES[key]


def words(key: str) -> str:
    """Words for an outcome or any other key: the declared words, else the key made readable."""
    found = OUTCOMES.get(key)
    return found.words if found else key.replace("_", " ")


def short_number(v: float) -> str:
    """A threshold or limit for prose: three significant figures, no trailing zeros."""
    v = float(v)
    if v != 0 and (abs(v) >= 1000 or abs(v) < 0.01):
        return f"{v:.3g}"
    return f"{v:.3f}".rstrip("0").rstrip(".") if abs(v) < 10 else f"{v:.1f}".rstrip("0").rstrip(".")
