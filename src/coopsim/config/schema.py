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
The paragraph is a `coopsim.config.errors.Text` of the catalogues (`error.*` in `errors.po`), so
it reads in Bahasa Indonesia or English; pydantic's common error types are worded there too
(`PROBLEMS`), and a project validator raises `ValueError(Text(...))` so its own words are
too (`problem`); any other keeps pydantic's English message.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationError

from coopsim.config.errors import Joined, Text
from coopsim.config.toml import NO_WORDS, Hint, excerpt, hinted

__all__ = ["PROBLEMS", "FileSchema", "Strict", "key_path", "problem", "validator_text"]


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
    example: "str | Text" = ""

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
            message = self.describe(errors[0], origin, data)
            if len(errors) > 1:
                message = Joined(message, " ", Text("error.more", count=len(errors) - 1))
            raise hinted(message, self.hint(errors[0])) from None

    def describe(self, error: dict, origin: str, data: Any) -> Text:
        """One pydantic error as a sentence naming the file, the key and what is allowed (in
        the catalogues' words: `error.*` in `coopsim/locale/*/LC_MESSAGES/errors.po`)."""
        path = key_path(error["loc"], data, self.prefix)
        key = Text("error.top_level") if path == "(top level)" else excerpt(path, 120)
        if error["type"] == "extra_forbidden":
            return Text("error.unknown_key", origin=origin, key=key, allowed=self._allowed(error["loc"][:-1]))
        if error["type"] == "missing":
            example = Joined(" ", self.example) if self.example else ""
            return Text("error.missing", origin=origin, key=key, doc=self.doc, example=example)
        got = _got(error)
        fields = dict(origin=origin, problem=problem(error), got=Joined(" ", got) if got else "", doc=self.doc)
        if path == "(top level)":
            return Text("error.value_top", **fields)
        return Text("error.value", key=key, **fields)

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

    def _allowed(self, loc: tuple) -> "str | Text":
        """The keys of the table at `loc`, read from the models' field annotations."""
        model = self._model_at(loc)
        if model is None:
            return Text("error.see_doc", doc=self.doc)
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


def _got(error: dict) -> "Text | None":
    """'(got 'high', text)': the value refused and its TOML type, shortened; None for a table."""
    shown = error.get("input")
    if shown is None or isinstance(shown, dict):
        return None
    kind = _TOML_TYPES.get(type(shown))
    return Text("error.got", value=excerpt(repr(shown), 60),
                kind=Text(f"error.kind.{kind}") if kind else type(shown).__name__)


#: Python type -> the TOML type's word (`error.kind.*`).
_TOML_TYPES = {bool: "bool", int: "int", float: "float", str: "str", list: "list"}

#: pydantic's error types put into the catalogues' words (`error.type.<type>`), with the fields
#: each takes from the error's `ctx`; any other type keeps pydantic's (English) message.
PROBLEMS: dict[str, tuple[str, ...]] = {
    "less_than_equal": ("le",), "greater_than_equal": ("ge",), "less_than": ("lt",), "greater_than": ("gt",),
    "multiple_of": ("multiple_of",), "finite_number": (),
    "float_type": (), "float_parsing": (), "int_type": (), "int_parsing": (), "int_from_float": (),
    "bool_type": (), "bool_parsing": (), "string_type": (), "list_type": (), "tuple_type": (), "dict_type": (),
    "model_type": ("class_name",), "literal_error": ("expected",), "enum": ("expected",),
    "too_short": ("min_length", "actual_length"), "too_long": ("max_length", "actual_length"),
    "string_too_short": ("min_length",), "string_too_long": ("max_length",),
    "string_pattern_mismatch": ("pattern",),
}


def problem(error: dict) -> "Text | str":
    """What is wrong with one value, in the catalogues' words (`error.type.*`): e.g. 'Input
    should be less than or equal to 1' / 'Nilai harus kurang dari atau sama dengan 1'.

    Args:
        error: one of pydantic's errors (`type`, `msg`, `ctx`).

    Returns:
        A `Text` for the types of `PROBLEMS`; a project validator's own words when it raised
        `ValueError(Text(...))` (put into words in the reader's language when shown); pydantic's
        own message for any other (a plain `ValueError` without its 'Value error, ' prefix),
        shortened.
    """
    kind, ctx = error["type"], error.get("ctx") or {}
    words = validator_text(ctx.get("error"))
    if words is not None:
        return words
    names = PROBLEMS.get(kind)
    if names is None or any(name not in ctx for name in names):
        return excerpt(str(error.get("msg", kind)).removeprefix("Value error, "), 300)
    fields = {name: _number(ctx[name]) for name in names}
    if "expected" in fields:
        fields["expected"] = _choices(str(ctx["expected"]))
    return Text(f"error.type.{kind}", **fields)


def validator_text(error: Any) -> "Text | Joined | None":
    """The `Text` (or `Joined`) a project validator raised as `ValueError(Text(...))`, or None.

    Args:
        error: the exception in a pydantic error's `ctx['error']` (or anything else).
    """
    words = error.args[0] if isinstance(error, ValueError) and len(error.args) == 1 else None
    return words if isinstance(words, (Text, Joined)) else None


def _number(value: Any) -> Any:
    """A limit as pydantic shows it: 1.0 as 1, 0.25 as 0.25."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def _choices(expected: str) -> "Joined | str":
    """pydantic's "'none', 'decree' or 'perda'" with the language's own 'or' (`error.or`)."""
    head, sep, last = expected.rpartition(" or ")
    return Joined(head, " ", Text("error.or"), " ", last) if sep else expected


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
