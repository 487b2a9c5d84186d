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
import string
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path

from coopsim.config.errors import UserError

__all__ = ["LANGUAGES", "LANGUAGE_NAMES", "Messages", "catalogue", "catalogue_files", "check_catalogues",
           "default_language", "error_text", "language", "messages", "translate"]

#: The languages every message exists in, the first being the default for Indonesian users.
LANGUAGES = ("id", "en")
#: Each language's own name (for switches and error messages).
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}
_ALIASES = {"id": "id", "in": "id", "ind": "id", "indonesia": "id", "indonesian": "id", "bahasa": "id",
            "bahasa indonesia": "id", "en": "en", "eng": "en", "english": "en", "inggris": "en"}


def _locale_dir() -> Path:
    return Path(str(resources.files("coopsim") / "locale"))


def catalogue_files(lang: str) -> list[Path]:
    """The catalogue files of one language, in name order.

    Args:
        lang: a language code of LANGUAGES.

    Returns:
        The `.po` files under `coopsim/locale/<lang>/LC_MESSAGES/`.
    """
    return sorted((_locale_dir() / lang / "LC_MESSAGES").glob("*.po"))


def _read(path: Path, lang: str):
    from babel.messages.pofile import read_po

    with open(path, "rb") as handle:
        return read_po(handle, locale=lang, domain=path.stem)


@lru_cache(maxsize=len(LANGUAGES))
def _entries(lang: str) -> tuple[dict[str, str], tuple[str, ...]]:
    """Every message of a language (id -> text) and the problems found while merging files."""
    texts: dict[str, str] = {}
    problems = []
    for path in catalogue_files(lang):
        for message in _read(path, lang):
            if not message.id:
                continue  # the header
            key = message.id if isinstance(message.id, str) else message.id[0]
            text = message.string if isinstance(message.string, str) else (message.string or [""])[0]
            if key in texts:
                problems.append(f"{lang}: {key!r} is defined twice (again in {path.name})")
            if message.fuzzy:
                problems.append(f"{lang}: {key!r} is marked fuzzy in {path.name} (check it, then remove the flag)")
            texts[key] = text
    return texts, tuple(problems)


def catalogue(lang: str) -> Mapping[str, str]:
    """All messages of one language.

    Args:
        lang: a language code of LANGUAGES (or a name `language` accepts).

    Returns:
        Message id -> text (read once, then cached).
    """
    return _entries(language(lang))[0]


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def check_catalogues() -> list[str]:
    """Every problem with the catalogues (a test fails on any).

    Returns:
        One sentence per problem: a message missing or empty in one language, marked fuzzy,
        defined twice, or whose `{fields}` differ between the languages.
    """
    problems: list[str] = []
    for lang in LANGUAGES:
        problems += _entries(lang)[1]
    keys = set().union(*(catalogue(lang) for lang in LANGUAGES))
    for key in sorted(keys):
        texts = {lang: catalogue(lang).get(key) for lang in LANGUAGES}
        for lang, text in texts.items():
            if text is None:
                problems.append(f"{lang}: {key!r} is missing (add it to a .po file of locale/{lang})")
            elif not text.strip():
                problems.append(f"{lang}: {key!r} has no text")
        present = {lang: _fields(text) for lang, text in texts.items() if text}
        if len({frozenset(f) for f in present.values()}) > 1:
            problems.append(f"{key!r} has different fields: " +
                            "; ".join(f"{lang} {sorted(f)}" for lang, f in present.items()))
    return problems


def language(value: str) -> str:
    """A language code of LANGUAGES from a code, a locale or a name.

    Args:
        value: e.g. 'id', 'ID', 'id_ID.UTF-8', 'en-GB', 'Bahasa Indonesia', 'english'.

    Returns:
        'id' or 'en'.

    Raises:
        UserError: the language is not one of LANGUAGES.
    """
    text = str(value).strip().lower()
    found = _ALIASES.get(text) or _ALIASES.get(text.replace("-", "_").split("_")[0].split(".")[0])
    if found is None:
        allowed = ", ".join(f"{code} ({name})" for code, name in LANGUAGE_NAMES.items())
        raise UserError(f"language {value!r} is not available: use one of {allowed}.")
    return found


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
