"""`coopsim discover` (being moved here from coopsim.workflows.discovery)."""

from coopsim.workflows.discovery import add_arguments, main  # noqa: F401
