"""A planner's own region: a scenario's `[[profiles]]` (`coopsim.config.profiles`) override the
drawn traits of named regions, and their existing partnerships, for those regions only.

`CoopModel` calls `apply_profiles` once the population is drawn and the known partnerships
are seeded (`seed_known_partnerships` leaves the profiled regions out, drawing for them all
the same, so no other region's start moves). For each profile: the traits it sets replace
the drawn ones, the levers scoped to the region act on top of them (staff training adds to
the profile's staff, a bureau lever gives a bureau, ...), then the region's partnerships are
added: the profile's list if it has one, the known ones of the data otherwise. A profile's
own random numbers (programmes of its partnerships, unknown signing years, a new partner's
potential) come from a stream keyed by the seed and the region, so profiling one region
leaves every other stream of the run where it was.
"""

from __future__ import annotations

import unicodedata

import numpy as np

from coopsim.config.errors import Text, UserError
from coopsim.config.profiles import LEGAL_LEVELS, Profile
from coopsim.config.toml import excerpt
from coopsim.model.partnerships import ACTIVE, EXPLORATION, LOI, STAGNANT
from coopsim.model.population import find_region, institutionalisation, lever_scope, unit
from coopsim.model.seeding import add_partner, add_signed, seed_known_partnerships

__all__ = ["PROFILE_STREAM", "STAGE_OF_STATUS", "apply_profiles", "profile_rng",
           "profiled_region"]

#: Stage code of a profile partnership's `status`.
STAGE_OF_STATUS = {"active": ACTIVE, "stagnant": STAGNANT, "exploration": EXPLORATION, "loi": LOI}
#: First word of the spawn key of a profile's random stream: (PROFILE_STREAM, region index); the
#: mechanisms' streams have one-word keys (`coopsim.model.model.random_streams`), so never collide.
PROFILE_STREAM = 1_000


def profile_rng(model, region: int) -> np.random.Generator:
    """The random stream of one profiled region: from the run's seed and the region only.

    Args:
        model: the model (its `seed`).
        region: the region's index.

    Returns:
        A generator no other part of the run draws from.
    """
    return np.random.default_rng(np.random.SeedSequence(model.seed, spawn_key=(PROFILE_STREAM, int(region))))


def profiled_region(model, k: int, profile: Profile) -> int:
    """The index of the region a profile names, or an error naming the file and the key.

    Args:
        model: the model (its regions table and scenario file).
        k: the profile's position in `profiles`.
        profile: the profile.

    Returns:
        The region's row in `model.regions`.

    Raises:
        UserError: no region of the run has that name (with the closest names).
    """
    try:
        return find_region(model.regions.table, profile.region)
    except UserError as err:   # find_region's words, with the file and key
        raise UserError(Text("error.at_key", origin=_origin(model), key=f"profiles[{k}].region",
                             problem=err.message)) from None


def _origin(model) -> "str | Text":
    """The scenario file, starting a message ('the scenario' for one built in code)."""
    return model.params.source_file or Text("error.the_scenario")


def apply_profiles(model, from_past: bool = False) -> None:
    """Override the traits and the partnerships of every region the scenario profiles.

    Args:
        model: a model whose population is drawn and known partnerships seeded.
        from_past: the start came from a reconstruction of the past, which signed the known
            partnerships in their years: a profile without a list keeps what its region
            inherited (nothing is seeded again), one with a list replaces it.

    Raises:
        UserError: a profile names no region of the run, names one twice, or sets the next
            election of a head who is not elected.
    """
    profiles = model.params.profiles
    if not profiles:
        return
    regions, seen = model.regions, {}
    scoped = lever_scope(model.params, regions.table)
    for k, profile in enumerate(profiles):
        i = profiled_region(model, k, profile)
        if i in seen:
            raise UserError(Text("error.at_key", origin=_origin(model), key=f"profiles[{k}].region",
                                 problem=Text("profile.region_twice", region=excerpt(profile.region),
                                              other=seen[i])))
        seen[i] = k
        _set_traits(model, k, i, profile, bool(scoped[i]))
    regions.institutionalisation = institutionalisation(model.params, regions.bureau, regions.legal,
                                                        regions.mid_term_plan)
    sim = model.params.simulation
    known = sim.seed_known_partnerships and sim.population == "indonesia"   # as CoopModel seeds them
    for k, profile in enumerate(profiles):
        i = profiled_region(model, k, profile)
        if profile.partnerships is not None:
            if from_past:   # the planner's list is what the region has: the past's rows go
                model.partnerships.drop(np.flatnonzero(model.partnerships.region[: model.partnerships.n] == i))
            _add_partnerships(model, i, profile)
        elif known and not from_past:
            seed_known_partnerships(model, only=i, rng=profile_rng(model, i))


def _set_traits(model, k: int, i: int, profile: Profile, scoped: bool) -> None:
    """The traits a profile sets, with the levers scoped to the region on top."""
    r, lev = model.regions, model.params.levers
    if profile.budget_line is not None or profile.budget_programs is not None:
        r.budget[i] = r.budget_base[i] = _budget(model, i, profile)
    if profile.hr is not None:
        r.hr[i] = unit(profile.hr + lev.hr_training * scoped)
    if profile.data is not None:
        r.data[i] = unit(profile.data + lev.data_platform_gain * (lev.data_platform and scoped))
    if profile.bureaucracy is not None:
        r.bureaucracy[i] = profile.bureaucracy
    if profile.cooperation_bureau is not None:
        r.bureau[i] = profile.cooperation_bureau or (lev.cooperation_bureau and scoped)
    if profile.legal_umbrella is not None:
        r.legal[i] = max(LEGAL_LEVELS[profile.legal_umbrella], LEGAL_LEVELS[lev.legal_umbrella] * scoped)
    if profile.mid_term_plan is not None:
        r.mid_term_plan[i] = profile.mid_term_plan or (lev.mid_term_plan and scoped)
    if profile.leader_commitment is not None:
        r.leader_commitment[i] = profile.leader_commitment
    if profile.next_election_year is not None:
        if r.unelected[i]:
            raise UserError(Text("error.at_key", origin=_origin(model), key=f"profiles[{k}].next_election_year",
                                 problem=Text("profile.not_elected", region=r.table["name"].iat[i])))
        start = model.params.simulation.start_year
        r.next_election[i] = (profile.next_election_year - start) * model.steps_per_year


def _budget(model, i: int, profile: Profile) -> float:
    """The budget line a profile gives (programs/year; 0: none): its size, or the drawn line,
    or a line of the typical size of the region's level where none was drawn."""
    if profile.budget_line is False:
        return 0.0
    if profile.budget_programs is not None:
        return profile.budget_programs
    if model.regions.budget_base[i] > 0:
        return float(model.regions.budget_base[i])
    level, f = model.regions.table["level"].iat[i], model.params.funding
    size = {"province": f.programs_province, "regency": f.programs_regency, "city": f.programs_city}[level]
    return model.params.regions.budget_level * size


def _add_partnerships(model, i: int, profile: Profile) -> None:
    """A profile's partnerships, as they stand at the start (a partner not in the pool joins it)."""
    if not profile.partnerships:
        return
    rng = profile_rng(model, i)
    partners = [_partner_index(model, p.partner, p.country, rng) for p in profile.partnerships]
    stages = np.array([STAGE_OF_STATUS[p.status] for p in profile.partnerships])
    years = [p.year for p in profile.partnerships]
    add_signed(model, np.full(len(partners), i), np.array(partners), stages, years, rng, known=True)


def _partner_index(model, name: str, country: str, rng: np.random.Generator) -> int:
    """A partner of the pool by name (and country, if given), ignoring case and accents
    ('Kochi' finds 'Kōchi'); a new partner of the pool otherwise."""
    names = [_plain(n) for n in model.partners.name]
    countries = [_plain(c) for c in model.partners.country]
    for j, (n, c) in enumerate(zip(names, countries)):
        if n == _plain(name) and (not country or c == _plain(country)):
            return j
    return add_partner(model, name, country, rng=rng)


def _plain(text: str) -> str:
    """Lower case, without accents or surrounding spaces."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip().lower()
