"""The one error a user sees: a clear paragraph, exit status 2, never a traceback."""

__all__ = ["UserError"]


class UserError(Exception):
    """Bad input from a user (a file, a field, an option). The message says what is allowed."""

    exit_status = 2
