"""The evidence split (issue #13): the declared file is well formed (two disjoint parts, every
target one the validation computes, every dated count found in the data), bad files are
refused with the file and the key named, and the calibration's code path computes the
calibration targets and never a held-out one."""

from __future__ import annotations

import dataclasses

import pytest

from coopsim.analysis import validation as V
from coopsim.config.errors import UserError
from coopsim.config.evidence import DEFAULT_SPLIT, counts_table, load_split
from coopsim.model.population import indonesia_regions
from coopsim.workflows import calibration as C
from coopsim.workflows import validation as W


@pytest.fixture(scope="module")
def split():
    return load_split()


@pytest.fixture(scope="module")
def tiny(baseline):
    """The real model at test size: provinces only, eight years."""
    return baseline.override({"simulation.years": 8, "simulation.levels": ["province"]})


def test_the_split_is_disjoint_and_names_only_targets_the_validation_computes(split):
    calibration, held_out = set(split.calibration), set(split.held_out)
    assert calibration and held_out and not calibration & held_out
    assert len(split.calibration) == len(calibration) and len(split.held_out) == len(held_out)
    counts = {c.key for c in split.counts}
    assert calibration | held_out == set(V.CHECK_KEYS) | counts     # every check split, nothing else named
    V.check_split(split, regions=indonesia_regions()["name"])       # the same, as the program checks it
    figures = set(counts_table()["figure"])
    for count in split.counts:
        assert count.figure in figures and count.value > 0 and 1900 < count.year < 2100
    for part in ("calibration", "held_out"):
        assert all(e.source.strip() and e.evidence.strip() for e in split.entries[part])


def test_named_evidence_is_held_out(split):
    """What the issue names for validation is in the held-out part: the documented statuses,
    the per-province numbers, the Yogyakarta, West Java and Jakarta histories."""
    named = {"known_status_brier", "known_status_matched", "province_rank", "kyoto_active", "ismailiya_stops",
             "crisis_restarts", "partners_jakarta_2019"}
    assert named <= set(split.held_out)
    for key in split.calibration:   # calibration reads only patterns about national counts and rates
        pattern = next(k for k, m in V.MEASURES.items() if key in m.keys)
        assert "evidence" not in V.MEASURES[pattern].runs


def _write(tmp_path, text):
    path = tmp_path / "split.toml"
    path.write_text(text)
    return path


ENTRY = '[[{part}]]\nevidence = "e"\nsource = "s"\ntargets = {targets}\n'


def test_bad_split_files_are_refused_naming_file_and_key(tmp_path):
    both = ENTRY.format(part="calibration", targets='["quiet_share"]') + ENTRY.format(part="held_out",
                                                                                    targets='["quiet_share"]')
    with pytest.raises(UserError, match="quiet_share.*both parts"):
        load_split(_write(tmp_path, both))
    typo = ENTRY.format(part="calibration", targets='["quiet_shar"]') + ENTRY.format(part="held_out",
                                                                                   targets='["kyoto_active"]')
    with pytest.raises(UserError, match=r"unknown target\(s\) quiet_shar.*Allowed"):
        V.check_split(load_split(_write(tmp_path, typo)))
    partial = ENTRY.format(part="calibration", targets='["quiet_share"]') + ENTRY.format(part="held_out",
                                                                                       targets='["kyoto_active"]')
    with pytest.raises(UserError, match="in neither part"):
        V.check_split(load_split(_write(tmp_path, partial)))
    count = partial.replace('["kyoto_active"]', '["kyoto_active", "c"]') + \
        '[[counts]]\nkey = "c"\nfigure = "no such figure"\nregion = "Kota Bandung"\n'
    with pytest.raises(UserError, match="split.toml: counts 'c': key 'figure'"):
        load_split(_write(tmp_path, count))
    with pytest.raises(UserError, match=r"split.toml: .*key 'held_out\[0\]\.target"):
        load_split(_write(tmp_path, partial.replace("targets = [\"kyoto", "target = [\"kyoto")))


def _boom(*_):
    raise AssertionError("a held-out target was computed")


def test_calibration_computes_only_the_calibration_targets(tiny, split, monkeypatch):
    """Instrumented: every measure of a held-out pattern, the derived scenarios and the data
    they read raise if touched; a calibration point still scores, on exactly its targets."""
    held_out_patterns = [k for k, m in V.MEASURES.items() if set(m.keys) <= set(split.held_out)]
    assert held_out_patterns == [3, 5, 7, 8]
    for k in held_out_patterns:
        monkeypatch.setitem(V.MEASURES, k, dataclasses.replace(V.MEASURES[k], compute=_boom))
    for name in ("case_scenario", "crisis_scenarios", "evidence_for", "known_partnerships"):
        monkeypatch.setattr(W, name, _boom)
    target = C.calibration_target(tiny, {"behaviour.follow_up": (0.15, 0.6)}, 1, split)
    stats = target({"behaviour.follow_up": 0.3}, 5)
    assert set(stats) == {p + k for k in split.calibration for p in ("value:", "miss:")}
    # the instrument can fail: a calibration pattern's measure is reached the same way
    monkeypatch.setitem(V.MEASURES, 1, dataclasses.replace(V.MEASURES[1], compute=_boom))
    with pytest.raises(AssertionError, match="computed"):
        target({"behaviour.follow_up": 0.3}, 5)


def test_the_split_file_decides_what_calibration_reads(tiny, tmp_path):
    """Move the Yogyakarta checks to calibration: the same code then computes them (nothing in
    the calibration path hard-codes the part)."""
    text = DEFAULT_SPLIT.read_text().replace("[[held_out]]\nevidence = \"Yogyakarta", "[[calibration]]\nevidence = \"Yogyakarta")
    moved = load_split(_write(tmp_path, text))
    assert "kyoto_active" in moved.calibration and "kyoto_active" not in moved.held_out
    stats = C.calibration_target(tiny, {"behaviour.follow_up": (0.15, 0.6)}, 1, moved)({"behaviour.follow_up": 0.3}, 5)
    assert "value:kyoto_active" in stats and "value:crisis_stops" not in stats
