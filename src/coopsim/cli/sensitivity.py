"""`coopsim sensitivity` (being moved here from coopsim.workflows.sensitivity)."""

from coopsim.workflows.sensitivity import add_arguments, main  # noqa: F401
