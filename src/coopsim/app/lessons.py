"""The class app's lessons: presets that set up the paper's cases in one click, each with a short
explanation (its words are in the message catalogues, `lesson.<key>.title` and `.text`).

A lesson starts from the class scenario shipped in the package (the 38 provinces with the two
Yogyakarta cases), sets a few scenario parameters and sliders, and may run a second model with
the same seed and one lever changed, side by side. The model's numbers are its own: a lesson
only chooses a scenario, it never changes how the model computes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Lesson", "LESSONS", "COMPARISONS", "INSTITUTIONS"]

#: The levers that outlast a politician (the paper's Conditions): one switch in a comparison.
INSTITUTIONS = {"joint_committee": True, "perda": True, "mid_term_plan": True}

#: What a side-by-side comparison can switch: any lever, or the institutions together.
COMPARISONS = ("institutions", "joint_committee", "dedicated_budget", "cooperation_bureau", "diplomat",
               "data_platform", "hr_training", "perda", "mid_term_plan", "community_program")


@dataclass(frozen=True)
class Lesson:
    """One preset.

    Attributes:
        key: its name in the catalogues (`lesson.<key>.title`, `lesson.<key>.text`).
        overrides: scenario parameters (dotted path -> value) set on the class scenario.
        values: slider and switch values (the others keep the scenario's own).
        compare: a lever of COMPARISONS run side by side with the same seed, or ''.
        focus: the map's filter ('' = all Indonesia, an island group or a province ISO code).
        show_cases: show the timeline of the scenario's named cases (Kyoto, Ismailiya).
    """
    key: str
    overrides: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    compare: str = ""
    focus: str = ""
    show_cases: bool = False


#: The presets, in the order the page lists them.
LESSONS = {lesson.key: lesson for lesson in (
    # Yogyakarta-Kyoto (a joint committee, funds on both sides, good data) against
    # Yogyakarta-Ismailiya (none of these), in the same province under the same head.
    Lesson("kyoto", focus="ID-YO", show_cases=True),
    # Every elected head faces the voters in 2026 Q1; the same run with the institutions
    # (joint committee, Perda, mid-term plan) beside it.
    Lesson("election", overrides={"elections.first_year": 2026}, compare="institutions"),
    # A national crisis cuts cooperation budgets by 80% for two years from 2027 (as in 1998),
    # then budgets return: which partnerships restart?
    Lesson("crisis", overrides={"shock.crisis_year": 2027, "shock.budget_cut": 0.8,
                                "shock.duration_years": 2.0}, compare="dedicated_budget"),
)}
