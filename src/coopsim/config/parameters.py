"""How a scenario parameter is declared: a default, a range, a unit and a source, kept
together (`param`), on a table of a scenario file (`Section`). docs/ODD.md's parameter table
is generated from these declarations."""

from __future__ import annotations

from pydantic import Field

from coopsim.config.schema import Strict

__all__ = ["Section", "param", "JUDGEMENT"]

#: The source of a number no document pins down: the modeller's judgement, open to sensitivity
#: analysis (docs/ODD.md says so for each).
JUDGEMENT = "judgement"


def param(default, lo=None, hi=None, *, unit: str = "", source: str = "", doc: str = ""):
    """A parameter: default, range [lo, hi], unit and source (the paper's section, a data
    source, or `JUDGEMENT`), with a line saying what it does."""
    return Field(default, ge=lo, le=hi, description=doc,
                 json_schema_extra={"unit": unit, "source": source})


class Section(Strict):
    """A table of a scenario file ([regions], [levers], [[cases]], ...)."""
