"""The class app's page: Mesa's SolaraViz as the frame (step / play / pause / reset, the
obstacle sliders and lever switches), and coopsim's own main panel: the partnership network
(an SVG drawn in the browser from a fixed layout; hover or click a node), two charts drawn
as SVG on the server (no JavaScript from a CDN), the election button and a
plain-words explanation in English and Indonesian.

Served by `coopsim app` (coopsim.cli.app, coopsim.app.server), which sets
COOPSIM_APP_SCENARIO. Colours come from coopsim.reporting.style, stage names from
coopsim.config.vocabulary, so the page and the reports agree.
"""

from __future__ import annotations

import html
import os
import time
import traceback
from dataclasses import dataclass

import ipyvuetify as v
import numpy as np
import solara
import traitlets
from mesa.visualization import SolaraViz
from mesa.visualization.utils import force_update, update_counter

from coopsim.app.classroom import (FOREIGN_PARTNER_COLOUR, LEVERS, OBSTACLES, ClassroomModel,
                                   default_scenario_path, network_data, node_info, scenario_label,
                                   slider_defaults)
from coopsim.config.vocabulary import CAUSES, STAGE_WORDS, STAGES
from coopsim.reporting.markdown import markdown_to_html
from coopsim.reporting.style import CAUSE_COLOURS, INK, MUTED, STAGE_COLOURS

__all__ = ["Page", "MainPanel", "NetworkView", "NodeCard", "Chart", "Explanation", "Prose", "NetworkSvg",
           "svg_chart", "stages_svg", "causes_svg", "model_params", "scenario_path", "LEGEND", "EXPLAIN",
           "NOW", "RENDER_MS"]

# Prose paragraphs sit closer than Vuetify's default 16 px; the page's reset style sheet
# makes <strong> normal weight, so it is made bold again here.
PROSE_CSS = (".coopsim-prose p { margin: 4px 0 8px 0; } "
             ".coopsim-prose strong { font-weight: bold; } .coopsim-prose em { font-style: italic; }")


def Prose(text: str, classes: list[str] | None = None, **kwargs):
    """Markdown prose (paragraphs, **bold**, *italic*) as HTML, rendered by
    coopsim.reporting.markdown (solara.Markdown would load KaTeX from a CDN).

    Args:
        text: the Markdown.
        classes: CSS classes of the element (the page's tests find texts by them).
        **kwargs: passed on to solara.HTML.

    Returns:
        The solara.HTML element.
    """
    return solara.HTML(tag="div", unsafe_innerHTML=markdown_to_html(text),
                       classes=["coopsim-prose", *(classes or [])], **kwargs)


# the last server-side render time of each part, in ms (shown small on the page, for tuning)
RENDER_MS: dict[str, float] = {}


def scenario_path() -> str:
    """The scenario file `coopsim app` was given ('' for the built-in defaults)."""
    return os.environ.get("COOPSIM_APP_SCENARIO", default_scenario_path())


def model_params(path: str) -> dict:
    """SolaraViz's sliders and switches, starting at the scenario's own values.

    Args:
        path: the scenario file ('' for the built-in defaults).

    Returns:
        Mesa's model_params: name -> fixed value or widget description.
    """
    d = slider_defaults(path)
    params: dict = {"scenario_file": path,
                    "seed": {"type": "SliderInt", "value": 1, "min": 0, "max": 99, "step": 1,
                             "label": "Random seed"}}
    for name, (_, label) in OBSTACLES.items():
        params[name] = {"type": "SliderFloat", "value": d[name], "min": 0.0,
                        "max": 1.5 if name == "budget_level" else 1.0, "step": 0.05, "label": label}
    for name, (_, _, label) in LEVERS.items():
        params[name] = {"type": "Checkbox", "value": bool(d[name]), "label": label}
    return params


# --- the network view -------------------------------------------------------------------------
class NetworkSvg(v.VuetifyTemplate):
    """Nodes and edges as SVG, drawn by the browser; hover shows a label, click selects."""

    nodes = traitlets.List([]).tag(sync=True)
    edges = traitlets.List([]).tag(sync=True)
    selected = traitlets.Int(-1).tag(sync=True)
    hovered = traitlets.Int(-1).tag(sync=True)
    template = traitlets.Unicode("""
<template>
  <div class="coopsim-network" style="position: relative; width: 100%;">
    <svg viewBox="0 0 100 64" width="100%" style="display: block; background: #f7fbff;">
      <line v-for="(e, i) in edges" :key="'e' + i" :x1="e[0]" :y1="e[1]" :x2="e[2]" :y2="e[3]"
            :stroke="e[4]" :stroke-width="e[5] === 'active' ? 0.35 : 0.22"
            :stroke-dasharray="(e[5] === 'exploration' || e[5] === 'loi') ? '0.8 0.5' : null"
            stroke-opacity="0.85"/>
      <circle v-for="n in nodes" :key="'n' + n.id" :cx="n.x" :cy="n.y"
              :r="n.id === selected ? n.r * 1.8 : n.r" :fill="n.c"
              :stroke="n.id === selected ? '#000' : '#fff'" stroke-width="0.15"
              style="cursor: pointer" @mouseenter="hovered = n.id" @mouseleave="hovered = -1"
              @click="selected = (selected === n.id ? -1 : n.id)">
        <title>{{ n.label }}</title>
      </circle>
    </svg>
    <div v-if="hoverNode" class="coopsim-hover"
         :style="{position: 'absolute', left: (hoverNode.x + 1) + '%', top: (hoverNode.y / 64 * 100) + '%',
                  background: 'white', border: '1px solid #888', borderRadius: '3px',
                  padding: '1px 6px', fontSize: '12px', pointerEvents: 'none', whiteSpace: 'nowrap'}">
      {{ hoverNode.label }}
    </div>
  </div>
</template>
<script>
module.exports = {
  computed: {
    hoverNode() {
      if (this.hovered < 0) { return null; }
      return this.nodes.find(n => n.id === this.hovered) || null;
    }
  }
};
</script>
""").tag(sync=True)


#: The network's key: a line per stage (ended partnerships are not drawn), a dot per kind of node.
LEGEND = " &nbsp; ".join(
    [f'<span style="display:inline-block;width:18px;height:4px;background:{STAGE_COLOURS[s]};'
     f'vertical-align:middle"></span> {STAGE_WORDS[s]}' for s in STAGES if s != "ended"]
    + [f'<br><span style="color:{INK}">&#9679;</span> Indonesian region with an active partnership',
       f'<span style="color:{MUTED}">&#9679;</span> without',
       f'<span style="color:{FOREIGN_PARTNER_COLOUR}">&#9679;</span> foreign partner'])


@solara.component
def NetworkView(model: ClassroomModel, selected: int, on_selected):
    """The partnership network and its key; `on_selected` gets the id of a clicked node."""
    update_counter.get()  # every component that shows the model re-renders after a step
    t0 = time.perf_counter()
    nodes, edges = solara.use_memo(lambda: network_data(model), [model.serial, model.t])
    NetworkSvg.element(nodes=nodes, edges=edges, selected=selected, on_selected=on_selected)
    solara.HTML(tag="div", unsafe_innerHTML=LEGEND, style={"font-size": "13px"})
    RENDER_MS["network"] = 1000 * (time.perf_counter() - t0)


@solara.component
def NodeCard(model: ClassroomModel, selected: int):
    """The selected node's name, traits and partnerships (or how to select one)."""
    update_counter.get()
    info = node_info(model, selected)
    with solara.Card("Who is this?", style={"min-width": "260px"}):
        if info is None:
            Prose("Hover over a dot to see its name; **click** it to see its traits and "
                  "partnerships here.")
            return
        Prose(f"**{info['name']}**\n\n{info['kind']}", classes=["coopsim-node-info"])
        rows = "".join(f"<tr><td>{html.escape(k)}</td><td style='text-align:right'>{html.escape(str(val))}</td></tr>"
                       for k, val in info["traits"].items())
        solara.HTML(tag="table", unsafe_innerHTML=rows, style={"font-size": "12px", "width": "100%"})
        if info["partnerships"]:
            items = "".join(f"<li>{html.escape(name)} ({html.escape(country)}): "
                            f"<b style='color:{STAGE_COLOURS[s]}'>{STAGE_WORDS[s]}</b></li>"
                            for name, country, s in info["partnerships"])
            solara.HTML(tag="ul", unsafe_innerHTML=items, style={"font-size": "12px", "margin-top": "6px"})
        else:
            solara.Text("No partnership yet.")


# --- the charts -------------------------------------------------------------------------------
# Drawn as SVG markup on the server (a few kB, a few ms) and shown by the browser as is: no
# JavaScript from a CDN, and a step renders well within 200 ms even on a busy machine.
# (matplotlib PNGs were tried first: 250-600 ms per chart here.)
def _ticks(lo: float, hi: float, n: int = 6) -> list[float]:
    """About n round tick values (1, 2 or 5 times a power of ten) between lo and hi."""
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return []
    span = max(hi - lo, 1e-9)
    raw = span / n
    power = 10 ** np.floor(np.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if step < 1:
        step = 1.0  # counts and years: whole numbers only
    first = np.ceil(lo / step - 1e-9) * step
    return [float(x) + 0.0 for x in np.arange(first, hi + 1e-9, step)]


@dataclass(frozen=True)
class _Plot:
    """Where the plot area sits in a chart's SVG, and how data values map onto it."""

    width: int
    height: int
    x0: float
    x1: float
    ymax: float
    left: int = 44
    right: int = 12
    top: int = 28
    bottom: int = 62

    @property
    def pw(self) -> int:
        return self.width - self.left - self.right

    @property
    def ph(self) -> int:
        return self.height - self.top - self.bottom

    def sx(self, v):
        """x data values -> SVG x."""
        return self.left + self.pw * (np.asarray(v, float) - self.x0) / (self.x1 - self.x0)

    def sy(self, v):
        """y data values -> SVG y (0 at the bottom of the plot)."""
        return self.top + self.ph * (1 - np.asarray(v, float) / self.ymax)


def _y_max(x: np.ndarray, series: dict[str, tuple[np.ndarray, str]], stacked: bool) -> float:
    """The top of the y axis: a little above the highest line (or stack), at least 4."""
    ys = list(series.values())
    if stacked and len(x):
        tops = np.cumsum([v for v, _ in ys], axis=0)
        ymax = float(tops[-1].max()) if len(tops) else 0.0
    else:
        ymax = max((float(v.max()) for v, _ in ys if len(v)), default=0.0)
    return max(ymax * 1.08, 4.0) if np.isfinite(ymax) else 4.0


def _axes(plot: _Plot) -> list[str]:
    """Horizontal grid lines with y labels, x ticks with labels, and the plot's frame."""
    left, top, pw, ph = plot.left, plot.top, plot.pw, plot.ph
    out = []
    for tv in _ticks(0, plot.ymax):
        y = plot.sy(tv)
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>'
                   f'<text x="{left - 5}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{tv:g}</text>')
    for tv in _ticks(plot.x0, plot.x1, 8):
        xx = plot.sx(tv)
        out.append(f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{top + ph}" y2="{top + ph + 4}" stroke="#333"/>'
                   f'<text x="{xx:.1f}" y="{top + ph + 16}" text-anchor="middle" font-size="11">{tv:g}</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#333"/>')
    return out


def _series_marks(plot: _Plot, x: np.ndarray, series: dict[str, tuple[np.ndarray, str]],
                  stacked: bool) -> list[str]:
    """One polyline per series, or stacked areas (each series on top of the ones before)."""
    if not len(x):
        return []
    out = []
    px = plot.sx(x)
    below = np.zeros(len(x))
    for values, color in series.values():
        if stacked:
            upper = below + values
            pts = np.concatenate([np.c_[px, plot.sy(upper)], np.c_[px[::-1], plot.sy(below[::-1])]])
            d = " ".join(f"{a:.1f},{b:.1f}" for a, b in pts)
            out.append(f'<polygon points="{d}" fill="{color}" fill-opacity="0.9" stroke="none"/>')
            below = upper
        else:
            d = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(px, plot.sy(values)))
            out.append(f'<polyline points="{d}" fill="none" stroke="{color}" stroke-width="2.2"/>')
    return out


def _election_marks(plot: _Plot, elections: list[float]) -> list[str]:
    """A dashed vertical line, labelled, at each election the class called."""
    out = []
    for year in elections:
        xx = plot.sx(year)
        out.append(f'<line class="election" x1="{xx:.1f}" x2="{xx:.1f}" y1="{plot.top}" y2="{plot.top + plot.ph}" '
                   f'stroke="#333" stroke-width="1.5" stroke-dasharray="5 3"/>'
                   f'<text x="{xx + 3:.1f}" y="{plot.top + 11}" font-size="10" fill="#333">election</text>')
    return out


def _legend(plot: _Plot, series: dict[str, tuple[np.ndarray, str]]) -> list[str]:
    """Colour boxes and names below the plot, wrapped into rows."""
    out = []
    lx, ly = plot.left, plot.top + plot.ph + 34
    for name, (_, color) in series.items():
        label = html.escape(name)
        out.append(f'<rect x="{lx}" y="{ly - 9}" width="12" height="10" fill="{color}"/>'
                   f'<text x="{lx + 16}" y="{ly}" font-size="11">{label}</text>')
        lx += 24 + 6.3 * len(label)
        if lx > plot.width - 90:
            lx, ly = plot.left, ly + 15
    return out


def svg_chart(title: str, x: np.ndarray, series: dict[str, tuple[np.ndarray, str]],
              xlim: tuple[float, float], elections: list[float], stacked: bool = False,
              css: str = "", data: dict | None = None, width: int = 620, height: int = 290) -> str:
    """A line chart (or stacked areas) with dashed election markers, as one <svg> string.

    Args:
        title: the chart's title.
        x: the x values (years) every series shares.
        series: name -> (y values, colour), drawn and listed in the legend in this order.
        xlim: the x axis's range.
        elections: x values of the elections to mark.
        stacked: stack the series as areas instead of drawing lines.
        css: the SVG element's class.
        data: data-* attributes of the SVG element (the page's tests read them).
        width: width of the viewBox.
        height: height of the viewBox.

    Returns:
        The SVG markup.
    """
    plot = _Plot(width, height, xlim[0], xlim[1], _y_max(x, series, stacked))
    attrs = "".join(f' data-{k}="{html.escape(str(v))}"' for k, v in (data or {}).items())
    out = [f'<svg class="{css}"{attrs} viewBox="0 0 {width} {height}" width="100%" '
           f'xmlns="http://www.w3.org/2000/svg" style="background:#fff;font-family:sans-serif">',
           f'<text x="{width / 2}" y="17" text-anchor="middle" font-size="14" font-weight="bold">'
           f'{html.escape(title)}</text>']
    out += _axes(plot)
    out += _series_marks(plot, x, series, stacked)
    out += _election_marks(plot, elections)
    out += _legend(plot, series)
    out.append("</svg>")
    return "".join(out)


def stages_svg(data: dict) -> str:
    """The chart of partnerships by stage over time (ended ones left out).

    Args:
        data: `ClassroomModel.chart_data()`.

    Returns:
        The SVG markup.
    """
    series = {STAGE_WORDS[s]: (data["stages"][s], STAGE_COLOURS[s]) for s in STAGES if s != "ended"}
    return svg_chart("Partnerships by stage", data["years"], series, data["xlim"], data["elections"],
                     css="coopsim-chart-stages", data={"t": data["t"], "run": data["run"]})


def causes_svg(data: dict) -> str:
    """The stacked chart of stagnations so far, by binding cause.

    Args:
        data: `ClassroomModel.chart_data()`.

    Returns:
        The SVG markup.
    """
    series = {c: (data["stagnated"][c], CAUSE_COLOURS[c]) for c in CAUSES}
    return svg_chart("Stagnations so far, by cause", data["years"], series, data["xlim"], data["elections"],
                     stacked=True, css="coopsim-chart-causes", data={"t": data["t"], "run": data["run"]})


@solara.component
def Chart(model: ClassroomModel, which: str):
    """One chart ("stages" or "causes"), redrawn only when the model has moved on."""
    update_counter.get()

    def render():
        t0 = time.perf_counter()
        data = model.chart_data()
        try:
            svg = stages_svg(data) if which == "stages" else causes_svg(data)
        except Exception:  # noqa: BLE001 - a chart that fails must not take the page down
            traceback.print_exc()
            svg = (f'<svg class="coopsim-chart-{which}" data-t="{data["t"]}" data-run="{data["run"]}" '
                   f'viewBox="0 0 620 60"><text x="10" y="30">This chart could not be drawn '
                   f'(see the server log).</text></svg>')
        RENDER_MS[which] = 1000 * (time.perf_counter() - t0)
        return svg

    svg = solara.use_memo(render, [model.serial, model.t, which])
    solara.HTML(tag="div", unsafe_innerHTML=svg, classes=[f"coopsim-chart coopsim-{which}"])


# --- explanation ------------------------------------------------------------------------------
EXPLAIN = {
    "English": """
**What you are looking at.** Each blue dot is an Indonesian regional government (in the class
scenario, one of the 38 provinces), placed roughly where it is on the map; each gold dot is a foreign
local government (a prefecture, a state, a city). A line is a partnership: pale blue dashes while
the two sides explore, blue dashes once they sign a letter of intent, light orange while an MoU
waits for the regional parliament (DPRD) and the Foreign Ministry, green when programs are running,
dark orange when it has gone quiet ("stagnansi"). Ended partnerships disappear.

**Why they go quiet.** The paper names five obstacles: no fixed budget line, staff without
languages or negotiation skills, no data about the partner, a rent-seeking bureaucracy, and poor
roads. On top of that, partnerships belong to the governor who signed them: after an **election**
a new head often drops them. Press *Call an election now* and watch the green lines turn dark
orange a year or so later.

**What keeps them alive.** Institutions that outlast a politician: a joint committee, a
dedicated budget, a cooperation bureau, a Perda, the mid-term plan (RPJMD), a diplomat on site
(as in Yogyakarta-Kyoto). Switch a lever or move an obstacle in the sidebar, press **Reset** to
start again with it, then **Play**.

**The sliders.** Budget line: share of regions with a fixed budget line for cooperation; budget
size: how much of the programs' need it covers; staff skills, data on partners, clean
bureaucracy (1 = professional, 0 = rent-seeking) and infrastructure: from 0 (worst) to 1 (best);
turnover: the chance that a newly elected head drops a partnership of the predecessor.
""",
    "Bahasa Indonesia": """
**Apa yang Anda lihat.** Setiap titik biru adalah satu pemerintah daerah di Indonesia (dalam skenario
kelas, satu dari 38 provinsi), kira-kira di letaknya pada peta; setiap titik emas adalah
pemerintah daerah di luar negeri (prefektur, negara bagian, kota). Garis adalah kerja sama:
putus-putus biru muda selama penjajakan, putus-putus biru setelah *Letter of Intent*, oranye muda
ketika MoU menunggu persetujuan DPRD dan pertimbangan Kementerian Luar Negeri, hijau ketika program
berjalan, oranye tua ketika kerja sama mandek ("stagnansi"). Kerja sama yang sudah berakhir menghilang.

**Mengapa mandek.** Artikel ini menyebut lima hambatan: tidak ada pos anggaran tetap, SDM yang
kurang menguasai bahasa asing dan negosiasi, minimnya data tentang mitra, birokrasi yang mencari
rente, dan infrastruktur yang buruk. Selain itu, kerja sama sering melekat pada kepala daerah yang
menandatanganinya: setelah **pilkada**, kepala daerah baru kerap tidak melanjutkannya. Tekan
*Call an election now* (adakan pilkada sekarang) dan lihat garis hijau berubah oranye tua
sekitar setahun kemudian.

**Apa yang membuatnya bertahan.** Lembaga yang lebih awet daripada seorang politisi: komite
bersama, anggaran khusus, biro kerja sama, Perda, RPJMD, dan diplomat di daerah (seperti
Yogyakarta-Kyoto). Ubah tuas atau hambatan di panel samping, tekan **Reset** untuk memulai lagi,
lalu **Play** (▶).

**Penggeser.** *Budget line*: bagian daerah yang punya pos anggaran tetap untuk kerja sama;
*budget size*: seberapa besar anggaran itu dibanding kebutuhan program; *staff skills* (SDM),
*data on partners* (data mitra), *clean bureaucracy* (1 = profesional, 0 = pencari rente) dan
*infrastructure*: dari 0 (terburuk) sampai 1 (terbaik); *turnover*: peluang kepala daerah baru
tidak melanjutkan kerja sama pendahulunya.
""",
}


# The state of the run in a sentence (and the last election in another), in each language.
NOW = {
    "English": ("Now, {quarter}: **{active}** partnerships are running, **{stagnant}** have gone quiet, "
                "**{forming}** are on their way to an agreement.",
                " At the last election ({when}) {voted} regions voted and {new_heads} got a new head."),
    "Bahasa Indonesia": ("Sekarang, {quarter}: **{active}** kerja sama berjalan, **{stagnant}** mandek, "
                         "**{forming}** sedang menuju kesepakatan.",
                         " Pada pilkada terakhir ({when}) {voted} daerah memilih dan {new_heads} mendapat "
                         "kepala daerah baru."),
}


def _now_text(model: ClassroomModel, lang: str) -> str:
    counts = model.stage_counts()
    now, election = NOW[lang]
    text = now.format(quarter=model.quarter_label(), active=counts["active"], stagnant=counts["stagnant"],
                      forming=counts["exploration"] + counts["loi"] + counts["mou"])
    if model.elections:
        t, voted, new_heads = model.elections[-1]
        text += election.format(when=model.quarter_label(t), voted=voted, new_heads=new_heads)
    return text


@solara.component
def Explanation(model: ClassroomModel):
    """What is happening now, in numbers, and what the page shows, in English or Indonesian."""
    update_counter.get()
    lang, set_lang = solara.use_state("English")
    with solara.Card("What is happening / Apa yang terjadi"):
        solara.ToggleButtonsSingle(lang, values=list(EXPLAIN), on_value=set_lang)
        Prose(_now_text(model, lang), classes=["coopsim-now"])
        Prose(EXPLAIN[lang], classes=["coopsim-explanation"])


# --- the main panel ---------------------------------------------------------------------------
@solara.component
def MainPanel(model: ClassroomModel):
    """coopsim's part of the page: the quarter, the election button, the network, the charts."""
    update_counter.get()  # re-render when SolaraViz steps the model
    selected, set_selected = solara.use_state(-1)

    def election():
        model.election_now()
        force_update()

    with solara.Column(style={"padding": "8px", "gap": "8px"}):
        solara.Style(PROSE_CSS)
        with solara.Row(style={"align-items": "center", "gap": "24px", "flex-wrap": "wrap"}):
            solara.HTML(tag="div", unsafe_innerHTML=(
                f'<span style="font-size:15px">Quarter</span> '
                f'<b class="coopsim-quarter" data-t="{model.t}" data-run="{model.serial}" '
                f'style="font-size:22px">{model.quarter_label()}</b>'))
            solara.HTML(tag="div", unsafe_innerHTML=(
                f'<span style="font-size:15px">Active partnerships</span> '
                f'<b class="coopsim-active" style="font-size:26px;color:{STAGE_COLOURS["active"]}">'
                f'{model.n_active()}</b>'))
            solara.Button("Call an election now", color="error", on_click=election,
                          disabled=not model.running, classes=["coopsim-election"],
                          icon_name="mdi-vote")
            solara.Text(f"scenario: {scenario_label(model.scenario_path)}", style={"color": "#666"})
        solara.Text(model.settings_text(), style={"color": "#666", "font-size": "12px"},
                    classes=["coopsim-settings"])
        if model.error:
            solara.Warning(model.error)
        with solara.Row(style={"align-items": "flex-start", "gap": "8px"}):
            with solara.Column(style={"flex": "3", "min-width": "420px"}):
                NetworkView(model, selected, set_selected)
            with solara.Column(style={"flex": "1"}):
                NodeCard(model, selected)
        with solara.Row(style={"gap": "8px", "flex-wrap": "wrap"}):
            with solara.Column(style={"flex": "1", "min-width": "380px"}):
                Chart(model, "stages")
            with solara.Column(style={"flex": "1", "min-width": "380px"}):
                Chart(model, "causes")
        Explanation(model)
        solara.Text("render ms: " + ", ".join(f"{k} {v:.0f}" for k, v in sorted(RENDER_MS.items())),
                    style={"color": "#aaa", "font-size": "11px"}, classes=["coopsim-render-ms"])


@solara.component
def Page():
    """The whole page: SolaraViz's frame and controls around the main panel."""
    path = scenario_path()
    params = solara.use_memo(lambda: model_params(path), [path])

    def first_model():
        return ClassroomModel(**{k: (p["value"] if isinstance(p, dict) else p) for k, p in params.items()})

    initial = solara.use_memo(first_model, [path])
    model = solara.use_reactive(initial)
    SolaraViz(model, components=[], model_params=params, play_interval=300,
              name="coopsim: regional governments' international partnerships")
    MainPanel(model.value)
