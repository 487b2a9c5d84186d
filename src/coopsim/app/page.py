"""The class app's page (Solara): one language at a time, readable from the back row.

Left, the controls: Reset, Play/Pause and Step (labelled), the election button, a banner while
changed settings wait for Reset, the obstacle sliders (each showing its value), the lever
switches and the side-by-side comparison. Right: the quarter and the count of active
partnerships, messages (an election held, the end of the run), the map of Indonesia (or the
network) beside the two charts, then the selected region's, partner's or partnership's card
with its timeline, the lesson's explanation, the side-by-side runs, what the page shows, and
the exports (charts as PNG, the run and its partnerships as CSV).

Every visible word comes from the message catalogues (`coopsim.reporting.i18n`); colours from
`coopsim.reporting.style`. Served by `coopsim app` (`coopsim.app.server`), which sets
COOPSIM_APP_SCENARIO and, from `--lang`, COOPSIM_APP_LANG.
"""

from __future__ import annotations

import html
import json
import os
import time
from dataclasses import dataclass

import numpy as np
import solara
import solara.lab

from coopsim.app import cards
from coopsim.app.charts import MIN_WIDTH_PX, causes_svg, stages_svg
from coopsim.app.classroom import (LEVERS, OBSTACLE_MAX, OBSTACLES, ClassroomModel, default_scenario_path,
                                   node_info, packaged_scenario, partnership_info, scenario_label,
                                   slider_defaults)
from coopsim.app.lessons import COMPARISONS, INSTITUTIONS, LESSONS
from coopsim.app.map import ISLAND_GROUPS, VIEW, map_frame, map_nodes, network_layout, provinces
from coopsim.app.widgets import MapSvg, PngExport
from coopsim.config.vocabulary import STAGES
from coopsim.reporting.i18n import LANGUAGE_NAMES, LANGUAGES, Messages, default_language
from coopsim.reporting.markdown import markdown_to_html
from coopsim.reporting.style import INK, MUTED, PARTNER, STAGE_COLOURS

__all__ = ["Page", "Session", "scenario_path", "page_language", "PLAY_INTERVAL_S", "CSS"]

#: Seconds between two quarters while playing.
PLAY_INTERVAL_S = 0.35

#: The page's style: projector mode makes every text at least 18 px.
CSS = f"""
.coopsim-app {{ font-size: 16px; line-height: 1.35; color: #1b1b1b; }}
.coopsim-app .coopsim-prose p {{ margin: 4px 0 10px 0; }}
.coopsim-app .coopsim-prose strong {{ font-weight: bold; }}
.coopsim-app .coopsim-prose em {{ font-style: italic; }}
.coopsim-app .v-btn {{ text-transform: none; letter-spacing: 0; }}
.coopsim-layout {{ display: grid; grid-template-columns: 400px minmax(0, 1fr); gap: 16px; padding: 8px 12px; }}
.coopsim-views {{ display: grid; grid-template-columns: minmax(560px, 1.15fr) minmax({MIN_WIDTH_PX}px, 1fr);
                  gap: 12px; align-items: start; }}
@media (max-width: 1500px) {{ .coopsim-layout {{ grid-template-columns: 340px minmax(0, 1fr); }}
                              .coopsim-views {{ grid-template-columns: minmax({MIN_WIDTH_PX}px, 1fr); }} }}
.coopsim-side {{ display: grid; grid-template-columns: repeat(auto-fit, minmax({MIN_WIDTH_PX}px, 1fr)); gap: 12px; }}
.coopsim-banner {{ background: #fff4cc; border-left: 6px solid #e6a700; padding: 8px 12px; border-radius: 4px; }}
.coopsim-message {{ background: #e8f1fb; border-left: 6px solid #1f4e79; padding: 8px 12px; border-radius: 4px; }}
.coopsim-card table {{ width: 100%; border-collapse: collapse; }}
.coopsim-card td {{ padding: 2px 6px; vertical-align: top; }}
.coopsim-card td:first-child {{ color: #444; }}
.coopsim-projector {{ font-size: 20px; }}
.coopsim-projector .v-btn, .coopsim-projector .v-label, .coopsim-projector .v-input,
.coopsim-projector input, .coopsim-projector .v-select__selection, .coopsim-projector .v-card__title,
.coopsim-projector .v-input--selection-controls .v-label {{ font-size: 18px !important; }}
.coopsim-projector .v-btn {{ min-height: 44px; }}
.coopsim-projector .coopsim-card td, .coopsim-projector .coopsim-prose,
.coopsim-projector .coopsim-prose * {{ font-size: 19px !important; }}
.coopsim-caption {{ color: #444; }}
.coopsim-projector .coopsim-card *:not(svg):not(svg *) {{ font-size: 19px; }}
.coopsim-projector .coopsim-card .v-card__title {{ font-size: 23px !important; font-weight: bold; }}
.coopsim-controls .v-input__slider .v-input__slot {{ flex-wrap: wrap; }}
.coopsim-controls .v-input__slider .v-label {{ width: 100%; margin-bottom: -6px; }}
.coopsim-controls .v-input--checkbox {{ margin-top: 0; padding-top: 0; }}
.coopsim-controls .v-input--checkbox .v-messages {{ display: none; }}
.coopsim-controls .v-input--checkbox .v-input__slot {{ margin-bottom: 2px; }}
.v-menu__content .v-list-item__title, .v-menu__content .v-list-item {{ font-size: 18px !important; }}
.coopsim-title {{ font-size: 30px; font-weight: bold; color: {INK}; }}
.coopsim-big {{ font-size: 34px; font-weight: bold; }}
"""


def scenario_path() -> str:
    """The scenario file `coopsim app` was given (default: the packaged class scenario)."""
    return os.environ.get("COOPSIM_APP_SCENARIO") or default_scenario_path()


def page_language() -> str:
    """The page's first language: `coopsim app --lang` (COOPSIM_APP_LANG), else the default
    from the environment (`coopsim.reporting.i18n.default_language`)."""
    chosen = os.environ.get("COOPSIM_APP_LANG")
    return Messages(chosen).lang if chosen else default_language()


@dataclass(frozen=True)
class Session:
    """One page's state, shared by its components (each reads what it shows, so only those
    re-render when it changes).

    Attributes:
        model: the running ClassroomModel (replaced on Reset).
        tick: bumped after every step (the model changes in place).
        lang: 'id' or 'en'.
        pending: slider and switch values, 'seed' and 'compare', as set on the page.
        playing: the play loop runs.
        selected: [kind, id] shown in the card ('region', 'partner', 'partnership', or '').
        where: the map's filter ('' = all Indonesia, an island group, a province ISO code).
        view: 'map' or 'network'.
        lesson: the lesson that set up this run ('' = free play).
        notice: [message kind] of the last action to report ('election' or '').
        projector: projector mode (large text).
        start_path: the scenario `coopsim app` was started with.
    """
    model: solara.Reactive
    tick: solara.Reactive
    lang: solara.Reactive
    pending: solara.Reactive
    playing: solara.Reactive
    selected: solara.Reactive
    where: solara.Reactive
    view: solara.Reactive
    lesson: solara.Reactive
    notice: solara.Reactive
    projector: solara.Reactive
    start_path: str

    @property
    def t(self) -> Messages:
        """The messages of the page's language."""
        return Messages(self.lang.value)

    def scenario(self) -> tuple[str, dict]:
        """The scenario file and the lesson's parameters the next Reset starts from."""
        lesson = LESSONS.get(self.lesson.value)
        return (packaged_scenario(), dict(lesson.overrides)) if lesson else (self.start_path, {})

    def new_model(self) -> ClassroomModel:
        """A model from the scenario and the pending settings."""
        path, extra = self.scenario()
        values = {k: v for k, v in self.pending.value.items() if k not in ("seed", "compare")}
        return ClassroomModel(path, seed=int(self.pending.value["seed"]), extra=extra,
                              compare=self.pending.value["compare"], **values)

    def reset(self) -> None:
        """Start again with the pending settings (stops playing)."""
        self.playing.set(False)
        self.notice.set("")
        self.model.set(self.new_model())
        self.tick.set(self.tick.value + 1)

    def step(self) -> None:
        """One quarter."""
        self.notice.set("")
        self.model.value.step()
        self.tick.set(self.tick.value + 1)

    def election(self) -> None:
        """Every elected head faces the voters in the quarter about to run, which then runs."""
        self.model.value.election_now()
        self.notice.set("election")
        self.tick.set(self.tick.value + 1)


def _starting_settings(path: str, lesson: str = "") -> dict:
    found = LESSONS.get(lesson)
    values = {**slider_defaults(packaged_scenario() if found else path), **(found.values if found else {})}
    return {**values, "seed": 1, "compare": found.compare if found else ""}


def _use_session() -> Session:
    path = scenario_path()
    pending = solara.use_reactive(solara.use_memo(lambda: _starting_settings(path), [path]))

    def first_model():
        values = {k: v for k, v in pending.value.items() if k not in ("seed", "compare")}
        return ClassroomModel(path, seed=1, **values)

    model = solara.use_reactive(solara.use_memo(first_model, [path]))
    return Session(model=model, tick=solara.use_reactive(0), lang=solara.use_reactive(page_language()),
                   pending=pending, playing=solara.use_reactive(False), selected=solara.use_reactive(["", -1]),
                   where=solara.use_reactive(""), view=solara.use_reactive("map"), lesson=solara.use_reactive(""),
                   notice=solara.use_reactive(""), projector=solara.use_reactive(True), start_path=path)


def Prose(text: str, classes: list[str] | None = None):
    """Markdown prose as HTML (rendered by coopsim.reporting.markdown: solara.Markdown would
    load KaTeX from a CDN)."""
    return solara.HTML(tag="div", unsafe_innerHTML=markdown_to_html(text), classes=["coopsim-prose", *(classes or [])])


def _table(rows: list[tuple[str, str]], css: str) -> str:
    body = "".join(f"<tr><td>{html.escape(a)}</td><td>{html.escape(b)}</td></tr>" for a, b in rows)
    return f'<table class="{css}">{body}</table>'


# --- the header and the controls ------------------------------------------------------------
def _select(label: str, value: str, items: list[tuple[str, str]], on_value, css: str, width: str = "260px"):
    """A caption (as large as the page's text: a Vuetify label shrinks) above a drop-down list."""
    with solara.Column(gap="0px", style={"min-width": width, "max-width": width}):
        solara.Text(label, classes=["coopsim-caption"])
        solara.v.Select(v_model=value, items=[{"text": text, "value": key} for key, text in items],
                        on_v_model=on_value, dense=True, hide_details=True, class_=css)


@solara.component
def Header(s: Session):
    """The title, the lesson chooser, the view, projector mode and the language switch."""
    t = s.t

    def choose_lesson(key):
        s.lesson.set(key or "")
        s.pending.set(_starting_settings(s.start_path, key or ""))
        found = LESSONS.get(key or "")
        s.where.set(found.focus if found else "")
        s.reset()
        rows = s.model.value.case_rows() if found and found.show_cases else []
        s.selected.set(["partnership", rows[0]] if rows else ["", -1])

    with solara.Row(style={"align-items": "center", "gap": "20px", "flex-wrap": "wrap", "padding": "8px 12px",
                           "border-bottom": "1px solid #ddd"}):
        solara.HTML(tag="div", unsafe_innerHTML=f'coopsim <span style="font-weight:normal;font-size:20px;color:#444">'
                                                f'{html.escape(t("app.subtitle"))}</span>', classes=["coopsim-title"])
        _select(t("app.lesson.label"), s.lesson.value,
                [("", t("app.lesson.free"))] + [(k, t(f"lesson.{k}.title")) for k in LESSONS],
                choose_lesson, "coopsim-lesson", "360px")
        _select(t("app.view.label"), s.view.value, [("map", t("app.view.map")), ("network", t("app.view.network"))],
                s.view.set, "coopsim-view", "170px")
        solara.Checkbox(label=t("app.projector"), value=s.projector)
        with solara.v.BtnToggle(v_model=LANGUAGES.index(s.lang.value), mandatory=True,
                                on_v_model=lambda i: s.lang.set(LANGUAGES[i])):
            for code in LANGUAGES:
                solara.v.Btn(children=[LANGUAGE_NAMES[code]], class_=f"coopsim-lang-{code}")


@solara.component
def RunButtons(s: Session):
    """Reset, Play/Pause and Step, with labels; the play loop."""
    t, model = s.t, s.model.value
    s.tick.value  # noqa: B018 - re-render after a step (Step greys out at the end)

    def play_loop():
        run = s.model.value
        while s.playing.value and s.model.value is run and not run.finished:
            time.sleep(PLAY_INTERVAL_S)
            if not s.playing.value or s.model.value is not run:
                return
            run.step()
            s.tick.set(s.tick.value + 1)
        if run.finished and s.model.value is run:
            s.playing.set(False)

    solara.lab.use_task(play_loop, dependencies=[s.playing.value, model.serial], prefer_threaded=True)
    with solara.Row(style={"gap": "8px", "flex-wrap": "wrap"}):
        solara.Button(t("app.button.reset"), color="primary", on_click=s.reset, classes=["coopsim-reset"],
                      icon_name="mdi-restart")
        playing = s.playing.value
        solara.Button(t("app.button.pause") if playing else t("app.button.play"), color="primary",
                      on_click=lambda: s.playing.set(not s.playing.value), disabled=model.finished,
                      classes=["coopsim-play"], icon_name="mdi-pause" if playing else "mdi-play")
        solara.Button(t("app.button.step"), color="primary", on_click=s.step, disabled=playing or model.finished,
                      classes=["coopsim-step"], icon_name="mdi-skip-next")
    solara.Button(t("app.button.election", quarter=cards.quarter(t, *model.quarter_of())), color="error",
                  on_click=s.election, disabled=playing or model.finished, classes=["coopsim-election"],
                  icon_name="mdi-vote", style={"margin-top": "8px", "white-space": "normal", "height": "auto"})
    solara.Text(t("app.election.hint"), style={"color": "#444"})


@solara.component
def PendingBanner(s: Session):
    """'Changes take effect on Reset', with what changed, while settings wait."""
    t = s.t
    changed = cards.pending_changes(s.pending.value, s.model.value)
    if changed:
        names = "; ".join(cards.setting_words(t, name, s.pending.value[name]) for name in changed)
        solara.HTML(tag="div", classes=["coopsim-banner", "coopsim-pending"], unsafe_innerHTML=(
            f"<b>{html.escape(t('app.pending'))}</b><br>{html.escape(t('app.pending.detail', names=names))}"))


@solara.component
def Settings(s: Session):
    """The seed, the obstacle sliders (value always shown), the levers and the comparison."""
    t, pending = s.t, s.pending.value

    def setter(name):
        return lambda value: s.pending.set({**s.pending.value, name: value})

    solara.SliderInt(cards.setting_words(t, "seed", pending["seed"]), value=int(pending["seed"]), min=0, max=99,
                     on_value=setter("seed"), thumb_label=False)
    solara.HTML(tag="div", unsafe_innerHTML=f"<b>{html.escape(t('app.settings.obstacles'))}</b>")
    for name in OBSTACLES:
        solara.SliderFloat(cards.setting_words(t, name, pending[name]), value=float(pending[name]), min=0.0,
                           max=OBSTACLE_MAX[name], step=0.05, on_value=setter(name), thumb_label=False)
    solara.HTML(tag="div", unsafe_innerHTML=f"<b>{html.escape(t('app.settings.levers'))}</b>")
    for name in LEVERS:
        solara.Checkbox(label=t(f"lever.{name}"), value=bool(pending[name]), on_value=setter(name))
    _select(t("app.compare.label"), pending["compare"],
            [("", t("app.compare.none"))] + [(k, cards.compare_words(t, k)) for k in COMPARISONS],
            setter("compare"), "coopsim-compare", "100%")


@solara.component
def Controls(s: Session):
    """The left column."""
    with solara.Column(style={"gap": "10px"}, classes=["coopsim-controls"]):
        RunButtons(s)
        PendingBanner(s)
        Settings(s)


# --- the run's state, the map and the charts --------------------------------------------------
@solara.component
def Status(s: Session):
    """The quarter, the active partnerships, the scenario, and messages (an election held, the
    end of the run, an error)."""
    t, model = s.t, s.model.value
    s.tick.value  # noqa: B018
    name = (t(f"lesson.{s.lesson.value}.title") if s.lesson.value else t("app.scenario.class")
            if model.scenario_path == default_scenario_path() else scenario_label(model.scenario_path))
    with solara.Row(style={"align-items": "baseline", "gap": "28px", "flex-wrap": "wrap"}):
        solara.HTML(tag="div", unsafe_innerHTML=(
            f'{html.escape(t("app.status.quarter"))} <span class="coopsim-quarter coopsim-big" data-t="{model.t}" '
            f'data-run="{model.serial}">{html.escape(cards.quarter(t, *model.quarter_of()))}</span>'))
        solara.HTML(tag="div", unsafe_innerHTML=(
            f'{html.escape(t("app.status.active"))} <span class="coopsim-active coopsim-big" '
            f'style="color:{STAGE_COLOURS["active"]}">{model.n_active()}</span>'))
        solara.Text(t("app.status.scenario", name=name or t("app.scenario.default")), style={"color": "#444"})
    if model.error:
        solara.Warning(t(model.error, detail=model.error_detail))
    if s.notice.value == "election" and model.called_elections:
        solara.HTML(tag="div", classes=["coopsim-message", "coopsim-notice"],
                    unsafe_innerHTML=html.escape(cards.election_notice(t, model)))
    if model.finished:
        solara.HTML(tag="div", classes=["coopsim-message", "coopsim-end"],
                    unsafe_innerHTML=html.escape(cards.end_text(t, model)))


def _labels(t: Messages, model: ClassroomModel) -> list[str]:
    p = model.partners
    return ([str(name) for name in model.regions.table["name"]]
            + [f"{cards.partner_name(t, str(a), str(c))} ({cards.country(t, str(c))})" for a, c in zip(p.name, p.country)])


def _where_items(t: Messages) -> list[tuple[str, str]]:
    return ([("", t("app.map.all"))] + [(g, t("app.map.island", name=g)) for g in ISLAND_GROUPS]
            + sorted(((p.iso, p.name) for p in provinces()), key=lambda item: item[1]))


def _on_map_click(s: Session, model: ClassroomModel):
    def clicked(value):
        kind, key = value[0], value[1]
        if kind == "province":
            table = model.regions.table
            found = np.flatnonzero(((table["province"] == key) & (table["level"] == "province")).to_numpy())
            s.selected.set(["region", int(found[0])] if len(found) else ["", -1])
        elif kind in ("region", "partner", "partnership"):
            s.selected.set([kind, int(key)])
    return clicked


@solara.component
def MapView(s: Session):
    """The map (or the network), its filter, key and the outlines' attribution."""
    t = s.t
    with solara.Column(style={"gap": "4px"}, classes=["coopsim-map-panel"]):
        _select(t("app.map.filter"), s.where.value, _where_items(t), lambda v: s.where.set(v or ""), "coopsim-where",
                "100%")
        MapCanvas(s)
        solara.HTML(tag="div", unsafe_innerHTML=_legend(t), classes=["coopsim-legend"])
        solara.Text(t("app.map.attribution"), classes=["coopsim-attribution"], style={"color": "#444"})


def _map_base(t: Messages, model: ClassroomModel, layout: dict, where: str, view: str) -> str:
    regions, partners = map_nodes(model, layout, where)
    shapes = [{"iso": p.iso, "d": p.path, "name": p.name, "dim": bool(where) and where not in (p.iso, p.island_group)}
              for p in provinces()] if view == "map" else []
    return json.dumps({"view": list(VIEW), "shapes": shapes, "regions": regions, "partners": partners,
                       "labels": _labels(t, model), "colours": {"live": INK, "idle": MUTED, "partner": PARTNER}},
                      separators=(",", ":"))


@solara.component
def MapCanvas(s: Session):
    """The map itself: its outlines and dots once per run, what moved after every step."""
    t, model, where, view = s.t, s.model.value, s.where.value, s.view.value
    s.tick.value  # noqa: B018
    layout = solara.use_memo(lambda: model.layout if view == "map" else network_layout(model), [model.serial, view])
    base = solara.use_memo(lambda: _map_base(t, model, layout, where, view),
                           [model.serial, view, where, s.lang.value])
    with model._lock:
        frame = json.dumps(map_frame(model, layout, where), separators=(",", ":"))
    MapSvg.element(base=base, frame=frame, selected=list(s.selected.value), on_clicked=_on_map_click(s, model))


def _legend(t: Messages) -> str:
    lines = [f'<span style="white-space:nowrap"><span style="display:inline-block;width:26px;height:6px;'
             f'background:{STAGE_COLOURS[s]};vertical-align:middle"></span> {html.escape(t(f"stage.{s}"))}</span>'
             for s in STAGES if s != "ended"]
    dots = [f'<span style="white-space:nowrap"><span style="color:{colour}">&#9679;</span> {html.escape(t(key))}'
            f'</span>' for colour, key in (
        (INK, "app.map.legend.live"), (MUTED, "app.map.legend.idle"), (PARTNER, "app.map.legend.partner"))]
    return " &nbsp; ".join(lines) + "<br>" + " &nbsp; ".join(dots) + "<br>" + html.escape(t("app.map.hint"))


@solara.component
def Chart(s: Session, which: str):
    """One chart ('stages' or 'causes'), redrawn when the run moves on or the language changes."""
    t, model = s.t, s.model.value
    tick = s.tick.value

    def render():
        data = model.chart_data()
        return stages_svg(t, data) if which == "stages" else causes_svg(t, data)

    svg = solara.use_memo(render, [model.serial, tick, which, s.lang.value])
    solara.HTML(tag="div", unsafe_innerHTML=svg, classes=[f"coopsim-{which}"])


# --- cards, lessons, the side-by-side runs, exports -------------------------------------------
def _partnership_card(s: Session, model: ClassroomModel, row: int, css: str = "coopsim-card-partnership"):
    t = s.t
    info = partnership_info(model, row)
    if info is None:
        return
    with solara.Card(cards.partnership_title(t, info), classes=["coopsim-card", css]):
        solara.HTML(tag="div", unsafe_innerHTML=_table(cards.partnership_rows(t, info), "coopsim-facts"))
        solara.HTML(tag="div", unsafe_innerHTML=f"<b>{html.escape(t('app.card.timeline'))}</b>"
                                                + _table(cards.timeline_rows(t, info), "coopsim-timeline"))


def _node_card(s: Session, model: ClassroomModel, kind: str, node: int):
    t = s.t
    info = node_info(model, node)
    if info is None:
        return
    rows = cards.region_rows(t, info, model) if kind == "region" else cards.partner_rows(t, info)
    title = info["name"] if kind == "region" else cards.partner_name(t, info["name"], info["country"])
    with solara.Card(title, classes=["coopsim-card", f"coopsim-card-{kind}"]):
        solara.HTML(tag="div", unsafe_innerHTML=_table(rows, "coopsim-facts"))
        if not info["partnerships"]:
            solara.Text(t("app.card.no_partnership"))
        for row in info["partnerships"]:
            other = partnership_info(model, row)
            who = (cards.partner_name(t, other["partner"], other["country"]) if kind == "region" else other["region"])
            solara.Button(f"{who}: {t('stage.' + other['stage'])}", text=True, classes=["coopsim-link"],
                          on_click=lambda row=row: s.selected.set(["partnership", row]),
                          style={"white-space": "normal", "height": "auto", "justify-content": "flex-start"})


@solara.component
def Cards(s: Session):
    """The selected region's, partner's or partnership's card, and the lesson's cases."""
    t, model = s.t, s.model.value
    s.tick.value  # noqa: B018
    kind, key = s.selected.value
    lesson = LESSONS.get(s.lesson.value)
    rows = model.case_rows() if lesson and lesson.show_cases else []
    with solara.Row(style={"gap": "12px", "flex-wrap": "wrap", "align-items": "flex-start"}):
        if rows:
            for row in rows:
                with solara.Column(style={"flex": "1", "min-width": "420px"}):
                    _partnership_card(s, model, row, "coopsim-card-case")
        if kind == "partnership" and key not in rows:
            with solara.Column(style={"flex": "1", "min-width": "420px"}):
                _partnership_card(s, model, key)
        elif kind in ("region", "partner"):
            with solara.Column(style={"flex": "1", "min-width": "420px"}):
                _node_card(s, model, kind, key)
        elif not rows:
            solara.Text(t("app.card.empty"), style={"color": "#444"})


@solara.component
def SideBySide(s: Session):
    """The same seed with and without a lever: two stage charts and a sentence."""
    t, model = s.t, s.model.value
    tick = s.tick.value
    twin = model.twin
    words = cards.compare_words(t, model.compare)

    def render():
        if twin is None:
            return "", "", (0, 0)
        without, with_ = (twin, model) if _main_has_lever(model) else (model, twin)
        return (stages_svg(t, without.chart_data(), t("app.compare.without", lever=words), "coopsim-chart-without"),
                stages_svg(t, with_.chart_data(), t("app.compare.with", lever=words), "coopsim-chart-with"),
                (without.n_active(), with_.n_active()))

    left, right, (a, b) = solara.use_memo(render, [model.serial, tick, s.lang.value])
    if twin is None:
        return
    with solara.Card(t("app.compare.title"), classes=["coopsim-card", "coopsim-side-by-side"]):
        solara.Text(t("app.compare.summary", quarter=cards.quarter(t, *model.quarter_of()), without=a, with_=b,
                      lever=words), classes=["coopsim-compare-summary"])
        with solara.Div(classes=["coopsim-side"]):
            solara.HTML(tag="div", unsafe_innerHTML=left)
            solara.HTML(tag="div", unsafe_innerHTML=right)


def _main_has_lever(model: ClassroomModel) -> bool:
    """Whether the main run has the compared lever on (then the twin has it off)."""
    names = tuple(INSTITUTIONS) if model.compare == "institutions" else (model.compare,)
    applied = model.applied()
    return all(bool(applied.get(name)) for name in names)


@solara.component
def Explanation(s: Session):
    """The lesson's explanation (if any), the state of the run and what the page shows."""
    t, model = s.t, s.model.value
    s.tick.value  # noqa: B018
    if s.lesson.value:
        with solara.Card(t(f"lesson.{s.lesson.value}.title"), classes=["coopsim-card", "coopsim-lesson-text"]):
            Prose(t(f"lesson.{s.lesson.value}.text"))
    with solara.Card(t("app.explain.title"), classes=["coopsim-card"]):
        Prose(cards.now_text(t, model), classes=["coopsim-now"])
        Prose(t("app.explain.text"), classes=["coopsim-explanation"])


@solara.component
def Export(s: Session):
    """Save the charts as one PNG (in the browser) and the run and its partnerships as CSV."""
    t, model = s.t, s.model.value
    with solara.Row(style={"gap": "12px", "flex-wrap": "wrap"}, classes=["coopsim-export"]):
        PngExport.element(label=t("app.export.png"), filename=f"coopsim_{model.seed}_charts.png")
        solara.FileDownload(lambda: model.timeseries().to_csv(index=False), filename=f"coopsim_{model.seed}_run.csv",
                            label=t("app.export.csv"), mime_type="text/csv")
        solara.FileDownload(lambda: model.ledger().to_csv(index=False),
                            filename=f"coopsim_{model.seed}_partnerships.csv", label=t("app.export.ledger"),
                            mime_type="text/csv")


@solara.component
def Page():
    """The whole page."""
    s = _use_session()
    solara.Title("coopsim")
    solara.Style(CSS)
    with solara.Div(classes=["coopsim-app"] + (["coopsim-projector"] if s.projector.value else []),
                    attributes={"lang": s.lang.value}):
        Header(s)
        with solara.Div(classes=["coopsim-layout"]):
            Controls(s)
            with solara.Column(style={"gap": "10px", "min-width": "0"}):
                Status(s)
                with solara.Div(classes=["coopsim-views"]):
                    MapView(s)
                    with solara.Column(style={"gap": "10px"}):
                        Chart(s, "stages")
                        Chart(s, "causes")
                Cards(s)
                SideBySide(s)
                Explanation(s)
                Export(s)
