"""The report that decides (issue 14): `coopsim compare ... --region "DI Yogyakarta" --lang id`
and `coopsim report FOLDER --lang en` give report.html (and summary.md, the printed summary) in
one language each, every word from the catalogues; the title names the scenarios and the
region; the conclusion comes first; every difference shown equals the difference of the two
means shown beside it (the means are over the same runs); levers are compared with each other;
what looks wrong is explained from the run's own numbers; a lever's own cost counts in the
price per unit of budget; raw tables and seeds are folded away; the page prints on A4 and fits
1280 px in Debian's Chromium (Playwright)."""

from __future__ import annotations

import contextlib
import html
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coopsim import cli
from coopsim.analysis.comparison import (effects_table, explanations, exposure_table, lever_pairs, own_cost,
                                         ranking_table)
from coopsim.config.scenario import load_scenario
from coopsim.config.vocabulary import CAUSES, OUTCOMES, Outcome
from coopsim.reporting.decision import GLOSSARY, Numbers, outcome_explanation, outcome_words, shown_effect
from coopsim.reporting.i18n import LANGUAGES, Messages, catalogue, catalogue_files

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REGION = "Provinsi Daerah Istimewa Yogyakarta"
LABELS = ("small", "committee", "budget")
YEARS, REPS, COST = 10, 3, 1.5


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A real comparison, small: the 38 provinces, ten years, three runs per scenario, focused on
    DI Yogyakarta, in Indonesian; a committee with its own yearly cost, a dedicated budget; then
    the same folder's report in English (`coopsim report --lang en`)."""
    root = tmp_path_factory.mktemp("decision")
    (root / "small.toml").write_text(f'name = "small"\nextends = "{(SCENARIOS / "baseline.toml").as_posix()}"\n'
                                     f'[simulation]\nlevels = ["province"]\nyears = {YEARS}\n')
    (root / "committee.toml").write_text('name = "committee"\nextends = "small.toml"\n[levers]\n'
                                         f'joint_committee = true\njoint_committee_cost = {COST}\n')
    (root / "budget.toml").write_text('name = "budget"\nextends = "small.toml"\n[levers]\ndedicated_budget = 1.0\n')
    out = root / "results"
    printed, reported = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert cli.main(["compare", *(str(root / f"{x}.toml") for x in LABELS), "--reps", str(REPS), "--region",
                         "DI Yogyakarta", "--lang", "id", "--out", str(out), "--no-progress"]) == 0
    with contextlib.redirect_stdout(reported):
        assert cli.main(["report", str(out), "--lang", "en", "--out", str(root / "english" / "report.html")]) == 0
    assert "one self-contained file" in reported.getvalue()
    return {"out": out, "printed": printed.getvalue(), "id": (out / "report.html").read_text(encoding="utf-8"),
            "en": (root / "english" / "report.html").read_text(encoding="utf-8")}


# --- reading the page as a reader sees it -------------------------------------------------------------
class _Visible(HTMLParser):
    """Text nodes a reader sees without opening anything: not inside <details> (the folded
    appendix), <style>, <code> or <pre>; the page's <title> too."""

    HIDDEN = {"details", "style", "code", "pre", "script"}

    def __init__(self) -> None:
        super().__init__()
        self.depth, self.texts = [], []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.depth.append(tag)

    def handle_endtag(self, tag):
        if self.depth and self.depth[-1] == tag:
            self.depth.pop()

    def handle_data(self, data):
        if not self.depth and data.strip():
            self.texts.append(data.strip())


def _visible(page: str) -> list[str]:
    parser = _Visible()
    parser.feed(page)
    return parser.texts


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[^\W\d_]{2,}", re.sub(r"\{\w+\}", " ", text))}


def _catalogue_words(lang: str, domains: tuple[str, ...] = ("coopsim", "report")) -> set[str]:
    """Words of the catalogues a report reads (the model's words and the report's), leaving out
    `code` spans (keys such as levers.joint_committee_cost are names, not words)."""
    from babel.messages.pofile import read_po

    words: set[str] = set()
    for path in (p for p in catalogue_files(lang) if p.stem in domains):
        with open(path, "rb") as handle:
            for message in read_po(handle, locale=lang):
                if message.id and isinstance(message.string, str):
                    words |= _words(re.sub(r"`[^`]*`", " ", message.string))
    return words


def _names() -> set[str]:
    """Names a page may show in any language: scenarios, the region, the program's name."""
    return _words(" ".join([*LABELS, REGION, "coopsim"]))


def _foreign(texts: list[str], lang: str) -> list[str]:
    allowed = _catalogue_words(lang) | _names()
    return sorted({f"{w!r} in {t[:70]!r}" for t in texts for w in _words(t) if w not in allowed})


def _number(text: str, lang: str) -> tuple[float, int]:
    """A shown number and its decimals: '+1.234,5%' (id) -> (1234.5, 1)."""
    core = re.sub(r"[^\d.,+-]", "", text.split()[0] if text.split() else text)
    if lang == "id":
        core = core.replace(".", "").replace(",", ".")
    else:
        core = core.replace(",", "")
    return float(core), len(core.split(".")[1]) if "." in core else 0


def _rows(page: str, table: str) -> list[tuple[str, str, str]]:
    """(base, lever, difference) texts of every row of the tables of one kind."""
    out = []
    for body in re.findall(rf'<table class="{table}">(.*?)</table>', page, flags=re.S):
        for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
            cells = {k: html.unescape(re.search(rf'<td class="num {k}">(.*?)(?:<span|</td>)', row).group(1))
                     for k in ("base", "lever", "diff") if f'class="num {k}"' in row}
            if len(cells) == 3:
                out.append((cells["base"], cells["lever"], cells["diff"]))
    return out


def _check_differences(rows: list[tuple[str, str, str]], lang: str) -> int:
    """Every shown difference equals the difference of the shown means, to display precision."""
    checked = 0
    for base, lever, diff in rows:
        if "–" in (base, lever, diff):
            continue
        (b, _), (v, _), (d, decimals) = (_number(x, lang) for x in (base, lever, diff))
        assert round(v - b, decimals) == pytest.approx(d, abs=1e-9), (base, lever, diff)
        checked += 1
    return checked


# --- the page --------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_report_is_in_one_language_with_every_visible_word_from_its_catalogue(folder, lang):
    page = folder[lang]
    assert f'<html lang="{lang}">' in page
    texts = _visible(page)
    assert len(texts) > 200
    assert _foreign(texts, lang) == []
    if lang == "id":  # and no English word of the catalogues (outside names and units) is left
        english_only = _catalogue_words("en") - _catalogue_words("id") - _names()
        assert {"partnerships", "failures", "lever", "spending", "active", "clear", "gain"} <= english_only
        assert not [w for t in texts for w in _words(t) if w in english_only]


def test_the_check_of_the_words_can_fail():
    assert _foreign(["kerja sama berjalan", "active partnerships"], "id") == \
        ["'active' in 'active partnerships'", "'partnerships' in 'active partnerships'"]
    assert _foreign(["joint committee"], "en") == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_title_names_the_scenarios_and_the_region_and_the_conclusion_comes_first(folder, lang):
    page, t = folder[lang], Messages(lang)
    title = re.search(r"<h1>(.*?)</h1>", page).group(1)
    assert html.unescape(title) == t("report.title", levers="committee, budget", base="small", focus=REGION)
    assert "results" not in title  # not the folder's name
    sections = re.findall(r'<section id="([a-z]+)"', page)
    assert sections[0] == "conclusion"
    order = ["conclusion", "results", "ranking", "why", "figures", "glossary", "appendix"]
    assert sections == [x for x in order if x in sections] and set(order) - set(sections) <= {"why"}
    conclusion = re.search(r'<section id="conclusion">(.*?)</section>', page, flags=re.S).group(1)
    assert html.unescape(t("report.conclusion.title")) in conclusion
    assert str(REPS) in conclusion and REGION in conclusion


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_shown_difference_is_the_difference_of_the_shown_means(folder, lang):
    assert _check_differences(_rows(folder[lang], "effects"), lang) >= 10
    assert _check_differences(_rows(folder[lang], "pairs"), lang) == 1


def test_the_difference_check_can_fail():
    with pytest.raises(AssertionError):
        _check_differences([("25,0%", "85,7%", "+75,0 poin")], "id")   # the reported bug
    assert _check_differences([("25,0%", "85,7%", "+60,7 poin"), ("1.234,5", "1.300,0", "+65,5")], "id") == 2


def test_the_means_beside_a_difference_are_over_the_same_runs():
    """The reported bug: survival 10 years after signing 25.0% -> 85.7% with a difference of
    +75.0 pp, because the base had a value in one run only."""
    survival = Outcome("survival_10y", "still active 10 years after signing", "share", +1, share=True)
    outcomes = pd.DataFrame({"scenario": ["base"] * 4 + ["lever"] * 4, "replication": list(range(4)) * 2,
                             "survival_10y": [0.25, np.nan, np.nan, np.nan, 1.0, 0.8, 0.9, 0.7333]})
    row = effects_table(outcomes, ["base", "lever"], [survival], seed=1).iloc[0]
    assert row["difference"] == pytest.approx(0.75)
    assert row["scenario_mean"] - row["base_mean"] == pytest.approx(row["difference"])
    assert row["pairs"] == 1 and row["replications"] == 4
    assert row["scenario_mean_all"] == pytest.approx(0.8583, abs=1e-4)     # kept, and said to differ
    shown = shown_effect(row["base_mean"], row["scenario_mean"], row["low"], row["high"], True, Numbers("en"),
                         Messages("en"))
    assert (shown.base, shown.lever, shown.difference) == ("25.0%", "100.0%", "+75.0 pp")


def test_numbers_are_written_as_each_language_writes_them():
    t = Messages("id")
    shown = shown_effect(0.2504, 0.8575, 0.5, 0.7, True, Numbers("id"), t)
    assert (shown.base, shown.lever, shown.difference, shown.interval) == ("25,0%", "85,8%", "+60,8 poin",
                                                                           "[+50,0; +70,0]")
    assert Numbers("en").number(1234.5, 1, signed=True) == "+1,234.5" and Numbers("id").number(1234.5, 1) == "1.234,5"
    assert Numbers("en").number(-0.001, 2, signed=True) == "0.00"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_jargon_is_explained_and_raw_keys_stay_in_the_folded_appendix(folder, lang):
    page, t = folder[lang], Messages(lang)
    visible = " ".join(_visible(page))
    for key in ("active_10y", "survival_5y", "failures_hr", "verdict_code"):
        assert key not in visible
    glossary = re.search(r'<section id="glossary">(.*?)</section>', page, flags=re.S).group(1)
    for term in GLOSSARY:
        assert html.escape(t(f"glossary.{term}.term"), quote=False) in glossary
    appendix = re.search(r'<section id="appendix".*?</section>', page, flags=re.S).group(0)
    assert "<details>" in appendix and "<details open" not in appendix
    seeds = json.loads((folder["out"] / "manifest.json").read_text())["replication_seeds"]
    assert len(seeds) == REPS and all(str(s) in appendix for s in seeds)
    assert "outcomes.csv" in appendix and "effects.csv" in appendix and "active_10y" in appendix


def test_every_row_has_a_unit_and_a_line_saying_what_it_counts_in_both_languages():
    for lang in LANGUAGES:
        t = Messages(lang)
        for key, o in OUTCOMES.items():
            assert outcome_words(key, t, 20) and outcome_explanation(key, t), (lang, key)
            assert t("unit." + o.unit.replace(" ", "_")), (lang, o.unit)
        for code in ("gain", "loss", "higher", "lower", "same"):
            assert t(f"verdict.{code}")
    assert outcome_words("failures_hr", Messages("id"), 20) == "kegagalan karena kemampuan SDM"


def _figure_texts(fig) -> list[str]:
    from matplotlib.text import Text

    fig.draw_without_rendering()
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_figure_titles_axes_and_legends_are_in_the_language_asked_for(folder, lang):
    from coopsim.reporting.comparison import comparison_figures
    from coopsim.workflows.compare import load_comparison

    setting, found, stages, km, _ = load_comparison(folder["out"])
    texts = [text for fig in comparison_figures(found.effects, stages, km, setting, lang).values()
             for text in _figure_texts(fig)]
    assert len(texts) > 40
    assert _foreign(texts, lang) == []
    assert any(Messages(lang)("figure.stages.y") == text for text in texts)


def test_the_page_prints_on_a4_and_is_one_file(folder):
    page = folder["id"]
    assert "@page{size:A4" in page and "@media print" in page
    assert "<script" not in page and not re.search(r'(src|href)="(?!data:|#)', page)
    assert len(re.findall(r'src="data:image/png;base64,', page)) == 4


def test_without_lang_the_report_follows_the_locale(folder, tmp_path, monkeypatch, capsys):
    for name in ("COOPSIM_LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    for locale, lang in (("id_ID.UTF-8", "id"), ("en_GB.UTF-8", "en"), ("C", "en")):
        monkeypatch.setenv("LANG", locale)
        out = tmp_path / f"{lang}-{locale}.html"
        assert cli.main(["report", str(folder["out"]), "--out", str(out)]) == 0
        assert f'<html lang="{lang}">' in out.read_text(encoding="utf-8")
    assert "berkas utuh" in capsys.readouterr().out.splitlines()[0]      # the first, in Indonesian
    with pytest.raises(SystemExit) as done:   # argparse refuses an unknown language, naming the two
        cli.main(["report", str(folder["out"]), "--lang", "fr"])
    assert done.value.code == 2 and "language 'fr' is not available" in capsys.readouterr().err


def test_any_results_folder_gets_the_pages_own_words_in_the_language_asked_for(tmp_path):
    from coopsim.reporting.html import build_report

    (tmp_path / "summary.md").write_text("# Results\n")
    pd.DataFrame({"x": range(300)}).to_csv(tmp_path / "table.csv", index=False)
    (tmp_path / "manifest.json").write_text(json.dumps({"kind": "run", "repeat": "coopsim run x.toml"}))
    page = build_report(tmp_path, lang="id")
    assert '<html lang="id">' in page and "Ringkasan" in page and "Tabel" in page
    assert "Untuk mengulang hasil ini dengan tepat" in page and "300 baris x 1 kolom" in page
    assert "Summary" not in page and "To repeat" not in page
    assert '<html lang="en">' in build_report(tmp_path) and "To repeat these results exactly" in build_report(tmp_path)


# --- the printed summary and summary.md ---------------------------------------------------------------
def test_summary_md_and_the_printed_summary_are_in_the_language_asked_for(folder):
    summary = (folder["out"] / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("# committee, budget dibandingkan dengan small: " + REGION)
    assert "## Kesimpulan" in summary.split("## Hasil per kebijakan")[0]
    printed = folder["printed"]
    files = _words(" ".join(["summary.md", "effects.csv", "ranking.csv", "effects.png", "survival.png",
                             "failure_causes.png", "stages.png", "report.html", str(folder["out"]),
                             "small.toml committee.toml budget.toml levers.joint_committee_cost"]))
    lines = [line for line in printed.splitlines() if line.strip()]
    allowed = _catalogue_words("id") | _names() | files
    assert sorted({w for line in lines for w in _words(line) if w not in allowed}) == [], printed
    assert "Kesimpulan" in printed and "Bilangan acak bersama" in printed


# --- what the report says, from the numbers ------------------------------------------------------------
def test_a_levers_own_cost_is_counted_in_the_price_per_unit_of_budget(folder, tmp_path):
    scenario = load_scenario(folder["out"].parent / "committee.toml")
    assert own_cost(scenario, applies=1) == pytest.approx(COST * YEARS)
    assert own_cost(scenario.override({"levers.joint_committee": False}), applies=1) == 0
    manifest = json.loads((folder["out"] / "manifest.json").read_text())
    assert manifest["lever_costs"] == {"committee": pytest.approx(COST * YEARS), "budget": 0.0}
    ranking = pd.read_csv(folder["out"] / "ranking.csv").set_index("scenario")
    committee = ranking.loc["committee"]
    assert committee["own_cost"] == pytest.approx(COST * YEARS)
    assert committee["total_spending"] == pytest.approx(committee["spending"] + COST * YEARS)
    assert committee["costs_money"]    # its own cost alone makes it cost money


def test_the_price_per_unit_of_budget_includes_the_own_cost():
    outcomes = pd.DataFrame({"scenario": ["base"] * 6 + ["lever"] * 6, "replication": list(range(6)) * 2,
                             "active_10y": [1, 2, 3, 1, 2, 3, 3, 4, 5, 3, 4, 5], "benefits": [10.0] * 6 + [14.0] * 6,
                             "spending": [20.0, 21, 22, 20, 21, 22] * 2})
    free = ranking_table(outcomes, ["base", "lever"], "active_10y", seed=1).iloc[0]
    assert not free["costs_money"] and np.isnan(free["active_10y_per_100_budget_units"])
    priced = ranking_table(outcomes, ["base", "lever"], "active_10y", seed=1, own_costs={"lever": 50.0}).iloc[0]
    assert priced["costs_money"] and priced["total_spending"] == pytest.approx(50.0)
    assert priced["active_10y_per_100_budget_units"] == pytest.approx(100 * 2 / 50)
    assert priced["benefits_per_budget_unit"] == pytest.approx(4 / 50)


def test_levers_that_cannot_be_told_apart_are_said_so_and_a_clear_lead_too():
    rng = np.random.default_rng(3)
    base = rng.normal(10, 2, 20)
    frame = pd.DataFrame({"scenario": np.repeat(["base", "a", "b", "c"], 20), "replication": np.tile(range(20), 4),
                          "x": np.concatenate([base, base + 3 + rng.normal(0, 1, 20), base + 3 + rng.normal(0, 1, 20),
                                               base + 0.5 + rng.normal(0, 0.1, 20)])})
    ranking = pd.DataFrame({"scenario": ["a", "b", "c"]})
    pairs = lever_pairs(frame, ranking, "x", seed=1).set_index(["first", "second"])
    assert pairs.loc[("a", "b"), "verdict_code"] == "unclear" and pairs.loc[("a", "b"), "low"] < 0
    assert pairs.loc[("a", "c"), "verdict_code"] == "ahead" and pairs.loc[("b", "c"), "verdict_code"] == "ahead"
    a, b = frame[frame.scenario == "a"]["x"].mean(), frame[frame.scenario == "b"]["x"].mean()
    assert pairs.loc[("a", "b"), "difference"] == pytest.approx(a - b)


def _effects_with(loss: str | None) -> pd.DataFrame:
    keys = ["active_10y", "signed", "failures_total", "failures_hr"]
    rows = [{"scenario": "lever", "outcome": k, "base_mean": 4.0, "scenario_mean": 6.0, "verdict_code": "gain"}
            for k in keys]
    frame = pd.DataFrame(rows)
    if loss:
        frame.loc[frame["outcome"] == loss, ["base_mean", "scenario_mean", "verdict_code"]] = [2.0, 5.0, "loss"]
    return frame


def test_what_looks_wrong_is_explained_from_the_runs_own_numbers_and_only_when_it_happened():
    stages = pd.DataFrame({"scenario": ["base"] * 8 + ["lever"] * 8, "replication": [0] * 16,
                           "year": list(range(8)) * 2, "n_exploration": 1, "n_loi": 1, "n_mou": 0,
                           "n_active": [2] * 8 + [4] * 8, "n_stagnant": 0, "n_ended": 0})
    exposure = exposure_table(stages, ["base", "lever"], steps_per_year=4)
    assert exposure.loc["lever", "active_years"] == 8.0 and exposure.loc["base", "active_years"] == 4.0
    assert explanations(_effects_with(None), exposure, ["base", "lever"], "active_10y") == []
    [record] = explanations(_effects_with("failures_hr"), exposure, ["base", "lever"], "active_10y")
    assert record["kind"] == "exposure" and record["more"] and record["outcome"] == "failures_hr"
    assert (record["base_rate"], record["lever_rate"]) == (pytest.approx(5.0), pytest.approx(6.25))
    [signed] = explanations(_effects_with("signed"), exposure, ["base", "lever"], "active_10y")
    assert signed["kind"] == "signed" and signed["lever_years"] == 8.0


def test_the_report_explains_exactly_what_the_runs_produced(folder):
    from coopsim.workflows.compare import load_comparison

    found = load_comparison(folder["out"])[1]
    why = re.search(r'<section id="why">(.*?)</section>', folder["en"], flags=re.S)
    assert (why is not None) == bool(found.explanations)
    if why is not None:
        assert why.group(1).count("<li>") == len(found.explanations)


def test_an_explanation_states_the_numbers_behind_it():
    from coopsim.analysis.comparison import compared_outcomes
    from coopsim.reporting.decision import Setting, _why_item

    s = Setting(["base", "committee"], ["b.toml", "c.toml"], [["levers.joint_committee"]], 30, 1, 20, 2025,
                "Kota Surabaya", "surabaya", "active_10y", compared_outcomes(20))
    record = {"kind": "exposure", "lever": "committee", "outcome": "failures_hr", "base": 3.0, "lever_value": 5.5,
              "base_years": 20.0, "lever_years": 40.0, "more": True, "base_rate": 1.5, "lever_rate": 1.375,
              "rate": "similar"}
    text = _why_item(record, s, Messages("en"), Numbers("en"))
    assert text == ("**committee** keeps more partnerships active (20.0 → 40.0 active partnership-years over the "
                    "run), so more of them can later fail: failures caused by staff skills went from 3.00 to 5.50 "
                    "per run. Per 10 active partnership-years they stayed about the same (1.50 → 1.38): the extra "
                    "failures come from the extra partnerships kept alive.")
    riskier = _why_item({**record, "more": False, "lever_years": 21.0, "lever_rate": 2.6, "rate": "higher"}, s,
                        Messages("id"), Numbers("id"))
    assert "per 10 tahun-kerja sama berjalan dari 1,50 menjadi 2,60" in riskier


def test_the_english_report_of_an_indonesian_folder_has_the_same_numbers(folder):
    numbers = [re.findall(r'<td class="num diff">([^<]*)', folder[lang]) for lang in LANGUAGES]
    as_floats = [[_number(x, lang)[0] for x in found if x != "–"] for found, lang in zip(numbers, LANGUAGES)]
    assert len(as_floats[0]) > 10 and as_floats[0] == as_floats[1]


def test_every_failure_cause_has_words_in_both_languages():
    for lang in LANGUAGES:
        assert all(f"cause.{c}" in catalogue(lang) for c in CAUSES)


# --- in a browser ---------------------------------------------------------------------------------------
def _browser_checks(page, width: int) -> dict:
    return page.evaluate("""() => ({
        first: document.querySelector('main section').id,
        docWidth: document.documentElement.scrollWidth,
        wraps: Array.from(document.querySelectorAll('.table-wrap')).map(w => [w.scrollWidth, w.clientWidth]),
        rows: Array.from(document.querySelectorAll('table.effects tr, table.pairs tr')).map(tr => {
            const cell = k => { const c = tr.querySelector('td.num.' + k); return c ? c.firstChild.textContent : null; };
            return [cell('base'), cell('lever'), cell('diff')];
        }).filter(r => r[0] !== null),
        appendixOpen: document.querySelector('#appendix details').open,
    })""")


@pytest.mark.browser
def test_the_report_in_chromium_conclusion_first_fits_1280_px_and_adds_up(folder, tmp_path):
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    report = folder["out"] / "report.html"
    requests, results = [], {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("request", lambda r: requests.append(r.url))
            page.goto(report.as_uri(), wait_until="load")
            results["screen"] = _browser_checks(page, 1280)
            page.screenshot(path=str(tmp_path / "first_screen.png"))
            page.emulate_media(media="print")
            page.set_viewport_size({"width": 718, "height": 1000})     # A4 less 12 mm margins, at 96 dpi
            results["print"] = _browser_checks(page, 718)
            page.pdf(path=str(tmp_path / "report.pdf"), format="A4")
        finally:
            browser.close()
    screen, printed = results["screen"], results["print"]
    assert screen["first"] == "conclusion"
    assert screen["docWidth"] <= 1280 and screen["wraps"]
    assert all(scroll <= client for scroll, client in screen["wraps"]), screen["wraps"]
    assert _check_differences([tuple(r) for r in screen["rows"]], "id") >= 10
    assert not screen["appendixOpen"]
    assert all(scroll <= client + 1 for scroll, client in printed["wraps"]), printed["wraps"]
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
    print(f"\nscreenshot of the first screen: {tmp_path / 'first_screen.png'}")
