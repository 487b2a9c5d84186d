"""One self-contained HTML file from any results folder (behind `coopsim report DIR`).

Works for every kind of folder (run, compare, validate, sensitivity, ...) because it only
looks at what is there: the manifest (what ran, how to repeat it), Markdown texts, every
figure (PNG, JPEG, GIF and SVG, embedded as base64 data), CSV tables (rendered, long ones
cut with a note), and a list of the other files (Parquet tables with their size and columns).
No script, no external style sheet, font or image: the file opens from an e-mail attachment
with no server and no internet. Markdown is rendered by `coopsim.reporting.markdown`. The page's
own words are in the language asked for (`lang`, from the catalogues) and `<html lang>` says
which; it prints on A4 (print style sheet: no navigation, tables and figures kept whole).

A `coopsim compare` folder gets a report that decides (`comparison_page`): a title from the
scenarios' names and the region, the conclusion first, the tables with units and a line per
row, the levers against each other, what looks wrong explained from the model's own counts,
the figures, a glossary, and the raw tables, seeds and manifest in a folded appendix.
"""

from __future__ import annotations

import base64
import html
import json
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from coopsim.analysis.comparison import Findings
from coopsim.config.errors import UserError
from coopsim.config.vocabulary import OUTCOMES
from coopsim.reporting.comparison import comparison_figures, figure_png, introduction
from coopsim.reporting.decision import Setting, outcome_words, part_html, report_title, written_comparison
from coopsim.reporting.folders import write_text
from coopsim.reporting.i18n import Messages
from coopsim.reporting.markdown import inline_html, markdown_to_html

__all__ = ["build_report", "write_report", "comparison_page", "report_kind", "mark_verdicts", "image_html",
           "image_data_html", "csv_html", "parquet_note", "manifest_html", "repeat_command", "IMAGE_TYPES",
           "MAX_TABLE_ROWS", "MAX_TEXT_BYTES", "CSS", "COMPARISON_FIGURES"]

IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".svg": "image/svg+xml"}
MAX_TABLE_ROWS = 200
MAX_TEXT_BYTES = 200_000
TEXT_TYPES = (".txt", ".log", ".toml", ".json", ".yaml", ".yml")
SKIP_DIRS = {"__pycache__", ".ipynb_checkpoints"}

CSS = """
body{font-family:-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;margin:0;color:#222;
     background:#fafafa;line-height:1.45}
main{max-width:1150px;margin:0 auto;padding:1.5em 2em 4em;background:#fff}
h1{font-size:1.6em;margin:.2em 0 .1em} h2{font-size:1.3em;border-bottom:2px solid #31a354;padding-bottom:.15em;
   margin-top:2em} h3{font-size:1.1em;margin-top:1.4em} .meta{color:#666;font-size:.9em}
.repeat{background:#f1f8f3;border-left:4px solid #31a354;padding:.6em 1em;margin:1em 0}
code,pre{font-family:'SFMono-Regular',Consolas,'Liberation Mono',monospace;font-size:.85em}
pre{background:#f5f5f5;padding:.7em;overflow-x:auto;white-space:pre-wrap;word-break:break-word}
.repeat pre{background:none;padding:0;margin:.3em 0 0}
figure{margin:1.2em 0;text-align:center} figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{color:#555;font-size:.9em}
.scroll{overflow-x:auto;margin:.6em 0}
table{border-collapse:collapse;font-size:.85em;margin:.4em 0}
th,td{border:1px solid #ddd;padding:.25em .55em;text-align:left;vertical-align:top}
th{background:#f0f0f0} tr:nth-child(even) td{background:#fbfbfb}
nav ul{columns:2;font-size:.9em} .note{color:#777;font-size:.85em}
details{margin:.6em 0} summary{cursor:pointer;color:#2b6a3f}
td.gain{background:#e5f5e0!important} td.loss{background:#fee0d2!important} td.unclear{color:#666}
td.higher,td.lower{background:#deebf7!important}
.table-wrap{margin:.6em 0;overflow-x:auto} .table-wrap table{width:100%}
td.num{white-space:nowrap;text-align:right} td .ci{display:block;font-size:.82em;color:#555;white-space:nowrap}
td .note{display:block;font-size:.82em;color:#666;font-weight:normal} td.measure{min-width:14em}
#conclusion{background:#f1f8f3;border-left:5px solid #31a354;padding:.2em 1.2em .6em;margin-top:1em}
#conclusion h2{border:none;margin-top:.5em} #conclusion p{font-size:1.05em}
.appendix summary{font-weight:bold;font-size:1.05em}
@page{size:A4;margin:14mm 12mm}
@media print{
 body{background:#fff;font-size:10pt} main{max-width:none;margin:0;padding:0}
 nav{display:none} h2,h3{break-after:avoid} table,figure,tr,#conclusion{break-inside:avoid}
 .scroll,.table-wrap{overflow:visible} figure img{max-height:235mm} a{color:inherit;text-decoration:none}
 td.measure{min-width:0}
}
"""


def mark_verdicts(table_html: str) -> str:
    """Colour the verdict cells of `coopsim compare` tables (any table: it goes by the words).

    Args:
        table_html: HTML with `<td>` cells.

    Returns:
        The same HTML, verdict cells with class gain, loss or unclear.
    """
    table_html = re.sub(r"<td>(clear gain)", r'<td class="gain">\1', table_html)
    table_html = re.sub(r"<td>(clear loss)", r'<td class="loss">\1', table_html)
    return re.sub(r"<td>(not distinguishable)", r'<td class="unclear">\1', table_html)


# --- pieces -----------------------------------------------------------------------------------
def _inside(path: Path, root: Path) -> Path | None:
    """Where `path` really is, if that is a regular file inside `root` (a symlink to a system
    file, a loop or a FIFO is None: the report never reads it)."""
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return real if real.is_relative_to(root) and real.is_file() else None


def _files(folder: Path, exclude: set[Path]) -> list[Path]:
    """The files the report shows: regular files inside the folder (symlinks only when they
    point inside it), hidden ones and caches left out."""
    root, out = folder.resolve(), []
    for path in sorted(folder.rglob("*")):
        real = _inside(path, root)
        if real is not None and real not in exclude \
                and not any(part in SKIP_DIRS or part.startswith(".") for part in path.relative_to(folder).parts):
            out.append(path)
    return out


def _anchor(rel: str) -> str:
    return "f-" + re.sub(r"[^A-Za-z0-9]+", "-", rel).strip("-")


def image_html(path: Path, rel: str) -> str:
    """A figure embedded as base64 data, captioned with its path in the folder.

    Args:
        path: the image file (a suffix in IMAGE_TYPES).
        rel: its path relative to the results folder (caption and anchor).

    Returns:
        A `<figure>` element.
    """
    return image_data_html(path.read_bytes(), IMAGE_TYPES[path.suffix.lower()], rel, html.escape(rel), _anchor(rel))


def image_data_html(data: bytes, mime: str, alt: str, caption_html: str, anchor: str) -> str:
    """An image embedded as base64 data in a captioned figure.

    Args:
        data: the image's bytes; mime: its type ("image/png").
        alt: its text alternative; caption_html: the caption (HTML, already escaped).
        anchor: the figure's id.

    Returns:
        A `<figure>` element.
    """
    encoded = base64.b64encode(data).decode("ascii")
    return (f'<figure id="{anchor}"><img alt="{html.escape(alt)}" src="data:{mime};base64,{encoded}">'
            f"<figcaption>{caption_html}</figcaption></figure>")


def _float_format(x: float) -> str:
    if pd.isna(x):
        return ""
    if not math.isfinite(x):
        return "inf" if x > 0 else "-inf"
    if x == int(x) and abs(x) < 1e12:
        return f"{int(x)}"
    return f"{x:.4g}"


def csv_html(path: Path, rel: str, lang: str = "en") -> str:
    """A CSV table as HTML, its first MAX_TABLE_ROWS rows, verdicts coloured; a table that
    cannot be read or shown gets a note instead.

    Args:
        path: the CSV file.
        rel: its path relative to the results folder (heading and anchor).
        lang: the language of the notes.

    Returns:
        A heading, a note on its size and the table.
    """
    t = Messages(lang)
    heading = f'<h3 id="{_anchor(rel)}">{html.escape(rel)}</h3>'
    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        return f'{heading}<p class="note">{html.escape(t("report.generic.not_csv", error=str(exc)))}</p>'
    note = (t("report.generic.rows", rows=f"{len(frame):,}", columns=frame.shape[1])
            + (t("report.generic.first_rows", shown=MAX_TABLE_ROWS) if len(frame) > MAX_TABLE_ROWS else ""))
    try:
        body = frame.head(MAX_TABLE_ROWS).to_html(index=False, border=0, na_rep="", float_format=_float_format,
                                                  escape=True)
    except Exception as exc:  # one odd table must not cost the whole report
        return (f'{heading}<p class="note">'
                f'{html.escape(t("report.generic.not_shown", error=f"{type(exc).__name__}: {exc}"))}</p>')
    return (f'{heading}<p class="note">{note}</p>'
            f'<div class="scroll">{mark_verdicts(body)}</div>')


def parquet_note(path: Path, lang: str = "en") -> str:
    """One line on a Parquet file: rows and columns (from its metadata, not its data).

    Args:
        path: the Parquet file.
        lang: the language of the note.

    Returns:
        The note; a broken file says so instead of raising.
    """
    t = Messages(lang)
    try:
        import pyarrow.parquet as pq

        meta = pq.read_metadata(path)
        names = pq.read_schema(path).names
        cols = ", ".join(names[:12]) + (f", ... ({len(names)})" if len(names) > 12 else "")
        return t("report.generic.parquet", rows=f"{meta.num_rows:,}", columns=cols)
    except Exception as exc:  # a broken or partial file is listed, not fatal
        return t("report.generic.parquet_broken", error=type(exc).__name__)


def manifest_html(manifest: dict, lang: str = "en") -> str:
    """The manifest as a short table (long values cut) plus the whole JSON, folded.

    Args:
        manifest: the parsed manifest.json.
        lang: the language of the fold's label.

    Returns:
        The HTML.
    """
    rows = []
    for key, value in manifest.items():
        if key in ("versions", "scenario", "scenario_parameters", "replication_seeds", "outputs"):
            continue
        if isinstance(value, (dict, list)):
            text = json.dumps(value, default=str)
            if len(text) > 300:
                text = text[:300] + " ..."
        else:
            text = str(value)
        rows.append(f"<tr><th>{html.escape(key)}</th><td>{html.escape(text)}</td></tr>")
    versions = manifest.get("versions") or {}
    if versions:
        rows.append("<tr><th>versions</th><td>" + html.escape(", ".join(f"{k} {v}" for k, v in versions.items()))
                    + "</td></tr>")
    full = html.escape(json.dumps(manifest, indent=2, default=str))
    return (f'<div class="scroll"><table>{"".join(rows)}</table></div>'
            f"<details><summary>{html.escape(Messages(lang)('report.generic.whole_manifest'))}</summary>"
            f"<pre>{full}</pre></details>")


def repeat_command(manifest: dict) -> str | None:
    """The command that repeats the results, from the manifest.

    Args:
        manifest: the parsed manifest.json.

    Returns:
        The command line, or None if the manifest has none.
    """
    for key in ("repeat", "repeat_command", "command"):
        value = manifest.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


# --- the whole page -----------------------------------------------------------------------------
@dataclass
class _Contents:
    """A results folder's files, sorted by how the report shows them."""

    folder: Path
    manifest_path: Path
    markdown: list[Path] = field(default_factory=list)
    images: list[Path] = field(default_factory=list)
    csvs: list[Path] = field(default_factory=list)
    texts: list[Path] = field(default_factory=list)
    others: list[Path] = field(default_factory=list)

    def rel(self, path: Path) -> str:
        """A file's path inside the folder, as the report names it."""
        return path.relative_to(self.folder).as_posix()


def _sort_files(folder: Path, files: list[Path]) -> _Contents:
    """Markdown first (summary.md, readme.md, report.md lead), then figures, tables, texts, the rest."""
    contents = _Contents(folder, folder / "manifest.json")
    contents.markdown = [p for p in files if p.suffix.lower() == ".md"]
    contents.markdown.sort(key=lambda p: (p.name.lower() not in ("summary.md", "readme.md", "report.md"),
                                          contents.rel(p)))
    contents.images = [p for p in files if p.suffix.lower() in IMAGE_TYPES]
    contents.csvs = [p for p in files if p.suffix.lower() == ".csv"]
    contents.texts = [p for p in files if p.suffix.lower() in TEXT_TYPES and p != contents.manifest_path]
    shown = (set(contents.markdown) | set(contents.images) | set(contents.csvs) | set(contents.texts)
             | {contents.manifest_path})
    contents.others = [p for p in files if p not in shown]
    return contents


def _read_manifest(path: Path) -> dict:
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {"note": "manifest.json is not valid JSON"}


def _kind(manifest: dict) -> str:
    """What wrote the folder: the manifest's kind, else the command's second word."""
    kind = manifest.get("kind")
    if not kind and isinstance(manifest.get("command"), str):  # e.g. "coopsim sensitivity x.toml"
        words = manifest["command"].split()
        kind = words[1] if len(words) > 1 and words[0] == "coopsim" else None
    return kind or "results"


def _repeat_html(command: str, t: Messages) -> str:
    """The box with the command that repeats the results."""
    return (f'<div class="repeat"><strong>{html.escape(t("report.generic.repeat"))}</strong> '
            f'{html.escape(t("report.generic.repeat_note"))}<pre>{html.escape(command)}</pre></div>')


def _header(folder: Path, title: str, manifest: dict, t: Messages) -> list[str]:
    """Title, where the results come from, and the command that repeats them."""
    parts = [f"<h1>{html.escape(title)}</h1>"]
    meta = [t("report.generic.folder", folder="<code>" + html.escape(str(folder)) + "</code>")]
    created = manifest.get("created") or manifest.get("created_utc")
    if created:
        meta.append(html.escape(t("report.generic.created", when=str(created))))
    if manifest.get("git_commit"):
        meta.append(html.escape(t("report.generic.commit", commit=str(manifest["git_commit"]))))
    meta.append(html.escape(t("report.generic.made", when=datetime.now(timezone.utc).isoformat(timespec="seconds"))))
    parts.append(f'<p class="meta">{" · ".join(meta)}</p>')
    command = repeat_command(manifest)
    if command:
        parts.append(_repeat_html(command, t))
    elif not manifest:
        parts.append(f'<p class="note">{html.escape(t("report.generic.no_manifest"))}</p>')
    return parts


def _summary_html(contents: _Contents) -> str:
    """Every Markdown file, rendered (verdict cells coloured), under its file name."""
    body = []
    for p in contents.markdown:
        text = p.read_text(encoding="utf-8", errors="replace")
        body.append(f'<section id="{_anchor(contents.rel(p))}"><p class="note">{html.escape(contents.rel(p))}</p>'
                    f"{mark_verdicts(markdown_to_html(text, shift=2))}</section>")
    return "".join(body)


def _texts_html(contents: _Contents, t: Messages) -> str:
    """Other text files, folded; a long one is named, not included."""
    body = []
    for p in contents.texts:
        size = p.stat().st_size
        content = (html.escape(p.read_text(encoding="utf-8", errors="replace")) if size <= MAX_TEXT_BYTES
                   else html.escape(t("report.generic.too_long", size=f"{size:,}")))
        body.append(f'<details id="{_anchor(contents.rel(p))}"><summary>{html.escape(contents.rel(p))}</summary>'
                    f"<pre>{content}</pre></details>")
    return "".join(body)


def _others_html(contents: _Contents, t: Messages) -> str:
    """A table of the files not embedded; a subfolder of more than 20 is one row."""
    groups: dict[str, list[Path]] = {}
    for p in contents.others:
        groups.setdefault(p.parent.relative_to(contents.folder).as_posix(), []).append(p)
    rows = []
    for parent, group in groups.items():
        if len(group) > 20:
            total = sum(p.stat().st_size for p in group)
            rows.append(f"<tr><td>{html.escape(t('report.generic.subfolder', folder=parent, files=len(group)))}</td>"
                        f"<td>{html.escape(t('report.generic.bytes', size=f'{total:,}'))}</td>"
                        f"<td>{html.escape(t('report.generic.example', name=group[0].name))}</td></tr>")
            continue
        for p in group:
            note = parquet_note(p, t.lang) if p.suffix.lower() == ".parquet" else ""
            rows.append(f"<tr><td>{html.escape(contents.rel(p))}</td>"
                        f"<td>{html.escape(t('report.generic.bytes', size=f'{p.stat().st_size:,}'))}</td>"
                        f"<td>{html.escape(note)}</td></tr>")
    head = "".join(f"<th>{html.escape(t(f'report.generic.{k}'))}</th>" for k in ("file", "size", "contents"))
    return f'<div class="scroll"><table><tr>{head}</tr>' + "".join(rows) + "</table></div>"


def _sections(contents: _Contents, manifest: dict, t: Messages) -> list[tuple[str, str, str]]:
    """(heading, anchor, body) of each section the folder has something for."""
    sections = []
    if contents.markdown:
        sections.append(("summary", "summary", _summary_html(contents)))
    if contents.images:
        sections.append(("figures", "figures", "".join(image_html(p, contents.rel(p)) for p in contents.images)))
    if contents.csvs:
        sections.append(("tables", "tables", "".join(csv_html(p, contents.rel(p), t.lang) for p in contents.csvs)))
    if contents.texts:
        sections.append(("texts", "texts", _texts_html(contents, t)))
    if contents.others:
        sections.append(("files", "files", _others_html(contents, t)))
    if manifest:
        sections.append(("manifest", "manifest", manifest_html(manifest, t.lang)))
    return [(t(f"report.generic.section.{key}"), anchor, body) for key, anchor, body in sections]


def _page(title: str, parts: list[str], lang: str) -> str:
    return (f"<!DOCTYPE html>\n<html lang=\"{html.escape(lang)}\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{CSS}</style></head>"
            f"<body><main>{''.join(parts)}</main></body></html>\n")


def report_kind(folder: str | Path) -> str:
    """What wrote a results folder, from its manifest ('compare', 'run', ...; 'results' when
    unknown).

    Args:
        folder: the folder.

    Returns:
        The kind.
    """
    return _kind(_read_manifest(Path(folder) / "manifest.json"))


def build_report(folder: str | Path, title: str | None = None, exclude: set[Path] | None = None,
                 lang: str = "en") -> str:
    """One self-contained HTML page of a results folder.

    Args:
        folder: a folder written by any coopsim command (or any folder of results).
        title: the page's title (default: "coopsim KIND: FOLDER NAME").
        exclude: files to leave out (e.g. an earlier report).
        lang: the language of the page's own words ('id' or 'en').

    Returns:
        The page, as a string.

    Raises:
        UserError: the folder does not exist or has no files.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"{folder}: no such results folder. Give a folder written by 'coopsim run', "
                        f"'coopsim compare', 'coopsim validate' or 'coopsim sensitivity'.")
    files = _files(folder, {p.resolve() for p in (exclude or set())})
    if not files:
        raise UserError(f"{folder}: the folder is empty; nothing to report.")
    t = Messages(lang)
    contents = _sort_files(folder, files)
    manifest = _read_manifest(contents.manifest_path)
    title = title or f"coopsim {_kind(manifest)}: {folder.resolve().name}"
    parts = _header(folder, title, manifest, t)
    sections = _sections(contents, manifest, t)
    toc = "".join(f'<li><a href="#{anchor}">{html.escape(name)}</a></li>' for name, anchor, _ in sections)
    parts.append(f"<nav><ul>{toc}</ul></nav>")
    for name, anchor, body in sections:
        parts.append(f'<section id="{anchor}"><h2>{html.escape(name)}</h2>{body}</section>')
    return _page(title, parts, t.lang)


def write_report(folder: str | Path, out: str | Path | None = None, title: str | None = None,
                 lang: str = "en") -> Path:
    """Write the report of a results folder (atomically: never a half-written page).

    Args:
        folder: the results folder.
        out: the HTML file (default FOLDER/report.html); other .html files in the folder are left out.
            A failed write leaves no partial file (not even a temporary one).
        title: the page's title.
        lang: the language of the page's own words ('id' or 'en').

    Returns:
        The path written.
    """
    folder = Path(folder)
    out = Path(out) if out else folder / "report.html"
    page = build_report(folder, title=title, exclude={out.resolve()} | set(folder.glob("*.html")), lang=lang)
    out.parent.mkdir(parents=True, exist_ok=True)
    return write_text(out, page)


# --- the report of a comparison ---------------------------------------------------------------------
#: The figures of a comparison, in reading order, each with its caption's message id
#: (`--uncertain` adds robust_effects.png after effects.png).
COMPARISON_FIGURES = ("effects.png", "survival.png", "failure_causes.png", "stages.png")


def _figures_part(found: Findings, stages: pd.DataFrame, km: pd.DataFrame, s: Setting, t: Messages) -> str:
    """The figures, drawn again in the page's language and embedded."""
    figures = comparison_figures(found.effects, stages, km, s, t.lang, found.robust)
    body = [f'<p>{inline_html(t("report.figures.intro"))}</p>']
    for name in figures:
        caption = t(f"figure.caption.{name.removesuffix('.png')}")
        body.append(image_data_html(figure_png(figures[name]), "image/png", caption, inline_html(caption),
                                    _anchor(name)))
    return f'<section id="figures"><h2>{html.escape(t("report.figures.title"))}</h2>{"".join(body)}</section>'


def _keys_html(s: Setting, t: Messages) -> str:
    """The raw tables' column keys in words (active_10y = active partnerships after 10 years)."""
    keys = [o.key for o in s.table] + [k for k in ("spending", "benefits") if k not in {o.key for o in s.table}]
    rows = "".join(f"<tr><td><code>{html.escape(k)}</code></td><td>{html.escape(outcome_words(k, t, s.years))}</td></tr>"
                   for k in keys if k in OUTCOMES)
    return (f'<h3>{html.escape(t("report.appendix.keys"))}</h3><div class="table-wrap"><table>'
            f'<tr><th>{html.escape(t("report.appendix.key"))}</th><th>{html.escape(t("report.col.measure"))}</th></tr>'
            f"{rows}</table></div>")


def _appendix_part(folder: Path, s: Setting, manifest: dict, t: Messages) -> str:
    """Raw tables, seeds, what each scenario changes and the manifest, folded."""
    seeds = ", ".join(str(x) for x in manifest.get("replication_seeds", []))
    body = [_repeat_html(s.repeat, t) if s.repeat else "",
            f'<h3>{html.escape(t("report.appendix.compared"))}</h3><ul>'
            + "".join(f"<li>{inline_html(line)}</li>" for line in introduction(s, t.lang)) + "</ul>",
            f'<h3>{html.escape(t("report.appendix.seeds"))}</h3><p><code>{html.escape(seeds)}</code></p>',
            _keys_html(s, t)]
    body += [csv_html(folder / name, name, t.lang) for name in ("effects.csv", "ranking.csv", "pairs.csv",
                                                                 "robust_levers.csv", "robust_effects.csv",
                                                                 "draws.csv", "outcomes.csv")
             if (folder / name).is_file()]
    body.append(f'<h3>{html.escape(t("report.appendix.manifest"))}</h3>{manifest_html(manifest, t.lang)}')
    body.append(f'<p class="note">{inline_html(t("report.appendix.folder", folder=str(folder)))}</p>')
    return (f'<section id="appendix" class="appendix"><h2>{html.escape(t("report.appendix.title"))}</h2>'
            f'<details><summary>{html.escape(t("report.appendix.open"))}</summary>{"".join(body)}</details></section>')


def comparison_page(folder: Path, s: Setting, found: Findings, stages: pd.DataFrame, km: pd.DataFrame,
                    manifest: dict, lang: str, title: str | None = None) -> str:
    """The report of a comparison: it decides first, then shows how.

    Args:
        folder: the compare folder (its raw tables go into the appendix).
        s: what was compared; found: what it found (`coopsim.analysis.comparison.findings`).
        stages, km: the runs' stage and survival tables (for the figures).
        manifest: the folder's manifest.
        lang: 'id' or 'en'.
        title: the page's title (default: the scenarios' names and the region).

    Returns:
        The page: the title, the conclusion (the first section), the results lever by lever,
        the ranking with costs and the levers against each other, explanations, figures, the
        glossary and the folded appendix.
    """
    t = Messages(lang)
    title = title or report_title(s, t)
    parts = written_comparison(s, found, t.lang, full=True)
    meta = t("report.meta", reps=s.reps, years=s.years, start=s.start_year, seed=s.seed,
             made=datetime.now(timezone.utc).strftime("%Y-%m-%d"))
    toc = "".join(f'<li><a href="#{p.key}">{html.escape(p.title)}</a></li>' for p in parts[1:])
    toc += (f'<li><a href="#figures">{html.escape(t("report.figures.title"))}</a></li>'
            f'<li><a href="#appendix">{html.escape(t("report.appendix.title"))}</a></li>')
    body = [f"<h1>{html.escape(title)}</h1>", f'<p class="meta">{html.escape(meta)}</p>', part_html(parts[0]),
            f"<nav><ul>{toc}</ul></nav>"]
    body += [part_html(p) for p in parts[1:-1]]
    body += [_figures_part(found, stages, km, s, t), part_html(parts[-1]), _appendix_part(folder, s, manifest, t)]
    return _page(title, body, t.lang)
