"""One look for every figure coopsim draws, applied through one decorator (`styled`), never
through global settings at import: fonts and sizes, the colour-blind-safe palette of
`coopsim.reporting.style`, words instead of raw keys for axes, titles and legends, names of
points that do not pile up on each other (`label_points`), and one writer (`save_figure`) that
writes every figure as a PNG for the screen (200 dpi) and a PDF for print.

Figures are `matplotlib.figure.Figure` objects made without pyplot: a notebook shows the one a
function returns (once), and nothing is left open in pyplot's list of figures.
"""

from __future__ import annotations

import functools
import textwrap
from contextlib import contextmanager
from pathlib import Path

from cycler import cycler
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from coopsim.config.vocabulary import CAUSES, OUTCOMES, STAGE_WORDS, words
from coopsim.reporting.style import PALETTE

__all__ = ["DPI", "FORMATS", "STYLE", "CAUSE_WORDS", "figure_style", "styled", "new_figure", "save_figure", "wrap",
           "output_words", "name_words", "stage_words", "cause_words", "label_points", "overlapping"]

#: Resolution of the PNG copies (journals ask for at least 200-300 dpi for line art on screen).
DPI = 200
#: Every figure is written in these formats, with the same name (PNG first: reports embed it).
FORMATS = ("png", "pdf")
#: Fonts, sizes and colours of every figure (matplotlib rcParams, applied by `styled`).
STYLE = {
    "font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9, "xtick.labelsize": 8,
    "ytick.labelsize": 8, "legend.fontsize": 8, "legend.frameon": False, "figure.titlesize": 11,
    "axes.spines.top": False, "axes.spines.right": False, "axes.prop_cycle": cycler(color=PALETTE),
    "lines.linewidth": 1.5, "savefig.dpi": DPI, "pdf.fonttype": 42, "svg.fonttype": "none",
    "image.cmap": "viridis",
}
#: Binding causes of failure in words (the vocabulary's CAUSES are short keys).
CAUSE_WORDS = {"budget": "budget", "hr": "staff capacity (HR)", "data": "data on the partner",
               "leadership": "leadership turnover", "bureaucracy": "bureaucracy",
               "infrastructure": "infrastructure", "partner": "the foreign partner", "legal": "legal basis",
               "relations": "relations between the countries", "completed": "purpose achieved",
               "priorities": "competing priorities"}


# No creation date in the files: the same results give byte-identical figures.
_METADATA = {"pdf": {"Creator": "coopsim", "CreationDate": None}, "svg": {"Date": None}}


@contextmanager
def figure_style():
    """The package's style for figures of your own: `with figure_style(): fig, ax = plt.subplots()`
    (matplotlib's settings are restored afterwards)."""
    with rc_context(STYLE):
        yield


def styled(draw):
    """Decorator: run a figure function inside `figure_style` (rcParams set only meanwhile)."""
    @functools.wraps(draw)
    def with_style(*args, **kwargs):
        with figure_style():
            return draw(*args, **kwargs)
    return with_style


def new_figure(width: float, height: float, nrows: int = 1, ncols: int = 1, **subplots):
    """A figure of `width` x `height` inches with a grid of axes, laid out by matplotlib's
    constrained layout (legends and colour bars outside the data get their room).

    Args:
        width, height: size in inches (a journal's full width is about 7 inches).
        nrows, ncols: the grid of axes.
        **subplots: passed on to `Figure.subplots` (sharey, squeeze, gridspec_kw, ...).

    Returns:
        (figure, axes) as `Figure.subplots` returns them; the figure has an Agg canvas, so its
        renderer can measure text (`fig.canvas.get_renderer()`).
    """
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.subplots(nrows, ncols, **subplots)


@styled
def save_figure(fig: Figure, path: Path, formats: tuple[str, ...] = FORMATS) -> Path:
    """Write a figure in every format of `formats`, next to each other.

    Args:
        fig: the figure.
        path: the file to write, e.g. figures/stages.png; the other formats take its name with
            their own suffix (figures/stages.pdf).
        formats: file formats ("png", "pdf", "svg").

    Returns:
        `path` with the first format's suffix.
    """
    path = Path(path)
    for fmt in formats:
        # our own file handle: closed even when the backend fails half-way (a full disk)
        with open(path.with_suffix(f".{fmt}"), "wb") as handle:
            fig.savefig(handle, format=fmt, dpi=DPI, bbox_inches="tight", pad_inches=0.05,
                        metadata=_METADATA.get(fmt))
    return path.with_suffix(f".{formats[0]}")


def wrap(text: str, width: int = 60) -> str:
    """Text broken into lines of at most `width` characters (titles, long labels)."""
    return "\n".join(textwrap.wrap(text, width, break_long_words=False)) or text


def output_words(key: str) -> str:
    """An output in words with its unit ('benefits delivered (programme units)'); a key that
    the vocabulary does not declare, made readable ('y', 'my output')."""
    return OUTCOMES[key].label if key in OUTCOMES else words(key)


def name_words(name: str) -> str:
    """A scenario's or policy's name for a title or legend ('joint_committee' -> 'joint committee')."""
    return str(name).replace("_", " ")


def stage_words(stage: str) -> str:
    """A stage of a partnership in words ('loi' -> 'letter of intent')."""
    return STAGE_WORDS.get(stage, stage)


def cause_words(cause: str) -> str:
    """A binding cause of failure in words ('hr' -> 'staff capacity (HR)')."""
    return CAUSE_WORDS.get(cause, words(cause))


def overlapping(texts, renderer, pad: float = 0.0) -> list[tuple[str, str]]:
    """Pairs of visible, non-empty texts whose bounding boxes overlap on the canvas.

    Args:
        texts: matplotlib Text artists (tick labels, annotations).
        renderer: the figure's renderer (`fig.canvas.get_renderer()`).
        pad: pixels each box is grown by before comparing.

    Returns:
        The texts of each overlapping pair.
    """
    boxes = [(t.get_text(), t.get_window_extent(renderer).padded(pad))
             for t in texts if t.get_visible() and t.get_text().strip()]
    return [(a, b) for i, (a, box_a) in enumerate(boxes) for b, box_b in boxes[i + 1:] if box_a.overlaps(box_b)]


def _repelled(ax, xs, ys, labels, colours) -> list:
    """Names beside their points, moved apart by adjustText, with leader lines."""
    from adjustText import adjust_text

    box = {"facecolor": "white", "edgecolor": "none", "alpha": 0.75, "pad": 0.3}
    texts = [ax.text(x, y, wrap(label, 30), fontsize=7, color=c, ha="left", va="bottom", bbox=box)
             for x, y, label, c in zip(xs, ys, labels, colours)]
    if len(texts) > 1:
        adjust_text(texts, x=list(xs), y=list(ys), ax=ax, expand=(1.15, 1.4), force_text=(0.3, 0.6),
                    arrowprops={"arrowstyle": "-", "color": "0.55", "lw": 0.5}, min_arrow_len=8)
    return texts


def _column(ax, xs, ys, labels, colours) -> list:
    """Names in a column right of the axes, in the order of their points' heights, spaced so
    that none overlaps, each joined to its point by a leader line."""
    renderer = ax.figure.canvas.get_renderer()
    height = ax.get_window_extent(renderer).height
    to_axes = ax.transAxes.inverted()
    wanted = [to_axes.transform(ax.transData.transform((x, y)))[1] for x, y in zip(xs, ys)]
    order = sorted(range(len(wanted)), key=lambda i: wanted[i])
    step = 1.25 * 7 * ax.figure.dpi / 72 / height            # one line of 7-point text, in axes units
    spot = {}
    for k, i in enumerate(order):                             # upwards, each at least a step above the last
        spot[i] = max(wanted[i], spot[order[k - 1]] + step) if k else wanted[i]
    top = max(spot.values())
    if top > 1:                                               # then down again, to end at the axes' top
        for k, i in enumerate(reversed(order)):
            spot[i] = min(spot[i], 1 - k * step)
    texts = []
    for i, (x, y, label, c) in enumerate(zip(xs, ys, labels, colours)):
        ax.annotate("", (x, y), xytext=(1.02, spot[i]), textcoords="axes fraction", annotation_clip=False,
                    arrowprops={"arrowstyle": "-", "color": "0.6", "lw": 0.5, "shrinkA": 0, "shrinkB": 2})
        texts.append(ax.text(1.025, spot[i], label, transform=ax.transAxes, fontsize=7, color=c, va="center",
                             ha="left", clip_on=False))
    return texts


def label_points(ax, xs, ys, labels, colours) -> list:
    """Name each point of a scatter beside it without two names overlapping: moved apart by
    adjustText with leader lines; if names still collide (crowded points), all of them go to
    a column right of the axes, each with a leader line to its point.

    Args:
        ax: the axes, with everything else drawn (names are placed on the final canvas).
        xs, ys: the points, in data coordinates.
        labels: one name per point.
        colours: one text colour per point.

    Returns:
        The Text artists.
    """
    xs, ys, labels, colours = list(xs), list(ys), list(labels), list(colours)
    ax.figure.draw_without_rendering()     # the final layout and limits first
    before = set(ax.get_children())
    texts = _repelled(ax, xs, ys, labels, colours)
    if overlapping(texts, ax.figure.canvas.get_renderer(), pad=1):
        for artist in set(ax.get_children()) - before:
            artist.remove()
        texts = _column(ax, xs, ys, labels, colours)
    return texts


def _check_cause_words() -> None:
    """Raise if a cause of the vocabulary has no words here (a real check, not an `assert`)."""
    missing = sorted(set(CAUSES) - set(CAUSE_WORDS))
    if missing:
        raise RuntimeError(f"coopsim.reporting.plotstyle.CAUSE_WORDS has no words for {', '.join(missing)}")


_check_cause_words()
