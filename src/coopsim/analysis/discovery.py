"""Scenario discovery as pure computation: the Latin hypercube design, PRIM boxes, CART leaves
and extra-trees feature scores (EMA Workbench, on scikit-learn). Functions return data;
`coopsim.reporting.discovery` draws and describes it, `coopsim.workflows.discovery` runs the
points and writes the results folder.

Only EMA Workbench's public API is used (`ema_workbench.analysis`: `Prim`, `PrimBox.update` /
`select` and its `box_lims`, `p_values`, `peeling_trajectory`; `CART`; `get_ex_feature_scores`):
which inputs a box restricts and which runs lie inside it are computed here from the box limits.

Switches are integer columns on purpose: EMA Workbench 3.0's PRIM crashes on boolean columns
under pandas 3.
"""

from __future__ import annotations

import hashlib
import json
import math
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import numpy as np
import pandas as pd

from coopsim.config.vocabulary import short_number
from coopsim.config.discovery import CartSettings, DiscoverySettings, PrimSettings, ScoringSettings
from coopsim.config.experiment import SEED_INPUT, coerce_sampled_column
from coopsim.run.seeds import point_seeds

__all__ = ["CASE", "DiscoveryDesign", "build_design", "design_key", "ChosenBox", "run_prim", "boxes_table",
           "trajectory_table", "CartResult", "run_cart", "feature_scores", "restriction_words"]

#: Column of the case of interest (0/1) in outputs.parquet and in the feature scores.
CASE = "case_of_interest"
_LIMIT_COLUMNS = ["input", "kind", "min", "max", "full_min", "full_max", "qp_lower", "qp_upper"]
_TRAJECTORY_COLUMNS = ["box", "id", "coverage", "density", "mass", "res_dim", "n", "k", "chosen"]


@contextmanager
def _quiet_ema() -> Iterator[None]:
    """Silence the deprecation notices EMA Workbench 3.0's own code triggers under pandas 3
    (e.g. `DataFrame.drop(inplace=True)`); every other warning still shows."""
    with warnings.catch_warnings():
        for category in (DeprecationWarning, FutureWarning):
            warnings.filterwarnings("ignore", category=category, module=r"ema_workbench\.")
        yield


# == design ===================================================================================
@dataclass
class DiscoveryDesign:
    """The points a discovery runs.

    Attributes:
        points: one row per point: the inputs (switches as integers 0/1, integer inputs
            rounded), then the dummy and seed inputs if the experiment has them.
        seeds: the run seed of each point.
        kinds: input short name -> 'bool', 'int' or 'float'.
    """
    points: pd.DataFrame
    seeds: np.ndarray
    kinds: dict[str, str]


def build_design(settings: DiscoverySettings) -> DiscoveryDesign:
    """A Latin hypercube over the experiment's inputs (and dummy), seeded by the experiment seed.

    Args:
        settings: the discovery file (its `points`) and the experiment it names.

    Returns:
        The points, switches and integers coded as integer columns, and a run seed per point:
        `derive_seed(experiment seed, point index)`, or from the seed input if the experiment
        samples the seed.
    """
    from SALib.util import scale_samples
    from scipy.stats import qmc

    exp = settings.experiment
    n = settings.spec.points
    seed = exp.spec.seed
    problem = exp.problem()
    names = exp.factor_names
    u = qmc.LatinHypercube(d=len(names), seed=np.random.default_rng(seed)).random(n)
    X = scale_samples(u, {k: problem[k] for k in ("names", "bounds", "dists")})
    kinds = exp.input_kinds()
    frame = pd.DataFrame(X, columns=names)
    for name, kind in kinds.items():
        if kind != "float":   # switches as 0/1 integers: PRIM reads them as categories
            frame[name] = coerce_sampled_column(frame[name].to_numpy(), kind)
    u = frame[SEED_INPUT] if exp.spec.stochasticity.seed_as_input else None
    return DiscoveryDesign(points=frame, seeds=point_seeds(seed, n, u), kinds=kinds)


def design_key(settings: DiscoverySettings) -> str:
    """What decides the runs, for --resume: PRIM/CART/scoring settings and the threshold do not.

    Args:
        settings: the discovery file and its experiment.

    Returns:
        16 hex digits of the experiment's digest, the number of points, the policy and the sampler.
    """
    payload = {"experiment": settings.experiment.digest(), "points": settings.spec.points,
               "policy": settings.policy.name, "sampler": "lhs-v1"}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


# == words ====================================================================================
def _words_name(name: str) -> str:
    return name.replace("_", " ")


def restriction_words(name: str, kind: str, lo: float, hi: float, full_lo: float, full_hi: float) -> str:
    """One restriction of a box in plain words.

    Args:
        name: the input's short name; kind: 'bool', 'int' or 'float'.
        lo, hi: the box's limits; full_lo, full_hi: the input's observed range.

    Returns:
        E.g. 'budget_line_share below 0.21', 'staff from 2 to 4', 'no joint committee'.
    """
    low, high = lo > full_lo, hi < full_hi
    if kind == "bool":    # limits may sit between 0 and 1 (PRIM pastes at quantiles)
        return f"a {_words_name(name)}" if low else f"no {_words_name(name)}"
    if kind == "int":
        lo, hi = math.ceil(lo - 1e-9), math.floor(hi + 1e-9)
        if lo == hi:
            return f"{name} = {int(lo)}"
        if low and high:
            return f"{name} from {int(lo)} to {int(hi)}"
        return f"{name} at least {int(lo)}" if low else f"{name} at most {int(hi)}"
    if low and high:
        return f"{name} between {short_number(lo)} and {short_number(hi)}"
    return f"{name} above {short_number(lo)}" if low else f"{name} below {short_number(hi)}"


def _limits_words(limits: pd.DataFrame) -> str:
    return " and ".join(restriction_words(r.input, r.kind, r.min, r.max, r.full_min, r.full_max)
                        for r in limits.itertuples())


# == PRIM =====================================================================================
@dataclass
class ChosenBox:
    """One box PRIM found, as chosen on its peeling trajectory.

    Attributes:
        number: 1, 2, ... (box 2 is looked for among the runs box 1 leaves out).
        trajectory: the peeling/pasting trajectory PRIM produced (id, coverage, density, mass,
            res_dim, n, k).
        chosen_id: the trajectory row chosen; final_id: the box after dropping insignificant
            restrictions (equal to chosen_id when none was dropped).
        stats: coverage, density, mass, n, k of the final box, and cases_total.
        limits: one row per restricted input: input, kind, min, max, full_min, full_max,
            qp_lower, qp_upper (quasi-p values, NaN for an unrestricted side).
        dropped: the restrictions dropped as not significant, in words.
        reached_density: whether the box reached the wanted density.
        words: the box in plain words ('x1 below 0.3 and no joint committee').
    """
    number: int
    trajectory: pd.DataFrame
    chosen_id: int
    final_id: int
    stats: dict
    limits: pd.DataFrame
    dropped: list[str]
    reached_density: bool
    words: str


def _restricted(lims: pd.DataFrame, init: pd.DataFrame) -> list[str]:
    """The inputs whose limits differ from the initial box's (in the initial box's order)."""
    return [d for d in init.columns if not (lims[d].to_numpy() == init[d].to_numpy()).all()]


def _inside(x: pd.DataFrame, lims: pd.DataFrame) -> np.ndarray:
    """Which rows of `x` lie within the box limits (row 0 lower, row 1 upper; both included)."""
    values = x.to_numpy()
    lower, upper = lims.loc[0, x.columns].to_numpy(), lims.loc[1, x.columns].to_numpy()
    return ((lower <= values) & (values <= upper)).all(axis=1)


def _limits_table(box, i: int, kinds: dict[str, str], init: pd.DataFrame) -> pd.DataFrame:
    """Box `i` of the trajectory: its restricted inputs with limits, ranges and quasi-p values."""
    lims = box.box_lims[i]
    qp = box.p_values[i]
    rows = []
    for d in _restricted(lims, init):
        q = qp.get(d, [-1, -1])
        rows.append({"input": d, "kind": kinds.get(d, "float"),
                     "min": float(lims[d].iloc[0]), "max": float(lims[d].iloc[1]),
                     "full_min": float(init[d].iloc[0]), "full_max": float(init[d].iloc[1]),
                     "qp_lower": float(q[0]) if q[0] != -1 else np.nan,
                     "qp_upper": float(q[1]) if q[1] != -1 else np.nan})
    return pd.DataFrame(rows, columns=_LIMIT_COLUMNS)


def _relax(box, i: int, dim: str, side: int) -> int:
    """Like EMA's PrimBox.drop_restriction, for one side (0 lower, 1 upper) of one input: the
    relaxed box is appended to the trajectory; returns its id."""
    prim = box.prim
    lims = box.box_lims[i].copy()
    lims.loc[side, dim] = box.box_lims[0].loc[side, dim]
    inside = _inside(prim.x.loc[prim.yi_remaining, :], lims)
    with _quiet_ema():
        box.update(lims, prim.yi_remaining[inside])
    return len(box.peeling_trajectory) - 1


def _simplify(box, i: int, kinds: dict[str, str], init: pd.DataFrame, p: PrimSettings) -> tuple[int, list[str]]:
    """Drop, one at a time, the least significant box limit while its quasi-p value is above
    `significance` (Bryant and Lempert 2010); keep at least one limit."""
    current, dropped = i, []
    while p.significance < 1:
        lim = _limits_table(box, current, kinds, init)
        sides = [(q, r.input, side) for r in lim.itertuples()
                 for side, q in ((0, r.qp_lower), (1, r.qp_upper)) if np.isfinite(q)]
        if len(sides) <= 1:
            break
        q, dim, side = max(sides)
        if not q > p.significance:
            break
        current = _relax(box, current, dim, side)
        dropped.append(f"{dim} ({'lower' if side == 0 else 'upper'} limit, quasi-p {q:.2g})")
    return current, dropped


def _candidates(box, traj: pd.DataFrame, kinds: dict[str, str], init: pd.DataFrame,
                p: PrimSettings) -> pd.DataFrame:
    """Every restricting box on the trajectory, simplified: id, final, dropped and the final
    box's coverage, density and restricted inputs."""
    rows = []
    for i in traj.loc[traj["res_dim"] >= 1, "id"]:
        final, dropped = _simplify(box, int(i), kinds, init, p)
        f = box.peeling_trajectory.iloc[final]
        rows.append({"id": int(i), "final": final, "dropped": dropped, "coverage": float(f["coverage"]),
                     "density": float(f["density"]), "res_dim": int(f["res_dim"])})
    return pd.DataFrame(rows)


def _choose(box, traj: pd.DataFrame, kinds: dict[str, str], init: pd.DataFrame,
            p: PrimSettings) -> tuple[int, int, list[str], bool]:
    """Every box on the peeling trajectory, its insignificant limits dropped; of those with at
    most max_dims restricted inputs, the one with most coverage at density >= min_density
    (ties: fewer restrictions, then density), else the best balance (harmonic mean of coverage
    and density). Returns (trajectory id, final id, dropped limits, density reached)."""
    c = _candidates(box, traj, kinds, init, p)
    if c.empty:
        return 0, 0, [], False
    c = c[c["res_dim"] <= p.max_dims] if (c["res_dim"] <= p.max_dims).any() else c
    ok = c[c["density"] >= p.min_density]
    if len(ok):
        best = ok.sort_values(["coverage", "res_dim", "density"], ascending=[False, True, False]).iloc[0]
        reached = True
    else:
        f1 = 2 * c["coverage"] * c["density"] / (c["coverage"] + c["density"]).replace(0, np.nan)
        best = c.loc[f1.fillna(0).idxmax()]
        reached = False
    return int(best["id"]), int(best["final"]), list(best["dropped"]), reached


def _prim(x: pd.DataFrame, y: np.ndarray, kinds: dict[str, str], p: PrimSettings):
    """EMA Workbench's Prim on integer switches and float inputs, with float box limits."""
    from ema_workbench.analysis import Prim

    x = x.copy()
    for c in x.columns:  # EMA 3.0 PRIM: booleans crash under pandas 3; ints and floats are fine
        x[c] = x[c].astype(np.int64) if kinds.get(c) in ("bool", "int") else x[c].astype(float)
    with _quiet_ema():
        algo = Prim(x, y.astype(bool), peel_alpha=p.peel_alpha, paste_alpha=p.paste_alpha, mass_min=p.mass_min)
    # EMA 3.0 pastes integer dimensions by writing a float quantile into integer box limits,
    # which pandas 3 refuses (LossySetitemError): float limits, integer data (discrete peeling).
    algo.box_init = algo.box_init.astype(float)
    return algo


def _chosen_box(box, number: int, kinds: dict[str, str], init: pd.DataFrame, p: PrimSettings,
                total: int) -> ChosenBox | None:
    """The box to keep from one PRIM trajectory, or None when a further box is not worth it."""
    traj = box.peeling_trajectory.copy()
    traj[["id", "n", "k", "res_dim"]] = traj[["id", "n", "k", "res_dim"]].astype(int)
    chosen, current, dropped, reached = _choose(box, traj, kinds, init, p)
    final = box.peeling_trajectory.iloc[current]
    if number > 1 and (not reached or final["coverage"] < p.min_coverage):
        return None
    box.select(current)              # the runs of this box are set aside before the next one
    limits = _limits_table(box, current, kinds, init)
    stats = {"coverage": float(final["coverage"]), "density": float(final["density"]),
             "mass": float(final["mass"]), "n": int(final["n"]), "k": int(final["k"]), "cases_total": total}
    return ChosenBox(number=number, trajectory=traj, chosen_id=chosen, final_id=current, stats=stats,
                     limits=limits, dropped=dropped, reached_density=reached,
                     words=_limits_words(limits) or "(no restriction)")


def run_prim(x: pd.DataFrame, y: np.ndarray, kinds: dict[str, str], p: PrimSettings) -> list[ChosenBox]:
    """PRIM boxes of the case of interest, each chosen on its peeling trajectory.

    Args:
        x: one row per valid run, one column per input; y: the case of interest (bool/0-1).
        kinds: input -> 'bool', 'int' or 'float'.
        p: the [discovery.prim] settings (density wanted, restrictions allowed, boxes, ...).

    Returns:
        Up to `p.boxes` boxes; a further box only if it reaches the wanted density with at
        least `p.min_coverage`, none after a box that did not reach the density.
    """
    algo = _prim(x, y, kinds, p)
    total = int(y.sum())
    out: list[ChosenBox] = []
    for number in range(1, p.boxes + 1):
        with _quiet_ema():
            box = algo.find_box()
        if box is None:
            break
        chosen = _chosen_box(box, number, kinds, algo.box_init, p, total)
        if chosen is None:
            break
        out.append(chosen)
        if not chosen.reached_density:
            break
    return out


def boxes_table(boxes: list[ChosenBox]) -> pd.DataFrame:
    """One row per restriction of each box: box, the limits table's columns, coverage, density,
    mass and the box in words (prim_boxes.csv); empty without boxes."""
    frames = []
    for b in boxes:
        f = b.limits.copy()
        f.insert(0, "box", b.number)
        for k in ("coverage", "density", "mass"):
            f[k] = b.stats[k]
        f["words"] = b.words
        frames.append(f)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def trajectory_table(boxes: list[ChosenBox]) -> pd.DataFrame | None:
    """Every box on each peeling trajectory, the chosen one marked (prim_trajectory.csv); None
    without boxes."""
    traj = []
    for b in boxes:
        t = b.trajectory.copy()
        t.insert(0, "box", b.number)
        t["chosen"] = t["id"] == b.chosen_id
        traj.append(t[_TRAJECTORY_COLUMNS])
    return pd.concat(traj, ignore_index=True) if traj else None


# == CART =====================================================================================
@dataclass
class CartResult:
    """The classification tree of the case of interest.

    Attributes:
        boxes: one row per leaf: leaf, coverage, density, mass, res_dim and the rule in words.
        text: the whole tree as text (scikit-learn's export_text, with class weights).
    """
    boxes: pd.DataFrame
    text: str


def _leaf_rule(lims: pd.DataFrame, init: pd.DataFrame, kinds: dict[str, str]) -> str:
    """A CART leaf in words: its restrictions of the inputs' observed ranges."""
    parts = []
    for col in init.columns:
        lo, hi = float(lims[col].iloc[0]), float(lims[col].iloc[1])
        flo, fhi = float(init[col].iloc[0]), float(init[col].iloc[1])
        if lo > flo or hi < fhi:
            kind = kinds.get(col, "float")
            if kind == "bool":   # CART splits at 0.5: the leaf holds 0 or 1
                lo, hi = (1.0, 1.0) if lo > 0 else (0.0, 0.0)
            parts.append(restriction_words(col, kind, lo, hi, flo, fhi))
    return " and ".join(parts) or "(all runs)"


def run_cart(x: pd.DataFrame, y: np.ndarray, kinds: dict[str, str], c: CartSettings,
             seed: int = 0) -> CartResult:
    """A classification tree of the case of interest (EMA Workbench's CART, binary mode).

    Args:
        x: one row per valid run, one column per input; y: the case of interest.
        kinds: input -> 'bool', 'int' or 'float'; c: the [discovery.cart] settings.
        seed: decides how tied splits are broken (EMA builds scikit-learn's tree without a
            `random_state`, so the tree draws from numpy's global generator: it is seeded
            here and restored after, so the same experiment seed gives the same tree).

    Returns:
        Every leaf with its statistics and rule, and the tree as text.
    """
    from ema_workbench.analysis import CART, RuleInductionType
    from sklearn.tree import export_text

    x = x.astype(float)   # EMA's CART treats integers as floats anyway
    with _quiet_ema(), _global_numpy_seed(seed):
        model = CART(x, y.astype(int), mass_min=c.mass_min, mode=RuleInductionType.BINARY)
        model.build_tree()
        boxes, stats = model.boxes, model.stats
    init = pd.DataFrame({col: [x[col].min(), x[col].max()] for col in x.columns})
    rows = [{"leaf": k, "coverage": float(st["coverage"]), "density": float(st["density"]),
             "mass": float(st["mass"]), "res_dim": int(st["res dim"]), "rule": _leaf_rule(lims, init, kinds)}
            for k, (lims, st) in enumerate(zip(boxes, stats), start=1)]
    text = export_text(model.clf, feature_names=list(model.feature_names), decimals=3, show_weights=True)
    return CartResult(boxes=pd.DataFrame(rows), text=text)


@contextmanager
def _global_numpy_seed(seed: int) -> Iterator[None]:
    """numpy's global generator seeded for the block, then put back as it was."""
    state = np.random.get_state()
    np.random.seed(int(seed) % 2**32)
    try:
        yield
    finally:
        np.random.set_state(state)


# == feature scores ===========================================================================
def feature_scores(x: pd.DataFrame, outputs: pd.DataFrame, case: np.ndarray, s: ScoringSettings,
                   seed: int) -> tuple[pd.DataFrame, list[str]]:
    """Extra-trees feature scores (EMA Workbench) of the case of interest and every output.

    Args:
        x: one row per valid run: the inputs, the dummy (the noise floor) and the seed input.
        outputs: the outputs of the same runs; case: the case of interest.
        s: the [discovery.scoring] settings; seed: the forest's seed (the experiment seed).

    Returns:
        A table inputs x (case of interest, outputs), each column summing to 1, and notes on
        the outputs skipped as constant or missing.
    """
    from ema_workbench.analysis import RuleInductionType, get_ex_feature_scores

    x = x.astype(float)
    scores, notes = {}, []
    targets = [(CASE, case.astype(int), RuleInductionType.CLASSIFICATION)]
    targets += [(name, outputs[name].to_numpy(dtype=float), RuleInductionType.REGRESSION) for name in outputs]
    for name, y, mode in targets:
        ok = np.isfinite(y)
        if ok.sum() < 20 or np.nanstd(y[ok]) == 0:
            notes.append(f"feature scores: {name} is constant or missing in (almost) every run; skipped.")
            continue
        with _quiet_ema():
            table, _ = get_ex_feature_scores(x[ok].reset_index(drop=True), y[ok], mode=mode, nr_trees=s.trees,
                                             max_features=s.max_features, random_state=seed % 2**32)
        scores[name] = table.iloc[:, 0]
    frame = pd.DataFrame(scores).reindex(list(x.columns))
    frame.index.name = "input"
    return frame, notes
