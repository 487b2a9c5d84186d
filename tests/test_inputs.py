"""The one input layer (issue 17): every file a user gives is read the same way and refused with
one clear paragraph naming the file (and the key) — never a traceback, a hang or a memory
blow-up — and no value is coerced or ignored silently."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest

from coopsim import cli
from coopsim.config.checks import check_scenario, read_regions_table
from coopsim.config.errors import UserError
from coopsim.config.experiment import load_experiment, shipped_scenarios
from coopsim.config.scenario import Scenario, load_scenario
from coopsim.config.toml import MAX_EXTENDS, MAX_TOML_BYTES, read_toml, read_toml_extending, read_user_text
from coopsim.model.population import read_regions_csv
from conftest import ROOT, SCENARIOS, ishigami_experiment

GOOD = 'name = "x"\n[simulation]\nyears = 1\npopulation = "synthetic"\nsynthetic_regions = 30\n'


@pytest.fixture(autouse=True)
def time_limit():
    """A hang (reading a pipe, say) fails the test after 10 s instead of stopping the suite."""
    def hang(signum, frame):
        raise TimeoutError("hung for over 10 s")

    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def refused(call, *words) -> str:
    with pytest.raises(UserError) as err:
        call()
    message = str(err.value)
    for word in words:
        assert word in message, (word, message)
    assert len(message) < 1000, message
    return message


# -- what a file can be ----------------------------------------------------------------------
@pytest.mark.parametrize("content, words", [
    (GOOD.encode("utf-16"), ["UTF-16", "Save it as UTF-8"]),
    (GOOD.encode("utf-16-le"), ["UTF-16", "UTF-8"]),
    (('description = "Daerah Istimewa Yogyakarta é"\n' + GOOD).encode("latin-1"), ["not UTF-8", "line 1", "Latin-1"]),
    (bytes(range(128, 256)) * 4, ["not UTF-8"]),
    (bytes(range(256)) * 4, ["NUL bytes", "binary"]),
    (b'name = "x"\x00\n', ["NUL", "binary"]),
    (b"x" * (MAX_TOML_BYTES + 1), ["over 1024 KB"]),
])
def test_unreadable_bytes_are_refused_with_a_hint(tmp_path, content, words):
    path = tmp_path / "s.toml"
    path.write_bytes(content)
    refused(lambda: load_scenario(path), str(path), *words)


def test_a_byte_order_mark_is_tolerated(tmp_path):
    path = tmp_path / "s.toml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert load_scenario(path).simulation.years == 1


def test_not_a_regular_file_is_refused_before_reading(tmp_path):
    os.mkfifo(tmp_path / "pipe.toml")             # opening it for reading would wait for a writer
    (tmp_path / "folder.toml").mkdir()
    (tmp_path / "zero.toml").symlink_to("/dev/zero")   # reading it would never end
    for name, words in (("pipe.toml", "named pipe"), ("folder.toml", "folder"), ("zero.toml", "device")):
        refused(lambda: load_scenario(tmp_path / name), str(tmp_path / name), words, "not a scenario file")
    refused(lambda: load_scenario("/dev/zero"), "/dev/zero", "device")
    refused(lambda: load_scenario(tmp_path / "nope.toml"), "no such scenario file", "coopsim scenarios")
    refused(lambda: load_scenario(tmp_path / ("n" * 300 + ".toml")), "cannot open", "too long")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_no_read_permission(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(GOOD)
    path.chmod(0)
    refused(lambda: load_scenario(path), str(path), "no permission")


@pytest.mark.parametrize("text, key", [
    ("x = " + "[" * 1000 + "]" * 1000, "(top level)"),             # tomllib would raise RecursionError
    ("x = " + "{a = " * 600 + "1" + "}" * 600, "(top level)"),
    (".".join(["a"] * 5000) + " = 1", "a.a.a"),                     # parses, then too deep for anything
    ("x = " + "[" * 40 + "]" * 40, "x[0]"),
])
def test_deep_nesting_is_refused_not_a_recursion_error(tmp_path, text, key):
    path = tmp_path / "s.toml"
    path.write_text(text + "\n")
    refused(lambda: read_toml(path, "scenario"), str(path), "nested too deeply", key)


def test_read_user_text_returns_the_text_without_the_mark(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"\xef\xbb\xbfname\nA\n")
    assert read_user_text(path, "regions") == "name\nA\n"


# -- extends ---------------------------------------------------------------------------------
def test_a_long_extends_chain_is_refused_without_recursion(tmp_path):
    for i in range(1, 1200):
        (tmp_path / f"c{i}.toml").write_text(f'extends = "c{i + 1}.toml"\n')
    (tmp_path / "c1200.toml").write_text('name = "root"\n')
    refused(lambda: load_scenario(tmp_path / "c1" ".toml"), str(tmp_path / "c1.toml"), "'extends' chain",
            f"over {MAX_EXTENDS} files")


def test_a_short_chain_merges_table_by_table(tmp_path):
    (tmp_path / "a.toml").write_text('name = "a"\n[regions]\nhr_capacity = 0.9\ndata_quality = 0.2\n')
    (tmp_path / "b.toml").write_text('name = "b"\nextends = "a.toml"\n[regions]\ndata_quality = 0.7\n')
    (tmp_path / "c.toml").write_text('extends = "b.toml"\n[levers]\ndiplomat = true\n')
    data = read_toml_extending(tmp_path / "c.toml", "scenario")
    assert data["name"] == "b" and data["extends"] == "b.toml" and data["levers"] == {"diplomat": True}
    assert data["regions"] == {"hr_capacity": 0.9, "data_quality": 0.7}


@pytest.mark.parametrize("extends, words", [
    ('"."', ["must name a file", "'.'"]),
    ('""', ["must name a file"]),
    ('"sub"', ["key 'extends'", "folder"]),
    ('"pipe.toml"', ["key 'extends'", "named pipe"]),
    ('"s.toml"', ["cycle"]),
    ('"p.toml"', ["cycle", "s.toml -> p.toml -> s.toml"]),
    ('3', ["must be a file name"]),
    ('"utf16.toml"', ["key 'extends'", "utf16.toml", "UTF-16"]),
])
def test_bad_extends_is_refused(tmp_path, extends, words):
    (tmp_path / "sub").mkdir()
    os.mkfifo(tmp_path / "pipe.toml")
    (tmp_path / "p.toml").write_text('extends = "s.toml"\n')
    (tmp_path / "utf16.toml").write_bytes(GOOD.encode("utf-16"))
    path = tmp_path / "s.toml"
    path.write_text(f'name = "s"\nextends = {extends}\n')
    refused(lambda: read_toml_extending(path, "scenario"), str(path), "extends", *words)


# -- strict types and finite numbers ---------------------------------------------------------
@pytest.mark.parametrize("text, words", [
    ("[regions]\nhr_capacity = true\n", ["regions.hr_capacity", "valid number", "got True, yes/no"]),
    ("[regions]\nhr_capacity = '0.5'\n", ["regions.hr_capacity", "got '0.5', text"]),
    ("[levers]\njoint_committee = 1\n", ["levers.joint_committee", "valid boolean", "whole number"]),
    ("[simulation]\nyears = 2.0\n", ["simulation.years", "valid integer"]),
    ("[regions]\nhr_capacity = nan\n", ["regions.hr_capacity", "finite number"]),
    ("[regions]\nbudget_level = inf\n", ["regions.budget_level", "finite number"]),
    ("[simulation]\nlevels = 'province'\n", ["simulation.levels", "valid list"]),
    ("[elections]\nunelected_heads = [1]\n", ["elections.unelected_heads[0]", "valid string"]),
    ("[[cases]]\nname = 'c'\nregion = 'ID-YO'\npartner = 'p'\nsigned_year = 1e30\n", ["signed_year", "integer"]),
])
def test_no_coercion_between_types(tmp_path, text, words):
    path = tmp_path / "s.toml"
    path.write_text('name = "x"\n' + text)
    refused(lambda: load_scenario(path), str(path), *words)


def test_a_whole_number_is_a_valid_decimal(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('name = "x"\n[regions]\nhr_capacity = 1\n[levers]\ndedicated_budget = 0\n')
    scenario = load_scenario(path)
    assert scenario.regions.hr_capacity == 1.0 and isinstance(scenario.regions.hr_capacity, float)


def test_messages_quote_a_short_excerpt(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(f'name = "x"\n[regions]\n{"k" * 5000} = 1\n')
    message = refused(lambda: load_scenario(path), str(path), "unknown key 'regions.kkkk", "characters)")
    assert "k" * 200 not in message
    path.write_text(f'name = "x"\n[regions]\nhr_capacity = "{"v" * 5000}"\n')
    assert "v" * 200 not in refused(lambda: load_scenario(path), "regions.hr_capacity")


# -- names and codes that must exist ---------------------------------------------------------
def _scenario(**tables) -> Scenario:
    return Scenario.model_validate({"name": "x", **tables})


@pytest.mark.parametrize("tables, words", [
    ({"elections": {"unelected_heads": ["XX-YY"]}}, ["elections.unelected_heads", "XX-YY", "ID-YO"]),
    ({"central": {"diplomat_regions": ["Narnia"]}}, ["central.diplomat_regions", "Narnia", "ID-JT"]),
    ({"central": {"diplomat_regions": ["id-yo"]}}, ["central.diplomat_regions", "id-yo"]),
    ({"shock": {"downturn_country": "Narnia"}}, ["shock.downturn_country", "Narnia", "Japan"]),
    ({"shock": {"downturn_country": "china"}}, ["shock.downturn_country", "Did you mean China"]),
    ({"cases": [{"name": "c", "region": "Narnia", "partner": "p"}]}, ["cases[0] (c).region", "Narnia"]),
    ({"cases": [{"name": "c", "region": "Kota Yogyakarta", "partner": "p"}], "simulation": {"levels": ["province"]}},
     ["cases[0] (c).region", "levels province", "Did you mean"]),
    ({"cases": [{"name": "c", "region": "ID-YO", "partner": "p", "signed_year": 2199}]},
     ["cases[0] (c).signed_year", "2199", "1900 - 2045"]),
    ({"simulation": {"levels": []}}, ["simulation.levels", "empty"]),
    ({"simulation": {"population": "synthetic", "synthetic_regions": 30},
      "cases": [{"name": "c", "region": "Region 30", "partner": "p"}]}, ["cases[0] (c).region", "Region 30"]),
])
def test_unknown_names_and_codes_are_refused(tables, words):
    refused(lambda: check_scenario(_scenario(**tables), "s.toml"), "s.toml: key '", *words)


@pytest.mark.parametrize("tables", [
    {"elections": {"unelected_heads": ["ID-YO", "ID-AC"]}, "central": {"diplomat_regions": []}},
    {"shock": {"downturn_country": "Egypt"}, "cases": [{"name": "c", "region": "ID-YO", "partner": "p", "country": "Egypt"}]},
    {"shock": {"downturn_country": "Singapore"}},
    {"cases": [{"name": "c", "region": "kota yogyakarta", "partner": "p", "signed_year": 1985}]},
    {"cases": [{"name": "c", "region": "Special Region of Yogyakarta", "partner": "p"}]},
    {"simulation": {"population": "synthetic", "synthetic_regions": 30},
     "central": {"diplomat_regions": ["P0", "ID-YO"]}, "cases": [{"name": "c", "region": "Region 29", "partner": "p"}]},
])
def test_names_and_codes_that_exist_pass(tables):
    check_scenario(_scenario(**tables), "s.toml")


def test_every_shipped_scenario_passes_the_checks():
    for path in sorted(SCENARIOS.glob("*.toml")):
        check_scenario(load_scenario(path), str(path))


def test_an_empty_scenario_is_refused(tmp_path):
    refused(lambda: check_scenario(Scenario.model_validate({}), "s.toml"), "s.toml", "sets nothing", "unnamed")
    path = tmp_path / "s.toml"
    path.write_text("# only a comment\n")
    refused(lambda: load_scenario(path), str(path), "sets nothing")


# -- population CSVs -------------------------------------------------------------------------
CSV_HEAD = "name,level,province,island_group,population,area_km2,hdi\n"


@pytest.mark.parametrize("content, words", [
    (None, ["folder"]),
    ("", ["not a CSV table", "No columns"]),
    (CSV_HEAD, ["header but no rows"]),
    (CSV_HEAD + "A,province,P1,Jawa,1000,10,high\n", ["column 'hdi'", "numbers", "row 2", "high"]),
    (CSV_HEAD + "A,province,P1,Jawa,many,10,70\n", ["column 'population'", "positive numbers", "many"]),
    (CSV_HEAD + "A,state,P1,Jawa,1000,10,70\n", ["column 'level'", "state", "province, regency, city"]),
    ("name,level\nA,city\n", ["missing column(s) province"]),
    ('a,"b\n', ["not a CSV table"]),
])
def test_population_csvs_that_are_not_one(tmp_path, content, words):
    path = tmp_path / "regions.csv"
    path.mkdir() if content is None else path.write_text(content)
    refused(lambda: read_regions_csv(path), str(path), *words)


def test_etc_passwd_is_not_a_regions_table():
    if not Path("/etc/passwd").is_file():
        pytest.skip("no /etc/passwd here")
    refused(lambda: read_regions_csv("/etc/passwd"), "/etc/passwd", "A regions file needs columns")


def test_a_good_regions_csv_reads_and_its_places_are_checked(tmp_path):
    path = tmp_path / "regions.csv"
    path.write_text(CSV_HEAD + "A,province,P1,Jawa,1000000,1000,70\nB,city,P1,Jawa,200000,100,\n")
    table = read_regions_csv(path)
    assert list(table["name"]) == ["A", "B"] and table["hdi"].isna().tolist() == [False, True]
    assert read_regions_table(path) is read_regions_table(path)     # read once per version of the file
    scenario = _scenario(simulation={"population": str(path)}, central={"diplomat_regions": ["P1"]},
                         cases=[{"name": "c", "region": "b", "partner": "p"}])
    check_scenario(scenario, "s.toml")
    bad = _scenario(simulation={"population": str(path)}, central={"diplomat_regions": ["P2"]})
    refused(lambda: check_scenario(bad, "s.toml"), "central.diplomat_regions", "P2", "Codes: P1")
    path.write_text(CSV_HEAD + "A,province,P1,Jawa,1000,10,high\n")
    refused(lambda: check_scenario(bad, "s.toml"), "s.toml: key 'simulation.population'", str(path), "hdi")


# -- experiment files ------------------------------------------------------------------------
MODEL = """name = "m"
scenario = "{scenario}"
outputs = ["signed"]
[method]
name = "morris"
n = 4
[[inputs]]
path = "regions.hr_capacity"
{input}
[[inputs]]
path = "regions.data_quality"
bounds = [0.1, 0.9]
"""


@pytest.mark.parametrize("input_, words", [
    ("bounds = [-inf, 0.5]", ["inputs[0] (regions.hr_capacity).bounds[0]", "finite number"]),
    ("bounds = [0.1, nan]", ["finite number"]),
    ("bounds = [0.1, 0.9]\npeak = 0.5", ["inputs[0] (regions.hr_capacity)", "'unif' does not use peak"]),
    ("bounds = [0.1, 0.9]\nsd = 0.1\nmean = 0.5", ["'unif' does not use mean or sd"]),
    ('dist = "truncnorm"\nbounds = [0.1, 0.9]\nmean = 0.5\nsd = inf', ["sd", "finite number"]),
    ('dist = "triang"\nbounds = [0.1, 0.9]\npeak = 0.5\nmean = 0.4', ["'triang' does not use mean"]),
    ('bounds = [true, false]', ["bounds[0]", "valid number"]),
    ('bounds = ["0.1", "0.9"]', ["bounds[0]", "valid number"]),
])
def test_experiment_inputs_are_strict_and_finite(tmp_path, input_, words):
    path = tmp_path / "e.toml"
    path.write_text(MODEL.format(scenario="baseline", input=input_))
    refused(lambda: load_experiment(path), str(path), *words)


@pytest.mark.parametrize("target, words", [
    ("a = nan", ["target.a", "finite number"]),
    ("noise = inf", ["target.noise", "finite number"]),
    ('a = "7"', ["target.a", "valid number"]),
])
def test_ishigami_constants_are_finite_numbers(tmp_path, target, words):
    path = tmp_path / "e.toml"
    path.write_text(ishigami_experiment(target=target))
    refused(lambda: load_experiment(path), str(path), *words)


def test_settings_a_target_would_ignore_are_refused(tmp_path):
    path = tmp_path / "e.toml"
    path.write_text(MODEL.format(scenario="baseline", input="bounds = [0.1, 0.9]") + "[target]\na = 3.0\n")
    refused(lambda: load_experiment(path), "target", "ishigami\" only")
    path.write_text(ishigami_experiment().replace('name = "t"', 'name = "t"\nscenario = "baseline"'))
    refused(lambda: load_experiment(path), "key 'scenario'", "runs no scenario")
    path.write_text(ishigami_experiment() + 'name = "first"\n')
    refused(lambda: load_experiment(path), "inputs", "x1, x2, x3")


def test_method_n_has_a_ceiling(tmp_path):
    path = tmp_path / "e.toml"
    path.write_text(MODEL.format(scenario="baseline", input="bounds = [0.1, 0.9]").replace("n = 4", f"n = {2 ** 40}"))
    refused(lambda: load_experiment(path), "method.n", "less than or equal to 1048576")


def test_a_scenario_is_found_by_its_shipped_name(tmp_path):
    shipped = shipped_scenarios().resolve()     # found from the package, not the working folder
    assert (shipped / "baseline.toml").read_bytes() == (SCENARIOS / "baseline.toml").read_bytes()
    path = tmp_path / "e.toml"
    for ref in ("baseline", "baseline.toml", "joint_committee"):
        path.write_text(MODEL.format(scenario=ref, input="bounds = [0.1, 0.9]"))
        exp = load_experiment(path)
        assert exp.scenario_path.resolve().parent == shipped and exp.scenario.name == ref.removesuffix(".toml")


def test_a_copied_experiment_file_keeps_working(tmp_path):
    copy = tmp_path / "elsewhere" / "obstacles_morris.toml"
    copy.parent.mkdir()
    shutil.copy(ROOT / "experiments" / "obstacles_morris.toml", copy)
    exp = load_experiment(copy)
    assert exp.scenario_path.resolve() == shipped_scenarios().resolve() / "baseline.toml"


def test_a_scenario_of_the_experiment_folder_comes_first(tmp_path):
    (tmp_path / "baseline.toml").write_text('name = "mine"\n[simulation]\nyears = 3\n')
    path = tmp_path / "e.toml"
    path.write_text(MODEL.format(scenario="baseline.toml", input="bounds = [0.1, 0.9]"))
    assert load_experiment(path).scenario.name == "mine"


def test_an_unknown_scenario_lists_the_shipped_ones(tmp_path):
    path = tmp_path / "e.toml"
    for ref in ("basline", "../../etc/passwd", "x" * 3000):
        path.write_text(MODEL.format(scenario=ref, input="bounds = [0.1, 0.9]"))
        message = refused(lambda: load_experiment(path), str(path), "key 'scenario'", "Shipped scenarios:",
                          "baseline, ")
        assert "x" * 200 not in message


# -- end to end: the command line ----------------------------------------------------------------
@pytest.mark.parametrize("content", [GOOD.encode("utf-16"), b"x = " + b"[" * 1000 + b"]" * 1000, b""])
def test_the_cli_refuses_with_exit_2_and_no_traceback(tmp_path, capsys, content):
    path = tmp_path / "s.toml"
    path.write_bytes(content)
    assert cli.main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


# -- in the planner's language: Bahasa Indonesia or English, from the catalogues -----------------------
def _in_language(monkeypatch, lang: str | None) -> None:
    """The environment a command reads its language from: COOPSIM_LANG, else the locale (C here)."""
    for name in ("COOPSIM_LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    if lang:
        monkeypatch.setenv("COOPSIM_LANG", lang)


@pytest.mark.parametrize("lang, words", [
    (None, ["key 'regions.hr_capacity'", "Input should be less than or equal to 1", "(got 1.7, decimal number)",
            "See docs/ODD.md for what each key allows", "(1 more problem(s) after this one.)"]),
    ("en", ["key 'regions.hr_capacity'", "Input should be less than or equal to 1", "(got 1.7, decimal number)",
            "See docs/ODD.md for what each key allows", "(1 more problem(s) after this one.)"]),
    ("id", ["kunci 'regions.hr_capacity'", "Nilai harus kurang dari atau sama dengan 1",
            "(tertulis 1.7, bilangan desimal)", "Lihat docs/ODD.md untuk nilai yang diizinkan setiap kunci",
            "(1 masalah lain setelah yang ini.)"]),
])
def test_a_value_out_of_range_is_told_in_the_planners_language(tmp_path, capsys, monkeypatch, lang, words):
    path = tmp_path / "bad.toml"
    path.write_text(GOOD + "[regions]\nhr_capacity = 1.7\ndata_quality = -0.5\n", encoding="utf-8")
    _in_language(monkeypatch, lang)
    assert cli.main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"coopsim run: error: {path}: ") and err.count("\n") == 1, err
    for word in words:
        assert word in err, (word, err)
    assert "Traceback" not in err and not (tmp_path / "out").exists()
    english = lang != "id"
    assert ("Input should" in err) == english and ("Nilai harus" in err) != english


def test_a_command_with_lang_tells_the_file_and_the_key_in_that_language(tmp_path, capsys, monkeypatch):
    _in_language(monkeypatch, None)
    base, bad = tmp_path / "base.toml", tmp_path / "bad.toml"
    base.write_text(GOOD, encoding="utf-8")
    bad.write_text(GOOD + "[levers]\nlegal_umbrella = \"undang-undang\"\n", encoding="utf-8")
    for lang, words in (("id", ["kunci 'levers.legal_umbrella'", "Nilai harus salah satu dari",
                                "'decree' atau 'perda'", "(tertulis 'undang-undang', teks)"]),
                        ("en", ["key 'levers.legal_umbrella'", "Input should be", "'decree' or 'perda'",
                                "(got 'undang-undang', text)"])):
        assert cli.main(["compare", str(base), str(bad), "--reps", "2", "--lang", lang,
                         "--out", str(tmp_path / lang)]) == 2
        err = capsys.readouterr().err
        assert str(bad) in err and "Traceback" not in err, err
        for word in words:
            assert word in err, (word, err)
        assert not (tmp_path / lang).exists()


@pytest.mark.parametrize("body, english, indonesian", [
    ("[regions]\nhr_capacity = -0.1\n", "Input should be greater than or equal to 0",
     "Nilai harus lebih dari atau sama dengan 0"),
    ("[regions]\nhr_capacity = 'tinggi'\n", "Input should be a valid number (got 'tinggi', text)",
     "Nilai harus berupa angka (tertulis 'tinggi', teks)"),
    ("[simulation]\nsynthetic_regions = 30.5\n", "Input should be a valid integer (got 30.5, decimal number)",
     "Nilai harus berupa bilangan bulat (tertulis 30.5, bilangan desimal)"),
    ("[levers]\njoint_committee = 1\n", "Input should be a valid boolean (got 1, whole number)",
     "Nilai harus berupa ya/tidak (true atau false) (tertulis 1, bilangan bulat)"),
    ("[simulation]\npopulation = 3\n", "Input should be a valid string", "Nilai harus berupa teks"),
    ("cases = 3\n", "Input should be a valid list", "Nilai harus berupa larik"),
    ("[regions]\nhr_capacity = nan\n", "Input should be a finite number", "Nilai harus berupa angka terhingga"),
    ("colour = 'red'\n", "unknown key 'colour'. Allowed keys here: ",
     "kunci 'colour' tidak dikenal. Kunci yang diizinkan di sini: "),
    ("[[cases]]\nregion = 'ID-YO'\npartner = 'Kyoto'\n", "key 'cases[0].name' is missing; it is required",
     "kunci 'cases[0].name' tidak ada; kunci ini wajib diisi"),
    ("[regions\n", "not valid TOML", "bukan TOML yang sah"),
])
def test_each_common_problem_reads_in_both_languages(tmp_path, body, english, indonesian):
    path = tmp_path / "s.toml"
    path.write_text('name = "x"\n' + body, encoding="utf-8")
    error = pytest.raises(UserError, load_scenario, path).value
    assert error.text("en").startswith(f"{path}: ") and error.text("id").startswith(f"{path}: ")
    assert english in error.text("en") and english in str(error)      # str(): English unless asked
    assert indonesian in error.text("id"), error.text("id")


def test_file_problems_read_in_both_languages(tmp_path):
    (tmp_path / "folder.toml").mkdir()
    (tmp_path / "latin.toml").write_bytes('description = "é"\n'.encode("latin-1"))
    (tmp_path / "broken.toml").write_text("[regions\n", encoding="utf-8")
    (tmp_path / "child.toml").write_text('extends = "broken.toml"\n', encoding="utf-8")
    (tmp_path / "orphan.toml").write_text('extends = "gone.toml"\n', encoding="utf-8")
    for name, english, indonesian in (
            ("nope.toml", "no such scenario file. Scenario files are TOML files",
             "berkas skenario tidak ditemukan. Berkas skenario adalah berkas TOML"),
            ("folder.toml", "this is a folder, not a scenario file", "ini sebuah folder, bukan berkas skenario"),
            ("latin.toml", "not UTF-8 text (byte 0xe9 on line 1", "bukan teks UTF-8 (byte 0xe9 pada baris 1"),
            ("child.toml", "key 'extends': ", "kunci 'extends': "),
            ("orphan.toml", "key 'extends' names 'gone.toml', which does not exist next to it",
             "kunci 'extends' menyebut 'gone.toml', yang tidak ada di folder yang sama")):
        error = pytest.raises(UserError, load_scenario, tmp_path / name).value
        assert str(tmp_path / name) in error.text("id")
        assert english in error.text("en") and indonesian in error.text("id"), (error.text("en"), error.text("id"))
    nested = pytest.raises(UserError, load_scenario, tmp_path / "child.toml").value.text("id")
    assert f"{tmp_path / 'broken.toml'}: bukan TOML yang sah" in nested


def test_an_error_quoted_inside_another_keeps_the_language(tmp_path):
    from coopsim.config.errors import error_language

    error = pytest.raises(UserError, load_scenario, tmp_path / "nope.toml").value
    with error_language("id"):
        quoted = f"outer: {error}"
    assert "berkas skenario tidak ditemukan" in quoted
    assert "no such scenario file" in f"outer: {error}"        # outside, English again


def test_an_error_survives_pickling_in_both_languages(tmp_path):
    import pickle

    path = tmp_path / "s.toml"
    path.write_text("[regions]\nhr_capacity = 1.7\nzzz = 1\n", encoding="utf-8")
    error = pytest.raises(UserError, load_scenario, path).value
    again = pickle.loads(pickle.dumps(error))
    assert again.text("id") == error.text("id") and again.text("en") == error.text("en") == str(again)


def test_an_option_out_of_range_is_told_in_the_language_too(tmp_path, capsys, monkeypatch):
    _in_language(monkeypatch, "id")
    assert cli.main(["run", str(ROOT / "scenarios" / "baseline.toml"), "--seed", "-1",
                     "--out", str(tmp_path / "out")]) == 2
    assert "--seed harus 0 atau lebih, tertulis -1." in capsys.readouterr().err
    _in_language(monkeypatch, None)
    assert cli.main(["run", str(ROOT / "scenarios" / "baseline.toml"), "--seed", "-1",
                     "--out", str(tmp_path / "out")]) == 2
    assert "--seed must be 0 or more, got -1." in capsys.readouterr().err


# -- the project's own checks read in the planner's language too -------------------------------
@pytest.mark.parametrize("tables, english, indonesian", [
    ({"cases": [{"name": "c", "region": "Kota Yogyakrta", "partner": "p"}]},
     "s.toml: key 'cases[0] (c).region': no region 'Kota Yogyakrta' takes part",
     "s.toml: kunci 'cases[0] (c).region': tidak ada daerah 'Kota Yogyakrta' yang ikut serta"),
    ({"shock": {"downturn_country": "china"}}, "no partner is in 'china'. Did you mean China?",
     "tidak ada mitra di 'china'. Mungkin maksud Anda China?"),
    ({"elections": {"unelected_heads": ["XX-YY"]}}, "XX-YY is not a province code of this population",
     "XX-YY bukan kode provinsi populasi ini"),
    ({"simulation": {"levels": []}}, "key 'simulation.levels' is empty", "kunci 'simulation.levels' kosong"),
])
def test_a_scenarios_names_are_checked_in_both_languages(tables, english, indonesian):
    error = pytest.raises(UserError, check_scenario, _scenario(**tables), "s.toml").value
    assert english in error.text("en") and english in str(error)
    assert indonesian in error.text("id"), error.text("id")


def test_a_population_csv_is_refused_in_both_languages(tmp_path):
    path = tmp_path / "regions.csv"
    path.write_text(CSV_HEAD + "A,province,P1,Jawa,many,10,70\n")
    error = pytest.raises(UserError, read_regions_csv, path).value
    assert "column 'population' must hold positive numbers; row 2 of the file has many" in error.text("en")
    assert "kolom 'population' harus berisi angka positif; baris 2 berkas berisi many" in error.text("id")
    bad = _scenario(simulation={"population": str(path)})
    error = pytest.raises(UserError, check_scenario, bad, "s.toml").value
    assert error.text("id").startswith("s.toml: kunci 'simulation.population' ('indonesia', 'synthetic' atau CSV "
                                       f"daerah): {path}: kolom 'population'"), error.text("id")
    missing = pytest.raises(UserError, read_regions_csv, tmp_path / "gone.csv").value
    assert "A regions file needs columns name, level" in missing.text("en")
    assert "Isi dengan 'indonesia', 'synthetic', atau sebuah CSV. Berkas daerah memerlukan kolom" in missing.text("id")


@pytest.mark.parametrize("input_, english, indonesian", [
    ("bounds = [0.9, 0.1]", "bounds must be [low, high] with low < high, got [0.9, 0.1]",
     "bounds harus [bawah, atas] dengan bawah < atas, tertulis [0.9, 0.1]"),
    ("bounds = [0.1, 0.9]\nsd = 0.1\nmean = 0.5", "'unif' does not use mean or sd; remove them",
     "'unif' tidak memakai mean atau sd; hapus kunci-kunci itu"),
    ("bounds = [0.1, 1.9]", "The bounds of an input must lie inside the parameter's range.",
     "Batas sebuah input harus berada di dalam rentang parameternya."),
])
def test_an_experiments_own_checks_read_in_both_languages(tmp_path, input_, english, indonesian):
    path = tmp_path / "e.toml"
    path.write_text(MODEL.format(scenario="baseline", input=input_))
    error = pytest.raises(UserError, load_experiment, path).value
    assert error.text("en").startswith(str(path)) and error.text("id").startswith(str(path))
    assert english in error.text("en") and english in str(error), error.text("en")
    assert indonesian in error.text("id"), error.text("id")
    assert not any(word in error.text("id") for word in ("must", "needs", "does not")), error.text("id")


def test_a_validators_text_is_put_into_words_by_the_schema():
    from coopsim.config.errors import Text
    from coopsim.config.schema import problem

    error = {"type": "value_error", "msg": "Value error, ...", "ctx": {"error": ValueError(Text("experiment.morris_even"))}}
    assert problem(error).render("en") == "morris levels must be even"
    assert problem(error).render("id") == "levels morris harus genap"
