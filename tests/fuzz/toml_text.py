"""A small TOML writer: tables, arrays of tables, inline tables, and every scalar TOML has,
including nan and inf (which TOML allows and coopsim must refuse)."""

from __future__ import annotations

import datetime as dt
import json
import math
import re

_BARE = re.compile(r"[A-Za-z0-9_-]+")


def key(k: str) -> str:
    """A key, bare when TOML allows it, quoted otherwise."""
    return k if _BARE.fullmatch(k) else json.dumps(k, ensure_ascii=False)


def value(v) -> str:
    """A value as TOML text (inline tables for dicts)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        return ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (dt.date, dt.datetime, dt.time)):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{key(k)} = {value(x)}" for k, x in v.items()) + "}"
    raise TypeError(f"no TOML for {type(v)}")


def _is_array_of_tables(v) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def _emit(table: dict, prefix: str, out: list[str]) -> None:
    for k, v in table.items():
        if not isinstance(v, dict) and not _is_array_of_tables(v):
            out.append(f"{key(k)} = {value(v)}")
    for k, v in table.items():
        if isinstance(v, dict):
            out.append(f"\n[{prefix}{key(k)}]")
            _emit(v, f"{prefix}{key(k)}.", out)
    for k, v in table.items():
        if _is_array_of_tables(v):
            for item in v:
                out.append(f"\n[[{prefix}{key(k)}]]")
                _emit(item, f"{prefix}{key(k)}.", out)


def dumps(data: dict) -> str:
    """The TOML text of a dict (keys in the dict's order, scalars before tables)."""
    out: list[str] = []
    _emit(data, "", out)
    return "\n".join(out) + "\n"
