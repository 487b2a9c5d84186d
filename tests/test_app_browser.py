"""The class app (`coopsim app`): fast tests of its model, map, charts, cards and lessons, then
the page in a real browser (Debian's /usr/bin/chromium, driven by Playwright), offline, with no
request allowed to leave 127.0.0.1.

The browser tests start the app on a free local port (in English, in Indonesian, and with the
552-region baseline), and check what a lecturer relies on: the map draws the 38 provinces and
the partnerships; every text is at least 18 px at 1920x1080 and 1280x720 and the charts are
above the fold at 1920x1080; the framework's own settings are gone; steps, elections, slider
changes, Reset, Play, the lessons, the cards and the exports work; the run ends with a message;
in Indonesian no English word of the catalogues is left; a step is drawn within the latency
targets. After every step the page's count of active partnerships is checked against the same
model run in this process. Any failed request, request to another host, console error, HTTP
error or server traceback fails the test. Screenshots go to a temporary folder (printed).
"""

from __future__ import annotations

import io
import itertools
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from statistics import median
from urllib.parse import urlparse

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Issue 15: a step is drawn within 150 ms (class scenario) and 300 ms (baseline, 552 regions),
# median of 10. A developer whose machine is busy with other work may raise them for a local run.
STEP_LIMIT_MS = float(os.environ.get("COOPSIM_APP_STEP_LIMIT_MS", "150"))
BASELINE_STEP_LIMIT_MS = float(os.environ.get("COOPSIM_APP_BASELINE_STEP_LIMIT_MS", "300"))
LOAD_LIMIT_S = float(os.environ.get("COOPSIM_APP_LOAD_LIMIT_S", "5"))
MIN_TEXT_PX = 18.0


# --- the model wrapper, without a browser --------------------------------------------------------
def _model(path: str | None = None, **values):
    from coopsim.app.classroom import ClassroomModel, default_scenario_path, slider_defaults

    path = path or default_scenario_path()
    extra = values.pop("extra", None)
    compare = values.pop("compare", "")
    return ClassroomModel(path, seed=1, extra=extra, compare=compare, **{**slider_defaults(path), **values})


def _stepped(model, k: int):
    for _ in range(k):
        model.step()
    return model


def test_default_scenario_comes_from_the_package_whatever_the_folder(tmp_path, monkeypatch):
    from coopsim.app.classroom import default_scenario_path
    from coopsim.config.scenario import load_scenario

    monkeypatch.chdir(tmp_path)
    path = Path(default_scenario_path())
    assert path.is_file() and (ROOT / "src" / "coopsim") in path.parents
    model = _model()
    assert model.regions.n == 38 and (model.regions.table["level"] == "province").all()
    assert len(model.case_rows()) == 2, "the two Yogyakarta cases"
    packaged = load_scenario(path).model_dump()
    shipped = load_scenario(ROOT / "scenarios" / "yogyakarta_cases.toml").model_dump()
    differ = sorted(k for k in packaged if packaged[k] != shipped[k])
    assert differ == ["description", "extends", "name"], "the packaged class scenario is yogyakarta_cases.toml"


def test_the_app_shows_the_models_own_numbers():
    """The class app only displays: its run (with the logs and the twin) is the model's run."""
    from coopsim.app.classroom import default_scenario_path
    from coopsim.config.scenario import load_scenario
    from coopsim.model.model import CoopModel

    plain = _stepped(CoopModel(load_scenario(default_scenario_path()), seed=1), 12)
    app = _stepped(_model(compare="joint_committee"), 12)
    assert np.array_equal(plain.history, app.history)
    assert not np.array_equal(app.history, app.twin.history), "the twin has the lever"


def test_sliders_and_switches_reach_the_scenario():
    model = _model(turnover=0.9, hr_capacity=0.8, joint_committee=True, perda=True, dedicated_budget=True)
    assert model.params.elections.adoption_probability == pytest.approx(0.1)
    assert model.params.regions.hr_capacity == pytest.approx(0.8)
    assert model.params.levers.joint_committee is True
    assert model.params.levers.legal_umbrella == "perda"
    assert model.params.levers.dedicated_budget == pytest.approx(1.0)
    assert not model.error


@pytest.mark.parametrize("values", [
    dict(budget_line_share=0, budget_level=0, hr_capacity=0, data_quality=0, bureaucracy_quality=0,
         infrastructure=0, turnover=1),
    dict(budget_line_share=1, budget_level=1.5, hr_capacity=1, data_quality=1, bureaucracy_quality=1,
         infrastructure=1, turnover=0, joint_committee=True, dedicated_budget=True, cooperation_bureau=True,
         diplomat=True, data_platform=True, hr_training=True, perda=True, mid_term_plan=True,
         community_program=True),
    dict(budget_line_share=7.0, turnover=-3.0),  # out of range: clipped, never a crash
])
def test_extreme_settings_run_to_the_end(values):
    model = _model(**values)
    while model.running:
        model.step()
    model.election_now()  # after the end: ignored
    assert model.t == model.params.steps and model.finished
    assert not model.error, model.error


def test_election_button_holds_the_election_in_the_current_quarter_and_says_so():
    from coopsim.app import cards
    from coopsim.reporting.i18n import Messages

    model = _stepped(_model(), 3)
    model.election_now()
    assert model.t == 4 and model.elections[-1][0] == 3, "the election is in the quarter that was about to run"
    assert model.elections[-1][1] == int((~model.regions.unelected).sum()), "every elected region votes"
    text = cards.election_notice(Messages("en"), model)
    assert text.startswith("Election held in 2025 Q4: 37 regions voted") and "now at 2026 Q1" in text
    assert "Pilkada diadakan pada 2025 TW4" in cards.election_notice(Messages("id"), model)


def test_cards_show_words_not_field_names():
    from coopsim.app import cards
    from coopsim.app.classroom import node_info, partnership_info
    from coopsim.reporting.i18n import Messages

    model = _stepped(_model(), 2)
    yogya = int(np.flatnonzero(model.regions.table["province"].to_numpy() == "ID-YO")[0])
    info = node_info(model, yogya)
    for lang, head in (("en", "not elected (Law 13/2012)"), ("id", "tidak dipilih (UU 13/2012)")):
        rows = dict(cards.region_rows(Messages(lang), info, model))
        assert head in rows.values()
        assert not [v for v in rows.values() if v in ("True", "False") or "_" in v], rows
    rows = dict(cards.region_rows(Messages("en"), info, model))
    assert rows["Foreign Ministry diplomat on site"] == "yes" and rows["Level"] == "province"
    assert re.fullmatch(r"(low|medium|high) \(0\.\d\d\)", rows["Staff skills"])
    kyoto = partnership_info(model, model.case_rows()[0])
    assert cards.partnership_title(Messages("id"), kyoto) == \
        "Provinsi Daerah Istimewa Yogyakarta – Kyoto Prefecture (Jepang)"
    assert cards.timeline_rows(Messages("en"), kyoto)[:3] == [
        ("1984 Q1", "exploration"), ("1984 Q4", "letter of intent"), ("1985 Q1", "MoU awaiting approval")]
    assert cards.partner_name(Messages("en"), "Malaysia partner 293", "Malaysia") == \
        "a local government in Malaysia (no. 293)"


def test_a_timeline_names_the_cause_of_a_stall():
    from coopsim.app import cards
    from coopsim.app.classroom import partnership_info
    from coopsim.reporting.i18n import Messages

    model = _model()
    ismailiya = model.case_rows()[1]
    while partnership_info(model, ismailiya)["stage"] == "active" and model.running:
        model.step()
    info = partnership_info(model, ismailiya)
    last = cards.timeline_rows(Messages("en"), info)[-1]
    assert info["cause"] and last == (model.quarter_label(model.t - 1),
                                      f"{'stalled' if info['stage'] == 'stagnant' else 'ended'} (cause: "
                                      f"{Messages('en')('cause.' + info['cause'])})")


def test_pending_changes_lists_what_waits_for_reset():
    from coopsim.app import cards
    from coopsim.app.classroom import slider_defaults

    model = _model()
    pending = {**slider_defaults(model.scenario_path), "seed": 1, "compare": ""}
    assert cards.pending_changes(pending, model) == []
    moved = {**pending, "hr_capacity": 0.9, "joint_committee": True, "seed": 4}
    assert cards.pending_changes(moved, model) == ["hr_capacity", "joint_committee", "seed"]


def test_the_map_has_38_provinces_and_regions_inside_their_province():
    from matplotlib.path import Path as Outline

    from coopsim.app.map import PROVINCE_LONLAT, VIEW, map_layout, project, provinces

    shapes = provinces()
    assert len(shapes) == 38 and {p.iso for p in shapes} == set(PROVINCE_LONLAT)
    assert all(p.path.startswith("M") and p.path.endswith("Z") for p in shapes)
    model = _model(str(ROOT / "scenarios" / "baseline.toml"))
    layout = map_layout(model)
    table = model.regions.table
    outline = {p.iso: Outline(np.c_[project(*max(p.rings, key=len).T)]) for p in shapes}
    lower = (table["level"] != "province").to_numpy()
    inside = [outline[prov].contains_point((x, y)) for prov, x, y in
              zip(table["province"][lower], layout["region_x"][lower], layout["region_y"][lower])]
    assert all(inside), "every regency and city sits inside its province"
    xs = np.concatenate([layout["region_x"], layout["partner_x"]])
    ys = np.concatenate([layout["region_y"], layout["partner_y"]])
    assert xs.min() >= 0 and xs.max() <= VIEW[0] and ys.min() >= 0 and ys.max() <= VIEW[1]
    assert np.array_equal(map_layout(model)["region_x"], layout["region_x"]), "fixed"


def test_map_frame_draws_partnerships_by_stage_and_filters():
    from coopsim.app.map import map_frame, map_nodes
    from coopsim.model.partnerships import ENDED
    from coopsim.reporting.style import STAGE_COLOURS

    model = _stepped(_model(), 6)
    frame = map_frame(model, model.layout)
    e = model.partnerships
    assert len(frame["lines"]) == int((e.stage[:e.n] != ENDED).sum())
    assert all(colour == STAGE_COLOURS[stage] for *_, colour, stage, _ in frame["lines"])
    assert set(frame["live"]) == set(e.region[:e.n][e.stage[:e.n] == 3].tolist())
    yogya = map_frame(model, model.layout, "ID-YO")
    regions, _ = map_nodes(model, model.layout, "ID-YO")
    assert len(regions) == 1 and {row for *_, row in yogya["lines"]} <= set(model.case_rows()) | set(
        np.flatnonzero(e.region[:e.n] == regions[0][0]).tolist())
    java, _ = map_nodes(model, model.layout, "Jawa")
    assert len(java) == 6


def test_election_labels_never_overlap_or_leave_the_plot():
    from coopsim.app.charts import _text_width, election_labels

    rng = np.random.default_rng(3)
    width = _text_width("pilkada") + 8
    for _ in range(200):
        xs = list(rng.uniform(84, 606, rng.integers(1, 7)))
        places = election_labels(xs, "pilkada", 84, 606)
        spans = []
        for place in places:
            if place is None:
                continue
            start, row, anchor = place
            span = (start, start + width) if anchor == "start" else (start - width, start)
            assert 84 <= span[0] and span[1] <= 606
            assert all(r != row or s[1] <= span[0] or span[1] <= s[0] for s, r in spans)
            spans.append((span, row))
    assert all(p is not None for p in election_labels([300.0, 310.0], "election", 84, 606))


def test_charts_are_in_the_pages_language_and_readable_on_a_projector():
    from coopsim.app.charts import MIN_WIDTH_PX, TEXT, WIDTH, causes_svg, stages_svg
    from coopsim.reporting.i18n import Messages
    from coopsim.reporting.style import STAGE_COLOURS

    assert TEXT * MIN_WIDTH_PX / WIDTH >= MIN_TEXT_PX
    model = _stepped(_model(), 5)
    model.election_now()
    for lang in ("en", "id"):
        t = Messages(lang)
        svg = stages_svg(t, model.chart_data()) + causes_svg(t, model.chart_data())
        sizes = [float(x) for x in re.findall(r'font-size="([\d.]+)"', svg)]
        assert min(sizes) >= TEXT
        for key in ("stage.active", "stage.stagnant", "cause.leadership", "app.chart.election", "app.chart.year"):
            assert t(key) in svg, (lang, key)
    assert STAGE_COLOURS["active"] in svg


def test_every_lesson_starts_and_compares_the_same_seed():
    from coopsim.app.classroom import packaged_scenario
    from coopsim.app.lessons import LESSONS

    for key, lesson in LESSONS.items():
        model = _model(packaged_scenario(), extra=lesson.overrides, compare=lesson.compare, **lesson.values)
        _stepped(model, 6)
        assert not model.error, (key, model.error)
        if lesson.compare:
            assert model.twin.seed == model.seed and model.twin.t == model.t
    election = _stepped(_model(packaged_scenario(), extra=LESSONS["election"].overrides, compare="institutions"), 5)
    assert election.elections and election.elections[0][0] == 4, "every head votes in 2026 Q1"
    assert election.twin.params.levers.joint_committee and election.twin.params.levers.legal_umbrella == "perda"
    crisis = _model(packaged_scenario(), extra=LESSONS["crisis"].overrides)
    assert crisis.params.shock.crisis_year == 2027


def test_app_command_has_a_language_option(capsys):
    from coopsim import cli

    with pytest.raises(SystemExit):
        cli.main(["app", "--help"])
    assert "--lang" in capsys.readouterr().out


def test_app_command_refuses_a_bad_port_before_serving(capsys):
    from coopsim import cli

    assert cli.main(["app", "--port", "70000"]) == 2
    assert "give a port number between 1 and 65535" in capsys.readouterr().err


# --- the page in a real browser ----------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _lang_args(lang: str) -> tuple[list[str], dict]:
    """`--lang` once `coopsim app` has it (tests/test_app_command_has_a_language_option), else the
    variable that option sets."""
    done = subprocess.run([sys.executable, "-m", "coopsim.cli", "app", "--help"], capture_output=True, text=True)
    return (["--lang", lang], {}) if "--lang" in done.stdout else ([], {"COOPSIM_APP_LANG": lang})


@contextmanager
def _serve(folder: Path, lang: str, *scenario: str):
    """`coopsim app` on a free port of 127.0.0.1, from a folder outside the repository (the
    default scenario must come from the package); stopped at the end."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium "
                    "(apt-get install -y chromium); the class app's browser test needs it")
    port = _free_port()
    log_path = folder / "server.log"
    args, env = _lang_args(lang)
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "coopsim.cli", "app", *scenario, "--port", str(port), *args],
                                cwd=folder, stdout=log, stderr=subprocess.STDOUT,
                                env={**os.environ, "PYTHONUNBUFFERED": "1", **env})
        url = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.time() + 90
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"coopsim app exited with {proc.returncode}:\n{log_path.read_text()}")
                try:
                    with urllib.request.urlopen(url + "readyz", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if time.time() > deadline:
                    pytest.fail(f"coopsim app did not answer within 90 s:\n{log_path.read_text()}")
                time.sleep(0.25)
            yield {"url": url, "folder": folder, "log": log_path}
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
    log = log_path.read_text()
    assert "Traceback" not in log, f"the server logged an error:\n{log}"
    assert "Could not load URL" not in log, f"the server tried to fetch from a CDN:\n{log}"


# The step and run that the quarter label and both charts show (data-t, data-run), and whether
# they agree: a click has been fully drawn only when they all show the new step.
STATE_JS = """() => {
    const q = document.querySelector('.coopsim-quarter');
    const charts = [...document.querySelectorAll('svg.coopsim-chart-stages, svg.coopsim-chart-causes')];
    if (!q || charts.length < 2) { return {ok: false}; }
    return {t: q.dataset.t, run: q.dataset.run, quarter: q.textContent.trim(),
            ok: charts.every(c => c.dataset.t === q.dataset.t && c.dataset.run === q.dataset.run)};
}"""

# Every visible text on the page and its size on screen in px: CSS size times any transform
# (a Vuetify label shrinks with scale(.75)); in an SVG, times the zoom of the viewBox.
TEXTS_JS = """() => {
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode, text = node.textContent.trim(), el = node.parentElement;
        if (!text || !el || el.closest('script, style, title, noscript')) { continue; }
        const range = document.createRange();
        range.selectNodeContents(node);
        if (![...range.getClientRects()].some(r => r.width > 0 && r.height > 0)) { continue; }
        const style = getComputedStyle(el);
        if (style.visibility === 'hidden' || parseFloat(style.opacity) === 0) { continue; }
        let size = parseFloat(style.fontSize);
        if (el instanceof SVGElement) {
            const m = el.getScreenCTM();
            size *= Math.hypot(m.a, m.b);
        } else if (el.offsetHeight > 0) {
            size *= el.getBoundingClientRect().height / el.offsetHeight;
        }
        out.push({text: text, size: size});
    }
    return out;
}"""


class Page:
    """A browser page plus everything it did that the test must fail on."""

    def __init__(self, context, folder: Path, width: int, height: int):
        self.context, self.folder, self.problems, self.hosts = context, folder, [], set()
        self.page = page = context.new_page()
        page.set_viewport_size({"width": width, "height": height})
        page.on("request", lambda r: self._check_url(r.url))
        page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"))
        page.on("websocket", lambda ws: self._check_url(ws.url))
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console error: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))

    def _check_url(self, url: str) -> None:
        parsed = urlparse(url)
        if parsed.scheme in ("blob", "data"):
            return
        self.hosts.add(parsed.hostname)
        if parsed.hostname != "127.0.0.1":
            self.problems.append(f"request left 127.0.0.1: {url}")

    def load(self, url: str) -> float:
        t0 = time.perf_counter()
        self.page.goto(url)
        for css in (".coopsim-map svg path.province", "svg.coopsim-chart-stages", "svg.coopsim-chart-causes",
                    ".coopsim-active", ".coopsim-step"):
            self.page.wait_for_selector(css, timeout=60_000)
        return time.perf_counter() - t0

    def text(self, css: str) -> str:
        return self.page.locator(css).first.inner_text().strip()

    def active(self) -> int:
        return int(self.text(".coopsim-active"))

    def quarter(self) -> str:
        return self.text(".coopsim-quarter")

    def shot(self, name: str) -> Path:
        path = self.folder / f"{next(_SHOTS):02d}_{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def click_and_time(self, css: str) -> float:
        """Click a button and wait until the quarter and both charts show the new step; the
        milliseconds that took, measured in the page."""
        result = self.page.evaluate("""async (css) => {
            const button = document.querySelector(css);
            if (!button) { return {ms: -2}; }
            const state = """ + STATE_JS + """;
            const s0 = state(), t0 = performance.now();
            button.click();
            while (performance.now() - t0 < 15000) {
                await new Promise(r => requestAnimationFrame(r));
                const s = state();
                if (s.ok && (s.t !== s0.t || s.run !== s0.run)) { return {ms: performance.now() - t0}; }
            }
            return {ms: -1, before: s0, after: state(), disabled: button.disabled};
        }""", css)
        assert result["ms"] >= 0, (f"no button {css}" if result["ms"] == -2 else
                                   f"clicking {css}: the page did not update in 15 s: {result}; {self.problems}")
        return result["ms"]

    def choose(self, css: str, text: str) -> None:
        """Pick an entry of a drop-down list."""
        self.page.locator(css).first.click()
        self.page.locator(".v-menu__content.menuable__content__active .v-list-item", has_text=text).first.click()

    def slider(self, label: str):
        return self.page.locator(".coopsim-controls .v-input", has=self.page.locator("label", has_text=label)) \
            .locator("[role=slider]").first

    def texts(self) -> list[dict]:
        return self.page.evaluate(TEXTS_JS)

    def small_texts(self) -> list[str]:
        return sorted({f"{t['text'][:50]!r} {t['size']:.1f}px" for t in self.texts() if t["size"] < MIN_TEXT_PX - 0.05})


_SHOTS = itertools.count(1)


@contextmanager
def _browser(folder: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(accept_downloads=True)
        try:
            yield context
        finally:
            context.close()
            browser.close()


def _no_problems(page: Page) -> None:
    assert not page.problems, "\n".join(page.problems)
    assert page.hosts == {"127.0.0.1"}, page.hosts


def _non_overlapping_inside(boxes: list[list[float]], frame: dict) -> bool:
    inside = all(frame["x"] - 0.5 <= b[0] and b[2] <= frame["x"] + frame["width"] + 0.5 for b in boxes)
    apart = all(a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
                for a, b in itertools.combinations(boxes, 2))
    return inside and apart


LABEL_BOXES_JS = """(svg) => [...svg.querySelectorAll('text.election-label')].map(t => {
    const r = t.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"""
TO_THE_END_JS = """async () => {
    const state = """ + STATE_JS + """;
    for (let i = 0; i < 200; i++) {
        const button = document.querySelector('.coopsim-step');
        if (!button || button.disabled) { return i; }
        const s0 = state(), t0 = performance.now();
        button.click();
        while (performance.now() - t0 < 15000) {
            await new Promise(r => requestAnimationFrame(r));
            const s = state();
            if (s.ok && s.t !== s0.t) { break; }
        }
    }
    return -1;
}"""


def _check_map_and_projector(page: Page, ref, t) -> None:
    from coopsim.model.partnerships import ENDED
    from coopsim.reporting.style import STAGE_COLOURS

    p = page.page
    assert p.title() == "coopsim"
    assert p.locator(".coopsim-map svg path.province").count() == 38, "the 38 provinces"
    assert p.locator(".coopsim-map svg circle.region").count() == ref.regions.n
    strokes = p.eval_on_selector_all(".coopsim-map g.partnership line:nth-child(2)",
                                     "lines => lines.map(l => l.getAttribute('stroke'))")
    e = ref.partnerships
    assert len(strokes) == int((e.stage[:e.n] != ENDED).sum()), "a line per partnership not ended"
    assert set(strokes) <= set(STAGE_COLOURS.values()) and STAGE_COLOURS["active"] in strokes
    assert "CC BY 4.0" in page.text(".coopsim-attribution")
    body = p.locator("body").inner_text()
    for framework in ("Play Interval", "Render Interval", "Use Threads", "Model Parameters", "App Page"):
        assert framework not in body, f"Solara's or Mesa's {framework!r} is on the page"
    assert f"{t('obstacle.turnover')}: 0.65" in body, "slider values are shown"
    assert page.text(".coopsim-play") == t("app.button.play") and page.text(".coopsim-step") == t("app.button.step")
    assert page.small_texts() == [], "every text at least 18 px"
    for css in ("svg.coopsim-chart-stages", "svg.coopsim-chart-causes"):
        box = p.locator(css).bounding_box()
        assert box["y"] + box["height"] <= p.viewport_size["height"], f"{css} is below the fold"


def _check_network_view_and_filter(page: Page, t) -> None:
    p = page.page
    page.choose(".coopsim-view", t("app.view.network"))
    p.wait_for_function("() => document.querySelectorAll('.coopsim-map svg path.province').length === 0",
                        timeout=10_000)
    assert p.locator(".coopsim-map svg circle.region").count() == 38, "the network keeps every region"
    page.choose(".coopsim-view", t("app.view.map"))
    page.choose(".coopsim-where", t("app.map.island", name="Jawa"))
    p.wait_for_function("() => document.querySelectorAll('.coopsim-map svg circle.region').length === 6",
                        timeout=10_000)
    page.choose(".coopsim-where", t("app.map.all"))
    p.wait_for_function("() => document.querySelectorAll('.coopsim-map svg circle.region').length === 38",
                        timeout=10_000)
    assert p.locator(".coopsim-map svg path.province").count() == 38


def _check_steps_and_election(page: Page, ref, t, report: list) -> list[float]:
    p = page.page
    step_ms = []
    for _ in range(10):
        step_ms.append(page.click_and_time(".coopsim-step"))
        ref.step()
        assert page.quarter() == ref.quarter_label()
        assert page.active() == ref.n_active(), f"active partnerships at {ref.quarter_label()}"
    report.append(f"steps ms {', '.join(f'{x:.0f}' for x in step_ms)} (median {median(step_ms):.0f})")
    held = page.quarter()
    assert page.text(".coopsim-election") == t("app.button.election", quarter=held)
    page.click_and_time(".coopsim-election")
    ref.election_now()
    notice = page.text(".coopsim-notice")
    assert notice.startswith(f"Election held in {held}: 37 regions voted") and f"now at {ref.quarter_label()}" in notice
    page.click_and_time(".coopsim-election")  # a second one a quarter later: the labels must not collide
    ref.election_now()
    assert page.active() == ref.n_active()
    for css in ("svg.coopsim-chart-stages", "svg.coopsim-chart-causes"):
        svg = p.locator(css)
        assert svg.locator("line.election").count() == 2
        boxes = svg.evaluate(LABEL_BOXES_JS)
        assert len(boxes) == 2 and _non_overlapping_inside(boxes, svg.locator("rect[fill=none]").bounding_box()), boxes
    page.shot("elections")
    return step_ms


def _check_pending_reset_and_play(page: Page, t) -> None:
    p = page.page
    turnover = page.slider(t("obstacle.turnover"))
    turnover.focus()
    turnover.press("Home")
    p.wait_for_selector(".coopsim-pending", timeout=10_000)
    banner = page.text(".coopsim-pending")
    assert t("app.pending") in banner and f"{t('obstacle.turnover')}: 0.00" in banner
    page.shot("pending")
    page.click_and_time(".coopsim-reset")
    assert p.locator(".coopsim-pending").count() == 0 and page.quarter() == "2025 Q1"
    slid = _model(turnover=0.0)
    for _ in range(3):
        page.click_and_time(".coopsim-step")
        slid.step()
        assert page.active() == slid.n_active(), "the new run follows the slider"
    before = page.quarter()
    p.locator(".coopsim-play").click()
    p.wait_for_function("(q) => document.querySelector('.coopsim-quarter').textContent.trim() !== q", arg=before,
                        timeout=10_000)
    assert page.text(".coopsim-play") == t("app.button.pause")
    p.locator(".coopsim-play").click()
    p.wait_for_function(f"() => document.querySelector('.coopsim-play').textContent.trim() === "
                        f"{t('app.button.play')!r}", timeout=10_000)


def _check_cards_and_exports(page: Page, t) -> None:
    from PIL import Image

    p = page.page
    p.locator(".coopsim-map svg circle.region").nth(13).click(force=True)  # DI Yogyakarta
    p.wait_for_selector(".coopsim-card-region", timeout=10_000)
    card = page.text(".coopsim-card-region")
    assert "Provinsi Daerah Istimewa Yogyakarta" in card and t("app.card.not_elected") in card
    assert "True" not in card and "False" not in card and "_" not in card, card
    p.locator(".coopsim-card-region .coopsim-link", has_text="Kyoto").first.click()
    p.wait_for_selector(".coopsim-card-partnership .coopsim-timeline", timeout=10_000)
    timeline = page.text(".coopsim-card-partnership .coopsim-timeline")
    assert "1985 Q1" in timeline and t("stage.mou") in timeline, timeline
    page.shot("cards")
    with p.expect_download(timeout=30_000) as done:
        p.locator(".coopsim-png").click()
    png = Path(done.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and Image.open(io.BytesIO(png)).size[0] == 1280
    with p.expect_download(timeout=30_000) as done:
        p.locator(".coopsim-export button", has_text=t("app.export.csv")).click()
    rows = Path(done.value.path()).read_text().splitlines()
    assert rows[0].startswith("step,year,") and len(rows) == 1 + int(p.locator(".coopsim-quarter").get_attribute("data-t"))


def _check_lessons_and_end(page: Page, t) -> None:
    p = page.page
    page.choose(".coopsim-lesson", t("lesson.kyoto.title"))
    p.wait_for_selector(".coopsim-card-case", timeout=15_000)
    cases = p.locator(".coopsim-card-case").all_inner_texts()
    assert len(cases) == 2 and "Kyoto" in cases[0] and "Ismailiya" in cases[1]
    assert page.quarter() == "2025 Q1" and t("lesson.kyoto.title") in page.text(".coopsim-lesson-text")
    assert p.locator(".coopsim-map svg circle.region").count() == 1, "the map shows DI Yogyakarta"
    page.shot("lesson_kyoto")
    page.choose(".coopsim-lesson", t("lesson.election.title"))
    p.wait_for_selector("svg.coopsim-chart-with", timeout=15_000)
    lesson = _model(extra={"elections.first_year": 2026}, compare="institutions")
    for _ in range(6):
        page.click_and_time(".coopsim-step")
        lesson.step()
    summary = page.text(".coopsim-compare-summary")
    assert f"{lesson.n_active()} partnerships active without, {lesson.twin.n_active()} with" in summary, summary
    page.shot("lesson_election")
    assert p.evaluate(TO_THE_END_JS) > 0
    end = page.text(".coopsim-end")
    assert end == t("app.end", quarter="2044 Q4", years=20), end
    assert p.locator(".coopsim-step").is_disabled() and p.locator(".coopsim-play").is_disabled()
    page.shot("end")


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.alone   # latency targets: no other test may share the cores
def test_class_app_in_a_real_browser(tmp_path):
    from coopsim.reporting.i18n import Messages

    t, report = Messages("en"), []
    with _serve(tmp_path, "en") as app, _browser(tmp_path) as context:
        page = Page(context, tmp_path, 1920, 1080)
        try:
            load_s = page.load(app["url"])
            report.append(f"load {load_s:.1f} s")
            ref = _model()
            assert page.quarter() == "2025 Q1" and page.active() == ref.n_active()
            _check_map_and_projector(page, ref, t)
            page.shot("loaded")
            _check_network_view_and_filter(page, t)
            step_ms = _check_steps_and_election(page, ref, t, report)
            _check_pending_reset_and_play(page, t)
            _check_cards_and_exports(page, t)
            _check_lessons_and_end(page, t)
        except Exception:
            page.shot("failure")
            raise
        finally:
            print(f"\nclass app: {'; '.join(report)}; load average {os.getloadavg()}; screenshots in {tmp_path}")
    _no_problems(page)
    assert load_s < LOAD_LIMIT_S, f"the page loaded in {load_s:.1f} s (load average {os.getloadavg()})"
    assert median(step_ms) <= STEP_LIMIT_MS, f"steps drawn in {step_ms} ms (load average {os.getloadavg()})"


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]{3,}", re.sub(r"\{\w+\}", " ", text))}


def _english_only_words() -> set[str]:
    from coopsim.reporting.i18n import catalogue

    english = set().union(*(_words(text) for text in catalogue("en").values()))
    indonesian = set().union(*(_words(text) for text in catalogue("id").values()))
    return english - indonesian


def _names() -> list[str]:
    from coopsim.app.map import provinces
    from coopsim.reporting.i18n import LANGUAGE_NAMES

    model = _model()
    names = [*model.regions.table["name"], *model.partners.name, *(p.name for p in provinces()),
             *LANGUAGE_NAMES.values(), "coopsim"]
    return sorted({str(n) for n in names}, key=len, reverse=True)


def _english_left(texts: list[dict], names: list[str], english: set[str]) -> list[str]:
    left = []
    for item in texts:
        text = item["text"]
        for name in names:
            text = text.replace(name, " ")
        left += [f"{w!r} in {item['text'][:60]!r}" for w in _words(text) if w in english]
    return sorted(set(left))


@pytest.mark.browser
@pytest.mark.slow
def test_class_app_in_indonesian_readable_from_the_back_row(tmp_path):
    from coopsim.reporting.i18n import Messages

    t, english, names = Messages("id"), _english_only_words(), _names()
    assert {"partnership", "elected", "stalled"} <= english   # ("budget", "election" are in key names the id errors quote)
    with _serve(tmp_path, "id") as app, _browser(tmp_path) as context:
        pages = []
        for width, height in ((1920, 1080), (1280, 720)):
            page = Page(context, tmp_path, width, height)
            pages.append(page)
            p = page.page
            try:
                page.load(app["url"])
                assert p.locator(".coopsim-app").get_attribute("lang") == "id"
                assert page.text(".coopsim-step") == t("app.button.step") and page.quarter() == "2025 TW1"
                page.click_and_time(".coopsim-step")
                page.click_and_time(".coopsim-election")
                assert page.text(".coopsim-notice").startswith("Pilkada diadakan pada 2025 TW2")
                p.locator(".coopsim-map svg circle.region").nth(13).click(force=True)
                p.wait_for_selector(".coopsim-card-region", timeout=10_000)
                p.locator(".coopsim-card-region .coopsim-link", has_text="Kyoto").first.click()
                p.wait_for_selector(".coopsim-card-partnership", timeout=10_000)
                page.slider(t("obstacle.hr_capacity")).focus()
                page.slider(t("obstacle.hr_capacity")).press("End")
                p.wait_for_selector(".coopsim-pending", timeout=10_000)
                page.shot(f"id_{width}")
                assert page.small_texts() == [], f"texts under 18 px at {width}x{height}"
                assert _english_left(page.texts(), names, english) == [], f"English at {width}x{height}"
                if width == 1920:
                    for css in ("svg.coopsim-chart-stages", "svg.coopsim-chart-causes"):
                        box = p.locator(css).bounding_box()
                        assert box["y"] + box["height"] <= height, f"{css} is below the fold"
                page.choose(".coopsim-lesson", t("lesson.election.title"))
                p.wait_for_selector("svg.coopsim-chart-with", timeout=15_000)
                page.click_and_time(".coopsim-step")
                assert page.small_texts() == [] and _english_left(page.texts(), names, english) == []
                page.shot(f"id_{width}_lesson")
                p.locator(".coopsim-lang-en").click()
                p.wait_for_function("() => document.querySelector('.coopsim-step').textContent.trim() === 'Step'",
                                    timeout=10_000)
                p.locator(".coopsim-lang-id").click()
                p.wait_for_function("() => document.querySelector('.coopsim-step').textContent.trim() === 'Maju'",
                                    timeout=10_000)
            except Exception:
                page.shot("failure")
                raise
            finally:
                p.close()
    for page in pages:
        _no_problems(page)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.alone   # latency targets: no other test may share the cores
def test_the_baseline_552_regions_steps_within_target(tmp_path):
    baseline = str(ROOT / "scenarios" / "baseline.toml")
    with _serve(tmp_path, "en", baseline) as app, _browser(tmp_path) as context:
        page = Page(context, tmp_path, 1920, 1080)
        page.load(app["url"])
        ref = _model(baseline)
        assert page.page.locator(".coopsim-map svg circle.region").count() == 552
        assert page.page.locator(".coopsim-map svg path.province").count() == 38
        step_ms = []
        for _ in range(10):
            step_ms.append(page.click_and_time(".coopsim-step"))
            ref.step()
            assert page.active() == ref.n_active()
        page.shot("baseline")
        print(f"\nbaseline steps ms {', '.join(f'{x:.0f}' for x in step_ms)} (median {median(step_ms):.0f}); "
              f"load average {os.getloadavg()}")
    _no_problems(page)
    assert median(step_ms) <= BASELINE_STEP_LIMIT_MS, f"steps drawn in {step_ms} ms (load {os.getloadavg()})"
