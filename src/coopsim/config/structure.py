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

__all__ = ["Traits", "Funding", "Implementation", "Institutions", "Matching", "FollowUp", "Approval", "Renewal",
           "Revival", "PartnerSide", "RelationsEffects", "Turnover", "Decline"]


class Traits(Section):
    """How a regional government's traits follow its data (`coopsim.model.population`): each
    capacity is a Beta draw around the scenario's level in [regions], shifted by what the data
    say of the region (HDI as a z-score among the regions, city or regency, island group, log10
    population density). The shifts are judgement: no source gives their size, only their sign."""
    concentration: float = param(8.0, 0.5, 100, unit="a + b of the Beta", source=J,
                                 doc="how alike regions (and heads' commitment) are around the [regions] level; "
                                     "higher = more alike")
    hr_hdi_slope: float = param(0.06, 0, 0.3, unit="index per sd of HDI", source="Hambatan: SDM (judgement)",
                                doc="staff capacity of a region one standard deviation of HDI above the mean")
    hr_urban_shift: float = param(0.05, 0, 0.3, unit="index", source="Hambatan: SDM (judgement)",
                                  doc="staff capacity of cities and provinces above, and of regencies below, the level")
    data_hdi_slope: float = param(0.04, 0, 0.3, unit="index per sd of HDI", source="Hambatan: Data (judgement)",
                                  doc="data quality of a region one standard deviation of HDI above the mean")
    bureaucracy_hdi_slope: float = param(0.03, 0, 0.3, unit="index per sd of HDI",
                                         source="Hambatan: Policy and bureaucracy (judgement)",
                                         doc="professionalism of a region one standard deviation of HDI above the mean")
    infrastructure_density_slope: float = param(0.04, 0, 0.3, unit="index per log10(people/km2)",
                                                source="Hambatan: Infrastructure (judgement)",
                                                doc="roads of a denser region above those of a sparser one")
    density_reference: float = param(2.5, 0, 5, unit="log10(people/km2)", source=J,
                                     doc="density at which the density shift is 0 (about 300 people/km2)")
    infrastructure_jawa: float = param(0.15, -0.5, 0.5, unit="index", source="Hambatan: Infrastructure (judgement)",
                                       doc="roads of Java above the level (the best connected)")
    infrastructure_nusa_tenggara: float = param(0.0, -0.5, 0.5, unit="index", source=J,
                                                doc="roads of Bali and Nusa Tenggara against the level")
    infrastructure_sumatera: float = param(-0.05, -0.5, 0.5, unit="index",
                                           source="Hambatan: Infrastructure (poor roads between Sumatra's centres)",
                                           doc="roads of Sumatra against the level")
    infrastructure_kalimantan: float = param(-0.10, -0.5, 0.5, unit="index", source=J,
                                             doc="roads of Kalimantan against the level")
    infrastructure_sulawesi: float = param(-0.10, -0.5, 0.5, unit="index", source=J,
                                           doc="roads of Sulawesi against the level")
    infrastructure_maluku: float = param(-0.20, -0.5, 0.5, unit="index", source=J,
                                         doc="roads of Maluku against the level")
    infrastructure_papua: float = param(-0.25, -0.5, 0.5, unit="index", source=J,
                                        doc="roads of Papua against the level (the least connected)")
    potential_shape: float = param(2.0, 0.5, 20, unit="Beta(a, a) shape", source=J,
                                   doc="spread of each side's potential per sector (2: broad, hump-shaped)")

    def island_shifts(self) -> dict[str, float]:
        """Infrastructure offset of each island group of the data (a group not listed: 0)."""
        return {"Jawa": self.infrastructure_jawa, "Nusa Tenggara": self.infrastructure_nusa_tenggara,
                "Sumatera": self.infrastructure_sumatera, "Kalimantan": self.infrastructure_kalimantan,
                "Sulawesi": self.infrastructure_sulawesi, "Maluku": self.infrastructure_maluku,
                "Papua": self.infrastructure_papua}


class Funding(Section):
    """Where a partnership's money comes from (Hambatan: Funding), besides the budget line
    (`regions.budget_*`) and a dedicated budget (`levers.dedicated_budget`). Programmes run
    only as far as money is actually there: the partner co-funds, it does not pay for all."""
    discretionary_programs: float = param(3.0, 0, 10, unit="programs/year per region", source=J,
                                          doc="what a fully committed head can fund outside the budget line, shared by "
                                              "the partnerships by need x leadership (none in a crisis)")
    partner_money_share: float = param(0.5, 0, 1, unit="x program need", source="Actors: partners better resourced",
                                       doc="the partner's contribution at full capacity and engagement")
    partner_match_ratio: float = param(1.0, 0, 5, unit="x the region's own money", source="Menakar (7): balance",
                                       doc="the partner co-funds at most this multiple of what the region puts in")
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
    bureaucracy_sufficiency: float = param(0.6, 0.01, 1, unit="index", source="Hambatan: Policy and bureaucracy",
                                           doc="professionalism at which the bureaucracy stops limiting delivery "
                                               "(below it, delivery falls in proportion: levies, slow permits)")
    data_sufficiency: float = param(0.6, 0.01, 1, unit="clarity", source="Hambatan: Data",
                                    doc="clarity of programmes at which they stop limiting delivery (vague below)")
    engagement_sufficiency: float = param(0.6, 0.01, 1, unit="engagement", source="Actors: foreign partners",
                                          doc="partner engagement at which it stops limiting delivery")
    rule_change_penalty: float = param(0.3, 0, 1, unit="index", source="Hambatan: Policy",
                                       doc="delivery lost in a year of rule changes where rules contradict the centre")
    infrastructure_sufficiency: float = param(0.6, 0.01, 1, unit="index", source="Hambatan: Infrastructure",
                                              doc="infrastructure at which roads stop limiting trade, industry and "
                                                  "agriculture programmes (they deliver in proportion below it)")
    transport_cost: float = param(2.0, 0, 5, unit="x programme cost", source="Hambatan: Infrastructure",
                                  doc="extra cost of trade, industry and agriculture programmes with no roads (poor "
                                      "roads raise transport cost), less as roads approach sufficiency")
    programme_failure: float = param(0.3, 0, 1, unit="probability/year", source="Hambatan: Data; Infrastructure",
                                     doc="chance a programme fails in a year when it is wholly vague (no clarity) or, "
                                         "for trade, industry and agriculture, has no roads; less as clarity and roads "
                                         "approach sufficiency. A partnership with no programme left ends")
    legal_loss: float = param(0.5, 0, 1, unit="share of delivery", source="Menakar (1): legalisation",
                              doc="delivery lost by an agreement with no binding force (no decree, Perda or committee)")
    legal_obligation_weight: float = param(1.0, 0, 1, unit="per obligation", source="Menakar (1)",
                                           doc="binding force a decree (obligation 0.5) or Perda (1) gives, times this")
    legal_committee_weight: float = param(0.5, 0, 1, unit="index", source="Conditions: joint committee",
                                          doc="binding force a joint committee adds")
    junket_committee_damping: float = param(0.5, 0, 1, unit="share", source="Conditions: joint committee",
                                            doc="share of junkets a joint committee prevents")
    benefit_reference: float = param(0.05, 0, 1, unit="benefit per need", source=J,
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
    community_carry: float = param(0.6, 0, 1, unit="x people-to-people ties", source="Conditions: people-to-people",
                                   doc="how far people-to-people ties carry a partnership without its sponsor")
    tie_quarters: float = param(8.0, 1, 80, unit="quarters", source=J,
                                doc="active quarters for people-to-people ties to reach the region's participation")
    community_reach: float = param(0.5, 0, 1, unit="share of benefits", source="Menakar (6)",
                                   doc="share of benefits that reaches people only through community participation")
    maturity_protection: float = param(0.0, 0, 0.95, unit="share of each ending hazard",
                                       source="liability of newness (Stinchcombe 1965; Freeman, Carroll and Hannan "
                                              "1983; Levinthal and Fichman 1988); judgement, 0 = off",
                                       doc="how far a long-running partnership's hazards (going dormant, being dropped "
                                           "for other priorities, the partner leaving, lapsing at term end) are lowered "
                                           "by the routines, ties and habits its active years built")
    maturity_years: float = param(10.0, 1, 40, unit="years active", source=J,
                                  doc="active years over which a partnership gains 63% of that protection "
                                      "(1 - exp(-years / maturity_years))")


class Matching(Section):
    """Exploration and partner choice (mechanisms a, i; Usmar Salam's matching)."""
    drive_offset: float = param(0.5, 0, 2, unit="index", source=J,
                                doc="exploration drive with an uncommitted head and no staff")
    diplomat_boost: float = param(0.5, 0, 5, unit="x", source="Actors: Kemlu diplomat",
                                  doc="extra exploration and follow-up with a diplomat on site")
    roads_deterrence: float = param(0.5, 0, 1, unit="share", source="Hambatan: Infrastructure",
                                    doc="share of foreign investors' explorations deterred by a region with no roads")
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
    bureaucracy_delay: float = param(0.6, 0, 1, unit="share of pace", source="Hambatan: Policy and bureaucracy",
                                     doc="follow-up pace a wholly rent-seeking bureaucracy loses")
    misjudged_follow_up: float = param(0.5, 0, 1, unit="share", source="Hambatan: Data",
                                       doc="follow-up chance lost when the partner was misjudged (poor data)")
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
    unfunded_approval: float = param(0.5, 0, 1, unit="x approval chance", source="Lifecycle: DPRD approves MoU and funding",
                                     doc="approval chance of an MoU whose cost the region's money does not cover at all "
                                         "(no budget line, dedicated budget or head's funds left), relative to a fully "
                                         "covered one; in between in proportion")
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
    obligation_bonus: float = param(0.4, 0, 1, unit="probability", source="Recommendations: SK / Perda",
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


class PartnerSide(Section):
    """Foreign local governments decide too (Actors): their own heads change, they review
    their partnerships once a year in their budget cycle, carry only so many, and leave
    those that deliver little."""
    portfolio_base: float = param(1.0, 0, 50, unit="partnerships", source=J,
                                  doc="partnerships a partner with no resources carries at once")
    portfolio_per_capacity: float = param(6.0, 0, 100, unit="partnerships per capacity point", source=J,
                                          doc="extra partnerships a partner carries per point of resources")
    adoption_probability: float = param(0.6, 0, 1, unit="probability", source="Menakar: turnover (both sides)",
                                        doc="a partner's new head keeps its engagement in a partnership")
    turnover_loss: float = param(0.5, 0, 1, unit="share of engagement", source=J,
                                 doc="engagement lost when the partner's new head does not adopt a partnership")
    engagement_rate: float = param(0.1, 0, 1, unit="per quarter", source=J,
                                   doc="how fast engagement moves toward what the partnership is worth to the partner")
    benefit_weight: float = param(2.0, 0, 5, unit="per benefit ratio", source="Menakar (7): balance",
                                  doc="how much delivered benefits raise the partner's interest in a partnership")
    benefit_reference: float = param(0.1, 0, 1, unit="benefits per need", source=J,
                                     doc="delivery below which the partner's interest fades")
    exit_engagement: float = param(0.15, 0, 1, unit="engagement", source="Actors: partner may withdraw",
                                   doc="at its yearly budget review a partner ends a partnership engaged below this")
    legal_hold: float = param(0.5, 0, 1, unit="share", source="Menakar (1): obligation",
                              doc="how much binding force lowers the partner's exit threshold")
    default_term_years: float = param(4.0, 1, 10, unit="years", source=J,
                                      doc="term of a partner's head where the country data give none")
    capacity_gdp_slope: float = param(0.1, 0, 1, unit="per log GDP per capita", source="SOURCES: countries.csv",
                                      doc="how much richer countries' partners have more resources")
    gravity_share: float = param(0.5, 0, 1, unit="share of the pool", source="SOURCES: countries.csv",
                                 doc="share of the synthetic pool drawn by the gravity weight (rest: known ties)")
    distance_exponent: float = param(1.0, 0, 3, unit="exponent", source="gravity model (judgement)",
                                     doc="gravity weight falls with distance to the power of this")
    population_exponent: float = param(0.5, 0, 2, unit="exponent", source="gravity model (judgement)",
                                       doc="gravity weight rises with population to the power of this")


class RelationsEffects(Section):
    """How the relations between Indonesia and a partner country act (scenarios script episodes
    in `[[relations]]`): each pathway's factor is 1 - sensitivity x (1 - level)."""
    search_sensitivity: float = param(1.0, 0, 1, unit="share", source="Actors: central government",
                                      doc="how much soured relations make a partner decline an exploration")
    follow_up_sensitivity: float = param(1.0, 0, 1, unit="share", source=J,
                                         doc="how much soured relations slow follow-up to a letter of intent")
    approval_sensitivity: float = param(1.0, 0, 5, unit="x delay", source="Actors: Kemlu consideration",
                                        doc="Foreign Ministry consideration delay multiplies by 1 + this x (1 - level)")
    engagement_sensitivity: float = param(1.0, 0, 1, unit="share", source=J,
                                          doc="how much soured relations lower the partner's engagement target")
    renegotiation_sensitivity: float = param(1.0, 0, 1, unit="share", source=J,
                                             doc="how much soured relations lower re-signing and revival")


class Turnover(Section):
    """A new regional head keeps, weakens or drops a predecessor's partnership (Menakar:
    turnover): the chance to keep rises with what the partnership shows."""
    visibility_weight: float = param(0.15, 0, 1, unit="per visibility", source=J,
                                     doc="keep chance added by visibility (share of sectors with programs)")
    benefit_weight: float = param(0.3, 0, 1, unit="per mean activity", source="Menakar (6)",
                                  doc="keep chance added by what it delivered")
    community_weight: float = param(0.3, 0, 1, unit="per tie", source="Conditions: people-to-people",
                                    doc="keep chance added by people-to-people ties")
    institution_weight: float = param(0.3, 0, 1, unit="per support", source="Conditions: continuity",
                                      doc="keep chance added by institutions (bureau, decree/Perda, RPJMD, committee)")
    weaken_share: float = param(0.5, 0, 1, unit="share", source=J,
                                doc="of those not kept, the share weakened rather than dropped")
    weaken_factor: float = param(0.5, 0, 1, unit="x commitment", source=J,
                                 doc="sponsorship of a weakened partnership, times the new head's commitment")


class Decline(Section):
    """Natural decline: even a well-run partnership ends (purpose achieved, champions fading,
    competing priorities)."""
    completion_benefit: float = param(6.0, 0, 100, unit="benefit-years per program", source=J,
                                      doc="delivered benefits per program at which its purpose is achieved")
    completion_probability: float = param(0.5, 0, 1, unit="probability", source=J,
                                          doc="at term end, a partnership that achieved its purpose is concluded")
    committee_renews: float = param(0.5, 0, 1, unit="probability", source="Conditions: joint committee (continuity)",
                                    doc="a partnership with a joint committee sets new programmes when its purpose is "
                                        "achieved, instead of being concluded")
    sponsor_fade: float = param(0.01, 0, 1, unit="per quarter", source="Menakar: champions",
                                doc="a sponsor's commitment to a partnership fades by this share each quarter")
    priority_shift: float = param(0.03, 0, 1, unit="probability/year", source=J,
                                  doc="a partnership is dropped for competing priorities (x (1 - leadership) x (1 - activity))")
