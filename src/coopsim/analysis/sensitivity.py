"""Global sensitivity analysis as computation: the design (sampling through SALib's ProblemSpec)
and the indices computed from the runs (Sobol S1/ST/[S2], Morris mu*/sigma, PAWN, delta) with
bootstrap intervals, the noise floor of a dummy input, nested convergence N/8 .. N, and the
warnings it gives when the design is too small for a stable ranking (`stability_warnings`).

Everything here returns data (a `Design`, rows, an `Analysis`); `coopsim.reporting.sensitivity`
turns it into figures and text and `coopsim.workflows.sensitivity` runs the model and writes
the folder.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from coopsim.config.experiment import DUMMY, POLICY_COLUMN, SEED_INPUT, Experiment
from coopsim.run.seeds import point_seeds

__all__ = ["design_size", "MAIN_INDEX", "COLUMNS", "MIN_TRAJECTORIES", "Design", "build_design", "design_from_samples",
           "Analysis", "analyse", "analyse_one", "valid_rows", "nested_sizes", "noise_floor",
           "convergence_summary", "stability_warnings"]

#: The index that ranks the inputs, per method.
MAIN_INDEX = {"sobol": "ST", "morris": "mu_star", "pawn": "median", "delta": "delta"}
#: Columns of the table of indices (`Analysis.convergence`; `Analysis.indices` drops "n").
COLUMNS = ["policy", "output", "n", "method", "index", "factor", "value", "conf", "lo", "hi"]
# What one block of the design is called (a failed run drops its whole block).
_BLOCK_WORDS = {"sobol": "base sample(s)", "morris": "trajectory(ies)"}
#: Fewer Morris trajectories than this always get a warning: screening studies use 10 to 20
#: (Campolongo, Cariboni & Saltelli 2007; Saltelli et al. 2008, Global Sensitivity Analysis:
#: The Primer, ch. 3), and below 10 the nested check compares a handful of trajectories.
MIN_TRAJECTORIES = 10
# Inputs named in a warning before "and others".
_NAMED = 5


# == design ===================================================================================
@dataclass
class Design:
    """The points every policy runs, with their seeds.

    Attributes:
        exp: the experiment.
        X: one policy's sample, columns = `exp.factor_names`.
        block: rows per base sample (sobol), per trajectory (morris), 1 otherwise.
        n_base: N, trajectories, or sample size.
        points: every policy's points, in run order.
        seeds: one seed per point (the same for every policy: paired).
    """
    exp: Experiment
    X: np.ndarray
    block: int
    n_base: int
    points: pd.DataFrame
    seeds: np.ndarray

    @property
    def rows_per_policy(self) -> int:
        """Points run under each policy."""
        return len(self.X)


def _problem_spec(problem: dict, outputs: list[str] | None = None):
    from SALib import ProblemSpec

    spec = {k: problem[k] for k in ("names", "bounds", "dists", "groups") if k in problem}
    spec["outputs"] = list(outputs or ["y"])
    return ProblemSpec(spec)


def _n_factors(problem: dict) -> int:
    groups = problem.get("groups") or problem["names"]
    return len(dict.fromkeys(groups))


def _block_size(problem: dict, method) -> int:
    """Rows per base sample (sobol: 2g + 2 or g + 2), per trajectory (morris: g + 1), else 1."""
    g = _n_factors(problem)
    if method.name == "sobol":
        return 2 * g + 2 if method.calc_second_order else g + 2
    return g + 1 if method.name == "morris" else 1


def _sample(problem: dict, method, seed: int) -> tuple[np.ndarray, int]:
    """The sample of one policy and its block size."""
    sp = _problem_spec(problem)
    if method.name == "sobol":
        sp.sample_sobol(method.n, calc_second_order=method.calc_second_order, seed=seed)
    elif method.name == "morris":
        sp.sample_morris(method.n, num_levels=method.levels, seed=seed)
    else:  # pawn, delta: scrambled Sobol' points, prefixes of 2^k stay balanced
        from scipy.stats import qmc
        from SALib.util import scale_samples

        base = qmc.Sobol(d=len(problem["names"]), scramble=True, seed=seed).random(method.n)
        sp.set_samples(scale_samples(base, {k: problem[k] for k in ("names", "bounds", "dists")}))
    return np.asarray(sp.samples, dtype=float), _block_size(problem, method)


def _run_seeds(exp: Experiment, X: np.ndarray) -> np.ndarray:
    """One seed per point: from its index, or from the seed input when the seed is varied."""
    u = X[:, exp.factor_names.index(SEED_INPUT)] if exp.spec.stochasticity.seed_as_input else None
    return point_seeds(exp.spec.seed, len(X), u)


def design_size(exp: Experiment) -> int:
    """Points a design will have (every policy), computed without sampling."""
    return exp.spec.method.n * _block_size(exp.problem(), exp.spec.method) * len(exp.policies)


def build_design(exp: Experiment) -> Design:
    """Sample once; every policy runs the same points with the same seeds (paired).

    Args:
        exp: the experiment (inputs, method, seed, policies).

    Returns:
        The design: one policy's sample, its block size and every policy's points and seeds.
    """
    X, block = _sample(exp.problem(), exp.spec.method, exp.spec.seed)
    seeds = _run_seeds(exp, X)
    frames = []
    for k, _ in enumerate(exp.policies):
        frame = pd.DataFrame(X, columns=exp.factor_names)
        if len(exp.policies) > 1:
            frame[POLICY_COLUMN] = k
        frames.append(frame)
    points = pd.concat(frames, ignore_index=True)
    all_seeds = np.tile(seeds, len(exp.policies))
    return Design(exp=exp, X=X, block=block, n_base=exp.spec.method.n, points=points, seeds=all_seeds)


def design_from_samples(exp: Experiment, samples: pd.DataFrame) -> Design:
    """The design of a finished sweep, from its samples.parquet (the points as they were run).

    Args:
        exp: the experiment the sweep ran.
        samples: one row per point in run order: "index", "seed", the factors and, with several
            policies, the policy column.

    Returns:
        The design, as `build_design` made it for that sweep.

    Raises:
        ValueError: the table does not hold every policy's points of this experiment's method.
    """
    missing = [c for c in ["seed", *exp.factor_names] if c not in samples.columns]
    n_policies = len(exp.policies)
    if missing or len(samples) % n_policies:
        raise ValueError(f"samples do not match the experiment (missing columns: {missing or 'none'}, "
                         f"{len(samples)} rows for {n_policies} policies)")
    points = samples.drop(columns=[c for c in ("index", "seed") if c in samples.columns]).reset_index(drop=True)
    X = points[exp.factor_names].to_numpy(dtype=float)[: len(points) // n_policies]
    block = _block_size(exp.problem(), exp.spec.method)
    if len(X) % block:
        raise ValueError(f"{len(X)} points per policy is not a whole number of blocks of {block}")
    return Design(exp=exp, X=X, block=block, n_base=exp.spec.method.n, points=points,
                  seeds=samples["seed"].to_numpy(dtype=np.int64))


# == indices of one (sub)design ===============================================================
def _rows(d: dict, names: list[str], method: str, keys: list[tuple[str, str | None]], **meta) -> list[dict]:
    out = []
    for key, conf_key in keys:
        if key not in d:
            continue
        values = np.asarray(d[key], dtype=float)
        confs = np.asarray(d[conf_key], dtype=float) if conf_key and conf_key in d else np.full(len(values), np.nan)
        for name, v, c in zip(names, values, confs):
            out.append({**meta, "method": method, "index": key, "factor": name, "value": float(v),
                        "conf": float(c), "lo": float(v - c) if np.isfinite(c) else np.nan,
                        "hi": float(v + c) if np.isfinite(c) else np.nan})
    return out


def _with_results(problem: dict, X: np.ndarray, y: np.ndarray):
    sp = _problem_spec(problem)
    sp.set_samples(X)
    sp.set_results(y)
    return sp


def _sobol(problem: dict, X: np.ndarray, y: np.ndarray, m, seed: int) -> list[dict]:
    sp = _with_results(problem, X, y)
    with warnings.catch_warnings():
        # a sparse output (counts of rare failures) can be constant on a nested subset or a
        # bootstrap resample; SALib then reports zeros, which is the answer wanted
        warnings.filterwarnings("ignore", message="Constant values encountered", category=UserWarning)
        sp.analyze_sobol(calc_second_order=m.calc_second_order, num_resamples=m.bootstrap,
                         conf_level=m.conf_level, seed=seed)
    res = sp.analysis
    names = list(dict.fromkeys(problem.get("groups") or problem["names"]))
    rows = _rows(res, names, "sobol", [("S1", "S1_conf"), ("ST", "ST_conf")])
    if m.calc_second_order and "S2" in res:
        for a in range(len(names)):
            for b in range(a + 1, len(names)):
                v, c = float(res["S2"][a, b]), float(res["S2_conf"][a, b])
                rows.append({"method": "sobol", "index": "S2", "factor": f"{names[a]} x {names[b]}",
                             "value": v, "conf": c, "lo": v - c, "hi": v + c})
    return rows


def _morris(problem: dict, X: np.ndarray, y: np.ndarray, m, seed: int) -> list[dict]:
    sp = _with_results(problem, X, y)
    sp.analyze_morris(num_resamples=m.bootstrap, conf_level=m.conf_level, num_levels=m.levels, seed=seed)
    res = sp.analysis
    names = [str(n) for n in res["names"]]
    return _rows(res, names, "morris", [("mu_star", "mu_star_conf"), ("sigma", None), ("mu", None)])


def _pawn(flat: dict, X: np.ndarray, y: np.ndarray, m, seed: int) -> list[dict]:
    sp = _with_results(flat, X, y)
    with warnings.catch_warnings():
        # an input whose slices all match the whole (PAWN 0 everywhere) has no coefficient of
        # variation: SALib divides by the zero mean and reports NaN, which is the answer wanted
        warnings.filterwarnings("ignore", message="invalid value encountered in scalar divide",
                                category=RuntimeWarning, module="SALib.analyze.pawn")
        sp.analyze_pawn(S=m.pawn_slices, seed=seed)
    return _rows(sp.analysis, flat["names"], "pawn", [("median", None), ("maximum", None), ("CV", None)])


def _delta(flat: dict, X: np.ndarray, y: np.ndarray, m, seed: int) -> list[dict]:
    sp = _with_results(flat, X, y)
    formatter = warnings.formatwarning
    # SALib's delta resets the warning filters to "once" and prints its bias and bin-merge
    # notices (UserWarning) to stderr: keep its filters inside this block, drop the notices,
    # and give back the warning format it replaces
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):
            sp.analyze_delta(num_resamples=min(m.bootstrap, 100), conf_level=m.conf_level, seed=seed,
                             method="delta")
    finally:
        warnings.formatwarning = formatter
    res = sp.analysis
    # our samples follow the input distributions, so the plain ('raw') estimator is
    # Borgonovo's delta; 'balanced' resamples equally across bins of each input
    named = {"delta": res["delta_raw"], "delta_conf": res["delta_raw_conf"],
             "delta_balanced": res["delta_balanced"], "delta_balanced_conf": res["delta_balanced_conf"]}
    return _rows(named, flat["names"], "delta", [("delta", "delta_conf"),
                                                 ("delta_balanced", "delta_balanced_conf")])


def analyse_one(method: str, problem: dict, X: np.ndarray, y: np.ndarray, exp: Experiment) -> list[dict]:
    """Indices of one output from one (sub)design.

    Args:
        method: "sobol", "morris", "pawn" or "delta".
        problem: the SALib problem (`exp.problem()`); PAWN and delta ignore its groups.
        X: the points, columns = the problem's names.
        y: the output at each point.
        exp: the experiment (method settings, bootstrap seed).

    Returns:
        One dict per index and factor (method, index, factor, value, conf, lo, hi), without
        policy, output and n.
    """
    m, seed = exp.spec.method, exp.spec.seed
    if method == "sobol":
        return _sobol(problem, X, y, m, seed)
    if method == "morris":
        return _morris(problem, X, y, m, seed)
    flat = {k: problem[k] for k in ("names", "bounds", "dists")}
    if method == "pawn":
        return _pawn(flat, X, y, m, seed)
    return _delta(flat, X, y, m, seed)


# == every policy and output, nested sizes ====================================================
def valid_rows(Y: np.ndarray, errors: np.ndarray, block: int) -> np.ndarray:
    """Rows kept: whole blocks (base samples / trajectories) whose runs all succeeded.

    Args:
        Y: one output per row.
        errors: the error message of each row ("" when the run succeeded).
        block: rows per block.

    Returns:
        A boolean mask over the rows.
    """
    ok = np.isfinite(Y) & (errors == "")
    blocks = ok.reshape(-1, block).all(axis=1)
    return np.repeat(blocks, block)


def nested_sizes(n_base: int, convergence: bool) -> list[int]:
    """The nested designs analysed: N/8, N/4, N/2, N (those of at least 2), or N alone.

    Args:
        n_base: N (base samples, trajectories or points).
        convergence: whether to check convergence on nested designs.

    Returns:
        The sizes, increasing.
    """
    if not convergence:
        return [n_base]
    sizes = [n_base // 8, n_base // 4, n_base // 2, n_base]
    return [s for s in sizes if s >= 2] or [n_base]


def noise_floor(rows: pd.DataFrame, has_dummy: bool) -> pd.DataFrame:
    """Mark each index: is its interval above the dummy's (the noise floor)?

    Args:
        rows: indices (COLUMNS).
        has_dummy: whether the experiment has a dummy input.

    Returns:
        A copy with "floor" (the dummy's upper bound, at least 0) and "above_floor".
    """
    rows = rows.copy()
    rows["floor"] = 0.0
    rows["above_floor"] = pd.NA
    keys = ["policy", "output", "method", "index", "n"]
    for _, g in rows.groupby(keys, sort=False):
        idx = g.index
        if has_dummy and (g["factor"] == DUMMY).any():
            d = g[g["factor"] == DUMMY].iloc[0]
            floor = d["hi"] if np.isfinite(d["hi"]) else d["value"]
            floor = max(float(floor), 0.0)
        else:
            floor = 0.0
        rows.loc[idx, "floor"] = floor
        lower = g["lo"].where(np.isfinite(g["lo"]), g["value"])
        above = (lower > floor) & (g["factor"] != DUMMY)
        rows.loc[idx, "above_floor"] = above.values
    rows["above_floor"] = rows["above_floor"].astype(bool)
    return rows


@dataclass
class Analysis:
    """What a sensitivity analysis found.

    Attributes:
        indices: every index at full N (with interval and noise floor).
        convergence: the same at N/8 .. N (column "n").
        convergence_summary: per policy, output, method and n: ranking agreement with N.
        notes: dropped blocks, outputs without variation, and the design warnings.
        used: (policy, output) -> base samples used.
        design_warnings: why the design may be too small for a stable ranking (also in `notes`;
            `stability_warnings`); empty when the ranking held from N/2 to N.
        robust: the ranking across uncertain parameters and model forms, for an experiment with
            a [robust] table (`coopsim.analysis.robust_ranking.RobustRanking`); None otherwise.
    """
    indices: pd.DataFrame
    convergence: pd.DataFrame
    convergence_summary: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    used: dict = field(default_factory=dict)
    design_warnings: list[str] = field(default_factory=list)
    robust: object | None = None


def _moment_independent(design: Design, problem: dict, sel: np.ndarray, y_all: np.ndarray,
                        meta: dict) -> list[dict]:
    """The `also` methods of a Sobol' design, on its A and B matrices (the same runs)."""
    exp = design.exp
    blocks = np.flatnonzero(sel.reshape(-1, design.block).all(axis=1))
    ab = np.concatenate([blocks * design.block, blocks * design.block + design.block - 1])
    rows = []
    for method in exp.spec.method.also:
        for r in analyse_one(method, problem, design.X[ab], y_all[ab], exp):
            rows.append({**meta, **r})
    return rows


def _analyse_output(design: Design, problem: dict, policy: str, output: str, y_all: np.ndarray,
                    errors: np.ndarray, notes: list[str], used: dict) -> list[dict]:
    """Indices of one policy's output at every nested size; appends to `notes` and `used`."""
    m = design.exp.spec.method
    n_rows = design.rows_per_policy
    keep = valid_rows(y_all, errors, design.block)
    if not keep.any():
        notes.append(f"{policy} / {output}: every run failed or returned no value, so no indices.")
        return []
    dropped = int((~keep).sum() // design.block)
    if dropped:
        unit = _BLOCK_WORDS.get(m.name, "point(s)")
        notes.append(f"{policy} / {output}: {dropped} {unit} dropped because a run failed or "
                     f"returned no value.")
    rows: list[dict] = []
    for n_sub in nested_sizes(design.n_base, m.convergence):
        rows_sub = np.zeros(n_rows, dtype=bool)
        rows_sub[: n_sub * design.block] = True
        sel = keep & rows_sub
        X, y = design.X[sel], y_all[sel]
        meta = {"policy": policy, "output": output, "n": n_sub}
        if len(y) < 2 * design.block or np.nanstd(y) == 0:
            if n_sub == design.n_base:
                notes.append(f"{policy} / {output}: no variation across the sample "
                             f"(constant {y[0] if len(y) else 'n/a'}), so no indices.")
            continue
        used[(policy, output)] = int(sel.sum() // design.block)
        for r in analyse_one(m.name, problem, X, y, design.exp):
            rows.append({**meta, **r})
        if m.name == "sobol" and m.also:
            rows += _moment_independent(design, problem, sel, y_all, meta)
    return rows


def analyse(design: Design, results: pd.DataFrame) -> Analysis:
    """Every index of every policy and output, at N and the nested sizes.

    Args:
        design: the design that was run.
        results: one row per point in run order, with "error" and "out:OUTPUT" columns.

    Returns:
        The indices, their convergence and notes on what was left out.
    """
    exp = design.exp
    problem = exp.problem()
    n_rows = design.rows_per_policy
    notes: list[str] = []
    all_rows: list[dict] = []
    used: dict = {}
    errors_all = results["error"].to_numpy(dtype=object) if "error" in results else np.full(len(results), "")
    for k, policy in enumerate(exp.policies):
        part = slice(k * n_rows, (k + 1) * n_rows)
        for output in exp.spec.outputs:
            col = f"out:{output}"
            y_all = results[col].to_numpy(dtype=float)[part] if col in results else np.full(n_rows, np.nan)
            all_rows += _analyse_output(design, problem, policy.name, output, y_all, errors_all[part],
                                        notes, used)
    # without any index (every run failed) the table still has its columns, noise floor included
    table = noise_floor(pd.DataFrame(all_rows, columns=COLUMNS), exp.spec.dummy)
    full = table[table["n"] == design.n_base].drop(columns=["n"]).reset_index(drop=True)
    summary = convergence_summary(table, design.n_base)
    cautions = stability_warnings(design, table, summary) if len(table) else []
    return Analysis(indices=full, convergence=table, convergence_summary=summary, notes=notes + cautions,
                    used=used, design_warnings=cautions)


# == convergence ==============================================================================
def _swaps(order_full: list[str], sub_order: list[str]) -> list[tuple[str, str]]:
    """Pairs ranked a > b at N but b > a in the nested design."""
    swaps = []
    for i, a in enumerate(order_full):
        for b in order_full[i + 1:]:
            if sub_order.index(a) > sub_order.index(b):
                swaps.append((a, b))
    return swaps


def _agreement(h: pd.DataFrame, full: pd.DataFrame, order_full: list[str]) -> dict:
    """How a nested design's ranking `h` agrees with the ranking at N (`full`)."""
    from scipy.stats import ConstantInputWarning, spearmanr

    with warnings.catch_warnings():
        # equal indices (all zero at a small n) have no rank correlation: NaN is the answer
        warnings.filterwarnings("ignore", category=ConstantInputWarning)
        rho = spearmanr(h["value"], full["value"]).statistic if len(full) > 2 else np.nan
    sub_order = [f for f in h.sort_values("value", ascending=False).index if f in order_full]
    swaps = _swaps(order_full, sub_order)
    # a swap is tolerated when the two intervals at N overlap (the order is not resolved)
    unresolved = [(a, b) for a, b in swaps
                  if not (np.isfinite(full.loc[a, "lo"]) and full.loc[a, "lo"] <= full.loc[b, "hi"])]
    width = float((h["hi"] - h["lo"]).max()) if h["hi"].notna().any() else np.nan
    top_full = order_full[0] if order_full else ""
    return {"spearman_vs_N": float(rho), "top": sub_order[0] if sub_order else "",
            "swaps_vs_N": len(swaps), "unexplained_swaps": len(unresolved),
            "ranking_stable": bool(not unresolved and (not sub_order or sub_order[0] == top_full)),
            "widest_interval": width}


def convergence_summary(table: pd.DataFrame, n_base: int) -> pd.DataFrame:
    """Per policy, output, method and nested size: ranking agreement with N and widest interval.

    Args:
        table: indices at every nested size (COLUMNS plus the noise-floor columns).
        n_base: N, the full size.

    Returns:
        One row per policy, output, method and n (empty without indices).
    """
    if not len(table):
        return pd.DataFrame()
    out = []
    for (policy, output, method), g in table.groupby(["policy", "output", "method"], sort=False):
        key = MAIN_INDEX[method]
        g = g[g["index"] == key]
        full = g[g["n"] == n_base].set_index("factor")
        if full.empty:
            continue
        above = full[full["above_floor"]].sort_values("value", ascending=False)
        order_full = list(above.index)
        for n_sub, h in g.groupby("n"):
            h = h.set_index("factor").reindex(full.index)
            out.append({"policy": policy, "output": output, "method": method, "index": key, "n": int(n_sub),
                        **_agreement(h, full, order_full)})
    return pd.DataFrame(out)


# == is the design big enough? ================================================================
def _above(table: pd.DataFrame, n: int) -> set[str]:
    """The inputs above the noise floor in the nested design of size n."""
    h = table[(table["n"] == n) & table["above_floor"] & (table["factor"] != DUMMY)]
    return set(h["factor"])


def _unstable(table: pd.DataFrame, summary: pd.DataFrame, method: str, half: int, n_base: int,
              labels: dict) -> list[str]:
    """What changes from N/2 to N for one policy's output: the ranking, inputs crossing the floor."""
    row = summary[(summary["method"] == method) & (summary["n"] == half)]
    main = table[(table["method"] == method) & (table["index"] == MAIN_INDEX[method])]
    if row.empty or main[main["n"] == half].empty:
        return []
    changes = [] if bool(row["ranking_stable"].iloc[0]) else ["the ranking still changes"]
    crossed = sorted(_above(main, half) ^ _above(main, n_base))
    if crossed:
        names = [labels.get(f, f) for f in crossed]
        named = ", ".join(names[:_NAMED]) + (" and others" if len(names) > _NAMED else "")
        changes.append(f"{named} cross{'es' if len(names) == 1 else ''} the noise floor")
    return changes


def stability_warnings(design: Design, table: pd.DataFrame, summary: pd.DataFrame) -> list[str]:
    """Sentences saying why the design may be too small for a stable ranking, from the
    convergence check: the ranking of the main index changes from N/2 to N (a swap that the
    intervals at N do not cover, or another input on top), an input crosses the noise floor
    between N/2 and N, the check could not be made, or a Morris design has fewer than
    `MIN_TRAJECTORIES` trajectories. Per policy: the headline output in full, the others in one
    sentence. Written without digits, so summary.md's numbers stay those of the analysis.

    Args:
        design: the design that was run.
        table: indices at every nested size (`Analysis.convergence`).
        summary: the convergence summary (`Analysis.convergence_summary`).

    Returns:
        One sentence per finding (empty when the ranking held).
    """
    exp, m = design.exp, design.exp.spec.method
    out = []
    if m.name == "morris" and m.n < MIN_TRAJECTORIES:
        out.append("Morris screening with fewer than ten trajectories: studies use ten to twenty, so "
                   "treat this ranking as provisional.")
    half = design.n_base // 2
    if half not in set(table["n"]):
        return out + ["The stability of the ranking was not checked (no nested design at half the size; "
                      "set convergence = true in [method] to check it)."]
    for policy, g in table.groupby("policy", sort=False):
        moved = {}
        for output, h in g.groupby("output", sort=False):
            part = summary[(summary["policy"] == policy) & (summary["output"] == output)]
            moved[output] = _unstable(h, part, m.name, half, design.n_base, exp.labels)
        out += _policy_warnings(policy, exp.spec.outputs[0], {o: c for o, c in moved.items() if c})
    return out


def _policy_warnings(policy: str, headline: str, moved: dict[str, list[str]]) -> list[str]:
    """The headline output's changes in full, the other outputs' in one sentence."""
    out = []
    if headline in moved:
        out.append(f"{policy} / {headline}: the design is too small for a stable ranking: from half the design "
                   f"to the full design {' and '.join(moved[headline])}. Double n in the experiment file (a new "
                   f"design: use a new results folder).")
    others = [o for o in moved if o != headline]
    if others:
        also = "also " if out else ""
        out.append(f"{policy}: the rankings of {', '.join(others)} {also}change from half the design to the full "
                   "design (ranking order or inputs crossing the noise floor).")
    return out
