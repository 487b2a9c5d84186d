"""The class app's charts, drawn as SVG markup on the server (a few kB, a few ms; no JavaScript
from a CDN) in the page's language: partnerships by stage, stagnations by cause, and the same
run with and without a lever side by side.

Sized for a projector: the viewBox is WIDTH units wide and the page never shows a chart
narrower than MIN_WIDTH_PX, so every text (TEXT units high) is at least 18 px on screen.
Election labels are placed so that they never overlap each other or leave the plot.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np

from coopsim.config.vocabulary import STAGES, STAGNATION_CAUSES
from coopsim.reporting.i18n import Messages
from coopsim.reporting.style import CAUSE_COLOURS, STAGE_COLOURS

__all__ = ["WIDTH", "TEXT", "MIN_WIDTH_PX", "svg_chart", "stages_svg", "causes_svg", "election_labels"]

WIDTH = 640          # viewBox width of every chart
TEXT = 23            # text height in viewBox units (ticks, legend, axis titles); titles are larger
TITLE = 26
MIN_WIDTH_PX = 540   # the page never draws a chart narrower: TEXT * 540 / 640 = 19.4 px
_CHAR = 0.60         # width of a lower-case glyph / font size (sans-serif), for placing labels
_NARROW = " .,:;()'-–|ilfjrt"
_AXIS = 76           # below the plot: tick labels and the x axis title


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About n round tick values (1, 2 or 5 times a power of ten) between lo and hi."""
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return []
    raw = max(hi - lo, 1e-9) / n
    power = 10 ** np.floor(np.log10(raw))
    step = max(1.0, next(m * power for m in (1, 2, 5, 10) if m * power >= raw))  # whole numbers
    first = np.ceil(lo / step - 1e-9) * step
    return [float(x) + 0.0 for x in np.arange(first, hi + 1e-9, step)]


def _text_width(text: str, size: float = TEXT) -> float:
    """A text's width in a sans-serif font, on the generous side (so that labels never touch)."""
    return size * sum(0.72 if c.isupper() else 0.6 if c.isdigit() else 0.32 if c in _NARROW else _CHAR
                      for c in text)


@dataclass(frozen=True)
class _Plot:
    """Where the plot area sits in a chart's SVG, and how data values map onto it."""

    height: int
    x0: float
    x1: float
    ymax: float
    left: int = 84
    right: int = 34
    top: int = 44
    bottom: int = 76   # tick labels and the x axis title, plus the legend's rows below them

    @property
    def pw(self) -> int:
        """Width of the plot area."""
        return WIDTH - self.left - self.right

    @property
    def ph(self) -> int:
        """Height of the plot area."""
        return self.height - self.top - self.bottom

    def sx(self, v):
        """x data values -> SVG x."""
        return self.left + self.pw * (np.asarray(v, float) - self.x0) / (self.x1 - self.x0)

    def sy(self, v):
        """y data values -> SVG y (0 at the bottom of the plot)."""
        return self.top + self.ph * (1 - np.asarray(v, float) / self.ymax)


def _y_max(x: np.ndarray, series: dict[str, tuple[np.ndarray, str]], stacked: bool) -> float:
    """The top of the y axis: a little above the highest line (or stack), at least 4."""
    ys = [v for v, _ in series.values()]
    if stacked and len(x) and ys:
        ymax = float(np.sum(ys, axis=0).max())
    else:
        ymax = max((float(v.max()) for v in ys if len(v)), default=0.0)
    return max(ymax * 1.1, 4.0) if np.isfinite(ymax) else 4.0


def _axes(plot: _Plot, x_title: str, y_title: str) -> list[str]:
    """Grid lines with y labels, x ticks with labels, both axis titles and the plot's frame."""
    left, top, pw, ph = plot.left, plot.top, plot.pw, plot.ph
    out = []
    for tv in _ticks(0, plot.ymax):
        y = plot.sy(tv)
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e4e4e4"/>'
                   f'<text x="{left - 6}" y="{y + TEXT * 0.35:.1f}" text-anchor="end" font-size="{TEXT}">{tv:g}</text>')
    for tv in _ticks(plot.x0, plot.x1, 5):
        xx = plot.sx(tv)
        out.append(f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{top + ph}" y2="{top + ph + 5}" stroke="#333"/>'
                   f'<text x="{xx:.1f}" y="{top + ph + TEXT + 4}" text-anchor="middle" font-size="{TEXT}">{tv:g}</text>')
    out.append(f'<text x="{left + pw / 2:.1f}" y="{top + ph + 2 * TEXT + 14}" text-anchor="middle" '
               f'font-size="{TEXT}" fill="#444">{html.escape(x_title)}</text>')
    out.append(f'<text transform="translate({TEXT},{top + ph / 2:.1f}) rotate(-90)" text-anchor="middle" '
               f'font-size="{TEXT}" fill="#444">{html.escape(y_title)}</text>')
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
            out.append(f'<polyline points="{d}" fill="none" stroke="{color}" stroke-width="3.5"/>')
    return out


def election_labels(xs: list[float], label: str, left: float, right: float,
                    rows: int = 2) -> list[tuple[float, int, str] | None]:
    """Where to write the label of each election line so that no two labels overlap and none
    leaves the plot: right of its line, or left of it near the right edge, in the first row
    where it fits; None when no row has room (the line is still drawn, with a tooltip).

    Args:
        xs: the lines' x positions (SVG units), in any order.
        label: the label's text.
        left: the plot's left edge.
        right: the plot's right edge.
        rows: how many rows of labels there may be.

    Returns:
        Per line: (x of the label's start, row, anchor 'start' or 'end'), or None.
    """
    width = _text_width(label) + 8
    taken: list[list[tuple[float, float]]] = [[] for _ in range(rows)]
    out: list[tuple[float, int, str] | None] = [None] * len(xs)
    for i in np.argsort(xs, kind="stable"):
        x = float(xs[i])
        start, anchor = (x + 4, "start") if x + 4 + width <= right else (x - 4, "end")
        span = (start, start + width) if anchor == "start" else (start - width, start)
        if span[0] < left:
            continue
        for row in range(rows):
            if all(span[1] <= a or span[0] >= b for a, b in taken[row]):
                taken[row].append(span)
                out[i] = (start, row, anchor)
                break
    return out


def _election_marks(plot: _Plot, elections: list[float], label: str, when: list[str]) -> list[str]:
    """A dashed vertical line at each election, labelled where the label fits."""
    xs = [float(plot.sx(year)) for year in elections]
    places = election_labels(xs, label, plot.left, plot.left + plot.pw)
    out = []
    for xx, place, tip in zip(xs, places, when):
        out.append(f'<line class="election" x1="{xx:.1f}" x2="{xx:.1f}" y1="{plot.top}" y2="{plot.top + plot.ph}" '
                   f'stroke="#222" stroke-width="2" stroke-dasharray="7 4"><title>{html.escape(tip)}</title></line>')
        if place is not None:
            start, row, anchor = place
            out.append(f'<text class="election-label" x="{start:.1f}" y="{plot.top + TEXT + 2 + row * (TEXT + 4)}" '
                       f'text-anchor="{anchor}" font-size="{TEXT}" fill="#222" '
                       f'style="paint-order:stroke" stroke="#fff" stroke-width="4">{html.escape(label)}</text>')
    return out


def _wrap(text: str, size: float, width: float) -> list[str]:
    """Words wrapped into lines no wider than `width` (a word longer than that gets a line)."""
    lines = [""]
    for word in text.split():
        candidate = f"{lines[-1]} {word}".strip()
        if lines[-1] and _text_width(candidate, size) * 1.05 > width:
            lines.append(word)
        else:
            lines[-1] = candidate
    return lines


def _legend_rows(names: list[str]) -> list[list[tuple[str, float]]]:
    """Legend entries (name, x) wrapped into rows that fit the chart's width."""
    rows: list[list[tuple[str, float]]] = [[]]
    x = 12.0
    for name in names:
        width = 24 + _text_width(name) + 30
        if rows[-1] and x + width > WIDTH - 8:
            rows.append([])
            x = 12.0
        rows[-1].append((name, x))
        x += width
    return rows


def _legend(plot: _Plot, series: dict[str, tuple[np.ndarray, str]], rows) -> list[str]:
    """Colour boxes and names below the plot."""
    colours = {name: colour for name, (_, colour) in series.items()}
    out = []
    y0 = plot.top + plot.ph + _AXIS + 8
    for r, row in enumerate(rows):
        y = y0 + r * (TEXT + 10)
        for name, x in row:
            out.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="18" height="{TEXT - 6}" fill="{colours[name]}"/>'
                       f'<text x="{x + 24:.0f}" y="{y + TEXT - 6:.0f}" font-size="{TEXT}">{html.escape(name)}</text>')
    return out


def svg_chart(t: Messages, title: str, data: dict, series: dict[str, tuple[np.ndarray, str]],
              stacked: bool = False, css: str = "", plot_height: int = 160) -> str:
    """A line chart (or stacked areas) over the run's years with dashed election markers, as one
    <svg> string.

    Args:
        t: the page's messages (axis titles, the election label).
        title: the chart's title.
        data: `ClassroomModel.chart_data()` (years, x range, elections, t and run).
        series: name -> (y values, colour), drawn and listed in the legend in this order.
        stacked: stack the series as areas instead of drawing lines.
        css: the SVG element's class (the page's tests find charts by it).
        plot_height: height of the plot area in viewBox units.

    Returns:
        The SVG markup (data-t and data-run name the step and run it shows).
    """
    rows, lines = _legend_rows(list(series)), _wrap(title, TITLE, WIDTH - 16)
    top, bottom = 44 + (len(lines) - 1) * (TITLE + 4), _AXIS + 8 + len(rows) * (TEXT + 10)
    height = top + plot_height + bottom
    plot = _Plot(height, *data["xlim"], _y_max(data["years"], series, stacked), top=top, bottom=bottom)
    when = [t("app.chart.election_at", year=y, quarter=q) for y, q in data["election_quarters"]]
    out = [f'<svg class="coopsim-chart {css}" data-t="{data["t"]}" data-run="{data["run"]}" '
           f'viewBox="0 0 {WIDTH} {height}" width="100%" xmlns="http://www.w3.org/2000/svg" '
           f'style="background:#fff;font-family:sans-serif;display:block">']
    out += [f'<text x="{WIDTH / 2}" y="{TITLE + 4 + i * (TITLE + 4)}" text-anchor="middle" font-size="{TITLE}" '
            f'font-weight="bold">{html.escape(line)}</text>' for i, line in enumerate(lines)]
    out += _axes(plot, t("app.chart.year"), t("app.chart.partnerships"))
    out += _series_marks(plot, data["years"], series, stacked)
    out += _election_marks(plot, data["elections"], t("app.chart.election"), when)
    out += _legend(plot, series, rows)
    out.append("</svg>")
    return "".join(out)


def stages_svg(t: Messages, data: dict, title: str | None = None, css: str = "coopsim-chart-stages") -> str:
    """The chart of partnerships by stage over time (ended ones left out).

    Args:
        t: the page's messages.
        data: `ClassroomModel.chart_data()`.
        title: the title (default: the catalogue's).
        css: the SVG's class.

    Returns:
        The SVG markup.
    """
    series = {t(f"stage.{s}"): (data["stages"][s], STAGE_COLOURS[s]) for s in STAGES if s != "ended"}
    return svg_chart(t, title or t("app.chart.stages"), data, series, css=css)


def causes_svg(t: Messages, data: dict) -> str:
    """The stacked chart of stagnations so far, by binding cause.

    Args:
        t: the page's messages.
        data: `ClassroomModel.chart_data()`.

    Returns:
        The SVG markup.
    """
    series = {t(f"cause.{c}"): (data["stagnated"][c], CAUSE_COLOURS[c]) for c in STAGNATION_CAUSES}
    return svg_chart(t, t("app.chart.causes"), data, series, stacked=True, css="coopsim-chart-causes")
