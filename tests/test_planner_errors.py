"""A planner's mistakes with `coopsim compare` and `coopsim profile` (and the results folder
every command writes) read in Bahasa Indonesia with --lang id, in English otherwise: one line,
exit status 2, never a traceback; the words come from the message catalogues."""

import errno
import json

import pytest

from coopsim import cli
from coopsim.config.errors import UserError
from coopsim.reporting import folders
from coopsim.workflows.compare import load_comparison
from conftest import SCENARIOS

BASE, LEVER = str(SCENARIOS / "baseline.toml"), str(SCENARIOS / "joint_committee.toml")


def _error(capsys, args) -> str:
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1
    return err


@pytest.mark.parametrize("args, english, bahasa", [
    (["compare", BASE], "needs at least two scenario files", "membutuhkan sedikitnya dua berkas skenario"),
    (["compare", BASE, LEVER, "--reps", "1"], "--reps must be at least 2 to give an interval (got 1)",
     "--reps harus sedikitnya 2 agar ada selang kepercayaan (diberikan 1)"),
    (["compare", BASE, LEVER, "--rank-by", "happiness"], "--rank-by happiness: unknown outcome. Choose one of:",
     "--rank-by happiness: hasil tidak dikenal. Pilih salah satu:"),
    (["compare", BASE, LEVER, "--posterior", "experiments/posterior"], "--posterior is read only with --uncertain",
     "--posterior hanya dibaca bersama --uncertain"),
    (["compare", BASE, LEVER, "--workers", "0"], "--workers must be 1 or more, got 0", "--workers"),
])
def test_compare_mistakes_in_either_language(capsys, args, english, bahasa):
    assert english in _error(capsys, args + ["--lang", "en"])
    said = _error(capsys, args + ["--lang", "id"])
    assert bahasa in said and english not in said or bahasa == "--workers"


def test_compared_scenarios_must_share_the_horizon(capsys, tmp_path):
    short = tmp_path / "short.toml"
    short.write_text(f'name = "short"\ndescription = "x"\nextends = "{LEVER}"\n[simulation]\nyears = 5\n')
    said = _error(capsys, ["compare", BASE, str(short), "--lang", "id"])
    assert "simulation.years bernilai 5" in said and "rentang waktu yang sama" in said


def test_a_folder_that_is_not_a_comparison_is_named_in_bahasa(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"kind": "sensitivity"}))
    with pytest.raises(UserError) as caught:
        load_comparison(tmp_path)
    assert "bukan folder 'coopsim compare'" in caught.value.text("id") and "'sensitivity'" in caught.value.text("id")
    with pytest.raises(UserError) as caught:
        load_comparison(tmp_path / "nothing")
    assert "tidak ada manifest.json yang dapat dibaca" in caught.value.text("id")


def test_a_full_results_folder_is_refused_in_bahasa(capsys, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("earlier results")
    said = _error(capsys, ["compare", BASE, LEVER, "--reps", "2", "--out", str(out), "--lang", "id"])
    assert "folder tidak kosong" in said and "--force" in said
    assert (out / "keep.txt").read_text() == "earlier results"   # nothing was touched


def test_profile_out_mistakes_in_bahasa(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.toml").write_text("x = 1\n")
    said = _error(capsys, ["profile", "Kota Bandung", "--out", "mine.toml", "--scenario", BASE, "--lang", "id"])
    assert "mine.toml: berkas sudah ada" in said and "--force" in said
    said = _error(capsys, ["profile", "Kota Bandung", "--out", "nowhere/a.toml", "--scenario", BASE, "--lang", "id"])
    assert "folder nowhere tidak ada" in said
    said = _error(capsys, ["profile", "Kota Bandung", "--out", "b.toml", "--lang", "id"])   # no scenarios/ here
    assert "berkas skenario tidak ditemukan" in said


def test_a_full_disk_is_said_in_the_readers_language():
    err = UserError(folders.Text("folder.cannot_write", option="--out", shown="hasil",
                                 why=folders._os_words(OSError(errno.ENOSPC, "No space", "/data/hasil"))))
    assert err.text("id") == "--out hasil: tidak dapat menulis di sana: ruang disk habis (/data/hasil)."
    assert err.text("en") == "--out hasil: cannot write there: no space left on the disk (/data/hasil)."


def test_a_lecturers_app_option_mistake_in_bahasa(capsys):
    said = _error(capsys, ["app", "--port", "70000", "--lang", "id"])
    assert "--port 70000: berikan nomor port antara 1 dan 65535." in said


def test_uncertain_comparison_mistakes_in_bahasa(capsys):
    said = _error(capsys, ["compare", BASE, LEVER, "--uncertain", "1", "--lang", "id"])
    assert "sedikitnya 2 penarikan" in said and "--uncertain 1" in said


def test_levels_that_leave_no_government_in_bahasa(capsys, tmp_path, monkeypatch):
    regions = tmp_path / "regions.csv"
    regions.write_text("name,level,province,island_group,population,area_km2,hdi\nKota Satu,city,ID-AA,Jawa,100000,50,72\n")
    bad = tmp_path / "empty.toml"
    bad.write_text(f'name = "empty"\ndescription = "x"\n[simulation]\npopulation = "{regions}"\n'
                   'levels = ["province"]\n')
    monkeypatch.setenv("COOPSIM_LANG", "id")   # `run` has no --lang: the environment's language
    said = _error(capsys, ["run", str(bad), "--reps", "1", "--out", str(tmp_path / "out")])
    assert "tidak menyisakan satu pun pemerintah daerah" in said
