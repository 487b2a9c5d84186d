"""No hidden constants: every number that shapes behaviour in `coopsim.model.mechanisms` is a
documented scenario parameter (unit, range, default, source), and the model forms can be
switched."""

from __future__ import annotations

import ast

import numpy as np
import pytest

from conftest import ROOT
from coopsim.config.scenario import Scenario, parameter_table

MECHANISMS = ROOT / "src" / "coopsim" / "model" / "mechanisms"
# Literals other than 0 and 1 that are not behaviour: array shapes and axes, unit conversions,
# numerical guards. (file, value, a piece of the line, why)
ALLOWED = [
    ("approval.py", 2, "r.legal[sr] / 2", "legal level 0/1/2 as an obligation in [0, 1]"),
    ("approval.py", 2, "edge_uniforms(model, step_key(rng), 2)", "two keyed uniforms per partnership per step"),
    ("approval.py", 1e-12, "1e-12)", "guard against dividing by zero"),
    ("evaluation.py", 4, "edge_uniforms(model, key, 4)", "four keyed uniforms per partnership per step"),
    ("evaluation.py", 2, "u[2], u[3]", "the third and fourth of those uniforms"),
    ("evaluation.py", 3, "u[2], u[3]", "the third and fourth of those uniforms"),
    ("matching.py", 2, "axis=2", "the sector axis"),
    ("matching.py", 0.5, "median = 0.5 *", "the midpoint of the two middle values (a median)"),
    ("matching.py", 2, "median = 0.5 *", "integer halving to find the middle values"),
    ("implementation.py", 1e-12, "1e-12)", "guard against dividing by zero"),
]


def _literals():
    for path in sorted(MECHANISMS.glob("*.py")):
        lines = path.read_text().splitlines()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and type(node.value) in (int, float) and node.value not in (0, 1):
                yield path.name, node.value, lines[node.lineno - 1]


def test_no_behaviour_shaping_literal_in_the_mechanisms():
    hidden = [(f, v, line.strip()) for f, v, line in _literals()
              if not any(f == af and v == av and piece in line for af, av, piece, _ in ALLOWED)]
    assert not hidden, f"literals that should be scenario parameters: {hidden}"


def test_the_literal_check_sees_a_hidden_constant(tmp_path):
    tree = ast.parse("x = 0.4 * y")
    found = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and n.value not in (0, 1)]
    assert found == [0.4]


def test_every_parameter_has_a_unit_or_choices_and_a_source():
    rows = [r for r in parameter_table().splitlines() if r.startswith("| `") and "." in r.split("|")[1]]
    structural = [r for r in rows if r.split("|")[1].strip(" `").split(".")[0] in
                  ("traits", "funding", "implementation", "institutions", "matching", "follow_up", "approval",
                   "renewal", "revival", "partner_side", "relations_effects", "turnover", "decline")]
    assert len(structural) >= 75
    for row in structural:
        cells = [c.strip() for c in row.split("|")]
        assert cells[3] and cells[5], f"parameter without a range or a source: {row}"


@pytest.mark.parametrize("path, value", [("funding.discretionary_programs", 0.0), ("implementation.legal_loss", 1.0),
                                         ("institutions.sponsor_replacement", 0.2), ("partner_side.exit_engagement", 0.6),
                                         ("decline.priority_shift", 0.5), ("turnover.weaken_share", 1.0),
                                         ("implementation.transport_cost", 5.0), ("implementation.programme_failure", 1.0)])
def test_structural_parameters_act(path, value):
    """Each parameter reaches its mechanism: moving it changes the run."""
    from coopsim.model.outcomes import summarize
    from coopsim.run.runner import simulate

    base = Scenario().override({"simulation.years": 6, "simulation.population": "synthetic",
                                "simulation.synthetic_regions": 150, "simulation.seed_known_partnerships": False})
    a = summarize(simulate(base, seed=3))
    b = summarize(simulate(base.override({path: value}), seed=3))
    assert a != b


def test_multiplicative_binding_is_never_above_liebig():
    """With every factor in [0, 1], the product is at most the minimum: the multiplicative form
    gives less activity and more stagnation, with the same binding causes named."""
    from coopsim.model.mechanisms.implementation import _combine

    rng = np.random.default_rng(1)
    factors = rng.random((8, 500))
    binding = factors.argmin(axis=0)
    assert np.all(_combine(factors, binding, "multiplicative") <= _combine(factors, binding, "liebig") + 1e-15)
    from coopsim.model.outcomes import summarize
    from coopsim.run.runner import simulate

    base = Scenario().override({"simulation.years": 8})
    liebig = summarize(simulate(base, seed=2))
    product = summarize(simulate(base.override({"implementation.binding": "multiplicative"}), seed=2))
    assert product["share_failed"] > liebig["share_failed"]
