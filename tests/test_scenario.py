"""Scenario files: inheritance, and a clear error (file, key, what is allowed) for bad input."""

import subprocess
import sys

import pytest

from coopsim import cli
from coopsim.config.errors import UserError
from coopsim.config.scenario import load_scenario, parameter_paths, scenario_files
from coopsim.config.schema import key_path
from conftest import ROOT, SCENARIOS


def write(tmp_path, text, name="s.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_every_shipped_scenario_loads():
    files = sorted(SCENARIOS.glob("*.toml"))
    assert len(files) >= 10
    for path in files:
        assert load_scenario(path).description, path


def test_extends_overrides_only_what_it_names():
    base = load_scenario(SCENARIOS / "baseline.toml")
    jc = load_scenario(SCENARIOS / "joint_committee.toml")
    assert jc.levers.joint_committee and not base.levers.joint_committee
    assert jc.regions == base.regions and jc.behaviour == base.behaviour


@pytest.mark.parametrize("text, words", [
    ("[regions]\nbudget_lines = 0.3\n", ["regions.budget_lines", "budget_line_share"]),
    ("[regions]\nhr_capacity = 'high'\n", ["regions.hr_capacity", "number"]),
    ("[regions]\nhr_capacity = 1.7\n", ["regions.hr_capacity", "less than or equal to 1"]),
    ("[levers]\nlegal_umbrella = 'law'\n", ["levers.legal_umbrella", "perda"]),
    ("[simulaton]\nyears = 3\n", ["simulaton", "simulation"]),
    ("[regions\nhr_capacity = 0.3\n", ["not valid TOML"]),
    ("extends = 'missing.toml'\n", ["extends", "missing.toml"]),
    ("colour = 'red'\n", ["unknown key 'colour'", "growth_areas, ", ", cases."]),
    ("[[cases]]\nname = 'Yogya-Kyoto'\nregion = 'ID-YO'\npartner = 'Kyoto'\ndata = 3\n",
     ["cases[0] (Yogya-Kyoto).data", "less than or equal to 1"]),
    ("[[cases]]\nname = 'Yogya-Kyoto'\nregion = 'ID-YO'\npartner = 'Kyoto'\npartnr_budget = true\n",
     ["cases[0] (Yogya-Kyoto).partnr_budget", "Allowed keys here", "partner_budget"]),
    ("[[cases]]\nregion = 'ID-YO'\npartner = 'Kyoto'\n", ["cases[0].name", "is missing"]),
])
def test_bad_input_names_file_key_and_what_is_allowed(tmp_path, text, words):
    path = write(tmp_path, text)
    with pytest.raises(UserError) as err:
        load_scenario(path)
    message = str(err.value)
    assert str(path) in message
    for word in words:
        assert word in message, message


def test_missing_file(tmp_path):
    with pytest.raises(UserError, match="no such scenario file"):
        load_scenario(tmp_path / "nope.toml")


def test_override_by_dotted_path(baseline):
    s = baseline.override({"regions.hr_capacity": 0.9, "levers.joint_committee": True})
    assert s.regions.hr_capacity == 0.9 and s.levers.joint_committee
    with pytest.raises(UserError, match="hr_capacty"):
        baseline.override({"regions.hr_capacty": 0.9})
    with pytest.raises(UserError, match="less than or equal"):
        baseline.override({"regions.hr_capacity": 9})
    assert "regions.budget_line_share" in parameter_paths()


def test_cli_error_is_one_paragraph_exit_2_no_traceback(tmp_path):
    path = write(tmp_path, "[regions]\nhr_capacity = 2\n")
    result = subprocess.run([sys.executable, "-m", "coopsim.cli", "run", str(path), "--out",
                             str(tmp_path / "out")], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "regions.hr_capacity" in result.stderr and str(path) in result.stderr
    assert not (tmp_path / "out").exists()


def test_key_paths_read_like_the_file():
    data = {"inputs": [{"path": "regions.hr_capacity"}, {"name": "jc"}, 3]}
    assert key_path(("inputs", 0, "bounds"), data) == "inputs[0] (regions.hr_capacity).bounds"
    assert key_path(("inputs", 1), data) == "inputs[1] (jc)"
    assert key_path(("inputs", 2), data) == "inputs[2]"
    assert key_path((), data) == "(top level)"
    assert key_path(("prim", "mass_min"), {}, prefix="discovery") == "discovery.prim.mass_min"


def test_scenarios_command_lists_files_and_survives_a_broken_one(tmp_path, capsys):
    write(tmp_path, 'description = """\nTwo lines.\nSecond."""\n', "a.toml")
    write(tmp_path, "[regions\n", "b.toml")
    write(tmp_path, "name = 'c'\n", "c.toml")
    assert [(p.name, line) for p, line in scenario_files(tmp_path)] == [
        ("a.toml", "Two lines."), ("b.toml", "(not valid TOML)"), ("c.toml", "")]
    assert cli.main(["scenarios", str(tmp_path)]) == 0
    assert "a.toml  Two lines." in capsys.readouterr().out
    assert cli.main(["scenarios", str(tmp_path / "nowhere")]) == 2
