"""The evidence split (issue #13): which targets calibration may use and which are held out
for validation, declared before fitting in `src/coopsim/data/evidence_split.toml`.

This module reads and checks the file's own structure (its keys, the two parts disjoint, every
dated count found in `regional_cooperation_counts.csv`). That every named target is one the
validation computes is checked against the validation's registry by
`coopsim.analysis.validation.check_split`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd
from pydantic import Field

from coopsim.config.errors import UserError
from coopsim.config.schema import FileSchema, Strict
from coopsim.config.toml import excerpt, read_toml

__all__ = ["DEFAULT_SPLIT", "PARTS", "EvidenceEntry", "CountSpec", "SplitFile", "CountTarget", "EvidenceSplit",
           "counts_table", "load_split"]

#: The shipped split.
DEFAULT_SPLIT = Path(str(resources.files("coopsim").joinpath("data", "evidence_split.toml")))
#: The two parts, in the order `coopsim validate` reports them.
PARTS = ("calibration", "held_out")


class EvidenceEntry(Strict):
    """One piece of evidence and the targets computed from it."""
    evidence: str = Field(min_length=1, description="what is known, in words")
    source: str = Field(min_length=1, description="where it is from (a data file's rows, SOURCES.md, the paper)")
    targets: list[str] = Field(min_length=1, description="check keys of coopsim.analysis.validation or [[counts]] keys")
    note: str = Field("", description="a caveat printed with the targets")


class CountSpec(Strict):
    """A dated number of one regional government's partners (a row of the counts table)."""
    key: str = Field(min_length=1, description="the target's key")
    figure: str = Field(min_length=1, description="the `figure` of a row of regional_cooperation_counts.csv")
    region: str = Field(min_length=1, description="the government's official name (provinces.csv, regencies.csv)")
    factor: float = Field(1.5, gt=1, le=10, description="passes when the model is within this factor of the data")


class SplitFile(Strict):
    """The file's tables."""
    calibration: list[EvidenceEntry] = Field(min_length=1)
    held_out: list[EvidenceEntry] = Field(min_length=1)
    counts: list[CountSpec] = []


_SCHEMA = FileSchema(SplitFile, doc="src/coopsim/data/evidence_split.toml (its header comment)")


@dataclass(frozen=True)
class CountTarget:
    """A [[counts]] entry resolved against the counts table: the number and its year."""
    key: str
    figure: str
    region: str
    factor: float
    value: float
    year: int
    source: str


@dataclass(frozen=True)
class EvidenceSplit:
    """The declared split.

    Attributes:
        path: the file it was read from.
        entries: part ("calibration" or "held_out") -> its evidence entries.
        counts: the dated counts, resolved.
    """
    path: Path
    entries: dict[str, tuple[EvidenceEntry, ...]]
    counts: tuple[CountTarget, ...]

    def targets(self, part: str) -> tuple[str, ...]:
        """Every target of one part, in the file's order."""
        return tuple(t for entry in self.entries[part] for t in entry.targets)

    @property
    def calibration(self) -> tuple[str, ...]:
        """The targets calibration may use."""
        return self.targets("calibration")

    @property
    def held_out(self) -> tuple[str, ...]:
        """The targets only validation reads."""
        return self.targets("held_out")

    def part_of(self, key: str) -> str | None:
        """"calibration", "held_out", or None for a target the file does not name."""
        return next((part for part in PARTS if key in self.targets(part)), None)

    def entry_of(self, key: str) -> EvidenceEntry | None:
        """The evidence entry naming `key` (None if none does)."""
        return next((e for part in PARTS for e in self.entries[part] if key in e.targets), None)


def counts_table() -> pd.DataFrame:
    """`regional_cooperation_counts.csv`: figure, value, reference_period, scope, source, ..."""
    with resources.files("coopsim").joinpath("data", "regional_cooperation_counts.csv").open() as f:
        return pd.read_csv(f, dtype=str).fillna("")


def _resolve_count(spec: CountSpec, table: pd.DataFrame, origin: str) -> CountTarget:
    """A [[counts]] entry with its number and year read from the counts table."""
    rows = table[table["figure"] == spec.figure]
    if rows.empty:
        raise UserError(f"{origin}: counts '{excerpt(spec.key)}': key 'figure' names no row of "
                        f"regional_cooperation_counts.csv ('{excerpt(spec.figure)}'). Figures there: "
                        f"{'; '.join(table['figure'])}.")
    row = rows.iloc[0]
    number = re.match(r"\s*(\d+)", row["value"])
    year = re.search(r"(1[89]\d\d|20\d\d)", row["reference_period"])
    if number is None or year is None:
        raise UserError(f"{origin}: counts '{excerpt(spec.key)}': the row '{spec.figure}' has no leading number "
                        f"in 'value' ({row['value']!r}) or no year in 'reference_period' "
                        f"({row['reference_period']!r}); only such rows can be a dated count.")
    return CountTarget(spec.key, spec.figure, spec.region, spec.factor, float(number.group(1)),
                       int(year.group(1)), row["source"])


def _check_disjoint(spec: SplitFile, origin: str) -> None:
    """No target twice, in one part or across the two; every count is a target of some entry."""
    seen: dict[str, str] = {}
    for part in PARTS:
        for entry in getattr(spec, part):
            for target in entry.targets:
                if target in seen:
                    where = "both parts" if seen[target] != part else f"'{part}' twice"
                    raise UserError(f"{origin}: target '{excerpt(target)}' is named in {where}; the calibration "
                                    f"and held-out targets must be disjoint and each named once.")
                seen[target] = part
    for count in spec.counts:
        if count.key not in seen:
            raise UserError(f"{origin}: counts '{excerpt(count.key)}' is no target of [[calibration]] or "
                            f"[[held_out]]; name it in the 'targets' of one of them.")


def load_split(path: str | Path | None = None) -> EvidenceSplit:
    """Read and check an evidence split file.

    Args:
        path: the file (default: the shipped `DEFAULT_SPLIT`).

    Returns:
        The `EvidenceSplit`.

    Raises:
        UserError: naming the file and the key: an unknown key, a target named twice or in both
            parts, a count whose figure is not in the counts table.
    """
    path = Path(path) if path is not None else DEFAULT_SPLIT
    _, data = read_toml(path, "evidence split")
    origin = excerpt(str(path), 200)
    spec = _SCHEMA.validate(data, origin)
    _check_disjoint(spec, origin)
    table = counts_table()
    counts = tuple(_resolve_count(c, table, origin) for c in spec.counts)
    return EvidenceSplit(path, {part: tuple(getattr(spec, part)) for part in PARTS}, counts)
