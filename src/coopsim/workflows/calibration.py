"""Calibration of the rates no source pins down (issue #13; docs/TRACE.md, section 7): ABC-SMC
over the priors of a calibration file, scored on the calibration targets of the evidence split
only, and the results folder.

Each particle runs the validated scenario with its rates (`reps` replications) and computes the
checks of the split's [[calibration]] targets, and nothing else (`coopsim.workflows.validation.
run_checks` with those keys traces only the runs they need); its summary statistics and
distance are `coopsim.analysis.calibration`'s, the sampler `coopsim.run.calibration.abc_smc`.

Writes `posterior.csv` (the last generation: parameters, weight, distance, statistics; read back
with `coopsim.config.calibration.load_posterior`), `posterior_summary.csv`, `generations.csv`,
`target_shares.csv`, pyabc's history `abc.db` and `manifest.json`.

    python experiments/calibrate.py experiments/calibration.toml --out results/calibration
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pandas as pd

from coopsim.analysis.calibration import (MISS, calibration_distance, effective_sample_size, posterior_summary,
                                          summary_statistics, target_shares)
from coopsim.config.calibration import POSTERIOR_FILE, CalibrationSpec
from coopsim.config.evidence import EvidenceSplit
from coopsim.config.scenario import Scenario
from coopsim.reporting.folders import staged_output
from coopsim.reporting.manifest import write_manifest
from coopsim.run.calibration import AbcRun, CalibrationTarget, abc_smc
from coopsim.workflows.validation import evidence_split, run_checks

__all__ = ["score_point", "calibration_target", "Calibration", "run_calibration"]

OUTPUTS = (POSTERIOR_FILE, "posterior_summary.csv", "generations.csv", "target_shares.csv", "abc.db", "manifest.json")


def score_point(scenario: Scenario, seed: int, reps: int, targets: tuple[str, ...],
                split: EvidenceSplit) -> dict[str, float]:
    """One particle's summary statistics: the checks of the calibration `targets` only.

    Args:
        scenario: the base scenario with the particle's rates.
        seed: the particle's run seed.
        reps: replications.
        targets: the calibration targets (`EvidenceSplit.calibration`).
        split: the evidence split.

    Returns:
        "value:<target>" and "miss:<target>" per target (`summary_statistics`).
    """
    return summary_statistics(run_checks(scenario, seed=seed, reps=reps, keys=targets, split=split))


def calibration_target(scenario: Scenario, priors: dict, reps: int, split: EvidenceSplit) -> CalibrationTarget:
    """The picklable target that scores a particle on the split's calibration targets.

    Args:
        scenario: the base scenario.
        priors: dotted path -> (low, high): the parameters a particle sets.
        reps: replications per particle.
        split: the evidence split.

    Returns:
        The `CalibrationTarget`.
    """
    score = partial(score_point, targets=split.calibration, split=split)
    return CalibrationTarget(scenario.model_dump(), reps, score, priors, scenario.source_file)


@dataclass
class Calibration:
    """What `run_calibration` wrote: the folder, the posterior and its summaries."""
    out: Path
    posterior: pd.DataFrame
    summary: pd.DataFrame
    generations: pd.DataFrame
    shares: pd.Series
    run: AbcRun
    targets: tuple[str, ...]


def _write(folder: Path, run: AbcRun, spec: CalibrationSpec, targets: tuple[str, ...]) -> Calibration:
    """The tables of a finished run, written to `folder`."""
    summary = posterior_summary(run.particles, spec.priors)
    shares = target_shares(run.particles, targets)
    run.particles.to_csv(folder / POSTERIOR_FILE, index=False)
    summary.to_csv(folder / "posterior_summary.csv", index=False)
    run.generations.to_csv(folder / "generations.csv", index=False)
    shares.rename_axis("target").rename("share_meeting").to_csv(folder / "target_shares.csv")
    return Calibration(folder, run.particles, summary, run.generations, shares, run, targets)


def run_calibration(spec: CalibrationSpec, out: str | Path, quick: bool = False, workers: int = 1,
                    force: bool = False, progress: bool = True) -> Calibration:
    """Run ABC-SMC on the calibration targets and write the results folder.

    Args:
        spec: the calibration file (`coopsim.config.calibration.load_calibration`).
        out: the results folder.
        quick: use the file's [quick] population, generations and replications (a smoke run).
        workers: 1: one core, repeats exactly; more: pyabc's multicore sampler (not repeatable).
        force: write into a non-empty folder.
        progress: log each generation.

    Returns:
        The written `Calibration`.
    """
    split = evidence_split(spec.split_path)
    targets, settings = split.calibration, spec.settings(quick)
    target = calibration_target(spec.scenario, spec.priors, settings.reps, split)
    with staged_output(out, force=force) as staged:
        run = abc_smc(target, spec.priors, partial(calibration_distance, targets=targets),
                      {MISS + t: 0.0 for t in targets}, settings, staged.stage / "abc.db", workers, progress)
        result = _write(staged.stage, run, spec, targets)
        write_manifest(staged.stage, "calibrate", calibration_file=str(spec.path), calibration_text=spec.text,
                       scenario=spec.scenario.model_dump(), priors={k: list(v) for k, v in spec.priors.items()},
                       evidence_split=str(split.path), targets=list(targets), held_out_not_used=list(split.held_out),
                       settings=settings.model_dump(), quick=quick, sampler=run.sampler,
                       deterministic=run.deterministic, simulations=run.simulations,
                       effective_sample_size=effective_sample_size(run.particles["weight"]), outputs=list(OUTPUTS),
                       repeat=f"python experiments/calibrate.py {spec.path}{' --quick' if quick else ''} "
                              f"--workers {workers} --out {staged.final} --force")
    result.out = staged.final
    return result
