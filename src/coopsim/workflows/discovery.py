"""`coopsim discover`: scenario discovery. Under which combinations of conditions do partnerships fail?

    coopsim discover DISCOVERY_FILE --out DIR [--workers N] [--scheduler ADDR] [--resume] [--force]
                                              [--points N]

A discovery file is a TOML file holding one `[discovery]` table (the experiment schema of
`coopsim.config.experiment` forbids unknown keys, so the discovery settings live in their own file). It
names an ordinary experiment file, which supplies the base scenario, the inputs and their ranges,
the outputs, the seed and the replications; `method` there is used by `coopsim sensitivity` only.

    [discovery]
    experiment = "failure_conditions.toml"     # relative to this file
    output = "share_failed"                    # the case of interest: this output ...
    direction = "above"                        # ... above (or below) ...
    threshold = 0.6                           # ... this value
    points = 10000                             # Latin hypercube size (default 10,000)

Pipeline: Latin hypercube over the experiment's inputs (seeded by the experiment seed; yes/no
switches are drawn as integers 0/1, integer parameters rounded) -> every point through the model
with `coopsim.run.executor` (serial, local worker processes or Dask; Parquet chunks; --resume), seed
of point i = derive_seed(experiment seed, i) -> case of interest -> PRIM (EMA Workbench): peeling
trajectory, the chosen boxes (most coverage at the wanted density), restrictions that fail the
quasi-p significance test dropped -> CART (EMA Workbench, on scikit-learn) -> extra-trees feature
scores for every output (the dummy input as noise floor) -> figures, summary.md, manifest.json.

Switches are integer columns on purpose: EMA Workbench 3.0's PRIM crashes on boolean columns
under pandas 3.

In a notebook:

    from coopsim.workflows.discovery import Discovery
    d = Discovery("experiments/failure_discovery.toml").run("results/discovery", workers=2)
    d.boxes            # one row per restriction of each chosen box
    print(d.summary)
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
import time
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from coopsim.config.errors import UserError
from coopsim.run.targets import IshigamiTarget, ScenarioTarget
from coopsim.run.seeds import derive_seed
from coopsim.reporting.folders import prepare_sweep_folder, write_samples
from coopsim.cli.common import add_sweep_arguments, check_workers
from coopsim.run.executor import read_results, run_sweep
from coopsim.config.experiment import DUMMY, SEED_INPUT, Experiment, load_experiment
from coopsim.config.discovery import (DEFAULT_POINTS, MIN_POINTS, CartSettings, DiscoverySettings,  # noqa: F401
                                      DiscoverySpec, PrimSettings, ScoringSettings, _num, load_discovery,
                                      parse_discovery)

CASE = "case_of_interest"
OWNED = ("runs", "figures", "samples.parquet", "outputs.parquet", "prim_trajectory.csv", "prim_boxes.csv",
         "cart_boxes.csv", "cart_tree.txt", "feature_scores.csv", "failures.csv", "summary.md",
         "manifest.json")
# == design ===================================================================================
def input_kinds(exp: Experiment) -> dict[str, str]:
    """Short name -> 'bool', 'int' or 'float' (see `Experiment.input_kinds`)."""
    return exp.input_kinds()


@dataclass
class DiscoveryDesign:
    points: pd.DataFrame          # inputs (switches as int 0/1), then the dummy / seed input if any
    seeds: np.ndarray
    kinds: dict[str, str]


def build_design(settings: DiscoverySettings) -> DiscoveryDesign:
    """A Latin hypercube of `points` rows over the experiment's inputs (+ dummy), seeded by the
    experiment seed; run seeds from the experiment seed and the point index."""
    from scipy.stats import qmc
    from SALib.util import scale_samples

    exp = settings.experiment
    n = settings.spec.points
    seed = exp.spec.seed
    problem = exp.problem()
    names = exp.factor_names
    u = qmc.LatinHypercube(d=len(names), seed=np.random.default_rng(seed)).random(n)
    X = scale_samples(u, {k: problem[k] for k in ("names", "bounds", "dists")})
    kinds = input_kinds(exp)
    frame = pd.DataFrame(X, columns=names)
    for name, kind in kinds.items():
        if kind == "bool":
            frame[name] = (frame[name] >= 0.5).astype(np.int64)
        elif kind == "int":
            frame[name] = np.rint(frame[name]).astype(np.int64)
    if exp.spec.stochasticity.seed_as_input:
        seeds = np.array([derive_seed(seed, int(v * 2**31)) for v in frame[SEED_INPUT]], dtype=np.int64)
    else:
        seeds = np.array([derive_seed(seed, i) for i in range(n)], dtype=np.int64)
    return DiscoveryDesign(points=frame, seeds=seeds, kinds=kinds)


def make_target(settings: DiscoverySettings):
    """The model with the chosen policy (or the Ishigami verification target)."""
    exp = settings.experiment
    t = exp.spec.target
    if t.kind == "ishigami":
        return IshigamiTarget(a=t.a, b=t.b, noise=t.noise)
    return ScenarioTarget([exp.resolved_scenario(settings.policy)], {i.short: i.path for i in exp.inputs},
                          reps=exp.spec.stochasticity.replications, source_file=str(exp.scenario_path))


class PlantedBoxTarget:
    """Verification target: y = 1 inside a planted box of the inputs, else 0, each label flipped
    with probability `flip` (drawn from the run seed). `box` maps input -> (low, high)."""

    def __init__(self, box: dict[str, tuple[float, float]], flip: float = 0.0):
        self.box = {k: (float(lo), float(hi)) for k, (lo, hi) in box.items()}
        self.flip = float(flip)

    def __call__(self, params: dict, seed: int) -> dict:
        inside = all(lo <= params[k] <= hi for k, (lo, hi) in self.box.items())
        if self.flip and np.random.default_rng(seed).random() < self.flip:
            inside = not inside
        return {"y": float(inside)}


def design_key(settings: DiscoverySettings) -> str:
    """What decides the runs (for --resume); PRIM/CART/scoring settings and the threshold do not."""
    payload = {"experiment": settings.experiment.digest(), "points": settings.spec.points,
               "policy": settings.policy.name, "sampler": "lhs-v1"}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


# == analysis =================================================================================
def _words_name(name: str) -> str:
    return name.replace("_", " ")


def restriction_words(name: str, kind: str, lo: float, hi: float, full_lo: float, full_hi: float) -> str:
    """One restriction in plain words: 'budget_line_share below 0.21', 'no joint committee'."""
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
        return f"{name} between {_num(lo)} and {_num(hi)}"
    return f"{name} above {_num(lo)}" if low else f"{name} below {_num(hi)}"


@dataclass
class ChosenBox:
    number: int                    # 1, 2, ...
    trajectory: pd.DataFrame       # the peeling/pasting trajectory PRIM produced
    chosen_id: int                 # row of the trajectory chosen
    final_id: int                  # after dropping insignificant restrictions
    stats: dict                    # coverage, density, mass, n, k (of the final box)
    limits: pd.DataFrame           # input, kind, min, max, full_min, full_max, qp_lower, qp_upper
    dropped: list[str]
    reached_density: bool
    words: str


def _limits_table(box, i: int, kinds: dict[str, str], init: pd.DataFrame) -> pd.DataFrame:
    from ema_workbench.analysis import scenario_discovery_util as sdutil

    lims = box.box_lims[i]
    dims = list(sdutil._determine_restricted_dims(lims, init))
    qp = box.p_values[i]
    rows = []
    for d in dims:
        lo, hi = float(lims[d].iloc[0]), float(lims[d].iloc[1])
        flo, fhi = float(init[d].iloc[0]), float(init[d].iloc[1])
        q = qp.get(d, [-1, -1])
        rows.append({"input": d, "kind": kinds.get(d, "float"), "min": lo, "max": hi, "full_min": flo,
                     "full_max": fhi, "qp_lower": float(q[0]) if q[0] != -1 else np.nan,
                     "qp_upper": float(q[1]) if q[1] != -1 else np.nan})
    return pd.DataFrame(rows, columns=["input", "kind", "min", "max", "full_min", "full_max", "qp_lower", "qp_upper"])


def _relax(box, i: int, dim: str, side: int) -> int:
    """Like EMA's PrimBox.drop_restriction, for one side (0 lower, 1 upper) of one input: the
    relaxed box is appended to the trajectory; returns its id."""
    from ema_workbench.analysis import scenario_discovery_util as sdutil

    prim = box.prim
    lims = box.box_lims[i].copy()
    lims.loc[side, dim] = box.box_lims[0].loc[side, dim]
    inside = sdutil._in_box(prim.x.loc[prim.yi_remaining, :], lims)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
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


def _choose(box, traj: pd.DataFrame, kinds: dict[str, str], init: pd.DataFrame,
            p: PrimSettings) -> tuple[int, int, list[str], bool]:
    """Every box on the peeling trajectory, its insignificant limits dropped; of those with at
    most max_dims restricted inputs, the one with most coverage at density >= min_density
    (ties: fewer restrictions, then density), else the best balance (harmonic mean of coverage
    and density). Returns (trajectory id, final id, dropped limits, density reached)."""
    rows = []
    for i in traj.loc[traj["res_dim"] >= 1, "id"]:
        final, dropped = _simplify(box, int(i), kinds, init, p)
        f = box.peeling_trajectory.iloc[final]
        rows.append({"id": int(i), "final": final, "dropped": dropped, "coverage": float(f["coverage"]),
                     "density": float(f["density"]), "res_dim": int(f["res_dim"])})
    if not rows:
        return 0, 0, [], False
    c = pd.DataFrame(rows)
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


def run_prim(x: pd.DataFrame, y: np.ndarray, kinds: dict[str, str], p: PrimSettings) -> list[ChosenBox]:
    from ema_workbench.analysis import prim as ema_prim

    x = x.copy()
    for c in x.columns:  # EMA 3.0 PRIM: booleans crash under pandas 3; ints and floats are fine
        x[c] = x[c].astype(np.int64) if kinds.get(c) in ("bool", "int") else x[c].astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        algo = ema_prim.Prim(x, y.astype(bool), peel_alpha=p.peel_alpha, paste_alpha=p.paste_alpha,
                             mass_min=p.mass_min)
    # EMA 3.0 pastes integer dimensions by writing a float quantile into integer box limits,
    # which pandas 3 refuses (LossySetitemError): float limits, integer data (discrete peeling).
    algo.box_init = algo.box_init.astype(float)
    total = int(y.sum())
    out: list[ChosenBox] = []
    for number in range(1, p.boxes + 1):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            box = algo.find_box()
        if box is None:
            break
        traj = box.peeling_trajectory.copy()
        traj[["id", "n", "k", "res_dim"]] = traj[["id", "n", "k", "res_dim"]].astype(int)
        chosen, current, dropped, reached = _choose(box, traj, kinds, algo.box_init, p)
        final = box.peeling_trajectory.iloc[current]
        if number > 1 and (not reached or final["coverage"] < p.min_coverage):
            break
        box.select(current)              # the runs of this box are set aside before the next one
        limits = _limits_table(box, current, kinds, algo.box_init)
        words = " and ".join(restriction_words(r.input, r.kind, r.min, r.max, r.full_min, r.full_max)
                             for r in limits.itertuples()) or "(no restriction)"
        stats = {"coverage": float(final["coverage"]), "density": float(final["density"]),
                 "mass": float(final["mass"]), "n": int(final["n"]), "k": int(final["k"]),
                 "cases_total": total}
        out.append(ChosenBox(number=number, trajectory=traj, chosen_id=chosen, final_id=current, stats=stats,
                             limits=limits, dropped=dropped, reached_density=reached, words=words))
        if not reached:
            break
    return out


@dataclass
class CartResult:
    boxes: pd.DataFrame            # one row per leaf: stats and words
    text: str


def run_cart(x: pd.DataFrame, y: np.ndarray, kinds: dict[str, str], c: CartSettings) -> CartResult:
    from ema_workbench.analysis import cart as ema_cart
    from ema_workbench.analysis.scenario_discovery_util import RuleInductionType
    from sklearn.tree import export_text

    x = x.copy()
    for col in x.columns:
        x[col] = x[col].astype(float)   # EMA's CART treats integers as floats anyway
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ema_cart.CART(x, y.astype(int), mass_min=c.mass_min, mode=RuleInductionType.BINARY)
        model.build_tree()
        boxes, stats = model.boxes, model.stats
    init = pd.DataFrame({col: [x[col].min(), x[col].max()] for col in x.columns})
    rows = []
    for k, (lims, st) in enumerate(zip(boxes, stats), start=1):
        parts = []
        for col in x.columns:
            lo, hi = float(lims[col].iloc[0]), float(lims[col].iloc[1])
            flo, fhi = float(init[col].iloc[0]), float(init[col].iloc[1])
            if lo > flo or hi < fhi:
                kind = kinds.get(col, "float")
                if kind == "bool":   # CART splits at 0.5: the leaf holds 0 or 1
                    lo, hi = (1.0, 1.0) if lo > 0 else (0.0, 0.0)
                parts.append(restriction_words(col, kind, lo, hi, flo, fhi))
        rows.append({"leaf": k, "coverage": float(st["coverage"]), "density": float(st["density"]),
                     "mass": float(st["mass"]), "res_dim": int(st["res dim"]),
                     "rule": " and ".join(parts) or "(all runs)"})
    text = export_text(model.clf, feature_names=list(model.feature_names), decimals=3, show_weights=True)
    return CartResult(boxes=pd.DataFrame(rows), text=text)


def feature_scores(x: pd.DataFrame, outputs: pd.DataFrame, case: np.ndarray, s: ScoringSettings,
                   seed: int) -> tuple[pd.DataFrame, list[str]]:
    """Extra-trees feature scores (EMA Workbench) of every output and the case of interest:
    a table inputs x outputs (each column sums to 1)."""
    from ema_workbench.analysis import feature_scoring
    from ema_workbench.analysis.scenario_discovery_util import RuleInductionType

    x = x.astype(float)
    scores, notes = {}, []
    targets = [(CASE, case.astype(int), RuleInductionType.CLASSIFICATION)]
    targets += [(name, outputs[name].to_numpy(dtype=float), RuleInductionType.REGRESSION) for name in outputs]
    for name, y, mode in targets:
        ok = np.isfinite(y)
        if ok.sum() < 20 or np.nanstd(y[ok]) == 0:
            notes.append(f"feature scores: {name} is constant or missing in (almost) every run; skipped.")
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table, _ = feature_scoring.get_ex_feature_scores(
                x[ok].reset_index(drop=True), y[ok], mode=mode, nr_trees=s.trees,
                max_features=s.max_features, random_state=seed % 2**32)
        scores[name] = table.iloc[:, 0]
    frame = pd.DataFrame(scores).reindex(list(x.columns))
    frame.index.name = "input"
    return frame, notes


# == figures ==================================================================================
def _figures(result: "Discovery", folder: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    made = []
    spec = result.settings.spec
    # 1. trade-off: coverage vs density along each box's peeling trajectory
    if result.prim_boxes:
        fig, axes = plt.subplots(1, len(result.prim_boxes), figsize=(5.2 * len(result.prim_boxes), 4.4),
                                 squeeze=False)
        for ax, b in zip(axes[0], result.prim_boxes):
            t = b.trajectory
            sc = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=18, zorder=2)
            ax.plot(t["coverage"], t["density"], color="0.75", lw=0.8, zorder=1)
            ch = t.loc[b.chosen_id]
            ax.scatter([ch["coverage"]], [ch["density"]], marker="*", s=220, facecolor="none", edgecolor="red",
                       lw=1.5, zorder=3, label=f"chosen (id {b.chosen_id})")
            if b.final_id != b.chosen_id:
                ax.scatter([b.stats["coverage"]], [b.stats["density"]], marker="D", s=60, color="red", zorder=3,
                           label="after dropping insignificant limits")
            ax.axhline(spec.prim.min_density, color="red", ls=":", lw=1, label=f"wanted density {spec.prim.min_density:g}")
            ax.set_xlabel("coverage (share of all cases of interest in the box)")
            ax.set_ylabel("density (share of the box's runs that are cases)")
            ax.set_title(f"PRIM box {b.number}: peeling trajectory")
            ax.set_xlim(0, 1.02)
            ax.set_ylim(0, 1.02)
            ax.legend(fontsize=7, loc="lower left")
            cb = fig.colorbar(sc, ax=ax, label="restricted inputs")
            cb.set_ticks(sorted(set(int(v) for v in t["res_dim"])))
        fig.suptitle(f"Case of interest: {result.settings.case_words}", fontsize=10)
        fig.tight_layout()
        fig.savefig(folder / "prim_tradeoff.png", dpi=130)
        plt.close(fig)
        made.append("figures/prim_tradeoff.png")
        # 2. box limits, normalised to each input's range
        rows = [(b.number, r) for b in result.prim_boxes for r in b.limits.itertuples()]
        if rows:
            fig, ax = plt.subplots(figsize=(8, 0.45 * len(rows) + 1.2))
            labels = []
            for y, (number, r) in enumerate(reversed(rows)):
                span = (r.full_max - r.full_min) or 1.0
                lo, hi = (r.min - r.full_min) / span, (r.max - r.full_min) / span
                if r.kind == "bool":
                    lo, hi = (0.5, 1.0) if r.min > r.full_min else (0.0, 0.5)
                ax.plot([0, 1], [y, y], color="0.8", lw=6, solid_capstyle="butt")
                ax.plot([lo, hi], [y, y], color=f"C{number - 1}", lw=6, solid_capstyle="butt")
                if r.kind == "bool":
                    text = "yes" if r.min > r.full_min else "no"
                else:
                    text = f"{_num(r.min)} .. {_num(r.max)}  (range {_num(r.full_min)} .. {_num(r.full_max)})"
                ax.text(1.03, y, text, va="center", fontsize=8)
                q = np.nanmax([r.qp_lower, r.qp_upper]) if np.isfinite([r.qp_lower, r.qp_upper]).any() else np.nan
                ax.text(-0.03, y, f"qp {q:.1g}" if np.isfinite(q) else "", va="center", ha="right", fontsize=7,
                        color="0.35")
                labels.append(f"box {number}: {r.input}")
            ax.set_ylim(-0.7, len(rows) - 0.3)
            ax.set_yticks(range(len(rows)))
            ax.set_yticklabels(labels, fontsize=8)
            ax.tick_params(axis="y", pad=40)
            ax.set_xlim(0, 1)
            ax.set_xticks([0, 0.5, 1])
            ax.set_xticklabels(["input's minimum", "", "maximum"], fontsize=8)
            ax.set_title("PRIM box limits (coloured) within each input's range (grey)", fontsize=10)
            for side in ("top", "right", "left"):
                ax.spines[side].set_visible(False)
            fig.tight_layout()
            fig.savefig(folder / "prim_box_limits.png", dpi=130, bbox_inches="tight")
            plt.close(fig)
            made.append("figures/prim_box_limits.png")
    # 3. feature-score heat map
    fs = result.scores
    if fs is not None and fs.size:
        fig, ax = plt.subplots(figsize=(0.75 * fs.shape[1] + 3.5, 0.42 * fs.shape[0] + 2))
        im = ax.imshow(fs.to_numpy(dtype=float), cmap="viridis", aspect="auto", vmin=0)
        ax.set_xticks(range(fs.shape[1]))
        ax.set_xticklabels(fs.columns, rotation=60, ha="right", fontsize=8)
        ax.set_yticks(range(fs.shape[0]))
        ax.set_yticklabels([f"{i} (noise floor)" if i == DUMMY else i for i in fs.index], fontsize=8)
        vals = fs.to_numpy(dtype=float)
        top = np.nanmax(vals) if np.isfinite(vals).any() else 1
        for i in range(fs.shape[0]):
            for j in range(fs.shape[1]):
                v = vals[i, j]
                if np.isfinite(v):
                    ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=6,
                            color="black" if v > 0.6 * top else "white")
        fig.colorbar(im, ax=ax, label="extra-trees feature score (column sums to 1)")
        ax.set_title("Which inputs matter for each output", fontsize=10)
        fig.tight_layout()
        fig.savefig(folder / "feature_scores.png", dpi=130)
        plt.close(fig)
        made.append("figures/feature_scores.png")
    return made


# == summary ==================================================================================
def summary_text(d: "Discovery") -> str:
    s, exp = d.settings.spec, d.settings.experiment
    n_ok = int(d.valid.sum())
    n_case = int(d.case[d.valid].sum())
    lines = [f"# Scenario discovery: {exp.spec.name}", ""]
    if exp.spec.description:
        lines += [exp.spec.description, ""]
    lines += [f"Case of interest: **{d.settings.case_words}** ({s.output} {s.direction} {_num(s.threshold)}). "
              f"{n_case:,} of {n_ok:,} runs ({n_case / max(n_ok, 1):.0%}) are cases of interest.", "",
              f"Design: Latin hypercube of {s.points:,} points over {len(exp.inputs)} inputs "
              f"(policy '{d.settings.policy.name}'), {exp.spec.stochasticity.replications} replication(s) per "
              f"point, experiment seed {exp.spec.seed}; yes/no switches drawn as 0/1."
              + (f" {s.points - n_ok} run(s) failed or gave no value and are left out." if n_ok < s.points else ""),
              ""]
    declared = {i.short: tuple(i.bounds) for i in exp.inputs if i.bounds}
    lines += ["## PRIM boxes", ""]
    if not d.prim_boxes:
        lines += ["PRIM found no box.", ""]
    for b in d.prim_boxes:
        st = b.stats
        lines.append(f"**Box {b.number}**: {b.words}.")
        lines.append("")
        lines.append(f"- coverage {st['coverage']:.0%} (holds {st['k']:,} of the {st['cases_total']:,} cases of "
                     f"interest), density {st['density']:.0%} (of its {st['n']:,} runs), mass {st['mass']:.1%} of "
                     f"the runs" + (" (after box 1's runs are set aside)" if b.number > 1 else "") + ".")
        if not b.reached_density:
            lines.append(f"- No box on the trajectory reached the wanted density {s.prim.min_density:.0%} with at most "
                         f"{s.prim.max_dims} restricted inputs; this is the best balance of coverage and density.")
        if b.dropped:
            lines.append(f"- Chosen from box {b.chosen_id} of the peeling trajectory; limits dropped as not significant "
                         f"(quasi-p above {s.prim.significance:g}): {'; '.join(b.dropped)}.")
        lines.append("")
        lines += ["| input | from | to | input's range | quasi-p |", "|---|---|---|---|---|"]
        for r in b.limits.itertuples():
            qs = [q for q in (r.qp_lower, r.qp_upper) if np.isfinite(q)]
            q = f"{max(qs):.2g}" if qs else ""
            if r.kind == "bool":
                lines.append(f"| {r.input} | {'yes' if r.min > r.full_min else 'no'} | | yes/no | {q} |")
            else:
                lo, hi = declared.get(r.input, (r.full_min, r.full_max))
                lines.append(f"| {r.input} | {_num(r.min) if r.min > r.full_min else ''} | "
                             f"{_num(r.max) if r.max < r.full_max else ''} | {_num(lo)} .. {_num(hi)} | {q} |")
        lines.append("")
    if d.prim_boxes and d.prim_boxes[-1].reached_density and len(d.prim_boxes) < s.prim.boxes:
        lines += [f"No further box: among the runs outside box {len(d.prim_boxes)}, none reached density "
                  f"{s.prim.min_density:.0%} with coverage of at least {s.prim.min_coverage:.0%}.", ""]
    if d.cart is not None and len(d.cart.boxes):
        cb = d.cart.boxes
        good = cb[cb["density"] >= s.prim.min_density].sort_values("coverage", ascending=False)
        lines += ["## CART", ""]
        if len(good):
            lines.append(f"Leaves of the classification tree where at least {s.prim.min_density:.0%} of runs are "
                         f"cases of interest:")
            lines.append("")
            for r in good.itertuples():
                lines.append(f"- {r.rule} (coverage {r.coverage:.0%}, density {r.density:.0%}, mass {r.mass:.1%})")
        else:
            best = cb.sort_values("density", ascending=False).iloc[0]
            lines.append(f"No leaf reaches density {s.prim.min_density:.0%}; the densest: {best['rule']} "
                         f"(coverage {best['coverage']:.0%}, density {best['density']:.0%}).")
        lines += ["", "The whole tree is in cart_tree.txt, every leaf in cart_boxes.csv.", ""]
    if d.scores is not None and d.scores.size:
        lines += ["## Feature scores (extra trees)", ""]
        floor = d.scores.loc[DUMMY] if DUMMY in d.scores.index else None
        for col in d.scores.columns:
            col_scores = d.scores[col].drop(labels=[DUMMY, SEED_INPUT], errors="ignore").sort_values(ascending=False)
            fl = float(floor[col]) if floor is not None and np.isfinite(floor[col]) else 0.0
            above = col_scores[col_scores > fl]
            top = ", ".join(f"{k} {v:.2f}" for k, v in above.head(4).items())
            lines.append(f"- **{col}**: " + (top or "nothing above the noise floor")
                         + (f" (dummy, the noise floor: {fl:.2f})" if floor is not None else "") + ".")
        lines.append("")
    rep = d.report
    if rep is not None:
        lines += [f"Runs: {rep.n_points:,} ({rep.ran_points:,} this session, {rep.skipped_chunks} of {rep.n_chunks} "
                  f"chunks reused) in {rep.seconds:.0f} s on {rep.backend} x{rep.workers}.", ""]
    if d.notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in d.notes] + [""]
    lines += ["Files: prim_boxes.csv (limits and quasi-p of every chosen box), prim_trajectory.csv (every box "
              "on the peeling trajectories), cart_boxes.csv and cart_tree.txt, feature_scores.csv, figures/, "
              "outputs.parquet (inputs, outputs and case of interest per run), samples.parquet, manifest.json "
              "(how to repeat this).", ""]
    return "\n".join(lines)


# == orchestration ============================================================================
@dataclass
class Discovery:
    """Fluent API: Discovery(path).run(out, workers=2) then .boxes, .summary, .scores."""
    settings: DiscoverySettings | str | Path
    points: int | None = None
    design: DiscoveryDesign | None = None
    results: pd.DataFrame | None = None
    valid: np.ndarray | None = None
    case: np.ndarray | None = None
    prim_boxes: list[ChosenBox] = field(default_factory=list)
    cart: CartResult | None = None
    scores: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    report: Any = None
    summary: str = ""
    out: Path | None = None

    def __post_init__(self):
        if not isinstance(self.settings, DiscoverySettings):
            self.settings = load_discovery(self.settings, points=self.points)

    @property
    def boxes(self) -> pd.DataFrame:
        frames = []
        for b in self.prim_boxes:
            f = b.limits.copy()
            f.insert(0, "box", b.number)
            for k in ("coverage", "density", "mass"):
                f[k] = b.stats[k]
            f["words"] = b.words
            frames.append(f)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def run(self, out: str | Path, *, workers: int = 1, backend: str | None = None, scheduler: str | None = None,
            resume: bool = False, force: bool = False, progress: bool = False, chunk_size: int | None = None,
            target=None, command: str | None = None) -> "Discovery":
        run_discovery(self, Path(out), workers=workers, backend=backend, scheduler=scheduler, resume=resume,
                      force=force, progress=progress, chunk_size=chunk_size, target=target, command=command)
        return self


def run_discovery(d: Discovery, out: Path, *, workers: int = 1, backend: str | None = None,
                  scheduler: str | None = None, resume: bool = False, force: bool = False, progress: bool = True,
                  chunk_size: int | None = None, target=None, command: str | None = None) -> Discovery:
    settings = d.settings
    exp, spec = settings.experiment, settings.spec
    backend = prepare_sweep_folder(out, OWNED, what="discovery run", workers=workers, backend=backend,
                                   scheduler=scheduler, resume=resume, force=force,
                                   resume_hint=" (or to redo the analysis with new PRIM settings or threshold, reusing the runs)")
    t0 = time.perf_counter()
    design = d.design or build_design(settings)
    d.design = design
    write_samples(design.points, design.seeds, out / "samples.parquet")
    key = design_key(settings)
    report = run_sweep(target or make_target(settings), design.points, design.seeds, out / "runs",
                       backend=backend, workers=workers, scheduler=scheduler,
                       chunk_size=chunk_size or exp.spec.execution.chunk_size, resume=resume, key=key,
                       progress=progress, desc=f"discover {exp.spec.name}")
    d.report = report
    results = read_results(out / "runs")
    if len(results) != len(design.points):
        raise UserError(f"{out}: only {len(results)} of {len(design.points)} runs are on disk; rerun with --resume.")
    t_runs = time.perf_counter() - t0
    out_cols = [c for c in results.columns if c.startswith("out:")]
    outputs = results[out_cols].rename(columns=lambda c: c.removeprefix("out:")).reset_index(drop=True)
    if spec.output not in outputs:
        raise UserError(f"{out}: no run produced '{spec.output}' (every run failed?); see failures.csv.")
    y = outputs[spec.output].to_numpy(dtype=float)
    errors = results["error"].fillna("").to_numpy(dtype=object)
    d.valid = np.isfinite(y) & (errors == "")
    d.case = settings.is_case(np.where(np.isfinite(y), y, np.nan)) & d.valid
    d.notes = []
    if len(report.failures):
        report.failures.to_csv(out / "failures.csv", index=False)
        d.notes.append(f"{report.n_failed} run(s) failed; they are listed with their inputs in failures.csv and "
                       f"left out of the analysis.")
    n_nan = int((~np.isfinite(y) & (errors == "")).sum())
    if n_nan:
        d.notes.append(f"{n_nan} run(s) gave no value of {spec.output} (e.g. no partnership signed) and are left out.")
    table = pd.concat([results[["index", "seed", "error"]].reset_index(drop=True),
                       design.points.reset_index(drop=True), outputs], axis=1)
    table[CASE] = d.case.astype(np.int64)
    table.to_parquet(out / "outputs.parquet", index=False)
    d.results = table

    inputs = [i.short for i in exp.inputs]
    x = design.points.loc[d.valid, inputs].reset_index(drop=True)
    yc = d.case[d.valid]
    n_case = int(yc.sum())
    if n_case == 0 or n_case == len(yc):
        obs = y[d.valid]
        rng = f"{_num(np.nanmin(obs))} .. {_num(np.nanmax(obs))}" if len(obs) else "n/a"
        which = "no" if n_case == 0 else "every"
        raise UserError(f"{settings.path}: {which} run is a case of interest ({spec.output} {spec.direction} "
                        f"{_num(spec.threshold)}; observed {rng}). Change discovery.threshold and rerun with "
                        f"--resume: the {len(obs):,} runs in {out}/runs are reused.")
    if n_case < 10:
        d.notes.append(f"only {n_case} cases of interest: boxes are fragile; consider another threshold.")
    d.prim_boxes = run_prim(x, yc, design.kinds, spec.prim)
    d.cart = run_cart(x, yc, design.kinds, spec.cart)
    extra = [c for c in design.points.columns if c not in inputs]   # dummy, seed input
    xs = design.points.loc[d.valid, inputs + extra].reset_index(drop=True)
    score_outputs = outputs.loc[d.valid, [o for o in exp.spec.outputs if o in outputs]].reset_index(drop=True)
    d.scores, notes = feature_scores(xs, score_outputs, yc, spec.scoring, exp.spec.seed)
    d.notes += notes

    traj = []
    for b in d.prim_boxes:
        t = b.trajectory.copy()
        t.insert(0, "box", b.number)
        t["chosen"] = t["id"] == b.chosen_id
        traj.append(t[["box", "id", "coverage", "density", "mass", "res_dim", "n", "k", "chosen"]])
    if traj:
        pd.concat(traj, ignore_index=True).to_csv(out / "prim_trajectory.csv", index=False, float_format="%.6g")
    d.boxes.to_csv(out / "prim_boxes.csv", index=False, float_format="%.6g")
    d.cart.boxes.to_csv(out / "cart_boxes.csv", index=False, float_format="%.6g")
    (out / "cart_tree.txt").write_text(d.cart.text, encoding="utf-8")
    d.scores.to_csv(out / "feature_scores.csv", float_format="%.6g")
    figures = _figures(d, out / "figures")
    d.summary = summary_text(d)
    (out / "summary.md").write_text(d.summary, encoding="utf-8")

    from coopsim.reporting.manifest import write_manifest

    repeat = command or " ".join(["coopsim discover", str(settings.path), "--out", str(out)]
                                 + ([f"--points {spec.points}"] if d.points else []) + ["--force"])
    write_manifest(
        out, "discover", repeat=repeat,
        discovery_file=str(settings.path), discovery_text=settings.text, discovery=spec.model_dump(),
        experiment=str(exp.path), experiment_text=exp.text, policy=settings.policy.model_dump(),
        scenario=str(exp.scenario_path) if exp.scenario_path else None,
        resolved_scenario=exp.resolved_scenario(settings.policy) if exp.scenario is not None else None,
        design_key=key,
        seeds={"experiment": exp.spec.seed, "latin_hypercube": exp.spec.seed, "feature_scores": exp.spec.seed,
               "runs": "derive_seed(experiment seed, point index) via numpy SeedSequence"
                       + ("; replication r of a point: replication_seed(run seed, r)" if exp.spec.target.kind == "model" else "")},
        design={"sampler": "Latin hypercube (scipy.stats.qmc), scaled by SALib", "points": spec.points,
                "inputs": {i.short: {"path": i.path, "kind": design.kinds[i.short], "dist": i.dist,
                                     "bounds": i.bounds} for i in exp.inputs},
                "replications_per_point": exp.spec.stochasticity.replications},
        execution={"backend": backend, "workers": workers, "scheduler": scheduler, "chunks": report.n_chunks,
                   "chunks_reused": report.skipped_chunks, "runs_this_session": report.ran_points,
                   "run_seconds_this_session": round(report.seconds, 3), "failed_runs": report.n_failed,
                   "analysis_seconds": round(time.perf_counter() - t0 - t_runs, 3),
                   "total_seconds": round(time.perf_counter() - t0, 3)},
        results={"cases_of_interest": int(d.case.sum()), "valid_runs": int(d.valid.sum()),
                 "boxes": [{"box": b.number, "words": b.words, **b.stats} for b in d.prim_boxes]},
        figures=figures, outputs=sorted(p.name for p in out.iterdir()) + ["manifest.json"],
    )
    d.out = out
    return d


# == command line =============================================================================
def add_arguments(parser) -> None:
    parser.add_argument("discovery", metavar="EXPERIMENT",
                        help="discovery file (TOML with a [discovery] table naming an experiment), "
                             "e.g. experiments/failure_discovery.toml")
    parser.add_argument("--points", type=int, default=None,
                        help=f"Latin hypercube size (default: the file's discovery.points, else {DEFAULT_POINTS:,})")
    add_sweep_arguments(parser, resume_help="continue a killed sweep in --out, or redo the analysis on its runs")


def main(args) -> int:
    check_workers(args.workers)
    d = Discovery(args.discovery, points=args.points)
    command = " ".join(["coopsim", "discover", *sys.argv[2:]]) if len(sys.argv) > 2 else None
    d.run(args.out, workers=args.workers, backend=args.backend, scheduler=args.scheduler, resume=args.resume,
          force=args.force, progress=not args.no_progress, chunk_size=args.chunk_size, command=command)
    rep = d.report
    print(f"{d.settings.experiment.spec.name}: {rep.headline()}; {int(d.case.sum()):,} cases of "
          f"interest ({d.settings.case_words}). Results in {args.out}/ (summary.md).")
    for b in d.prim_boxes:
        print(f"  box {b.number}: {b.words} (coverage {b.stats['coverage']:.0%}, density {b.stats['density']:.0%})")
    return rep.tell_failures(args.out)
