"""`coopsim scenarios` (being moved here from coopsim.config.scenario)."""

from coopsim.config.scenario import add_arguments, main  # noqa: F401
