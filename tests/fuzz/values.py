"""Values for one parameter: valid ones (small where a value sets a run's size, so accepted
cases stay fast) and hostile ones (another type, out of range, non-finite, huge, long text)."""

from __future__ import annotations

import datetime as dt
import random

from fuzz.schema import Param

#: Parameters that set how long a run takes: valid values stay small.
SIZES = {"simulation.years": 3, "simulation.synthetic_regions": 60, "partners.pool_size": 50,
         "simulation.steps_per_year": 4, "behaviour.candidates": 10}
LONG = "x" * 5000
STRANGE_TEXT = ["", " ", "é ü ñ 中文 🙂", "a\tb\nc", "../../etc/passwd", "\u202e" + "evil", "NUL\\u0000?", LONG]


def valid(p: Param, rng: random.Random):
    """A value the parameter allows (near its range's ends half of the time)."""
    if p.kind == "bool":
        return rng.random() < 0.5
    if p.kind == "choice":
        return rng.choice(p.choices)
    if p.kind == "list":
        return rng.sample(list(p.choices), rng.randint(1, len(p.choices))) if p.choices else []
    if p.kind in ("float", "int"):
        lo = p.lo if p.lo is not None else 0
        hi = min(p.hi if p.hi is not None else lo + 10, SIZES.get(p.path, float("inf")))
        hi = max(hi, lo)
        x = rng.choice([lo, hi, rng.uniform(lo, hi)])
        return int(round(x)) if p.kind == "int" else float(x)
    return p.default if p.default is not None else "x"


def wrong_type(p: Param, rng: random.Random):
    """A value of another TOML type than the parameter's."""
    by_kind = {
        "float": [True, False, "0.5", [0.5], {"x": 1}, dt.date(2020, 1, 1)],
        "int": [2.5, 3.0, True, "3", [3], dt.time(1, 2)],
        "bool": [1, 0, "true", "yes", 0.0, [True]],
        "str": [3, True, ["a"], {"a": "b"}, 1.5],
        "choice": [1, True, ["perda"], 2.0],
        "list": ["ID-YO", 3, [1, 2], [True], {"a": 1}, [["nested"]]],
    }
    return rng.choice(by_kind.get(p.kind, [[], {}]))


def out_of_range(p: Param, rng: random.Random):
    """A value of the right type just or far outside the parameter's range (or a bad choice)."""
    if p.kind in ("float", "int"):
        options = [10 ** 30, -(10 ** 30), 2 ** 64, -1]
        if p.lo is not None:
            options += [p.lo - (1 if p.kind == "int" else 0.001)]
        if p.hi is not None:
            options += [p.hi + (1 if p.kind == "int" else 0.001), p.hi * 1000 + 1]
        x = rng.choice(options)
        return x if p.kind == "int" or abs(x) > 2 ** 60 else float(x)
    if p.kind == "choice":
        return rng.choice(["law", "", p.choices[0].upper(), LONG])
    if p.kind == "list":
        return rng.choice([["state"], ["province", "state"], [LONG], [""]])
    return rng.choice(STRANGE_TEXT)


def non_finite(p: Param, rng: random.Random):
    """nan, inf or -inf (for numbers; a wrong type for the rest)."""
    if p.kind in ("float", "int"):
        return rng.choice([float("nan"), float("inf"), float("-inf")])
    return wrong_type(p, rng)


MUTATIONS = {"valid": valid, "wrong type": wrong_type, "out of range": out_of_range,
             "non-finite": non_finite}
