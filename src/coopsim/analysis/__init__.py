"""Layer 4, analysis: pure functions from runs to results (DataFrames, dataclasses); they never
write files or print. Bootstrap intervals (stats.py), survival (survival.py), sensitivity
indices, scenario discovery, lever comparison, validation checks and calibration."""

__all__: list[str] = []
