"""The message catalogues themselves: which languages exist, where their `.po` files are, and
reading them (Babel, no compile step). The lowest layer, so that an input error (`UserError`)
can be put into words in either language; `coopsim.reporting.i18n` builds the look-ups every
command uses on top of it.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path

from coopsim.config.errors import UserError

__all__ = ["LANGUAGES", "LANGUAGE_NAMES", "catalogue", "catalogue_files", "check_catalogues", "language"]

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
