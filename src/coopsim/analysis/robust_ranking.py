"""A ranking that survives uncertainty: for every ranked group of a Sobol' design (the paper's
obstacles), the probability that its total effect ST ranks in the top k among the ranked
groups, across three things we do not know (issue 13):

(a) the estimate: bootstrap resamples of the base samples, each scored with SALib's total-order
    estimator (`SALib.analyze.sobol.total_order`, the estimator of `analyze_sobol`);
(b) the model form: every policy of the experiment is one form (e.g. `implementation.binding`
    = liebig or multiplicative). The forms run the same points with the same seeds, so a
    resample draws the same base samples in every form (paired);
(c) the uncertain parameters' space: a second stage splits the base samples at the quantiles of
    each uncertain input (its value in the base run A) and recomputes the probabilities within
    each part. How much the top k changes between the parts (the *flip*, 0: the same top k in
    every part, 1: an entirely different one), against the same change between random splits of
    the same sizes (chance), tells which uncertain inputs change the ranking.

Why a part of one input's range may be analysed on its own: the runs A and AB_i of a base sample
(i a ranked group) differ only in group i and share A's value of every other input, so the mean
of (f(A) - f(AB_i))^2 over the base samples of a part estimates group i's expected conditional
variance within that part; the output's variance divides every ranked group alike and leaves
their order unchanged.

The interval of a probability is a double bootstrap: the probability is recomputed on outer
resamples of the base samples (the same draw in every form), each with its own inner bootstrap;
the percentiles of those probabilities are the interval. A clear order gives a probability near
1 or 0 with a narrow interval; a tie gives about k/m with a wide one.

Everything here returns data; `coopsim.reporting.robust_ranking` writes it for readers.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["ALL_FORMS", "ROBUST_IN", "ROBUST_OUT", "PART_MAJORITY", "SobolRuns", "RobustRanking", "sobol_runs",
           "total_effects", "top_k_share", "rank_robustness", "robust_ranking", "split_labels"]

#: The policy column's value for the probabilities over every model form together.
ALL_FORMS = "all model forms"
#: Verdicts: a ranked group is robustly in the top k when its probability is at least ROBUST_IN
#: under every model form and at least PART_MAJORITY in every part of every uncertain input
#: that changes the ranking beyond chance; robustly out when at most ROBUST_OUT and at most
#: PART_MAJORITY there. The top k is robust when exactly k groups are robustly in it.
ROBUST_IN = 0.9
ROBUST_OUT = 0.1
PART_MAJORITY = 0.5
#: Outer and inner resamples of the double bootstrap (the interval), and the inner resamples of
#: each part of the second stage (and of each random split).
OUTER = 200
INNER = 200
PART_RESAMPLES = 100
#: The family-wise level at which an uncertain input's flip counts as beyond chance (Bonferroni
#: over the uncertain inputs, against the random splits).
FAMILY_LEVEL = 0.05


@dataclass
class SobolRuns:
    """One output of a Sobol' design (no second order) under each model form, by base sample.

    Attributes:
        forms: the model forms (policy names), in order.
        groups: the design's groups (SALib's order: first appearance).
        A: (forms, N) output of the base runs A.
        B: (forms, N) output of the runs B.
        AB: (forms, N, groups) output of A with one group taken from B.
        inputs: N rows, one column per uncertain input: its value in the base run A.
    """
    forms: list[str]
    groups: list[str]
    A: np.ndarray
    B: np.ndarray
    AB: np.ndarray
    inputs: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def n(self) -> int:
        """Base samples N."""
        return self.A.shape[1]


def sobol_runs(outputs: dict[str, np.ndarray], groups: list[str], inputs: pd.DataFrame | None = None) -> SobolRuns:
    """Arrange one output's runs by base sample, with SALib's `separate_output_values`.

    Args:
        outputs: model form -> the output of every point of that form, in design order
            (N blocks of A, AB_1 .. AB_D, B).
        groups: the D groups of the design, in SALib's order.
        inputs: the uncertain inputs' values in each base run A (N rows), or None.

    Returns:
        The runs by base sample.
    """
    from SALib.analyze.sobol import separate_output_values

    d = len(groups)
    parts = []
    for y in outputs.values():
        y = np.asarray(y, dtype=float)
        parts.append(separate_output_values(y, d, len(y) // (d + 2), False)[:3])
    A, B, AB = (np.stack([p[k] for p in parts]) for k in range(3))
    return SobolRuns(list(outputs), list(groups), A, B, AB,
                     inputs if inputs is not None else pd.DataFrame(index=range(A.shape[1])))


def total_effects(A: np.ndarray, AB: np.ndarray, B: np.ndarray, r: np.ndarray | None = None) -> np.ndarray:
    """Total effects ST of some groups by SALib's estimator, on the base samples or on resamples.

    Args:
        A, B: (N,) outputs of the runs A and B of one form.
        AB: (N, m) outputs of the runs AB of the m groups wanted.
        r: (n, S) base-sample indices of S resamples, or None for the base samples as they are.

    Returns:
        (m,) without `r`, (S, m) with it.
    """
    from SALib.analyze.sobol import total_order

    with warnings.catch_warnings():
        # a part or resample where the output does not vary: SALib warns and reports 0, the answer wanted
        warnings.filterwarnings("ignore", message="Constant values encountered", category=UserWarning)
        if r is None:
            return np.array([total_order(A, AB[:, j], B) for j in range(AB.shape[1])])
        Ar, Br = A[r], B[r]
        return np.stack([total_order(Ar, AB[:, j][r], Br) for j in range(AB.shape[1])], axis=-1)


def _ranks(st: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """0-based rank of each column in each row, largest first; ties in random order."""
    order = np.lexsort((rng.random(st.shape), -st), axis=-1)
    return np.argsort(order, axis=-1)


def top_k_share(st: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Share of the rows (resamples) in which each column (group) is among the k largest.

    Args:
        st: (S, m) total effects of m groups in S resamples.
        k: how many count as the top.
        rng: breaks ties at random (a constant output gives every group k/m).

    Returns:
        (m,) shares.
    """
    return (_ranks(st, rng) < k).mean(axis=0)


def split_labels(values: np.ndarray, parts: int) -> np.ndarray:
    """Each base sample's part: 0 .. parts-1 by the quantiles of `values` (equal sizes)."""
    order = np.argsort(values, kind="stable")
    labels = np.empty(len(values), dtype=int)
    labels[order] = np.arange(len(values)) * parts // len(values)
    return labels


# == (a) and (b): the whole design ===========================================================
def _form_probabilities(runs: SobolRuns, cols: list[int], top: int, resamples: int, rng) -> tuple:
    """Per form: the top-k probability and the median rank over `resamples` bootstrap resamples."""
    n = runs.n
    r = rng.integers(n, size=(n, resamples))
    probs, ranks = [], []
    for f in range(len(runs.forms)):
        st = total_effects(runs.A[f], runs.AB[f][:, cols], runs.B[f], r)
        rank = _ranks(st, rng)
        probs.append((rank < top).mean(axis=0))
        ranks.append(np.median(rank, axis=0) + 1)
    return np.array(probs), np.array(ranks)


def _double_bootstrap(runs: SobolRuns, cols: list[int], top: int, rng, outer: int = OUTER,
                      inner: int = INNER) -> np.ndarray:
    """(forms, outer, m): each outer resample's top-k probabilities (its own inner bootstrap),
    the outer draw shared by every form."""
    n = runs.n
    out = np.empty((len(runs.forms), outer, len(cols)))
    for o in range(outer):
        r = rng.integers(n, size=n)[rng.integers(n, size=(n, inner))]
        for f in range(len(runs.forms)):
            out[f, o] = top_k_share(total_effects(runs.A[f], runs.AB[f][:, cols], runs.B[f], r), top, rng)
    return out


# == (c): parts of the uncertain space ========================================================
def _part_probabilities(runs: SobolRuns, cols: list[int], top: int, labels: np.ndarray, parts: int,
                        rng) -> np.ndarray:
    """(forms, parts, m): the top-k probability within each part (a bootstrap inside the part)."""
    out = np.empty((len(runs.forms), parts, len(cols)))
    for q in range(parts):
        idx = np.flatnonzero(labels == q)
        r = idx[rng.integers(len(idx), size=(len(idx), PART_RESAMPLES))]
        for f in range(len(runs.forms)):
            out[f, q] = top_k_share(total_effects(runs.A[f], runs.AB[f][:, cols], runs.B[f], r), top, rng)
    return out


def _flip(probs: np.ndarray, top: int) -> tuple[float, int, int]:
    """How much the top k changes between the parts: the largest over forms and pairs of parts of
    sum |p_q - p_q'| / (2k) (0 to 1), with the form and the group that move most."""
    best = (0.0, 0, 0)
    n_parts = probs.shape[1]
    for f in range(probs.shape[0]):
        for q in range(n_parts):
            for q2 in range(q + 1, n_parts):
                diff = np.abs(probs[f, q] - probs[f, q2])
                value = float(diff.sum() / (2 * top))
                if value > best[0]:
                    best = (value, f, int(np.argmax(diff)))
    return best


def _chance_flips(runs: SobolRuns, cols: list[int], top: int, parts: int, splits: int, rng) -> np.ndarray:
    """The flip between random splits of the base samples (the same sizes as the quantile
    parts): what chance alone changes."""
    base = split_labels(np.arange(runs.n), parts)
    return np.array([_flip(_part_probabilities(runs, cols, top, rng.permutation(base), parts, rng), top)[0]
                     for _ in range(splits)])


def _second_stage(runs: SobolRuns, cols: list[int], top: int, parts: int, splits: int, rng) -> tuple:
    """Per uncertain input: the parts' probabilities and its flip, and the random splits' flips."""
    per_input = {}
    for name in runs.inputs.columns:
        values = runs.inputs[name].to_numpy(float)
        labels = split_labels(values, parts)
        probs = _part_probabilities(runs, cols, top, labels, parts, rng)
        edges = [(float(values[labels == q].min()), float(values[labels == q].max())) for q in range(parts)]
        per_input[name] = (probs, edges, _flip(probs, top))
    chance = _chance_flips(runs, cols, top, parts, splits, rng) if per_input else np.array([])
    return per_input, chance


# == tables ===================================================================================
def _interval(values: np.ndarray, conf_level: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval over the first axis."""
    tail = (1 - conf_level) / 2 * 100
    return np.percentile(values, tail, axis=0), np.percentile(values, 100 - tail, axis=0)


def _probability_rows(runs: SobolRuns, cols: list[int], ranked: list[str], fit: dict, conf_level: float) -> list[dict]:
    """One row per form and ranked group, then the same over every form together."""
    probs, ranks, outer, per_input = fit["probs"], fit["ranks"], fit["outer"], fit["per_input"]
    parts = np.stack([v[0] for v in per_input.values()]) if per_input else None   # (inputs, forms, parts, m)
    rows = []
    for f, form in enumerate(runs.forms):
        st = total_effects(runs.A[f], runs.AB[f][:, cols], runs.B[f])
        lo, hi = _interval(outer[f], conf_level)
        for i, g in enumerate(ranked):
            rows.append({"policy": form, "factor": g, "st": st[i], "p_top": probs[f, i], "lo": lo[i], "hi": hi[i],
                         "median_rank": ranks[f, i],
                         "part_min": parts[:, f, :, i].min() if parts is not None else np.nan,
                         "part_max": parts[:, f, :, i].max() if parts is not None else np.nan})
    lo, hi = _interval(outer.mean(axis=0), conf_level)
    for i, g in enumerate(ranked):
        mine = [r for r in rows if r["factor"] == g]
        rows.append({"policy": ALL_FORMS, "factor": g, "st": np.mean([r["st"] for r in mine]),
                     "p_top": probs[:, i].mean(), "lo": lo[i], "hi": hi[i],
                     "median_rank": np.mean([r["median_rank"] for r in mine]),
                     "part_min": min(r["part_min"] for r in mine), "part_max": max(r["part_max"] for r in mine)})
    return rows


def _flip_rows(runs: SobolRuns, ranked: list[str], per_input: dict, chance: np.ndarray) -> list[dict]:
    """One row per uncertain input: its flip against chance, and the group that moves most."""
    n_inputs = max(len(per_input), 1)
    level = float(np.quantile(chance, 1 - FAMILY_LEVEL / n_inputs)) if len(chance) else np.nan
    rows = []
    for name, (probs, edges, (flip, f, i)) in per_input.items():
        p_value = (1 + int((chance >= flip).sum())) / (1 + len(chance))
        rows.append({"input": name, "flip": flip, "p_value": p_value,
                     "beyond_chance": bool(p_value * n_inputs <= FAMILY_LEVEL), "chance_level": level,
                     "policy": runs.forms[f], "factor": ranked[i], "p_first": probs[f, 0, i], "p_last": probs[f, -1, i],
                     "first_low": edges[0][0], "first_high": edges[0][1],
                     "last_low": edges[-1][0], "last_high": edges[-1][1]})
    return sorted(rows, key=lambda r: -r["flip"])


def _part_rows(runs: SobolRuns, ranked: list[str], per_input: dict) -> list[dict]:
    """One row per uncertain input, form, part and ranked group: the top-k probability there."""
    rows = []
    for name, (probs, edges, _) in per_input.items():
        for f, form in enumerate(runs.forms):
            for q, (low, high) in enumerate(edges):
                rows += [{"policy": form, "input": name, "part": q + 1, "low": low, "high": high, "factor": g,
                          "p_top": probs[f, q, i]} for i, g in enumerate(ranked)]
    return rows


def _effect_rows(runs: SobolRuns, ranked: list[str]) -> list[dict]:
    """The total effect of every group (ranked or not) per form and over the forms (their mean)."""
    st = np.array([total_effects(runs.A[f], runs.AB[f], runs.B[f]) for f in range(len(runs.forms))])
    rows = []
    for f, form in enumerate([*runs.forms, ALL_FORMS]):
        values = st[f] if f < len(runs.forms) else st.mean(axis=0)
        rows += [{"policy": form, "factor": g, "ranked": g in ranked, "st": v} for g, v in zip(runs.groups, values)]
    return rows


def _verdicts(probabilities: pd.DataFrame, parts: pd.DataFrame, flips: pd.DataFrame) -> dict[str, str]:
    """Ranked group -> 'in', 'out' or 'unsure' (see ROBUST_IN, ROBUST_OUT, PART_MAJORITY)."""
    forms = probabilities[probabilities["policy"] != ALL_FORMS]
    moving = set(flips.loc[flips["beyond_chance"], "input"]) if len(flips) else set()
    telling = parts[parts["input"].isin(moving)] if len(parts) else parts
    out = {}
    for g, h in forms.groupby("factor", sort=False):
        in_parts = telling.loc[telling["factor"] == g, "p_top"] if len(telling) else pd.Series(dtype=float)
        if h["p_top"].min() >= ROBUST_IN and (in_parts >= PART_MAJORITY).all():
            out[g] = "in"
        elif h["p_top"].max() <= ROBUST_OUT and (in_parts <= PART_MAJORITY).all():
            out[g] = "out"
        else:
            out[g] = "unsure"
    return out


def rank_robustness(runs: SobolRuns, ranked: list[str], top: int, *, parts: int = 2, splits: int = 200,
                    resamples: int = 1000, conf_level: float = 0.95, seed: int = 1,
                    outer: int = OUTER) -> dict[str, pd.DataFrame]:
    """The robust ranking of one output: (a) bootstrap, (b) model forms, (c) parts of the
    uncertain inputs' space.

    Args:
        runs: the output's runs by base sample (`sobol_runs`), its `inputs` the uncertain inputs.
        ranked: the groups to rank (the others, e.g. uncertain parameters, are not ranked).
        top: k, the size of the top.
        parts: the second stage's quantile parts per uncertain input.
        splits: random splits giving the chance level of a flip.
        resamples: bootstrap resamples of the probability itself.
        conf_level: of the double-bootstrap interval.
        outer: outer (and inner) resamples of the double bootstrap.
        seed: seeds every resample (the same seed gives the same tables).

    Returns:
        {"probabilities": per form (and ALL_FORMS) and ranked group: st, p_top, lo, hi, median_rank,
        part_min, part_max, verdict; "parts": per uncertain input, form, part and group: p_top;
        "flips": per uncertain input, largest flip first: flip, p_value, beyond_chance, chance_level,
        the form and group that move most and their probability in the first and last part;
        "effects": per form (and ALL_FORMS) and group, ranked or not: its total effect ST}.
    """
    cols = [runs.groups.index(g) for g in ranked]
    rng = np.random.default_rng([int(seed), 13])
    probs, ranks = _form_probabilities(runs, cols, top, resamples, rng)
    per_input, chance = _second_stage(runs, cols, top, parts, splits, rng)
    fit = {"probs": probs, "ranks": ranks, "outer": _double_bootstrap(runs, cols, top, rng, outer, min(outer, INNER)),
           "per_input": per_input}
    probabilities = pd.DataFrame(_probability_rows(runs, cols, ranked, fit, conf_level))
    part_table = pd.DataFrame(_part_rows(runs, ranked, per_input),
                              columns=["policy", "input", "part", "low", "high", "factor", "p_top"])
    flips = pd.DataFrame(_flip_rows(runs, ranked, per_input, chance),
                         columns=["input", "flip", "p_value", "beyond_chance", "chance_level", "policy", "factor",
                                  "p_first", "p_last", "first_low", "first_high", "last_low", "last_high"])
    verdict = _verdicts(probabilities, part_table, flips)
    probabilities["verdict"] = [verdict[g] if p == ALL_FORMS else "" for p, g in
                                zip(probabilities["policy"], probabilities["factor"])]
    return {"probabilities": probabilities, "parts": part_table, "flips": flips,
            "effects": pd.DataFrame(_effect_rows(runs, ranked))}


# == a whole experiment =======================================================================
@dataclass
class RobustRanking:
    """The robust ranking of every output of a Sobol' experiment with a [robust] table.

    Attributes:
        top: k: the probabilities are of ranking in the top k.
        ranked: the ranked groups (the obstacles), in the experiment's order.
        forms: the model forms (the experiment's policies).
        probabilities: `rank_robustness`'s table with an "output" column first.
        parts: the same, per uncertain input's part.
        flips: the same, per uncertain input.
        effects: the same, the total effect of every group (ranked, uncertain, the seed).
        notes: base samples left out (a run failed in some form), outputs without variation.
    """
    top: int
    ranked: list[str]
    forms: list[str]
    probabilities: pd.DataFrame
    parts: pd.DataFrame
    flips: pd.DataFrame
    effects: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)

    def robust(self, output: str) -> bool:
        """Whether exactly `top` ranked groups are robustly in the top for `output`."""
        p = self.probabilities
        return int(((p["output"] == output) & (p["verdict"] == "in")).sum()) == self.top


def _output_runs(design, results: pd.DataFrame, output: str, notes: list[str]) -> SobolRuns | None:
    """One output's runs by base sample, on the base samples that succeeded in every form."""
    from coopsim.analysis.sensitivity import valid_rows

    exp, n_rows, block = design.exp, design.rows_per_policy, design.block
    col = results[f"out:{output}"].to_numpy(float) if f"out:{output}" in results else np.full(len(results), np.nan)
    errors = results["error"].to_numpy(object) if "error" in results else np.full(len(results), "")
    forms = [p.name for p in exp.policies]
    keep = np.ones(n_rows // block, dtype=bool)
    for k in range(len(forms)):
        part = slice(k * n_rows, (k + 1) * n_rows)
        keep &= valid_rows(col[part], errors[part], block)[::block]
    if keep.sum() < 4:
        notes.append(f"{output}: fewer than four base samples ran in every model form, so no robust ranking.")
        return None
    if (~keep).any():
        notes.append(f"{output}: {int((~keep).sum())} base sample(s) left out of the robust ranking because a run "
                     f"failed in some model form.")
    rows = np.repeat(keep, block)
    outputs = {form: col[k * n_rows:(k + 1) * n_rows][rows] for k, form in enumerate(forms)}
    names = exp.factor_names
    inputs = pd.DataFrame(design.X[::block][keep][:, [names.index(u) for u in exp.uncertain_inputs]],
                          columns=exp.uncertain_inputs)
    return sobol_runs(outputs, list(dict.fromkeys(exp.factor_groups)), inputs)


def robust_ranking(design, results: pd.DataFrame) -> RobustRanking | None:
    """The robust ranking of an experiment with a [robust] table (None without one).

    Args:
        design: the Sobol' design that was run (`coopsim.analysis.sensitivity.Design`).
        results: one row per point in run order, with "error" and "out:OUTPUT" columns.

    Returns:
        Every output's tables (`rank_robustness`), stacked with an "output" column.
    """
    exp = design.exp
    spec = exp.spec.robust
    if spec is None:
        return None
    notes: list[str] = []
    tables: dict[str, list[pd.DataFrame]] = {"probabilities": [], "parts": [], "flips": [], "effects": []}
    for output in exp.spec.outputs:
        runs = _output_runs(design, results, output, notes)
        if runs is None:
            continue
        found = rank_robustness(runs, exp.ranked_factors, spec.top, parts=spec.parts, splits=spec.splits,
                                resamples=exp.spec.method.bootstrap, conf_level=exp.spec.method.conf_level,
                                seed=exp.spec.seed)
        for key, table in found.items():
            tables[key].append(table.assign(output=output)[["output", *table.columns]])
    stacked = {k: pd.concat(v, ignore_index=True) if v else pd.DataFrame() for k, v in tables.items()}
    return RobustRanking(top=spec.top, ranked=exp.ranked_factors, forms=[p.name for p in exp.policies],
                         notes=notes, **stacked)
