"""`coopsim validate` (being moved here from coopsim.workflows.validation)."""

from coopsim.workflows.validation import add_arguments, main  # noqa: F401
