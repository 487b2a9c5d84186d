"""`coopsim report` (being moved here from coopsim.reporting.html)."""

from coopsim.reporting.html import add_arguments, main  # noqa: F401
