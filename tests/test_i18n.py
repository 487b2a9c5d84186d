"""The message catalogues (coopsim/locale): every message in both languages, with the same
fields, no id used by the program missing, the language chosen from an option or the
environment, and the check itself able to fail."""

from __future__ import annotations

import re
import shutil
import string
from pathlib import Path

import pytest

from coopsim.config import catalogues
from coopsim.config.errors import UserError
from coopsim.reporting import i18n
from coopsim.reporting.i18n import (LANGUAGES, Messages, catalogue, catalogue_files, check_catalogues,
                                    default_language, language, translate)

SRC = Path(__file__).resolve().parents[1] / "src" / "coopsim"


def test_every_message_exists_in_both_languages_with_the_same_fields():
    assert check_catalogues() == []
    assert set(catalogue("id")) == set(catalogue("en"))
    assert len(catalogue("en")) > 150


def test_the_indonesian_side_is_translated_not_copied():
    en, id_ = catalogue("en"), catalogue("id")
    # the same text in both is fine for names, codes and pure formats ("{name}: {value}")
    same = [k for k in en if en[k] == id_[k] and re.search(r"[a-z]{4,}", re.sub(r"\{\w+\}", "", en[k]))]
    shared_names = [k for k in same if k.startswith("country.")]
    assert len(set(same) - set(shared_names)) <= 3, set(same) - set(shared_names)


def _copy_locale(tmp_path: Path) -> Path:
    folder = tmp_path / "locale"
    shutil.copytree(SRC / "locale", folder)
    return folder


@pytest.fixture
def scratch_locale(tmp_path, monkeypatch):
    folder = _copy_locale(tmp_path)
    monkeypatch.setattr(catalogues, "_locale_dir", lambda: folder)
    catalogues._entries.cache_clear()
    yield folder
    catalogues._entries.cache_clear()


def test_the_check_fails_on_a_missing_message_and_on_different_fields(scratch_locale):
    (scratch_locale / "en" / "LC_MESSAGES" / "extra.po").write_text(
        'msgid "test.only_english"\nmsgstr "only in English"\n\n'
        'msgid "test.fields"\nmsgstr "{count} partnerships"\n', encoding="utf-8")
    (scratch_locale / "id" / "LC_MESSAGES" / "extra.po").write_text(
        'msgid "test.fields"\nmsgstr "{jumlah} kerja sama"\n', encoding="utf-8")
    problems = check_catalogues()
    assert any("id: 'test.only_english' is missing" in p for p in problems), problems
    assert any("'test.fields' has different fields" in p for p in problems), problems


def test_the_check_fails_on_a_fuzzy_or_duplicated_message(scratch_locale):
    for lang in LANGUAGES:
        (scratch_locale / lang / "LC_MESSAGES" / "extra.po").write_text(
            '#, fuzzy\nmsgid "stage.active"\nmsgstr "x"\n', encoding="utf-8")
    problems = check_catalogues()
    assert any("'stage.active' is defined twice" in p for p in problems), problems
    assert any("'stage.active' is marked fuzzy" in p for p in problems), problems


def _literal_ids() -> set[str]:
    ids = set()
    for path in (SRC / "app").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        ids |= set(re.findall(r"""\bt\(\s*["']([a-z][a-z_.]*[a-z])["']""", text))
        ids |= set(re.findall(r"""["'](app\.[a-z_.]*[a-z])["']""", text))
    return ids


def _generated_ids() -> set[str]:
    from coopsim.app.classroom import LEVERS, OBSTACLES
    from coopsim.app.lessons import LESSONS
    from coopsim.app.map import COUNTRY_BEARING
    from coopsim.config.vocabulary import CAUSES, STAGES

    ids = {f"stage.{s}" for s in STAGES} | {f"cause.{c}" for c in CAUSES}
    ids |= {f"lever.{name}" for name in LEVERS} | {f"obstacle.{name}" for name in OBSTACLES}
    ids |= {f"lesson.{k}.{part}" for k in LESSONS for part in ("title", "text")}
    ids |= {f"level.{x}" for x in ("province", "regency", "city")} | {f"legal.{x}" for x in ("none", "decree", "perda")}
    ids |= {f"app.card.{k}" for k in ("hr", "data", "bureaucracy", "infrastructure", "commitment")}
    ids |= {f"app.card.partner_{k}" for k in ("capacity", "interest", "openness")}
    ids |= {f"country.{c}" for c in COUNTRY_BEARING}
    return ids


def test_every_message_the_app_uses_exists():
    used = _literal_ids() | _generated_ids()
    assert len(used) > 120
    missing = sorted(k for k in used if k not in catalogue("en") or k not in catalogue("id"))
    assert not missing, missing


def test_every_partner_country_in_the_data_has_a_name_in_both_languages():
    from coopsim.model.population import known_partnerships

    countries = set(known_partnerships()["country"])
    for lang in LANGUAGES:
        assert not [c for c in countries if f"country.{c}" not in catalogue(lang)], lang
    assert Messages("id").get("country.Japan") == "Jepang"
    assert Messages("id").get("country.Atlantis", default="Atlantis") == "Atlantis"


def test_messages_fill_their_fields_in_either_language():
    assert translate("app.quarter", "en", year=2027, quarter=3) == "2027 Q3"
    assert translate("app.quarter", "id", year=2027, quarter=3) == "2027 TW3"
    t = Messages("Bahasa Indonesia")
    assert t.lang == "id" and t("stage.active") == "berjalan"
    with pytest.raises(KeyError, match="no message 'app.nothing'"):
        t("app.nothing")


@pytest.mark.parametrize("env, expected", [
    ({"COOPSIM_LANG": "id", "LANG": "en_US.UTF-8"}, "id"),
    ({"LANG": "id_ID.UTF-8"}, "id"),
    ({"LC_ALL": "en_GB.UTF-8", "LANG": "id_ID.UTF-8"}, "en"),
    ({"LC_MESSAGES": "id_ID", "LANG": "en_US"}, "id"),
    ({"LANG": "fr_FR.UTF-8"}, "en"),
    ({"LANG": "C"}, "en"),
    ({}, "en"),
])
def test_default_language_follows_the_option_then_the_locale(env, expected):
    assert default_language(env) == expected


def test_an_unknown_language_is_a_user_error_naming_the_choices():
    with pytest.raises(UserError, match=r"language 'fr' is not available: use one of id \(Bahasa Indonesia\), "
                                        r"en \(English\)"):
        language("fr")
    assert language("ID") == language("id_ID.UTF-8") == language("indonesian") == "id"
    assert language("en-GB") == "en"


def test_catalogues_ship_inside_the_package():
    for lang in LANGUAGES:
        names = {path.name for path in catalogue_files(lang)}
        assert {"coopsim.po", "app.po"} <= names
        assert all(SRC in path.parents for path in catalogue_files(lang))


def _error_ids() -> set[str]:
    """Every message id a user's error is made of: `Text("...")` written in the code, and those
    built from tables (kinds of file, pydantic's error types, TOML types)."""
    from coopsim.config import schema, toml

    ids = set()
    for path in SRC.rglob("*.py"):
        ids |= set(re.findall(r"""\bText\(\s*["']([a-z][a-z_.]*[a-z])["']""", path.read_text(encoding="utf-8")))
    ids |= {f"file.kind.{k}" for k in toml.FILE_KINDS.values()} | {f"file.hint.{k}" for k in toml.MISSING_HINTS.values()}
    ids |= {f"file.this_is.{k}" for _, k in toml._KINDS} | {"file.this_is.irregular"}
    ids |= {f"error.type.{k}" for k in schema.PROBLEMS} | {f"error.kind.{k}" for k in schema._TOML_TYPES.values()}
    return ids


def test_every_message_a_users_error_uses_exists_in_both_languages():
    used = _error_ids()
    assert {"error.value", "error.more", "error.got", "file.missing", "file.not_toml", "option.at_least",
            "error.type.less_than_equal", "error.type.literal_error", "file.kind.scenario",
            # the project's own checks: a planner's profile, compare --region, the scenario's names,
            # a regions CSV, and the validators of experiment, OAT, calibration and discovery files
            "error.at_key", "region.unknown", "region.none_close", "profile.not_elected", "compare.region_in",
            "case.region_unknown", "regions.needs", "regions.missing_hint", "experiment.bounds_inside",
            "experiment.dist_ignores_many", "oat.too_few_replications", "calibration.prior_inside",
            "discovery.looks_like"} <= used
    missing = sorted(f"{lang}: {k}" for k in used for lang in LANGUAGES if k not in catalogue(lang))
    assert not missing, missing


def test_pydantic_errors_take_their_fields_from_the_errors_ctx():
    """Each mapped error type's message uses exactly the fields the schema gives it."""
    from coopsim.config.schema import PROBLEMS

    for kind, names in PROBLEMS.items():
        for lang in LANGUAGES:
            text = catalogue(lang)[f"error.type.{kind}"]
            fields = {name for _, name, _, _ in string.Formatter().parse(text) if name}
            assert fields == set(names), (lang, kind, fields, names)


def test_an_unmapped_error_type_keeps_pydantics_message():
    from coopsim.config.schema import problem

    assert problem({"type": "value_error", "msg": "Value error, low must be below high", "ctx": {}}) == \
        "low must be below high"
    assert problem({"type": "less_than_equal", "msg": "Input should be less than or equal to 1",
                    "ctx": {"le": 1.0}}).render("id") == "Nilai harus kurang dari atau sama dengan 1"
    assert problem({"type": "literal_error", "msg": "", "ctx": {"expected": "'a', 'b' or 'c'"}}).render("id") == \
        "Nilai harus salah satu dari 'a', 'b' atau 'c'"


def test_a_message_missing_from_the_catalogues_still_prints():
    from coopsim.config.errors import Text

    assert Text("error.no_such_message", origin="s.toml").render("id") == "error.no_such_message origin=s.toml"
    assert UserError(Text("error.top_level")).text("id") == "(tingkat teratas)"
    assert UserError("plain words").text("id") == "plain words"
