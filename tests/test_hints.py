"""Errors with a hint for the mistakes Indonesian planners make in scenario files (issue 14):
a decimal comma, `True` or `ya` for a yes/no value, text without quotes, a misspelt key, a key
under the wrong table, and "yes" in quotes (text is never taken for a yes/no value). Each case
asserts the hint in English and in Bahasa Indonesia (from the catalogues), and that the line the
hint proposes makes the file load, with the value the user meant."""

from __future__ import annotations

from pathlib import Path

import pytest

from coopsim import cli
from coopsim.config.errors import UserError
from coopsim.config.scenario import load_scenario
from coopsim.reporting.i18n import error_text

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def _scenario(folder: Path, body: str, name: str = "mine.toml") -> Path:
    path = folder / name
    path.write_text(f'name = "mine"\nextends = "{(SCENARIOS / "baseline.toml").as_posix()}"\n{body}',
                    encoding="utf-8")
    return path


def _refused(path: Path) -> UserError:
    with pytest.raises(UserError) as err:
        load_scenario(path)
    return err.value


# (what the planner wrote, hint id, English hint, Indonesian hint, the fixed file, what it then holds)
CASES = {
    "decimal comma": ("[levers]\ndedicated_budget = 0,5\n", "hint.decimal_comma",
                      "Hint: use a dot for decimals, not a comma: dedicated_budget = 0.5",
                      "Petunjuk: gunakan titik untuk desimal, bukan koma: dedicated_budget = 0.5",
                      "[levers]\ndedicated_budget = 0.5\n", ("dedicated_budget", 0.5)),
    "True in capitals": ("[levers]\njoint_committee = True\n", "hint.boolean_case",
                         "Hint: yes/no values are written true or false, in lower case: joint_committee = true",
                         "Petunjuk: nilai ya/tidak ditulis true atau false, dengan huruf kecil: joint_committee = true",
                         "[levers]\njoint_committee = true\n", ("joint_committee", True)),
    "ya without quotes": ("[levers]\njoint_committee = ya\n", "hint.boolean_word",
                          "Hint: write yes as true and no as false (lower case, without quotes): joint_committee = true",
                          ("Petunjuk: tulis ya sebagai true dan tidak sebagai false (huruf kecil, tanpa tanda kutip): "
                           "joint_committee = true"),
                          "[levers]\njoint_committee = true\n", ("joint_committee", True)),
    "perda without quotes": ("[levers]\nlegal_umbrella = perda\n", "hint.quote_text",
                             'Hint: text goes in double quotes: legal_umbrella = "perda"',
                             'Petunjuk: teks ditulis di antara tanda kutip ganda: legal_umbrella = "perda"',
                             '[levers]\nlegal_umbrella = "perda"\n', ("legal_umbrella", "perda")),
    "misspelt key": ("[levers]\njoin_committee = true\n", "hint.did_you_mean",
                     "Hint: did you mean joint_committee?", "Petunjuk: apakah maksud Anda joint_committee?",
                     "[levers]\njoint_committee = true\n", ("joint_committee", True)),
    "key under the wrong table": ("[levers]\nhr_capacity = 0.6\n", "hint.other_table",
                                  "Hint: this key belongs under [regions]: move it there",
                                  "Petunjuk: kunci ini termasuk dalam [regions]: pindahkan ke sana",
                                  "[regions]\nhr_capacity = 0.6\n", ("regions.hr_capacity", 0.6)),
    '"yes" in quotes': ('[levers]\njoint_committee = "yes"\n', "hint.string_boolean",
                        ("Hint: yes/no values are true or false without quotes (text is never taken for yes or "
                         "no): joint_committee = true"),
                        ("Petunjuk: nilai ya/tidak ditulis true atau false tanpa tanda kutip (teks tidak pernah "
                         "dianggap ya atau tidak): joint_committee = true"),
                        "[levers]\njoint_committee = true\n", ("joint_committee", True)),
}


def _value(scenario, key: str):
    section, _, name = key.rpartition(".")
    return getattr(getattr(scenario, section or "levers"), name)


@pytest.mark.parametrize("case", list(CASES))
def test_each_common_mistake_gets_a_hint_in_both_languages_and_the_hint_fixes_it(tmp_path, case):
    wrote, key, english, indonesian, fixed, (field, meant) = CASES[case]
    error = _refused(_scenario(tmp_path, wrote))
    assert error.hint is not None and error.hint.key == key
    assert english in error_text(error, "en")
    assert indonesian in error_text(error, "id")
    assert str(error) in error_text(error, "id")       # the message itself is kept, the hint added
    fixed_scenario = load_scenario(_scenario(tmp_path, fixed, "fixed.toml"))
    assert _value(fixed_scenario, field) == meant


@pytest.mark.parametrize("text", ['"yes"', '"ya"', '"true"', '"false"', '"tidak"', '"1"'])
def test_text_is_never_taken_for_a_yes_or_no_value(tmp_path, text):
    error = _refused(_scenario(tmp_path, f"[levers]\njoint_committee = {text}\n"))
    assert "levers.joint_committee" in str(error) and error.hint.key == "hint.string_boolean"
    meant = "false" if text in ('"false"', '"tidak"') else "true"
    assert error.hint.fields["fixed"] == f"joint_committee = {meant}"


def test_the_command_line_prints_the_hint_in_the_language_asked_for(tmp_path, capsys):
    base = _scenario(tmp_path, "", "base.toml")
    bad = _scenario(tmp_path, "[levers]\ndedicated_budget = 0,5\n")
    for lang, words, invalid in (
            ("id", "Petunjuk: gunakan titik untuk desimal, bukan koma: dedicated_budget = 0.5", "bukan TOML yang sah"),
            ("en", "Hint: use a dot for decimals, not a comma: dedicated_budget = 0.5", "not valid TOML")):
        assert cli.main(["compare", str(base), str(bad), "--reps", "2", "--lang", lang,
                         "--out", str(tmp_path / lang)]) == 2
        err = capsys.readouterr().err
        assert words in err and invalid in err and "Traceback" not in err
        assert not (tmp_path / lang).exists()


def test_without_a_lang_option_the_hint_follows_the_locale(tmp_path, capsys, monkeypatch):
    bad = _scenario(tmp_path, "[levers]\njoin_committee = true\n")
    monkeypatch.delenv("COOPSIM_LANG", raising=False)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "id_ID.UTF-8")
    assert cli.main(["run", str(bad), "--out", str(tmp_path / "out")]) == 2
    assert "Petunjuk: apakah maksud Anda joint_committee?" in capsys.readouterr().err


def test_a_mistake_without_a_known_fix_has_no_hint(tmp_path):
    error = _refused(_scenario(tmp_path, "[levers]\nzzzz = 1\n"))
    assert getattr(error, "hint", None) is None
    assert error_text(error, "id") == str(error)
