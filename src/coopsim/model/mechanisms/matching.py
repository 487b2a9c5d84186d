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

import numpy as np

from coopsim.model.draws import edge_uniforms, normals, row_key, serial_keys, step_key, uniforms

from coopsim.model.partnerships import (BUREAUCRACY, DATA, EXPLORATION, HR, LEADERSHIP, LOI, MOU,
                                  Partnerships)
from coopsim.model.population import ECONOMIC_SECTORS, complementarity, unit
from coopsim.model.mechanisms.implementation import relations_factor

__all__ = ["edge_data", "attractiveness", "growth_area_pools", "explore", "follow_up"]


# Which keyed draw of the step (coopsim.model.draws.uniforms' `stream`), by name.
_STREAM = {name: i for i, name in enumerate(("own", "foreign", "anyone", "neighbour", "which",
                                              "perception", "programme", "extra", "willing"))}


def edge_data(model, region: np.ndarray, partner: np.ndarray) -> np.ndarray:
    """Knowledge of this partner: the region's data, the partner's openness, shared
    growth-area data and a diplomat's help."""
    r, p, ga, m = model.regions, model.partners, model.params.growth_areas, model.params.matching
    same_ga = (r.growth_area[region] & p.growth_area[partner]) != 0
    return unit(m.data_weight * r.data[region] + m.openness_weight * p.openness[partner]
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


def _candidates(model, explorers: np.ndarray, who: tuple) -> np.ndarray:
    """(n, K) candidate partners; growth-area partners weighted by `search_bonus`."""
    which, share, table, size = model.growth_area_pools
    key, ident = who
    slots = ident[:, None] ^ serial_keys(model.params.behaviour.candidates)[None, :]
    anyone = (uniforms(key, slots, _STREAM["anyone"]) * model.partners.n).astype(np.int64)
    pool = which[explorers][:, None]
    neighbour = table[pool, (uniforms(key, slots, _STREAM["neighbour"]) * size[pool]).astype(np.int64)]
    return np.where(uniforms(key, slots, _STREAM["which"]) < share[explorers][:, None], neighbour, anyone)


def explore(model, rng: np.random.Generator) -> None:
    """Regions (and foreign governments, the Riau pattern) start explorations with chosen partners."""
    r, b, m, spy = model.regions, model.params.behaviour, model.params.matching, model.steps_per_year
    key = step_key(rng)  # keyed by region (and candidate): common random numbers
    regions = serial_keys(r.n)
    drive = (m.drive_offset + r.leader_commitment) * (m.drive_offset + r.hr) * (1 + m.diplomat_boost * r.diplomat)
    own = uniforms(key, regions, _STREAM["own"]) < b.exploration_rate / spy * drive
    foreign = uniforms(key, regions, _STREAM["foreign"]) < b.foreign_exploration_rate / spy * model.attractiveness
    explorers = np.concatenate([np.flatnonzero(own), np.flatnonzero(foreign)])
    if len(explorers) == 0:
        return
    initiative = np.concatenate([np.zeros(own.sum(), bool), np.ones(foreign.sum(), bool)])
    who = (key, row_key(explorers, initiative))   # the explorer: region and side
    load = model.partnerships.live_load(model.partners.n)
    partner, choice = _choose_partner(model, explorers, who, load)
    programs, n_programs, comp = _choose_programmes(model, who, choice)
    keep = choice["willing"] & _new_pairs(model.partnerships, explorers, partner)
    keep[keep] = model.partnerships.within_portfolios(partner[keep], model.partners.limit, load)
    if not keep.any():
        return
    e, data = model.partnerships, choice["data"]
    new = e.add(explorers[keep], partner[keep], stage=EXPLORATION, t_explore=model.t,
                t_stage=model.t, data=data[keep], clarity=data[keep],
                comp=comp[keep], misjudged=choice["misjudged"][keep], foreign_initiative=initiative[keep],
                sponsor=r.leader_commitment[explorers[keep]],
                engagement=model.partners.interest[partner[keep]], n_programs=n_programs[keep],
                committee=model.regions.joint_committee[explorers[keep]],
                dedicated=model.regions.dedicated_budget[explorers[keep]])
    e.programs[new] = programs[keep]
    e.economic_share[new] = (programs[keep] & ECONOMIC_SECTORS).sum(axis=1) / n_programs[keep]
    model.tally.formed += len(new)


def _choose_partner(model, explorers: np.ndarray, who: tuple, load: np.ndarray) -> tuple[np.ndarray, dict]:
    """Each explorer's partner among its candidates, judged through its data: the partner and
    what the choice knew (data, sector values, whether it was misjudged, whether it agreed)."""
    r, m = model.regions, model.params.matching
    key, ident = who
    cand = _candidates(model, explorers, who)
    reg = np.repeat(explorers[:, None], cand.shape[1], axis=1)
    sector_value = complementarity(r.potential[reg], model.partners.potential[cand],
                                   m.complementarity_base)  # (n, K, 7)
    top = m.top_sectors
    true = np.partition(sector_value, -top, axis=2)[:, :, -top:].mean(axis=2)
    data = edge_data(model, reg, cand)
    slot = ident[:, None] ^ serial_keys(true.shape[1])[None, :]
    perceived = true + m.perception_noise * normals(key, slot, _STREAM["perception"]) * (1 - data)
    # the partner decides too: one at its portfolio limit, or whose country's relations with
    # Indonesia have soured, declines to explore
    willing = _willing(model, cand, uniforms(key, slot, _STREAM["willing"]), load)
    pick = np.where(willing, perceived, -np.inf).argmax(axis=1)
    rows = np.arange(len(explorers))
    # misjudged: with full knowledge a better candidate would have been chosen
    ordered = np.sort(true, axis=1)
    k = true.shape[1]
    median = 0.5 * (ordered[:, (k - 1) // 2] + ordered[:, k // 2])  # 0.5: the midpoint of the middle two
    return cand[rows, pick], {"data": data[rows, pick], "values": sector_value[rows, pick],
                              "misjudged": true[rows, pick] < median, "willing": willing[rows, pick]}


def _choose_programmes(model, who: tuple, choice: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Programmes in the sectors that look best through the same noisy lens (poor data: vague
    choices): the sector mask, how many, and their mean value (complementarity)."""
    m = model.params.matching
    key, ident = who
    values = choice["values"]
    sector = ident[:, None] ^ serial_keys(values.shape[1])[None, :]
    noisy = values + m.program_noise * normals(key, sector, _STREAM["programme"]) * (1 - choice["data"])[:, None]
    extra = ident[:, None] ^ serial_keys(m.extra_programs)[None, :]
    n_programs = 1 + (uniforms(key, extra, _STREAM["extra"]) < m.program_probability).sum(axis=1)
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
    e, r, b, t = model.partnerships, model.regions, model.params.behaviour, model.t
    fu, m = model.params.follow_up, model.params.matching
    speed = 1 - fu.bureaucracy_delay * (1 - r.bureaucracy)
    u = edge_uniforms(model, step_key(rng), 1)[0]  # keyed by partnership
    # exploration -> LoI: someone must act; foreign initiatives need active staff to notice
    rows = e.where(EXPLORATION)
    if len(rows):
        reg = e.region[rows]
        notice = np.where(e.foreign_initiative[rows], r.hr[reg], 1.0)
        p = b.follow_up * (fu.staff_offset + r.hr[reg]) * (fu.sponsor_offset + e.sponsor[rows]) * speed[reg] \
            * notice * (1 + m.diplomat_boost * r.diplomat[reg]) * (1 - fu.misjudged_follow_up * e.misjudged[rows]) \
            * relations_factor(model, e.partner[rows], model.params.relations_effects.follow_up_sensitivity)
        go = u[rows] < p
        e.move(rows[go], LOI, t)
        e.t_loi[rows[go]] = t
        stale = ~go & (t - e.t_stage[rows] >= b.exploration_patience_quarters)
        if stale.any():
            s = rows[stale]
            factors = np.stack([r.hr[e.region[s]], e.data[s], e.sponsor[s], speed[e.region[s]]])
            e.end(s, np.array([HR, DATA, LEADERSHIP, BUREAUCRACY])[factors.argmin(axis=0)], t)
            model.tally.abandoned += len(s)
    # LoI -> MoU draft: staff and data make a precise draft
    rows = e.where(LOI)
    rows = rows[e.t_stage[rows] < t]  # not in the same step it arrived
    if len(rows):
        reg = e.region[rows]
        lo, hi = fu.drafting_floor, 1 - fu.drafting_floor
        p = b.drafting * (lo + hi * e.data[rows]) * (lo + hi * r.hr[reg]) * speed[reg] \
            * (lo + hi * np.maximum(e.sponsor[rows], r.institutionalisation[reg]))
        go = u[rows] < p
        e.move(rows[go], MOU, t)
        e.approval_due[rows[go]] = np.inf  # set by approval
        stale = ~go & (t - e.t_stage[rows] >= fu.loi_patience * b.exploration_patience_quarters)
        if stale.any():
            s = rows[stale]
            factors = np.stack([r.hr[e.region[s]], e.data[s], e.sponsor[s], speed[e.region[s]]])
            e.end(s, np.array([HR, DATA, LEADERSHIP, BUREAUCRACY])[factors.argmin(axis=0)], t)
            model.tally.abandoned += len(s)
