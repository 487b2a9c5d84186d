"""The class app (`coopsim app`), tested in a real browser (Debian's /usr/bin/chromium, driven
by Playwright), with no request allowed to leave 127.0.0.1.

The browser test starts the app on a free local port, loads the page, steps it, calls an
election, moves a slider and resets, plays and resets mid-play, hovers and clicks a node.
After every action it checks the page's count of active partnerships against the same model
run in this process (same scenario, seed and slider values: the model is deterministic), and
that the charts' and the network's rendered pixels changed. It fails on any failed request,
any request to another host, any console error, any HTTP error status, and any attempt of
the server to fetch from a CDN. Screenshots go to a temporary folder (printed on failure).

Fast tests of the app's model wrapper (no browser) come first.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from statistics import median
from urllib.parse import urlparse

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Issue 6: the page loads in under 5 s and each step renders in under 200 ms. A developer whose
# machine is busy with other work may raise them for a local run (never in CI).
LOAD_LIMIT_S = float(os.environ.get("COOPSIM_APP_LOAD_LIMIT_S", 5.0))
STEP_LIMIT_MS = float(os.environ.get("COOPSIM_APP_STEP_LIMIT_MS", 200.0))


# --- the model wrapper, without a browser --------------------------------------------------------
def _model(**values):
    from coopsim.app.classroom import ClassroomModel, default_scenario_path, slider_defaults

    path = default_scenario_path()
    return ClassroomModel(path, seed=1, **{**slider_defaults(path), **values})


def _stepped(model, k: int):
    for _ in range(k):
        model.step()
    return model


def test_default_scenario_is_class_sized():
    model = _model()
    assert model.regions.n == 38, "the class default is the 38 provinces"
    assert (model.regions.table["level"] == "province").all()


def test_layout_is_fixed_and_inside_the_view():
    from coopsim.app.classroom import VIEW, network_layout

    a, b = _model(), _model(turnover=0.0)
    for _ in range(4):
        a.step()
    for key, value in network_layout(a).items():
        assert np.array_equal(value, a.layout[key]), "the layout never changes during a run"
        assert np.array_equal(value, b.layout[key]), "nor with the sliders"
    xs = np.concatenate([a.layout["region_x"], a.layout["partner_x"]])
    ys = np.concatenate([a.layout["region_y"], a.layout["partner_y"]])
    assert xs.min() >= 0 and xs.max() <= VIEW[0] and ys.min() >= 0 and ys.max() <= VIEW[1]


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
    assert model.t == model.params.steps
    assert not model.error, model.error


def test_election_button_holds_an_election_now():
    model = _model()
    for _ in range(3):
        model.step()
    model.election_now()
    assert model.t == 4 and model.elections and model.elections[-1][0] == 3
    assert model.elections[-1][1] == int((~model.regions.unelected).sum()), "every elected region votes"


def test_node_info_names_traits_and_partnerships():
    from coopsim.app.classroom import node_info

    model = _model()
    yogya = int(np.flatnonzero(model.regions.table["province"].to_numpy() == "ID-YO")[0])
    info = node_info(model, yogya)
    assert "Yogyakarta" in info["name"] and "diplomat" in info["traits"]
    assert any("Kyoto" in name for name, _, _ in info["partnerships"])
    assert node_info(model, -1) is None


def test_network_and_charts_use_the_shared_palette_and_words():
    from coopsim.app.classroom import network_data
    from coopsim.app.page import LEGEND, stages_svg
    from coopsim.config.vocabulary import STAGE_WORDS
    from coopsim.reporting.style import INK, MUTED, STAGE_COLOURS

    model = _stepped(_model(), 4)
    nodes, edges = network_data(model)
    assert {n["c"] for n in nodes[:model.regions.n]} <= {INK, MUTED}
    assert all(colour == STAGE_COLOURS[stage] for *_, colour, stage in edges)
    chart = stages_svg(model.chart_data())
    assert STAGE_COLOURS["active"] in chart and STAGE_WORDS["mou"] in chart
    assert all(STAGE_WORDS[s] in LEGEND for s in ("exploration", "loi", "mou", "active", "stagnant"))


def test_app_command_refuses_a_bad_port_before_serving(capsys):
    from coopsim import cli

    assert cli.main(["app", "--port", "70000"]) == 2
    assert "give a port number between 1 and 65535" in capsys.readouterr().err


# --- the page in a real browser ----------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium "
                    "(apt-get install -y chromium); the class app's browser test needs it")
    folder = tmp_path_factory.mktemp("app")
    port = _free_port()
    log_path = folder / "server.log"
    log = open(log_path, "w")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "coopsim.cli", "app", "--port", str(port)],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.time() + 60
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
                pytest.fail(f"coopsim app did not answer within 60 s:\n{log_path.read_text()}")
            time.sleep(0.25)
        yield {"url": url, "folder": folder, "log": log_path, "proc": proc}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()
    assert proc.returncode is not None, "the server is stopped"


# The step and run that the quarter label and both charts show (data-t, data-run), and whether
# they agree: a click has been fully rendered only when they all show the new step.
STATE_JS = """() => {
    const q = document.querySelector('.coopsim-quarter');
    const charts = [...document.querySelectorAll('svg.coopsim-chart-stages, svg.coopsim-chart-causes')];
    if (!q || charts.length < 2) { return {ok: false}; }
    return {t: q.dataset.t, run: q.dataset.run, quarter: q.textContent.trim(),
            ok: charts.every(c => c.dataset.t === q.dataset.t && c.dataset.run === q.dataset.run)};
}"""


class Page:
    """The page plus everything it did that the test must fail on."""

    def __init__(self, page, folder: Path):
        self.page, self.folder, self.problems, self.hosts = page, folder, [], set()
        self.shot = 0
        page.on("request", self._request)
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

    def _request(self, request) -> None:
        self._check_url(request.url)

    # what the page shows
    def text(self, css: str) -> str:
        return self.page.locator(css).first.inner_text().strip()

    def active(self) -> int:
        return int(self.text(".coopsim-active"))

    def quarter(self) -> str:
        return self.text(".coopsim-quarter")

    def pixels(self, css: str) -> np.ndarray:
        from PIL import Image

        png = self.page.locator(css).first.screenshot()
        return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)

    def views(self) -> dict[str, np.ndarray]:
        return {name: self.pixels(css) for name, css in
                (("network", ".coopsim-network svg"), ("stages", "svg.coopsim-chart-stages"),
                 ("causes", "svg.coopsim-chart-causes"))}

    def screenshot(self, name: str) -> Path:
        self.shot += 1
        path = self.folder / f"{self.shot:02d}_{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    # actions
    def button(self, label: str):
        return self.page.locator("button", has_text=label).first

    def click_and_time(self, label: str) -> float:
        """Click a button and wait until the quarter and the stage chart have re-rendered;
        returns the milliseconds that took, measured in the page."""
        result = self.page.evaluate("""async (label) => {
            const norm = s => s.trim().toLowerCase();
            const button = [...document.querySelectorAll('button')].find(b => norm(b.textContent) === label);
            if (!button) { return {ms: -2}; }
            const state = """ + STATE_JS + """;
            const s0 = state(), disabled = button.disabled;
            const t0 = performance.now();
            button.click();
            while (performance.now() - t0 < 15000) {
                await new Promise(r => requestAnimationFrame(r));
                const s = state();
                if (s.ok && (s.t !== s0.t || s.run !== s0.run)) { return {ms: performance.now() - t0}; }
            }
            return {ms: -1, disabled: disabled, before: s0, after: state()};
        }""", label.lower())
        if result["ms"] < 0:
            self.screenshot("click_" + label.replace(" ", "_"))
        assert result["ms"] >= 0, (f"clicking {label!r}: no such button" if result["ms"] == -2 else
                                   f"clicking {label!r}: the page did not update in 15 s: {result}; "
                                   f"problems so far: {self.problems}")
        return result["ms"]

    def slider(self, label: str):
        return self.page.locator(".v-input", has=self.page.locator("label", has_text=label)) \
            .locator("[role=slider]").first


def changed(a: np.ndarray, b: np.ndarray) -> float:
    """Share of pixels that differ (sizes may differ by a pixel between screenshots)."""
    h, w = min(a.shape[0], b.shape[0]), min(a.shape[1], b.shape[1])
    return float((np.abs(a[:h, :w] - b[:h, :w]).sum(axis=2) > 30).mean())


def coloured(img: np.ndarray, hex_colour: str, tol: int = 40) -> int:
    """Pixels close to a colour: proof that a chart drew a line or an edge of that colour."""
    rgb = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(img - rgb).sum(axis=2) < tol).sum())


@pytest.mark.browser
@pytest.mark.slow
def test_class_app_in_a_real_browser(app_server):
    from playwright.sync_api import sync_playwright

    from coopsim.reporting.style import STAGE_COLOURS

    folder = app_server["folder"]
    report = []
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(folder / "profile"), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1100})
        page = Page(context.pages[0] if context.pages else context.new_page(), folder)
        p = page.page
        try:
            # --- load ------------------------------------------------------------------------
            t0 = time.perf_counter()
            p.goto(app_server["url"])
            for css in (".coopsim-network svg circle", "svg.coopsim-chart-stages", "svg.coopsim-chart-causes",
                        ".coopsim-active", "button:has-text('Step')"):
                p.wait_for_selector(css, timeout=30_000)
            load_s = time.perf_counter() - t0
            page.screenshot("loaded")
            report.append(f"load {load_s:.2f} s")
            ref = _model()
            assert page.quarter() == ref.quarter_label() == "2025 Q1"
            assert page.active() == ref.n_active() > 0
            assert p.locator(".coopsim-network svg circle").count() >= 38, "every province is a node"
            assert p.locator(".coopsim-network svg line").count() > 0, "partnerships are edges"
            start = page.views()
            assert coloured(start["network"], STAGE_COLOURS["active"]) > 50, "green (active) edges are drawn"

            # --- step --------------------------------------------------------------------------
            step_ms = []
            for _ in range(6):
                step_ms.append(page.click_and_time("Step"))
                ref.step()
                assert page.quarter() == ref.quarter_label()
                assert page.active() == ref.n_active(), f"active partnerships at {ref.quarter_label()}"
            page.screenshot("stepped")
            stepped = page.views()
            assert changed(start["stages"], stepped["stages"]) > 0.01, "the stage chart drew the steps"
            assert coloured(stepped["stages"], STAGE_COLOURS["active"]) > 50, "the active line is drawn"
            report.append(f"step render ms: {', '.join(f'{x:.0f}' for x in step_ms)}")

            # --- call an election ----------------------------------------------------------------
            control = _stepped(_model(), 6)  # the same run without the election
            page.click_and_time("Call an election now")
            ref.election_now()
            control.step()
            assert page.active() == ref.n_active()
            for _ in range(8):  # until the election shows in the count (a quarter or a few)
                page.click_and_time("Step")
                ref.step()
                control.step()
                assert page.active() == ref.n_active(), f"active partnerships at {ref.quarter_label()}"
                if ref.n_active() != control.n_active():
                    break
            assert page.active() != control.n_active(), \
                "two years after it, the election has changed the count of active partnerships"
            report.append(f"election: {page.active()} active vs {control.n_active()} without it")
            page.screenshot("election")
            elected = page.views()
            assert p.locator("svg.coopsim-chart-stages line.election").count() == 1, "election marked"
            assert p.locator("svg.coopsim-chart-causes line.election").count() == 1, "election marked"
            for name in ("stages", "causes", "network"):
                assert changed(stepped[name], elected[name]) > 0.002, f"the {name} view changed after the election"

            # --- move a slider, reset, and the model follows the slider ---------------------------
            turnover = page.slider("Turnover")
            turnover.focus()
            turnover.press("Home")  # 0: a new head keeps every partnership
            assert float(turnover.get_attribute("aria-valuenow")) == 0.0
            page.click_and_time("Reset")
            assert page.quarter() == "2025 Q1"
            assert "turnover 0.00" in page.text(".coopsim-settings"), "the new run uses the slider's value"
            slid, default = _model(turnover=0.0), _model()
            for _ in range(6):
                page.click_and_time("Step")
                slid.step()
                default.step()
            page.click_and_time("Call an election now")
            slid.election_now()
            default.election_now()
            for _ in range(8):
                page.click_and_time("Step")
                slid.step()
                default.step()
                assert page.active() == slid.n_active(), "the page's model follows the Turnover slider"
                if slid.n_active() != default.n_active():
                    break
            assert page.active() != default.n_active(), "turnover 0 changes the course of the run"
            after_slider = page.views()
            assert changed(elected["stages"], after_slider["stages"]) > 0.002
            page.screenshot("slider")

            # --- hover and click a node -------------------------------------------------------------
            node = p.locator(".coopsim-network svg circle").nth(13)  # a province
            node.hover(force=True)
            p.wait_for_selector(".coopsim-hover", timeout=5_000)
            node.click(force=True)
            p.wait_for_selector(".coopsim-node-info", timeout=5_000)
            info = page.text(".coopsim-node-info")
            assert "regional government" in info.lower(), info
            page.screenshot("node")

            # --- the explanation, in Indonesian ----------------------------------------------------
            page.button("Bahasa Indonesia").click()
            p.wait_for_function("() => document.querySelector('.coopsim-explanation').textContent.includes('kerja sama')",
                                timeout=5_000)
            page.button("English").click()
            p.wait_for_function("() => document.querySelector('.coopsim-explanation').textContent.includes('partnership')",
                                timeout=5_000)

            # --- play, reset mid-play, then bad slider combinations ---------------------------------
            def quarter_is_not(q):
                p.wait_for_function("(q) => document.querySelector('.coopsim-quarter').textContent.trim() !== q",
                                    arg=q, timeout=10_000)

            def quarter_is(q):  # and the charts show the same step of the same run
                p.wait_for_function(f"(q) => {{ const s = ({STATE_JS})(); return s.ok && s.quarter === q; }}",
                                    arg=q, timeout=10_000)

            def settled_step() -> int:
                """After a reset mid-play: wait until the quarter stops moving, then step once;
                returns the step the model is at. (Mesa 3.5's play loop can land one last step on
                the new run when Reset comes during its sleep; that is allowed, a crash is not.)"""
                last, since = page.quarter(), time.time()
                while time.time() - since < 1.5:
                    time.sleep(0.1)
                    if page.quarter() != last:
                        last, since = page.quarter(), time.time()
                assert last in ("2025 Q1", "2025 Q2"), f"Reset mid-play started a new run, not {last}"
                quarter_is(last)
                page.click_and_time("Step")
                t = ("2025 Q1", "2025 Q2", "2025 Q3").index(page.quarter())
                assert t == ("2025 Q1", "2025 Q2").index(last) + 1, "Step still works after a reset mid-play"
                return t

            playing_from = page.quarter()
            page.button("▶").click()
            quarter_is_not(playing_from)
            time.sleep(1.0)
            page.button("Reset").click()
            t = settled_step()
            assert page.active() == _stepped(_model(turnover=0.0), t).n_active()

            worst = dict(budget_line_share=0.0, budget_level=0.0, hr_capacity=0.0, data_quality=0.0,
                         bureaucracy_quality=0.0, infrastructure=0.0, turnover=1.0,
                         joint_committee=True, dedicated_budget=True, perda=True)
            for label in ("Budget line", "Budget size", "Staff skills", "Data on partners", "Clean bureaucracy",
                          "Infrastructure"):
                s = page.slider(label)
                s.focus()
                s.press("Home")
                assert float(s.get_attribute("aria-valuenow")) == 0.0, label
            page.slider("Turnover").focus()
            page.slider("Turnover").press("End")
            for label in ("Joint committee", "Dedicated budget", "Perda"):
                p.locator(".v-input--checkbox label", has_text=label).first.click()
            page.button("Reset").click()
            quarter_is("2025 Q1")
            page.click_and_time("Step")
            assert page.active() == _stepped(_model(**worst), 1).n_active(), "the sliders and switches reach the model"
            page.button("▶").click()
            time.sleep(2.0)
            page.button("Reset").click()  # mid-play again
            t = settled_step()
            assert page.active() == _stepped(_model(**worst), t).n_active()
            errors = [t for t in p.locator(".v-alert").all_inner_texts() if t.strip()]
            assert not errors, f"the page shows an error: {errors}"
            page.screenshot("end")
        except Exception:
            page.screenshot("failure")
            raise
        finally:
            context.close()
            print(f"\nclass app: {'; '.join(report)}; screenshots in {folder}")

    assert not page.problems, "\n".join(page.problems)
    assert page.hosts == {"127.0.0.1"}, page.hosts
    log = app_server["log"].read_text()
    assert "Could not load URL" not in log, f"the server tried to fetch from a CDN:\n{log}"
    assert "Traceback" not in log, f"the server logged an error:\n{log}"
    assert load_s < LOAD_LIMIT_S, f"the page loaded in {load_s:.1f} s (load average {os.getloadavg()})"
    assert median(step_ms) < STEP_LIMIT_MS, f"steps rendered in {step_ms} ms (load average {os.getloadavg()})"
