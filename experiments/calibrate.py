"""Calibrate the baseline's unpinned behaviour rates to the six validation patterns together
(ABC rejection over a Latin hypercube; see coopsim.workflows.calibration and docs/TRACE.md).

    python experiments/calibrate.py scenarios/baseline.toml --points 160 --reps 4 --out results/calibration
"""
import sys

from coopsim.workflows.calibration import main

if __name__ == "__main__":
    sys.exit(main())
