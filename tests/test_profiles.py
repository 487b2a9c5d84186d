"""A planner's own region (issue #14): `[[profiles]]` set a named region's traits and existing
partnerships, levers can be scoped to it, and `coopsim profile` writes a starting profile.
What a planner relies on: the profile's numbers are the ones the model uses, a scoped lever
changes that region only (every other region's partnerships bit-identical under common
seeds), and mistakes are refused with the key and what is allowed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import SCENARIOS
from coopsim.config.errors import UserError
from coopsim.config.scenario import load_scenario, parameter_table
from coopsim.model.model import CoopModel
from coopsim.model.population import find_region, institutionalisation, known_partnerships
from coopsim.config.scenario import Scenario as _Scenario

DATA_PLATFORM_GAIN = _Scenario().levers.data_platform_gain

SBY = "Kota Surabaya"
BASE = (SCENARIOS / "baseline.toml").as_posix()

# Surabaya's own situation: a budget line, good staff, a Perda, and three partnerships (two
# from the data, one stated by the planner only).
PROFILE = f'''
[[profiles]]
region = "{SBY}"
budget_line = true
budget_programs = 3.5
hr = 0.9
bureaucracy = 0.7
cooperation_bureau = true
legal_umbrella = "perda"
mid_term_plan = false
leader_commitment = 0.8
next_election_year = 2027
[[profiles.partnerships]]
partner = "Busan"
country = "South Korea"
year = 1994
status = "active"
[[profiles.partnerships]]
partner = "Kochi"
year = 1997
status = "stagnant"
[[profiles.partnerships]]
partner = "Liverpool"
country = "United Kingdom"
year = 2018
'''
COMMITTEE = f'[levers]\njoint_committee = true\nscope = ["{SBY}"]\n'


def _scenario(tmp_path, body: str, name: str = "t", years: int = 10):
    """A scenario file extending the baseline (all 552 regions, the known partnerships)."""
    path = tmp_path / f"{name}.toml"
    path.write_text(f'name = "{name}"\nextends = "{BASE}"\n[simulation]\nyears = {years}\n{body}', encoding="utf-8")
    return load_scenario(path)


def _others(model) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every region's but Surabaya's partnerships (ledger rows without the row id) and region rows."""
    ledger, regions = model.ledger(), model.region_table()
    ledger = ledger[ledger["region"] != SBY].drop(columns="id").reset_index(drop=True)
    return ledger, regions[regions["name"] != SBY].reset_index(drop=True)


def _row(model, name: str = SBY) -> pd.Series:
    table = model.region_table()
    return table[table["name"] == name].iloc[0]


# --- the profile's traits are the model's ---------------------------------------------------
def test_a_profiles_traits_are_the_ones_the_model_uses(tmp_path):
    model = CoopModel(_scenario(tmp_path, PROFILE), seed=3)
    row, i = _row(model), find_region(model.regions.table, SBY)
    assert (row["hr"], row["bureaucracy"], row["leader_commitment"]) == (0.9, 0.7, 0.8)
    assert row["budget"] == 3.5 and model.regions.budget_base[i] == 3.5   # a crisis cuts from here
    assert bool(row["bureau"]) and row["legal"] == 2 and not row["mid_term_plan"]
    assert model.regions.next_election[i] == (2027 - 2025) * 4   # the step of the 2027 election
    expected = institutionalisation(model.params, np.array([True]), np.array([2]), np.array([False]))[0]
    assert model.regions.institutionalisation[i] == pytest.approx(expected)


def test_a_key_left_out_keeps_the_drawn_trait(tmp_path):
    drawn = _row(CoopModel(_scenario(tmp_path, "", name="base"), seed=3))
    profiled = _row(CoopModel(_scenario(tmp_path, f'[[profiles]]\nregion = "{SBY}"\nhr = 0.9\n'), seed=3))
    assert profiled["hr"] == 0.9 and drawn["hr"] != 0.9
    for trait in ("budget", "data", "bureaucracy", "leader_commitment", "bureau", "legal"):
        assert profiled[trait] == drawn[trait], trait


def test_a_budget_line_without_a_size_gets_the_typical_size_of_its_level(tmp_path):
    scenario = _scenario(tmp_path, f'[[profiles]]\nregion = "{SBY}"\nbudget_line = true\n')
    model = CoopModel(scenario, seed=0)   # seed 0 draws no line for Surabaya
    assert CoopModel(_scenario(tmp_path, "", name="base"), seed=0).regions.budget[find_region(
        model.regions.table, SBY)] == 0
    assert _row(model)["budget"] == scenario.regions.budget_level * scenario.funding.programs_city


def test_levers_scoped_to_a_profiled_region_act_on_top_of_its_profile(tmp_path):
    body = (f'[[profiles]]\nregion = "{SBY}"\nhr = 0.5\ndata = 0.2\ncooperation_bureau = false\n'
            f'legal_umbrella = "none"\n[levers]\nhr_training = 0.2\ndata_platform = true\ncooperation_bureau = true\n'
            f'legal_umbrella = "decree"\nscope = ["{SBY}", "Kota Bandung"]\n')
    row = _row(CoopModel(_scenario(tmp_path, body), seed=1))
    assert row["hr"] == pytest.approx(0.7) and row["data"] == pytest.approx(0.2 + DATA_PLATFORM_GAIN)
    assert bool(row["bureau"]) and row["legal"] == 1


def test_the_data_platform_gain_is_the_one_the_population_draws(tmp_path):
    """The profile and population.build_regions add the same data platform gain (levers.data_platform_gain)."""
    on = _row(CoopModel(_scenario(tmp_path, '[levers]\ndata_platform = true\nscope = ["Kota Bandung"]\n'), seed=1),
              "Kota Bandung")
    off = _row(CoopModel(_scenario(tmp_path, "", name="base"), seed=1), "Kota Bandung")
    assert off["data"] + DATA_PLATFORM_GAIN < 1   # not clipped
    assert on["data"] - off["data"] == pytest.approx(DATA_PLATFORM_GAIN)


# --- the profile's partnerships --------------------------------------------------------------
def test_a_profiles_partnerships_replace_the_known_ones(tmp_path):
    extra = '[[profiles.partnerships]]\npartner = "Nowhere City"\ncountry = "Japan"\nstatus = "loi"\n'
    model = CoopModel(_scenario(tmp_path, PROFILE + extra), seed=2)
    mine = model.ledger().query("region == @SBY")
    assert list(mine["partner"]) == ["Busan", "Kōchi", "Liverpool", "Nowhere City"]   # 'Kochi' finds 'Kōchi'
    assert list(mine["stage"]) == ["active", "stagnant", "active", "loi"]
    assert list(mine["mou"].iloc[:3]) == [1994.0, 1997.0, 2018.0] and np.isnan(mine["mou"].iloc[3])
    assert mine["known"].all()
    base = CoopModel(_scenario(tmp_path, "", name="base"), seed=2)
    assert model.partners.n == base.partners.n + 1    # the new partner joined the pool
    # without a profile the region has every known partnership (signed in the past, some since
    # ended) besides those its own past made
    assert base.ledger().query("region == @SBY")["known"].sum() == len(known_partnerships().query(
        "indonesian_party == 'Surabaya'"))


def test_an_empty_list_means_no_partnerships_and_no_list_keeps_the_known_ones(tmp_path):
    none = CoopModel(_scenario(tmp_path, f'[[profiles]]\nregion = "{SBY}"\npartnerships = []\n'), seed=0)
    assert none.ledger().query("region == @SBY").empty
    kept = CoopModel(_scenario(tmp_path, f'[[profiles]]\nregion = "{SBY}"\nhr = 0.9\n', name="kept"), seed=0)
    base = CoopModel(_scenario(tmp_path, "", name="base"), seed=0)
    assert sorted(kept.ledger().query("region == @SBY")["partner"]) == sorted(
        base.ledger().query("region == @SBY")["partner"])


# --- only Surabaya changes ---------------------------------------------------------------------
def test_a_profile_and_a_scoped_lever_leave_every_other_region_as_it_starts(tmp_path):
    """At the start, the profile and the scoped committee touch Surabaya's rows only: every
    other region's partnerships and traits are bit-identical (the profile draws from its own
    stream; the known partnerships are drawn for Surabaya all the same)."""
    base = _scenario(tmp_path, "", name="base")
    mine = _scenario(tmp_path, PROFILE + COMMITTEE)
    for seed in (0, 1):
        a, b = CoopModel(base, seed=seed), CoopModel(mine, seed=seed)
        (la, ra), (lb, rb) = _others(a), _others(b)
        pd.testing.assert_frame_equal(la, lb)
        pd.testing.assert_frame_equal(ra, rb)
        assert b.ledger().query("region == @SBY")["joint_committee"].all()
        # elsewhere only the documented committees (data/documented_features.csv: DIY-Kyoto)
        assert lb["joint_committee"].sum() == la["joint_committee"].sum() <= 1


def test_a_profile_and_a_scoped_lever_change_only_that_regions_partnerships(tmp_path):
    """Issue #14 acceptance: under common seeds only Surabaya's partnerships change."""
    base = _scenario(tmp_path, "", name="base")
    mine = _scenario(tmp_path, PROFILE + COMMITTEE)
    changed = False
    for seed in (0, 1, 2):
        a, b = CoopModel(base, seed=seed).run(), CoopModel(mine, seed=seed).run()
        (la, ra), (lb, rb) = _others(a), _others(b)
        pd.testing.assert_frame_equal(la, lb)
        pd.testing.assert_frame_equal(ra, rb)
        sa, sb = (m.ledger().query("region == @SBY").drop(columns="id") for m in (a, b))
        changed |= not sa.reset_index(drop=True).equals(sb.reset_index(drop=True))
    assert changed


# --- mistakes a planner makes --------------------------------------------------------------
def test_a_misspelt_region_is_refused_with_the_closest_names(tmp_path):
    with pytest.raises(UserError) as err:
        _scenario(tmp_path, '[[profiles]]\nregion = "Kota Surabya"\nhr = 0.5\n')
    text = str(err.value)
    assert "t.toml" in text and "profiles[0].region" in text
    assert "Kota Surabaya" in text and "Did you mean" in text


def test_an_unknown_partnership_status_is_refused_naming_the_key_and_the_allowed_values(tmp_path):
    with pytest.raises(UserError) as err:
        _scenario(tmp_path, f'[[profiles]]\nregion = "{SBY}"\n[[profiles.partnerships]]\npartner = "Busan"\n'
                            f'status = "dormant"\n')
    text = str(err.value)
    assert "profiles[0].partnerships[0].status" in text and "'dormant'" in text
    for allowed in ("'active'", "'stagnant'", "'exploration'", "'loi'"):
        assert allowed in text


@pytest.mark.parametrize("body, words", [
    (f'[[profiles]]\nregion = "{SBY}"\nbudget_line = false\nbudget_programs = 2.0\n', ["budget_line = false", "budget_programs"]),
    (f'[[profiles]]\nregion = "{SBY}"\nhr = 1.5\n', ["profiles[0].hr", "less than or equal to 1"]),
    (f'[[profiles]]\nregion = "{SBY}"\nhr_capacity = 0.5\n', ["unknown key 'profiles[0].hr_capacity'", "hr,"]),
    (f'[[profiles]]\nregion = "{SBY}"\n[[profiles]]\nregion = "surabaya"\n', ["profiles[1].region", "profiles[0]"]),
    (f'[[profiles]]\nregion = "{SBY}"\nnext_election_year = 2020\n', ["next_election_year", "2025 or later"]),
    (f'[[profiles]]\nregion = "{SBY}"\n[[profiles.partnerships]]\npartner = "Busan"\nyear = 2030\n',
     ["partnerships[0].year", "after the run starts"]),
    (f'[[profiles]]\nregion = "{SBY}"\n[[profiles.partnerships]]\npartner = "Busan"\n[[profiles.partnerships]]\n'
     f'partner = "busan"\n', ["partnerships[1].partner", "twice"]),
])
def test_profile_mistakes_are_refused_with_the_key(tmp_path, body, words):
    with pytest.raises(UserError) as err:
        _scenario(tmp_path, body)
    for word in words:
        assert word in str(err.value)


def test_an_unelected_heads_election_year_is_refused(tmp_path):
    scenario = _scenario(tmp_path, '[[profiles]]\nregion = "ID-YO"\nnext_election_year = 2029\n')
    with pytest.raises(UserError, match="not elected"):
        CoopModel(scenario, seed=0)


def test_the_parameter_table_documents_the_profile_keys():
    table = parameter_table()
    for key in ("`budget_programs`", "`legal_umbrella`", "`next_election_year`", "`status`"):
        assert key in table.split("[[profiles]]")[1]
    assert "active / stagnant / exploration / loi" in table


# --- coopsim profile -----------------------------------------------------------------------
def _profile_command(tmp_path, *extra: str) -> tuple[int, str]:
    from coopsim.cli import main

    return main(["profile", SBY, "--out", str(tmp_path / "my_region.toml"), "--scenario", BASE, *extra])


def test_the_profile_command_writes_a_scenario_that_loads_and_runs(tmp_path, capsys):
    assert _profile_command(tmp_path) == 0
    assert "my_region.toml" in capsys.readouterr().out
    text = (tmp_path / "my_region.toml").read_text(encoding="utf-8")
    scenario = load_scenario(tmp_path / "my_region.toml")
    assert [p.region for p in scenario.profiles] == [SBY]
    known = known_partnerships().query("indonesian_party == 'Surabaya'")
    assert sorted(p.partner for p in scenario.profiles[0].partnerships) == sorted(known["foreign_party"])
    assert {p.year for p in scenario.profiles[0].partnerships if p.year} == {int(y) for y in known["year_signed"] if y}
    # every key is explained in both languages
    assert text.count("# (ID) ") == text.count("# (EN) ") >= 14
    model = CoopModel(scenario.override({"simulation.years": 3}), seed=0).run()
    assert _row(model)["hr"] == scenario.profiles[0].hr
    assert len(model.ledger().query("region == @SBY and known")) == len(known)


def test_the_profiles_lever_example_scopes_the_lever_to_the_region(tmp_path):
    assert _profile_command(tmp_path) == 0
    lever = tmp_path / "my_region_lever.toml"   # as the file's comments say, without the '# '
    text = (tmp_path / "my_region.toml").read_text(encoding="utf-8")
    example = text.split("# name = ")[1].split("# (ID) Lalu")[0]
    lever.write_text("name = " + example.replace("# ", ""), encoding="utf-8")
    model = CoopModel(load_scenario(lever).override({"simulation.years": 2}), seed=0).run()
    ledger = model.ledger()
    assert ledger.query("region == @SBY")["joint_committee"].all()
    # elsewhere only the documented committees (data/documented_features.csv: DIY-Kyoto)
    others = ledger.query("region != @SBY")
    assert not others[others["partner"] != "Kyoto Prefecture"]["joint_committee"].any()


def test_the_profile_command_does_not_overwrite_without_force(tmp_path, capsys):
    (tmp_path / "my_region.toml").write_text("mine", encoding="utf-8")
    assert _profile_command(tmp_path) == 2
    assert "--force" in capsys.readouterr().err
    assert (tmp_path / "my_region.toml").read_text(encoding="utf-8") == "mine"
    assert _profile_command(tmp_path, "--force") == 0
    assert "[[profiles]]" in (tmp_path / "my_region.toml").read_text(encoding="utf-8")


def test_the_profile_command_suggests_a_region_for_a_misspelt_name(tmp_path, capsys):
    from coopsim.cli import main

    assert main(["profile", "Kota Surabya", "--out", str(tmp_path / "x.toml"), "--scenario", BASE]) == 2
    assert "Kota Surabaya" in capsys.readouterr().err
    assert not (tmp_path / "x.toml").exists()


def test_a_region_without_known_partnerships_gets_an_empty_list_and_an_example(tmp_path):
    from coopsim.workflows.profile import region_profile

    profile = region_profile("Kabupaten Nias", BASE, extends=BASE)
    assert profile.partnerships == 0 and "partnerships = []" in profile.text
    path = tmp_path / "nias.toml"
    path.write_text(profile.text, encoding="utf-8")
    assert load_scenario(path).profiles[0].partnerships == []


def test_a_profile_mistake_reads_in_indonesian_naming_the_key_and_what_is_allowed(tmp_path, capsys, monkeypatch):
    from coopsim import cli
    from coopsim.config.profiles import Profile
    from coopsim.model.profiles import profiled_region

    scenario = _scenario(tmp_path, '[[profiles]]\nregion = "ID-YO"\nnext_election_year = 2029\n')
    error = pytest.raises(UserError, CoopModel, scenario, seed=0).value
    assert error.text("en").endswith("key 'profiles[0].next_election_year': the head of Provinsi Daerah Istimewa "
                                     "Yogyakarta is not elected (elections.unelected_heads); leave "
                                     "next_election_year out.")
    assert error.text("id").endswith("kunci 'profiles[0].next_election_year': kepala daerah Provinsi Daerah "
                                     "Istimewa Yogyakarta tidak dipilih melalui pilkada "
                                     "(elections.unelected_heads); hapus next_election_year.")
    model = CoopModel(_scenario(tmp_path, "", name="base"), seed=0, agents=False)
    error = pytest.raises(UserError, profiled_region, model, 2, Profile(region="Kota Surabya")).value
    assert "key 'profiles[2].region': unknown region 'Kota Surabya'. Did you mean: Kota Surabaya" in error.text("en")
    assert error.text("id").startswith(f"{model.params.source_file}: kunci 'profiles[2].region': daerah "
                                       f"'Kota Surabya' tidak dikenal. Mungkin maksud Anda: Kota Surabaya")
    monkeypatch.setenv("COOPSIM_LANG", "id")
    path = tmp_path / "u.toml"
    path.write_text(f'name = "u"\nextends = "{BASE}"\n[simulation]\nyears = 10\n[[profiles]]\nregion = "ID-YO"\n'
                    f'next_election_year = 2029\n', encoding="utf-8")
    assert cli.main(["run", str(path), "--reps", "1", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "kunci 'profiles[0].next_election_year'" in err and "hapus next_election_year" in err, err
    assert "Traceback" not in err


@pytest.mark.parametrize("body, words", [
    ('[[profiles]]\nregion = "Kota Surabya"\n', ["profiles[0].region", "tidak ada daerah", "Kota Surabaya"]),
    (f'[[profiles]]\nregion = "{SBY}"\nnext_election_year = 2020\n', ["next_election_year", "2025 atau sesudahnya"]),
    (f'[[profiles]]\nregion = "{SBY}"\nbudget_line = false\nbudget_programs = 2.0\n', ["budget_programs", "tetapi"]),
    (f'[[profiles]]\nregion = "{SBY}"\n[[profiles.partnerships]]\npartner = "Busan"\n[[profiles.partnerships]]\n'
     f'partner = "busan"\n', ["partnerships[1].partner", "dua kali"]),
])
def test_a_planners_profile_mistakes_read_in_indonesian(tmp_path, body, words):
    """A planner's region profile: the error names the key and what is allowed, in Bahasa Indonesia."""
    from coopsim.config.errors import error_language

    with pytest.raises(UserError) as err:
        _scenario(tmp_path, body)
    with error_language("id"):
        text = str(err.value)
    for word in words:
        assert word in text, text


def test_a_misspelt_lever_scope_names_the_file_and_key_in_both_languages(tmp_path):
    """levers.scope: a region that does not exist is refused with the file, the key, close names,
    in English and in Bahasa Indonesia (`coopsim profile` and every command share the wording)."""
    from coopsim.model.population import build_regions

    path = tmp_path / "scoped.toml"
    path.write_text(f'extends = "{BASE}"\nname = "scoped"\n[levers]\nscope = ["{SBY}", "Kota Surabya"]\n',
                    encoding="utf-8")
    with pytest.raises(UserError) as err:
        build_regions(load_scenario(path), np.random.default_rng(0))
    english, indonesian = err.value.text("en"), err.value.text("id")
    assert "scoped.toml" in english and "key 'levers.scope[1]'" in english
    assert "unknown region 'Kota Surabya'" in english and "Kota Surabaya" in english
    assert "kunci 'levers.scope[1]'" in indonesian and "tidak dikenal" in indonesian
