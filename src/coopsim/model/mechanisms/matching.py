"""Partner search and the first steps of a partnership (mechanisms a and i).

A region explores (penjajakan) at a rate raised by its head's commitment, its staff and a
diplomat; foreign governments also explore regions (the Riau pattern). The region compares a
few candidate partners by the complementarity of their potential maps (Usmar Salam: strong
helps weak, exchange of advantages), but sees it through its data: with poor data the
estimate is noisy, matches are misjudged (and then less often followed up) and programs are
chosen vaguely. The partner decides too: one at its portfolio limit or from a country whose
relations with Indonesia have soured declines. Growth-area
members find partners in member countries more easily and know more about them.
Explorations become letters of intent only if someone follows up (staff, sponsor,
bureaucracy); foreign-initiated ones need an active staff to notice them. What is not
followed up in time dies quietly.
"""

from functools import lru_cache

import numpy as np

from coopsim.config.vocabulary import SECTORS
from coopsim.model.draws import as_normals, extend_key, row_key, serial_keys, stacked_uniforms, step_key, uniforms

from coopsim.model.partnerships import (BUREAUCRACY, DATA, EXPLORATION, HR, LEADERSHIP, LOI, MOU,
                                  Partnerships)
from coopsim.model.population import ECONOMIC_SECTORS, complementarity, unit
from coopsim.model.mechanisms.implementation import relations_factor

__all__ = ["edge_data", "attractiveness", "growth_area_pools", "explore", "follow_up"]


# Which keyed draw of the step (coopsim.model.draws.uniforms' `stream`), by name.
_STREAM = {name: i for i, name in enumerate(("own", "foreign", "anyone", "neighbour", "which",
                                              "perception", "programme", "extra", "willing"))}


def edge_data(model, region: np.ndarray, partner: np.ndarray, data: np.ndarray | None = None) -> np.ndarray:
    """Knowledge of this partner: the region's data, the partner's openness, shared
    growth-area data and a diplomat's help. `data`: the regions' data capacity to use instead
    of today's (e.g. what a reconstructed past had)."""
    r, p, ga, m = model.regions, model.partners, model.params.growth_areas, model.params.matching
    same_ga = (r.growth_area[region] & p.growth_area[partner]) != 0
    data = r.data if data is None else data
    return unit(m.data_weight * data[region] + m.openness_weight * p.openness[partner]
                + ga.data_bonus * same_ga + m.diplomat_data * r.diplomat[region])


def attractiveness(scenario, regions, partners) -> np.ndarray:
    """How much foreign governments are drawn to each region (the Riau pattern): its strongest
    sector and the partners' mean interest, less where poor roads deter investors."""
    m, im = scenario.matching, scenario.implementation
    roads = unit(regions.infrastructure / im.infrastructure_sufficiency)
    return regions.potential.max(axis=1) * partners.interest.mean() * m.attractiveness \
        * (1 - m.roads_deterrence * (1 - roads))


def growth_area_pools(regions, partners, bonus: float):
    """Per region: the share of its candidates drawn from partners of its growth areas, and
    those partners as rows of a padded table (computed once per run)."""
    masks = np.unique(regions.growth_area)
    pools = [np.flatnonzero(partners.growth_area & mask) if mask else np.zeros(0, int) for mask in masks]
    width = max(1, max(len(p) for p in pools))
    table = np.zeros((len(masks), width), dtype=np.int64)
    for i, pool in enumerate(pools):
        table[i, : len(pool)] = pool
    size = np.array([len(p) for p in pools])
    which = np.searchsorted(masks, regions.growth_area)
    share = np.where(size[which] > 0, bonus * size[which] / (bonus * size[which] + partners.n - size[which]), 0.0)
    return which, share, table, np.maximum(size, 1)


def _candidates(model, explorers: np.ndarray, draws: dict) -> np.ndarray:
    """(n, K) candidate partners; growth-area partners weighted by `search_bonus`."""
    which, share, table, size = model.growth_area_pools
    k = model.params.behaviour.candidates
    anyone = (draws["anyone"][:, :k] * model.partners.n).astype(np.int64)
    pool = which[explorers][:, None]
    neighbour = table[pool, (draws["neighbour"][:, :k] * size[pool]).astype(np.int64)]
    return np.where(draws["which"][:, :k] < share[explorers][:, None], neighbour, anyone)


def explore(model, rng: np.random.Generator) -> None:
    """Regions (and foreign governments, the Riau pattern) start explorations with chosen partners."""
    r = model.regions
    key = step_key(rng)  # keyed by region (and candidate): common random numbers
    explorers, initiative, ident = _explorers(model, key)
    if len(explorers) == 0:
        return
    draws = _slot_draws(model, key, ident)
    load = model.partnerships.live_load(model.partners.n)
    partner, choice = _choose_partner(model, explorers, draws, load)
    programs, n_programs, comp = _choose_programmes(model, draws, choice)
    keep = choice["willing"] & _new_pairs(model.partnerships, explorers, partner)
    keep[keep] = model.partnerships.within_portfolios(partner[keep], model.partners.limit, load)
    if not keep.any():
        return
    e, data, region, partner = model.partnerships, choice["data"][keep], explorers[keep], partner[keep]
    programs, n_programs = programs[keep], n_programs[keep]
    # who each is (row_key(region, partner, step)), from the regions' keys: one mix less per id
    keys = extend_key(serial_keys(r.n)[region], partner, model.t)
    new = e.add(region, partner, keys=keys, stage=EXPLORATION, t_explore=model.t,
                t_stage=model.t, data=data, clarity=data,
                comp=comp[keep], misjudged=choice["misjudged"][keep], foreign_initiative=initiative[keep],
                sponsor=r.leader_commitment[region],
                engagement=model.partners.interest[partner], n_programs=n_programs,
                committee=r.joint_committee[region], dedicated=r.dedicated_budget[region],
                programs=programs, economic_share=(programs & ECONOMIC_SECTORS).sum(axis=1) / n_programs)
    model.tally.formed += len(new)


def _explorers(model, key: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Who explores this step: regions on their own initiative (their head, staff and a
    diplomat drive it), then regions foreign governments approach (attractiveness). Returns
    the regions, whether the initiative is foreign, and each explorer's identity (region and
    side) that keys its draws."""
    r, b, m, spy = model.regions, model.params.behaviour, model.params.matching, model.steps_per_year
    u = stacked_uniforms(key, serial_keys(r.n), (_STREAM["own"], _STREAM["foreign"]))  # keyed by region
    drive = (m.drive_offset + r.leader_commitment) * (m.drive_offset + r.hr) * (1 + m.diplomat_boost * r.diplomat)
    chance = np.concatenate((b.exploration_rate / spy * drive,   # own initiatives first, then foreign
                             b.foreign_exploration_rate / spy * model.attractiveness))
    either = np.flatnonzero(u.ravel() < chance)   # u: (own, foreign) x regions, flattened alike
    return either % r.n, either >= r.n, _explorer_keys(r.n)[either]


@lru_cache
def _explorer_keys(n: int) -> np.ndarray:
    """`row_key(region, side)` of every region on its own initiative, then on a foreign one,
    in the order `_explorers` numbers them (cached, read-only)."""
    regions = np.arange(n)
    keys = np.concatenate((row_key(regions, np.zeros(n, bool)), row_key(regions, np.ones(n, bool))))
    keys.flags.writeable = False
    return keys


# The explorers' draws per candidate slot or sector (`_slot_draws`), all keyed alike.
_SLOT_DRAWS = ("anyone", "neighbour", "which", "perception", "willing", "programme", "extra")


def _slot_draws(model, key: int, ident: np.ndarray) -> dict[str, np.ndarray]:
    """Every keyed draw of the explorers' candidate slots, sectors and extra programmes, in one
    pass: name -> (explorers, slots) uniforms; slot j of each is keyed by `serial_keys` j, so a
    draw over fewer slots is the first columns."""
    b, m = model.params.behaviour, model.params.matching
    width = max(b.candidates, len(SECTORS), m.extra_programs)
    slots = ident[:, None] ^ serial_keys(width)[None, :]
    return dict(zip(_SLOT_DRAWS, stacked_uniforms(key, slots, [_STREAM[name] for name in _SLOT_DRAWS])))


def _choose_partner(model, explorers: np.ndarray, draws: dict, load: np.ndarray) -> tuple[np.ndarray, dict]:
    """Each explorer's partner among its candidates, judged through its data: the partner and
    what the choice knew (data, sector values, whether it was misjudged, whether it agreed)."""
    r, m = model.regions, model.params.matching
    cand = _candidates(model, explorers, draws)
    k = cand.shape[1]
    sector_value = complementarity(r.potential[explorers][:, None, :], model.partners.potential[cand],
                                   m.complementarity_base)  # (n, K, 7)
    top = m.top_sectors
    true = np.partition(sector_value, -top, axis=2)[:, :, -top:].sum(axis=2) / top   # their mean
    data = edge_data(model, explorers[:, None], cand)
    perceived = true + m.perception_noise * as_normals(draws["perception"][:, :k]) * (1 - data)
    # the partner decides too: one at its portfolio limit, or whose country's relations with
    # Indonesia have soured, declines to explore
    willing = _willing(model, cand, draws["willing"][:, :k], load)
    pick = np.where(willing, perceived, -np.inf).argmax(axis=1)
    at = np.arange(len(explorers)) * k + pick   # each explorer's pick in the flattened (n, K) tables
    # misjudged: with full knowledge a better candidate would have been chosen
    ordered = np.sort(true, axis=1)
    median = 0.5 * (ordered[:, (k - 1) // 2] + ordered[:, k // 2])  # 0.5: the midpoint of the middle two
    values = sector_value.reshape(-1, sector_value.shape[-1])[at]
    return cand.ravel()[at], {"data": data.ravel()[at], "values": values,
                              "misjudged": true.ravel()[at] < median, "willing": willing.ravel()[at]}


def _choose_programmes(model, draws: dict, choice: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Programmes in the sectors that look best through the same noisy lens (poor data: vague
    choices): the sector mask, how many, and their mean value (complementarity)."""
    m = model.params.matching
    values = choice["values"]
    noise = as_normals(draws["programme"][:, :values.shape[1]])
    noisy = values + m.program_noise * noise * (1 - choice["data"])[:, None]
    n_programs = 1 + (draws["extra"][:, :m.extra_programs] < m.program_probability).sum(axis=1)
    rank = np.argsort(np.argsort(-noisy, axis=1), axis=1)
    programs = rank < n_programs[:, None]
    return programs, n_programs, (values * programs).sum(axis=1) / n_programs


def _willing(model, cand: np.ndarray, u: np.ndarray, load: np.ndarray) -> np.ndarray:
    """(n, K) whether each candidate partner agrees to explore: room in its portfolio (`load`:
    partnerships it carries) and relations between the countries good enough."""
    p = model.partners
    room = load < p.limit
    agree = relations_factor(model, cand, model.params.relations_effects.search_sensitivity)
    return room[cand] & (u < agree)


def _new_pairs(edges: Partnerships, region: np.ndarray, partner: np.ndarray) -> np.ndarray:
    """Skip pairs already linked (or picked twice this step)."""
    linked, picked = edges.pairs, set()
    keep = np.zeros(len(region), dtype=bool)
    for i, pair in enumerate(zip(region.tolist(), partner.tolist())):
        if pair not in linked and pair not in picked:
            keep[i] = True
            picked.add(pair)
    return keep


def follow_up(model, rng: np.random.Generator) -> None:
    """Exploration -> letter of intent -> drafted MoU, or a quiet death (no follow-up)."""
    e, b, fu, t = model.partnerships, model.params.behaviour, model.params.follow_up, model.t
    key = step_key(rng)
    exploring = e.where(EXPLORATION)
    drafting = e.where(LOI)
    drafting = drafting[e.t_stage[drafting] < t]  # not in the same step it arrived
    rows = np.concatenate((exploring, drafting))
    if not len(rows):
        return
    k = len(exploring)
    u = uniforms(key, e.key[rows])  # keyed by partnership: common random numbers
    reg = e.region[rows]
    speed = 1 - fu.bureaucracy_delay * (1 - model.regions.bureaucracy)
    go = np.concatenate((u[:k] < _p_letter(model, exploring, reg[:k], speed),
                         u[k:] < _p_draft(model, drafting, reg[k:], speed)))
    # exploration -> LoI: someone must act; LoI -> MoU draft: staff and data make a precise draft
    lettered, drafted = exploring[go[:k]], drafting[go[k:]]
    e.move(lettered, LOI, t)
    e.t_loi[lettered] = t
    e.move(drafted, MOU, t)
    e.approval_due[drafted] = np.inf  # set by approval
    waited = t - e.t_stage[rows]
    patience = b.exploration_patience_quarters
    stale = ~go & np.concatenate((waited[:k] >= patience, waited[k:] >= fu.loi_patience * patience))
    if stale.any():
        s, sr = rows[stale], reg[stale]
        factors = np.array((model.regions.hr[sr], e.data[s], e.sponsor[s], speed[sr]))
        e.end(s, np.array([HR, DATA, LEADERSHIP, BUREAUCRACY])[factors.argmin(axis=0)], t)
        model.tally.abandoned += len(s)


def _p_letter(model, rows: np.ndarray, reg: np.ndarray, speed: np.ndarray) -> np.ndarray:
    """This quarter's chance an exploration becomes a letter of intent: someone must act
    (staff, sponsor, bureaucracy); foreign initiatives need active staff to notice them."""
    e, r, b = model.partnerships, model.regions, model.params.behaviour
    fu, m = model.params.follow_up, model.params.matching
    hr = r.hr[reg]
    notice = np.where(e.foreign_initiative[rows], hr, 1.0)
    return b.follow_up * (fu.staff_offset + hr) * (fu.sponsor_offset + e.sponsor[rows]) * speed[reg] \
        * notice * (1 + m.diplomat_boost * r.diplomat[reg]) * (1 - fu.misjudged_follow_up * e.misjudged[rows]) \
        * relations_factor(model, e.partner[rows], model.params.relations_effects.follow_up_sensitivity)


def _p_draft(model, rows: np.ndarray, reg: np.ndarray, speed: np.ndarray) -> np.ndarray:
    """This quarter's chance a letter of intent becomes a drafted MoU: staff and data make a
    precise draft, a sponsor or institutions push it."""
    e, r, b, fu = model.partnerships, model.regions, model.params.behaviour, model.params.follow_up
    lo, hi = fu.drafting_floor, 1 - fu.drafting_floor
    return b.drafting * (lo + hi * e.data[rows]) * (lo + hi * r.hr[reg]) * speed[reg] \
        * (lo + hi * np.maximum(e.sponsor[rows], r.institutionalisation[reg]))
