"""What the three kinds of file share: a strict base model and one way to explain a bad key.

Scenario, experiment and discovery files are validated by pydantic models built on `Strict`:
unknown keys are refused (a typo never passes silently), types are strict (`true`, `1` and
`"0.5"` are not taken for one another; only a whole number is taken where a decimal is
expected) and numbers must be finite (`nan` and `inf` are refused). `FileSchema.validate` turns
pydantic's first error into one paragraph naming the file, the key and what is allowed, quoting
at most a short excerpt of what the user wrote, with a `Hint` for the mistakes users often make
(`FileSchema.hint`): a misspelt key ("did you mean joint_committee?"), a key under the wrong
table ("this key belongs under [regions]"), "yes" or "ya" in quotes for a yes/no value (text is
never taken for true or false), a number in quotes, a choice in the wrong case ("Perda").
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationError

from coopsim.config.toml import NO_WORDS, Hint, excerpt, hinted

__all__ = ["FileSchema", "Strict", "key_path"]


class Strict(BaseModel):
    """Base of every table a user writes: unknown keys, values of another type (no coercion of
    yes/no, text and numbers into one another; a whole number is a valid decimal), infinite or
    NaN numbers and invalid assignments are errors."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, strict=True, allow_inf_nan=False)


M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class FileSchema(Generic[M]):
    """How one kind of file is validated and its errors explained.

    Attributes:
        root: the model of the validated table.
        doc: where a reader finds what each key allows (e.g. "docs/ODD.md").
        prefix: the dotted path of the validated table inside the file ("discovery"), so
            messages name keys as the user wrote them.
        example: added when a required key is missing (e.g. a minimal file).
    """

    root: type[M]
    doc: str
    prefix: str = ""
    example: str = ""

    def validate(self, data: Any, origin: str) -> M:
        """The validated model.

        Args:
            data: the parsed table.
            origin: the file (or option) the data came from, starting every message.

        Returns:
            An instance of `root`.

        Raises:
            UserError: describing the first problem, and how many more there are.
        """
        try:
            return self.root.model_validate(data)
        except ValidationError as exc:
            errors = exc.errors()
            more = f" ({len(errors) - 1} more problem(s) after this one.)" if len(errors) > 1 else ""
            raise hinted(self.describe(errors[0], origin, data) + more, self.hint(errors[0])) from None

    def describe(self, error: dict, origin: str, data: Any) -> str:
        """One pydantic error as a sentence naming the file, the key and what is allowed."""
        key = excerpt(key_path(error["loc"], data, self.prefix), 120)
        if error["type"] == "extra_forbidden":
            return f"{origin}: unknown key '{key}'. Allowed keys here: {self._allowed(error['loc'][:-1])}."
        if error["type"] == "missing":
            example = f" {self.example}" if self.example else ""
            return f"{origin}: key '{key}' is missing; it is required (see {self.doc}).{example}"
        msg = excerpt(error["msg"].removeprefix("Value error, "), 300)
        where = "" if key == "(top level)" else f"key '{key}': "
        return f"{origin}: {where}{msg}{_got(error)}. See {self.doc} for what each key allows."

    def hint(self, error: dict) -> Hint | None:
        """How to fix one pydantic error, when it is a mistake users often make.

        Args:
            error: one of pydantic's errors (`type`, `loc`, `input`, `ctx`).

        Returns:
            A hint (`hint.did_you_mean`, `hint.other_table`, `hint.string_boolean`,
            `hint.string_number`, `hint.boolean_number`), or None.
        """
        loc, value = error["loc"], error.get("input")
        name = next((str(part) for part in reversed(loc) if isinstance(part, str)), "")
        if error["type"] == "extra_forbidden":
            return self._key_hint(loc, name)
        if isinstance(value, str):
            return _text_hint(error, name, value, isinstance(loc[-1], int) if loc else False)
        if error["type"] == "bool_type" and type(value) is int and value in (0, 1):
            return Hint("hint.boolean_number", {"fixed": f"{name} = {'true' if value else 'false'}"})
        return None

    def _key_hint(self, loc: tuple, name: str) -> Hint | None:
        """An unknown key: the table(s) it belongs under, else the closest key of this table."""
        here = next((part for part in loc[:-1] if isinstance(part, str)), None)
        tables = [table for field, table in self._tables_with(name) if field != here]
        if tables:
            return Hint("hint.other_table", {"table": " / ".join(tables)})
        model = self._model_at(loc[:-1])
        keys = [k for k, f in model.model_fields.items() if not f.exclude] if model is not None else []
        close = difflib.get_close_matches(name, keys, n=1, cutoff=0.6)
        return Hint("hint.did_you_mean", {"suggestion": close[0]}) if close else None

    def _tables_with(self, name: str) -> list[tuple[str, str]]:
        """(field, "[table]" or "[[table]]") of every top-level table that has a key `name`."""
        out = []
        for field, info in self.root.model_fields.items():
            model = _model_in(info.annotation)
            if model is not None and name in model.model_fields:
                listed = get_origin(info.annotation) is list
                out.append((field, f"[[{field}]]" if listed else f"[{field}]"))
        return out

    def _model_at(self, loc: tuple) -> type[BaseModel] | None:
        """The model of the table at `loc`, read from the models' field annotations."""
        model: type[BaseModel] | None = self.root
        for part in loc:
            if isinstance(part, int):          # an item of a list of tables
                continue
            field = model.model_fields.get(part) if model is not None else None
            model = _model_in(field.annotation) if field is not None else None
        return model

    def _allowed(self, loc: tuple) -> str:
        """The keys of the table at `loc`, read from the models' field annotations."""
        model = self._model_at(loc)
        if model is None:
            return f"see {self.doc}"
        return ", ".join(name for name, f in model.model_fields.items() if not f.exclude)


def _text_hint(error: dict, name: str, value: str, item: bool) -> Hint | None:
    """Text where a yes/no value, a number or one of some choices was expected."""
    word = value.strip().lower()
    if error["type"] == "bool_type":
        return Hint("hint.string_boolean", {"fixed": f"{name} = {'false' if word in NO_WORDS else 'true'}"})
    if error["type"] in ("float_type", "int_type"):
        try:
            number = float(word.replace(",", "."))
        except ValueError:
            return None
        shown = str(int(number)) if error["type"] == "int_type" and number.is_integer() else word.replace(",", ".")
        return Hint("hint.string_number", {"fixed": f"{name} = {shown}"})
    if error["type"] == "literal_error":
        choices = re.findall(r"'([^']*)'", str((error.get("ctx") or {}).get("expected", "")))
        match = next((c for c in choices if c.lower() == word), None)
        if match is not None:
            return Hint("hint.did_you_mean", {"suggestion": f'"{match}"' if item else f'{name} = "{match}"'})
    return None


def _got(error: dict) -> str:
    """' (got 'high', text)': the value refused and its TOML type, shortened; '' for a table."""
    shown = error.get("input")
    if shown is None or isinstance(shown, dict):
        return ""
    kind = _TOML_TYPES.get(type(shown), type(shown).__name__)
    return f" (got {excerpt(repr(shown), 60)}, {kind})"


_TOML_TYPES = {bool: "yes/no", int: "whole number", float: "decimal number", str: "text", list: "array"}


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The table model inside an annotation such as `Case`, `list[Case]` or `Case | None`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def key_path(loc: tuple, data: Any, prefix: str = "") -> str:
    """A key as a reader finds it in the file, e.g. 'inputs[2] (regions.hr_capacity).bounds'.

    Args:
        loc: pydantic's location of an error (keys and list positions).
        data: the validated data, to name list items by their `path` or `name`.
        prefix: the dotted path of `data` inside the file.

    Returns:
        The dotted key, or "(top level)".
    """
    out, node = prefix, data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]" + _item_name(node, part)
        else:
            out += f".{part}" if out else str(part)
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    return out or "(top level)"


def _item_name(items: Any, k: int) -> str:
    """' (regions.hr_capacity)': how a list item names itself, when it does."""
    item = items[k] if isinstance(items, list) and k < len(items) else None
    name = (item.get("path") or item.get("name")) if isinstance(item, dict) else None
    return f" ({excerpt(name, 40)})" if isinstance(name, str) and name else ""
