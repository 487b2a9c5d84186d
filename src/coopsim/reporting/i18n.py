"""Every word a user reads, in Bahasa Indonesia and English: the one place messages are looked up.

Messages live in gettext catalogues, one folder per language:
`coopsim/locale/<lang>/LC_MESSAGES/*.po` (`coopsim.po`: the model's shared words (stages,
causes, levers, obstacles, levels, countries) that every command uses; one more file per part
of the package, e.g. `app.po` for the class app). Each message has a symbolic id
(`stage.active`, `app.button.step`) and, in both languages, a text with `{named}` fields
(python-brace-format). The catalogues are read with Babel at first use (no compile step: `pip
install -e .` is enough) and merged per language; a translator edits them with any PO editor.

`check_catalogues()` lists every problem a test must fail on: a message missing, empty or fuzzy
in one language, fields that differ between languages, or an id defined twice.

Typical use:

    from coopsim.reporting.i18n import messages
    t = messages("id")
    t("stage.active")                       # 'berjalan'
    t("app.quarter", year=2027, quarter=3)  # '2027 TW3'
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from coopsim.config.catalogues import (LANGUAGE_NAMES, LANGUAGES, catalogue, catalogue_files, check_catalogues,
                                      language)
from coopsim.config.errors import UserError

__all__ = ["LANGUAGES", "LANGUAGE_NAMES", "Messages", "catalogue", "catalogue_files", "check_catalogues",
           "default_language", "error_text", "language", "messages", "translate"]

def default_language(environ: Mapping[str, str] | None = None) -> str:
    """The language to use when none is given: COOPSIM_LANG, else the locale (LC_ALL, LC_MESSAGES,
    LANG, the first one set, as gettext does); Indonesian locales give 'id', anything else 'en'.

    Args:
        environ: the environment (default: os.environ).

    Returns:
        'id' or 'en'.
    """
    env = os.environ if environ is None else environ
    if env.get("COOPSIM_LANG"):
        return language(env["COOPSIM_LANG"])
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            try:
                return language(value)
            except UserError:
                return "en"
    return "en"


def translate(key: str, lang: str, **fields) -> str:
    """One message in one language, with its fields filled in.

    Args:
        key: the message id, e.g. 'stage.active'.
        lang: the language.
        **fields: values of the message's `{fields}`.

    Returns:
        The text.

    Raises:
        KeyError: no such message (a test checks that every id used exists in every language).
    """
    texts = catalogue(lang)
    if key not in texts:
        raise KeyError(f"no message {key!r} in the {language(lang)} catalogue (coopsim/locale)")
    text = texts[key]
    return text.format(**fields) if fields else text


def error_text(error: BaseException, lang: str) -> str:
    """A user's error as the command line prints it: its message, then how to fix it (the
    `hint` a `coopsim.config.toml.hinted` error carries) in the user's language.

    Args:
        error: the error (a `UserError`, with or without a hint).
        lang: the language of the hint.

    Returns:
        The text, e.g. "s.toml: not valid TOML (...). Petunjuk: gunakan titik ...: x = 0.5".
    """
    hint = getattr(error, "hint", None)
    if hint is None:
        return str(error)
    return f"{error} {translate('hint.label', lang)}: {translate(hint.key, lang, **hint.fields)}"


class Messages:
    """The messages of one language, called like a function: `t("stage.active")`.

    Args:
        lang: the language (a code or a name `language` accepts).
    """

    def __init__(self, lang: str) -> None:
        self.lang = language(lang)

    def __call__(self, key: str, **fields) -> str:
        """The message `key` with `fields` filled in (see `translate`)."""
        return translate(key, self.lang, **fields)

    def get(self, key: str, default: str | None = None, **fields) -> str | None:
        """The message `key`, or `default` when the catalogue has none (for optional words,
        such as a country's name)."""
        if key not in catalogue(self.lang):
            return default
        return translate(key, self.lang, **fields)

    def __repr__(self) -> str:
        return f"Messages({self.lang!r})"


def messages(lang: str) -> Messages:
    """The messages of one language.

    Args:
        lang: a code or a name (`language`).

    Returns:
        A `Messages` to call with a message id.
    """
    return Messages(lang)
