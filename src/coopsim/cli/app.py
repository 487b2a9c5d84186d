"""`coopsim app` (being moved here from coopsim.app.server)."""

from coopsim.app.server import add_arguments, main  # noqa: F401
