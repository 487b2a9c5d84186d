"""The class app's page: Mesa's SolaraViz as the frame (step / play / pause / reset, the
obstacle sliders and lever switches), and coopsim's own main panel: the partnership network
(an SVG drawn in the browser from a fixed layout; hover or click a node), two charts drawn
as SVG on the server (no JavaScript from a CDN), the election button and a
plain-words explanation in English and Indonesian.

Served by `coopsim app` (coopsim/app.py), which sets COOPSIM_APP_SCENARIO.
"""

from __future__ import annotations

import html
import os
import re
import time
import traceback

import ipyvuetify as v
import numpy as np
import solara
import traitlets
from mesa.visualization import SolaraViz
from mesa.visualization.utils import force_update, update_counter

from coopsim.app.classroom import (CAUSE_COLORS, LEVERS, OBSTACLES, STAGE_COLORS, STAGE_LABELS,
                               ClassroomModel, default_scenario_path, network_data, node_info,
                               scenario_label, slider_defaults)
from coopsim.model.partnerships import CAUSES, STAGES


def Prose(text: str, **kwargs):
    """Plain paragraphs with **bold** and *italic*, as HTML. (solara.Markdown would load KaTeX
    from a CDN.)"""
    out = []
    for para in text.strip().split("\n\n"):
        para = html.escape(" ".join(para.split()))
        para = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", para)
        para = re.sub(r"\*(.+?)\*", r"<i>\1</i>", para)
        out.append(f"<p style='margin: 4px 0 8px 0'>{para}</p>")
    return solara.HTML(tag="div", unsafe_innerHTML="".join(out), **kwargs)


# the last server-side render time of each part, in ms (shown small on the page, for tuning)
RENDER_MS: dict[str, float] = {}


def scenario_path() -> str:
    return os.environ.get("COOPSIM_APP_SCENARIO", default_scenario_path())


def model_params(path: str) -> dict:
    """SolaraViz's sliders and switches, starting at the scenario's own values."""
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


LEGEND = " &nbsp; ".join(
    [f'<span style="display:inline-block;width:18px;height:4px;background:{STAGE_COLORS[s]};'
     f'vertical-align:middle"></span> {STAGE_LABELS[s]}' for s in STAGES if s != "ended"]
    + ['<br><span style="color:#1f4e79">&#9679;</span> Indonesian region with an active partnership',
       '<span style="color:#8aa9c9">&#9679;</span> without',
       '<span style="color:#b8860b">&#9679;</span> foreign partner'])


@solara.component
def NetworkView(model: ClassroomModel, selected: int, on_selected):
    update_counter.get()  # every component that shows the model re-renders after a step
    t0 = time.perf_counter()
    nodes, edges = solara.use_memo(lambda: network_data(model), [model.serial, model.t])
    NetworkSvg.element(nodes=nodes, edges=edges, selected=selected, on_selected=on_selected)
    solara.HTML(tag="div", unsafe_innerHTML=LEGEND, style={"font-size": "13px"})
    RENDER_MS["network"] = 1000 * (time.perf_counter() - t0)


@solara.component
def NodeCard(model: ClassroomModel, selected: int):
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
                            f"<b style='color:{STAGE_COLORS[s]}'>{STAGE_LABELS[s]}</b></li>"
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


def svg_chart(title: str, x: np.ndarray, series: dict[str, tuple[np.ndarray, str]],
              xlim: tuple[float, float], elections: list[float], stacked: bool = False,
              css: str = "", data: dict | None = None, width: int = 620, height: int = 290) -> str:
    """A line chart (or stacked areas) with dashed election markers, as one <svg> string."""
    left, right, top, bottom = 44, 12, 28, 62
    pw, ph = width - left - right, height - top - bottom
    ys = list(series.values())
    if stacked and len(x):
        tops = np.cumsum([v for v, _ in ys], axis=0)
        ymax = float(tops[-1].max()) if len(tops) else 0.0
    else:
        ymax = max((float(v.max()) for v, _ in ys if len(v)), default=0.0)
    ymax = max(ymax * 1.08, 4.0) if np.isfinite(ymax) else 4.0
    x0, x1 = xlim

    def sx(v):
        return left + pw * (np.asarray(v, float) - x0) / (x1 - x0)

    def sy(v):
        return top + ph * (1 - np.asarray(v, float) / ymax)

    attrs = "".join(f' data-{k}="{html.escape(str(v))}"' for k, v in (data or {}).items())
    out = [f'<svg class="{css}"{attrs} viewBox="0 0 {width} {height}" width="100%" '
           f'xmlns="http://www.w3.org/2000/svg" style="background:#fff;font-family:sans-serif">',
           f'<text x="{width / 2}" y="17" text-anchor="middle" font-size="14" font-weight="bold">{html.escape(title)}</text>']
    for tv in _ticks(0, ymax):
        y = sy(tv)
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>'
                   f'<text x="{left - 5}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{tv:g}</text>')
    for tv in _ticks(x0, x1, 8):
        xx = sx(tv)
        out.append(f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{top + ph}" y2="{top + ph + 4}" stroke="#333"/>'
                   f'<text x="{xx:.1f}" y="{top + ph + 16}" text-anchor="middle" font-size="11">{tv:g}</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#333"/>')
    if len(x):
        px = sx(x)
        below = np.zeros(len(x))
        for name, (values, color) in series.items():
            if stacked:
                upper = below + values
                pts = np.concatenate([np.c_[px, sy(upper)], np.c_[px[::-1], sy(below[::-1])]])
                d = " ".join(f"{a:.1f},{b:.1f}" for a, b in pts)
                out.append(f'<polygon points="{d}" fill="{color}" fill-opacity="0.9" stroke="none"/>')
                below = upper
            else:
                d = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(px, sy(values)))
                out.append(f'<polyline points="{d}" fill="none" stroke="{color}" stroke-width="2.2"/>')
    for year in elections:
        xx = sx(year)
        out.append(f'<line class="election" x1="{xx:.1f}" x2="{xx:.1f}" y1="{top}" y2="{top + ph}" '
                   f'stroke="#333" stroke-width="1.5" stroke-dasharray="5 3"/>'
                   f'<text x="{xx + 3:.1f}" y="{top + 11}" font-size="10" fill="#333">election</text>')
    # legend below the plot
    lx, ly = left, top + ph + 34
    for name, (_, color) in series.items():
        label = html.escape(name)
        out.append(f'<rect x="{lx}" y="{ly - 9}" width="12" height="10" fill="{color}"/>'
                   f'<text x="{lx + 16}" y="{ly}" font-size="11">{label}</text>')
        lx += 24 + 6.3 * len(label)
        if lx > width - 90:
            lx, ly = left, ly + 15
    out.append("</svg>")
    return "".join(out)


def stages_svg(data: dict) -> str:
    series = {STAGE_LABELS[s]: (data["stages"][s], STAGE_COLORS[s]) for s in STAGES if s != "ended"}
    return svg_chart("Partnerships by stage", data["years"], series, data["xlim"], data["elections"],
                     css="coopsim-chart-stages", data={"t": data["t"], "run": data["run"]})


def causes_svg(data: dict) -> str:
    series = {c: (data["stagnated"][c], CAUSE_COLORS[c]) for c in CAUSES}
    return svg_chart("Stagnations so far, by cause", data["years"], series, data["xlim"], data["elections"],
                     stacked=True, css="coopsim-chart-causes", data={"t": data["t"], "run": data["run"]})


@solara.component
def Chart(model: ClassroomModel, which: str):
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
local government (a prefecture, a state, a city). A line is a partnership: grey dashes while
the two sides explore, blue dashes once they sign a letter of intent, orange while an MoU waits
for the regional parliament (DPRD) and the Foreign Ministry, green when programs are running,
red when it has gone quiet ("stagnansi"). Ended partnerships disappear.

**Why they go quiet.** The paper names five obstacles: no fixed budget line, staff without
languages or negotiation skills, no data about the partner, a rent-seeking bureaucracy, and poor
roads. On top of that, partnerships belong to the governor who signed them: after an **election**
a new head often drops them. Press *Call an election now* and watch the green lines turn red a
year or so later.

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
putus-putus abu-abu selama penjajakan, putus-putus biru setelah *Letter of Intent*, oranye ketika
MoU menunggu persetujuan DPRD dan pertimbangan Kementerian Luar Negeri, hijau ketika program
berjalan, merah ketika kerja sama mandek ("stagnansi"). Kerja sama yang sudah berakhir menghilang.

**Mengapa mandek.** Artikel ini menyebut lima hambatan: tidak ada pos anggaran tetap, SDM yang
kurang menguasai bahasa asing dan negosiasi, minimnya data tentang mitra, birokrasi yang mencari
rente, dan infrastruktur yang buruk. Selain itu, kerja sama sering melekat pada kepala daerah yang
menandatanganinya: setelah **pilkada**, kepala daerah baru kerap tidak melanjutkannya. Tekan
*Call an election now* (adakan pilkada sekarang) dan lihat garis hijau berubah merah sekitar
setahun kemudian.

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


@solara.component
def Explanation(model: ClassroomModel):
    update_counter.get()
    lang, set_lang = solara.use_state("English")
    counts = model.stage_counts()
    last = model.elections[-1] if model.elections else None
    with solara.Card("What is happening / Apa yang terjadi"):
        solara.ToggleButtonsSingle(lang, values=list(EXPLAIN), on_value=set_lang)
        if lang == "English":
            now = (f"Now, {model.quarter_label()}: **{counts['active']}** partnerships are running, "
                   f"**{counts['stagnant']}** have gone quiet, **{counts['exploration'] + counts['loi'] + counts['mou']}** "
                   f"are on their way to an agreement.")
            if last:
                now += (f" At the last election ({model.quarter_label(last[0])}) {last[1]} regions voted "
                        f"and {last[2]} got a new head.")
        else:
            now = (f"Sekarang, {model.quarter_label()}: **{counts['active']}** kerja sama berjalan, "
                   f"**{counts['stagnant']}** mandek, **{counts['exploration'] + counts['loi'] + counts['mou']}** "
                   f"sedang menuju kesepakatan.")
            if last:
                now += (f" Pada pilkada terakhir ({model.quarter_label(last[0])}) {last[1]} daerah memilih "
                        f"dan {last[2]} mendapat kepala daerah baru.")
        Prose(now, classes=["coopsim-now"])
        Prose(EXPLAIN[lang], classes=["coopsim-explanation"])


# --- the main panel ---------------------------------------------------------------------------
@solara.component
def MainPanel(model: ClassroomModel):
    update_counter.get()  # re-render when SolaraViz steps the model
    selected, set_selected = solara.use_state(-1)

    def election():
        model.election_now()
        force_update()

    with solara.Column(style={"padding": "8px", "gap": "8px"}):
        with solara.Row(style={"align-items": "center", "gap": "24px", "flex-wrap": "wrap"}):
            solara.HTML(tag="div", unsafe_innerHTML=(
                f'<span style="font-size:15px">Quarter</span> '
                f'<b class="coopsim-quarter" data-t="{model.t}" data-run="{model.serial}" '
                f'style="font-size:22px">{model.quarter_label()}</b>'))
            solara.HTML(tag="div", unsafe_innerHTML=(
                f'<span style="font-size:15px">Active partnerships</span> '
                f'<b class="coopsim-active" style="font-size:26px;color:{STAGE_COLORS["active"]}">'
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
    path = scenario_path()
    params = solara.use_memo(lambda: model_params(path), [path])

    def first_model():
        return ClassroomModel(**{k: (p["value"] if isinstance(p, dict) else p) for k, p in params.items()})

    initial = solara.use_memo(first_model, [path])
    model = solara.use_reactive(initial)
    SolaraViz(model, components=[], model_params=params, play_interval=300,
              name="coopsim: regional governments' international partnerships")
    MainPanel(model.value)
