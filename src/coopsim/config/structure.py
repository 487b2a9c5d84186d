"""The structural constants of the mechanisms: every number that shapes how an obstacle or an
institution acts, declared as a scenario parameter (unit, range, default, source) instead of a
literal in `coopsim.model.mechanisms`. Defaults reproduce the calibrated model; most are
judgement (no source pins them down) and belong in sensitivity analyses of the model's form.
`implementation.binding` chooses how the obstacles combine.
"""

from __future__ import annotations

from typing import Literal

from coopsim.config.parameters import JUDGEMENT as J
from coopsim.config.parameters import Section, param

__all__ = ["Funding", "Implementation", "Institutions", "Matching", "FollowUp", "Approval", "Renewal",
           "Revival"]


class Funding(Section):
    """Where a partnership's money comes from (Hambatan: Funding), besides the budget line
    (`regions.budget_*`) and a dedicated budget (`levers.dedicated_budget`)."""
    adhoc_money_share: float = param(0.4, 0, 1, unit="x program need", source=J,
                                     doc="the head's discretionary money at full leadership (none in a crisis)")
    partner_money_share: float = param(0.5, 0, 1, unit="x program need", source="Actors: partners better resourced",
                                       doc="the partner's contribution at full capacity and engagement")
    budget_line_spread: float = param(0.3, 0, 2, unit="sd (log)", source=J,
                                      doc="variation of budget-line size among regions")
    programs_province: float = param(6.0, 0, 50, unit="programs/year", source=J,
                                     doc="programs a province's budget line at level 1 pays for")
    programs_regency: float = param(3.0, 0, 50, unit="programs/year", source=J,
                                    doc="programs a regency's budget line at level 1 pays for")
    programs_city: float = param(4.0, 0, 50, unit="programs/year", source=J,
                                 doc="programs a city's budget line at level 1 pays for")


class Implementation(Section):
    """How each obstacle limits a quarter's activity (Hambatan; mechanisms c, d, h)."""
    binding: Literal["liebig", "multiplicative"] = param(
        "liebig", source="model form",
        doc="liebig: the scarcest input sets activity; multiplicative: all inputs multiply")
    staff_spread: float = param(1.8, 0, 10, unit="x hr / sqrt(partnerships)", source="Hambatan: SDM",
                                doc="staff capacity spread over the region's active partnerships")
    precision_floor: float = param(0.1, 0, 1, unit="index", source=J,
                                   doc="programs' precision with no clarity at all (Hambatan: Data)")
    bureaucracy_floor: float = param(0.15, 0, 1, unit="index", source=J,
                                     doc="delivery with a wholly rent-seeking bureaucracy")
    bureaucracy_weight: float = param(0.9, 0, 2, unit="per index point", source=J,
                                      doc="how much professionalism adds to delivery")
    rule_change_penalty: float = param(0.3, 0, 1, unit="index", source="Hambatan: Policy",
                                       doc="delivery lost in a year of rule changes where rules contradict the centre")
    legal_floor: float = param(0.55, 0, 1, unit="index", source=J,
                               doc="binding force of an agreement with no decree, Perda or committee")
    legal_obligation_weight: float = param(0.25, 0, 1, unit="per obligation", source="Menakar (1)",
                                           doc="binding force a decree (0.5) or Perda (1) adds")
    legal_committee_weight: float = param(0.3, 0, 1, unit="index", source="Conditions: joint committee",
                                          doc="binding force a joint committee adds")
    junket_committee_damping: float = param(0.5, 0, 1, unit="share", source="Conditions: joint committee",
                                            doc="share of junkets a joint committee prevents")
    engagement_reference: float = param(0.3, 0, 1, unit="activity", source=J,
                                        doc="activity above which the partner's engagement grows")
    imbalance_penalty: float = param(0.5, 0, 5, unit="x feedback", source="Menakar (7)",
                                     doc="engagement lost when the partner pays for everything")
    benefit_reference: float = param(0.1, 0, 1, unit="benefit per need", source=J,
                                     doc="benefits per unit of need below which support falls")
    support_feedback: float = param(0.125, 0, 1, unit="per quarter", source="Menakar (6)",
                                    doc="share of the feedback that reaches community participation and DPRD support")


class Institutions(Section):
    """What carries a partnership when its sponsor is gone (Conditions: continuity)."""
    bureau_weight: float = param(0.35, 0, 1, unit="share", source="Recommendations: bureau",
                                 doc="institutional support from a cooperation bureau")
    legal_weight: float = param(0.15, 0, 0.5, unit="share per level", source="Recommendations: SK / Perda",
                                doc="institutional support per legal level (decree 1, Perda 2)")
    plan_weight: float = param(0.3, 0, 1, unit="share", source="Conditions: RPJMD",
                               doc="institutional support from the mid-term plan")
    committee_weight: float = param(0.6, 0, 1, unit="share", source="Conditions: joint committee",
                                    doc="institutional support from a joint committee")
    sponsor_replacement: float = param(0.85, 0, 1, unit="x institutional support", source=J,
                                       doc="how far institutions replace a lost sponsor")


class Matching(Section):
    """Exploration and partner choice (mechanisms a, i; Usmar Salam's matching)."""
    drive_offset: float = param(0.5, 0, 2, unit="index", source=J,
                                doc="exploration drive with an uncommitted head and no staff")
    diplomat_boost: float = param(0.5, 0, 5, unit="x", source="Actors: Kemlu diplomat",
                                  doc="extra exploration and follow-up with a diplomat on site")
    attractiveness: float = param(2.0, 0, 10, unit="x", source="Riau pattern",
                                  doc="scale of foreign explorations drawn by a region's strongest sector")
    data_weight: float = param(0.65, 0, 1, unit="share", source="Hambatan: Data",
                               doc="weight of the region's own data in what it knows of a partner")
    openness_weight: float = param(0.35, 0, 1, unit="share", source="Hambatan: Data",
                                   doc="weight of the partner's openness")
    diplomat_data: float = param(0.15, 0, 1, unit="index points", source="Actors: Kemlu diplomat",
                                 doc="knowledge a diplomat adds")
    perception_noise: float = param(0.35, 0, 2, unit="sd", source="Hambatan: Data",
                                    doc="error in judging a candidate's value with no data")
    program_noise: float = param(0.3, 0, 2, unit="sd", source="Hambatan: Data",
                                 doc="error in choosing programs' sectors with no data")
    extra_programs: int = param(4, 0, 6, unit="programs", source=J,
                                doc="most programs beyond the first (binomial)")
    program_probability: float = param(0.5, 0, 1, unit="probability", source=J,
                                       doc="chance of each extra program")
    top_sectors: int = param(3, 1, 7, unit="sectors", source=J,
                             doc="a partnership's value is that of its best few sectors")
    complementarity_base: float = param(0.6, 0, 1, unit="share", source="Usmar Salam",
                                        doc="value of a sector with identical potentials (gap adds the rest)")


class FollowUp(Section):
    """From exploration to a drafted MoU (Riau: no follow-up)."""
    speed_floor: float = param(0.4, 0, 1, unit="index", source=J,
                               doc="pace of a wholly rent-seeking bureaucracy")
    staff_offset: float = param(0.3, 0, 2, unit="index", source=J,
                                doc="follow-up chance with no staff capacity")
    sponsor_offset: float = param(0.3, 0, 2, unit="index", source=J,
                                  doc="follow-up chance with no sponsor")
    drafting_floor: float = param(0.4, 0, 1, unit="index", source=J,
                                  doc="drafting pace with no data, staff, pace or sponsor")
    loi_patience: float = param(2.0, 0, 10, unit="x exploration patience", source=J,
                                doc="how much longer a letter of intent waits for a draft")


class Approval(Section):
    """Foreign Ministry consideration and DPRD approval (mechanism b)."""
    alignment_offset: float = param(1.5, 1, 5, unit="x delay", source="Hambatan: Policy",
                                    doc="consideration delay factor is this minus regulatory alignment")
    rule_change_delay: float = param(2.0, 1, 10, unit="x delay", source="Hambatan: Policy",
                                     doc="slower consideration in a year of rule changes")
    dprd_floor: float = param(0.4, 0, 1, unit="probability", source=J,
                              doc="approval chance with no DPRD support")
    dprd_weight: float = param(0.6, 0, 1, unit="probability", source="Lifecycle: DPRD approval",
                               doc="approval chance DPRD support adds")
    sponsor_floor: float = param(0.6, 0, 1, unit="share", source=J,
                                 doc="DPRD support counted with no sponsor or institution")
    legal_bonus: float = param(0.1, 0, 1, unit="probability per level", source="Recommendations: Perda",
                               doc="approval chance a decree or Perda adds")
    short_term_years: int = param(3, 1, 10, unit="years", source="Lifecycle: terms",
                                  doc="the shorter MoU term")
    long_term_years: int = param(5, 1, 10, unit="years", source="Lifecycle: terms",
                                 doc="the longer MoU term (always with a decree or Perda)")
    short_term_share: float = param(0.5, 0, 1, unit="probability", source=J,
                                    doc="chance an MoU without a legal umbrella runs the shorter term")


class Renewal(Section):
    """Yearly evaluation and renewal at term end (mechanism f)."""
    clarity_gain: float = param(0.15, 0, 1, unit="per meeting", source="Conditions: yearly evaluation",
                                doc="clarity a joint evaluation adds (x (0.5 + staff))")
    staff_offset: float = param(0.5, 0, 2, unit="index", source=J,
                                doc="evaluation's clarity gain with no staff capacity")
    engagement_gain: float = param(0.05, 0, 1, unit="per meeting", source="Conditions: yearly evaluation",
                                   doc="partner engagement a joint evaluation adds")
    meeting_probability: float = param(0.5, 0, 1, unit="probability/year", source="Forms: growth areas",
                                       doc="chance a growth-area meeting evaluates a member pair")
    base: float = param(-0.3, -1, 1, unit="probability", source=J,
                        doc="renewal chance offset (plus DPRD support and recent activity)")
    committee_bonus: float = param(0.4, 0, 1, unit="probability", source="Conditions: joint committee",
                                   doc="renewal chance a joint committee adds")
    obligation_bonus: float = param(0.2, 0, 1, unit="probability", source="Recommendations: SK / Perda",
                                    doc="renewal chance a binding legal form adds")
    leadership_bonus: float = param(0.2, 0, 1, unit="per index point", source="Menakar: turnover",
                                    doc="renewal chance per point of leadership above the reference")
    leadership_reference: float = param(0.5, 0, 1, unit="index", source=J,
                                        doc="leadership at which it neither helps nor hurts renewal")


class Revival(Section):
    """Reviving a dormant partnership and re-signing an ended one (mechanism g)."""
    commitment_offset: float = param(0.5, 0, 2, unit="index", source=J,
                                     doc="revival chance factor with an uncommitted head")
    committee_factor: float = param(2.0, 0, 10, unit="x", source="Conditions: joint committee",
                                    doc="extra revival chance with a joint committee")
    budget_offset: float = param(0.5, 0, 2, unit="index", source="Hambatan: Funding",
                                 doc="revival chance factor without a budget line (plus 1 with one)")
    engagement_restore: float = param(0.6, 0, 1, unit="x interest", source=J,
                                      doc="partner engagement restored on revival")
    resign_share: float = param(0.25, 0, 1, unit="x revival rate", source="SOURCES: West Java - South Australia",
                                doc="re-signing chance of an ended agreement")
