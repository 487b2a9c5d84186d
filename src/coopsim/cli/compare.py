"""`coopsim compare` (being moved here from coopsim.workflows.compare)."""

from coopsim.workflows.compare import add_arguments, main  # noqa: F401
