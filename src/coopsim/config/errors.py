"""The one error a user sees: a clear paragraph, exit status 2, never a traceback.

Its words come from the message catalogues (`coopsim/locale/<lang>/LC_MESSAGES/errors.po`),
so a planner reads it in Bahasa Indonesia or English: the input layer raises a `UserError`
whose message is a `Text` (a message id and its fields, which may themselves be `Text`s),
put into words only when shown. `UserError.text(lang)` gives it in one language; `str()` gives
it in the language of `error_language` (English unless the command line set another), so
code that quotes an error inside its own ("...: {err}") quotes it in the user's language.
A message that is a plain string stays as it is.

Typical use:

    raise UserError(Text("file.missing", shown="s.toml", what=Text("file.kind.scenario"), hint=""))
    err.text("id")                   # 's.toml: berkas skenario tidak ditemukan.'
    with error_language("id"):
        print(err)                   # the same
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

__all__ = ["Joined", "Text", "UserError", "current_language", "error_language", "in_words"]

_LANGUAGE: ContextVar[str] = ContextVar("coopsim_error_language", default="en")


def current_language() -> str:
    """The language `str()` puts a `Text` into ('en' unless `error_language` set another)."""
    return _LANGUAGE.get()


@contextmanager
def error_language(lang: str | None) -> Iterator[None]:
    """Within the block, errors read (`str()`) in `lang` (None: leave the language as it is).

    Args:
        lang: a language code of `coopsim.config.catalogues.LANGUAGES`, or None.
    """
    if not lang:
        yield
        return
    token = _LANGUAGE.set(lang)
    try:
        yield
    finally:
        _LANGUAGE.reset(token)


def in_words(value: Any, lang: str) -> Any:
    """A `Text` or `Joined` put into words in `lang`; any other value as it is."""
    return value.render(lang) if isinstance(value, (Text, Joined)) else value


class _Words:
    """What `Text` and `Joined` share: `str()` in the current language, `+` to join."""

    def render(self, lang: str) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def __str__(self) -> str:
        return self.render(current_language())

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __add__(self, other: Any) -> "Joined":
        return Joined(self, other)

    def __radd__(self, other: Any) -> "Joined":
        return Joined(other, self)


class Text(_Words):
    """One message of the catalogues with its fields, put into words when shown.

    Args:
        key: the message id (`error.value`, `file.missing`, ...).
        **fields: the message's `{fields}`; a `Text` field is put into words in the same language.
    """

    __slots__ = ("key", "fields")

    def __init__(self, key: str, /, **fields: Any) -> None:
        self.key = key
        self.fields = fields

    def render(self, lang: str) -> str:
        """The message in `lang`; in English when `lang` lacks it, and as its id and fields when
        no catalogue has it (an error message never fails to print)."""
        from coopsim.config.catalogues import catalogue   # (imports this module)

        values = {name: in_words(value, lang) for name, value in self.fields.items()}
        for attempt in (lang, "en"):
            try:   # (not `translate`: a field may be called `key`)
                return catalogue(attempt)[self.key].format(**values)
            except (KeyError, IndexError, ValueError, UserError):
                continue
        return f"{self.key} " + ", ".join(f"{k}={v}" for k, v in values.items())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Text) and (self.key, self.fields) == (other.key, other.fields)

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return f"Text({self.key!r}, **{self.fields!r})"

    def __reduce__(self):   # picklable (errors cross process boundaries in sweeps)
        return (_text, (self.key, self.fields))


def _text(key: str, fields: dict) -> Text:
    return Text(key, **fields)


class Joined(_Words):
    """Parts (text, `Text`s) written one after the other."""

    __slots__ = ("parts",)

    def __init__(self, *parts: Any) -> None:
        flat: list[Any] = []
        for part in parts:
            flat += part.parts if isinstance(part, Joined) else [part]
        self.parts = tuple(flat)

    def render(self, lang: str) -> str:
        return "".join(str(in_words(part, lang)) for part in self.parts)

    def __repr__(self) -> str:
        return f"Joined{self.parts!r}"

    def __reduce__(self):
        return (Joined, self.parts)


class UserError(Exception):
    """Bad input from a user (a file, a field, an option). The message says what is allowed.

    Args:
        message: a plain string, or a `Text` / `Joined` put into words in the reader's language.
    """

    exit_status = 2

    @property
    def message(self) -> Any:
        """The message as raised (a `Text` keeps its fields), to quote inside another error."""
        return self.args[0] if self.args else ""

    def text(self, lang: str) -> str:
        """The message in one language (a plain-string message as it is)."""
        return str(in_words(self.message, lang))

    def in_language(self, lang: str) -> "UserError":
        """A copy whose message is already in `lang` (its hint and exit status kept), for code
        that shows an error with `str()`."""
        copy = type(self).__new__(type(self))
        copy.args = (self.text(lang),)
        copy.__dict__.update(self.__dict__)
        return copy
