"""The parameters a scenario file declares, read from coopsim's schema (so new tables and
parameters are fuzzed without editing this file): dotted path, type, default and range."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from functools import lru_cache

from pydantic import BaseModel


@dataclass(frozen=True)
class Param:
    """One key of a scenario table.

    kind: "float", "int", "bool", "str", "choice" (a Literal), "list" (of text or choices);
    optional: None is allowed (the key may be absent); choices: a Literal's values.
    """

    path: str
    kind: str
    default: object
    lo: float | None = None
    hi: float | None = None
    optional: bool = False
    choices: tuple = ()


def _bounds(field) -> tuple[float | None, float | None]:
    lo = hi = None
    for m in field.metadata:
        lo = getattr(m, "ge", None) if getattr(m, "ge", None) is not None else getattr(m, "gt", lo)
        hi = getattr(m, "le", None) if getattr(m, "le", None) is not None else getattr(m, "lt", hi)
    return lo, hi


def _kind(annotation) -> tuple[str, bool, tuple]:
    """(kind, optional, choices) of an annotation such as `int | None` or `list[Literal[...]]`."""
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        kind, _, choices = _kind(inner[0])
        return kind, True, choices
    if origin is typing.Literal:
        return "choice", False, args
    if origin is list:
        _, _, choices = _kind(args[0])
        return "list", False, choices
    name = getattr(annotation, "__name__", str(annotation))
    return (name if name in ("float", "int", "bool", "str") else "other"), False, ()


def params_of(model: type[BaseModel], prefix: str = "") -> list[Param]:
    """The scalar and list keys of a table model (sub-tables are not descended)."""
    out = []
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        kind, optional, choices = _kind(field.annotation)
        lo, hi = _bounds(field)
        default = None if field.is_required() else field.default
        out.append(Param(f"{prefix}{name}", kind, default, lo, hi, optional, choices))
    return out


@lru_cache(maxsize=1)
def scenario_params() -> tuple[Param, ...]:
    """Every key of every table of a scenario file ([simulation], [regions], ...)."""
    from coopsim.config.scenario import Scenario

    out = []
    for section, field in Scenario.model_fields.items():
        model = field.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            out += params_of(model, f"{section}.")
    return tuple(out)


@lru_cache(maxsize=1)
def case_params() -> tuple[Param, ...]:
    """The keys of a [[cases]] entry."""
    from coopsim.config.scenario import Case

    return tuple(params_of(Case))
