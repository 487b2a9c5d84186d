"""`coopsim report DIR`: one self-contained HTML file from any results folder.

Works for every kind of folder (run, compare, validate, sensitivity, ...) because it only
looks at what is there: the manifest (what ran, how to repeat it), Markdown texts, every
figure (PNG, JPEG, GIF and SVG, embedded as base64 data), CSV tables (rendered, long ones
cut with a note), and a list of the other files (Parquet tables with their size and columns).
No script, no external style sheet, font or image: the file opens from an e-mail attachment
with no server and no internet.
"""

from __future__ import annotations

import base64
import html
import json
import math
import re
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from coopsim.config.errors import UserError

IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".svg": "image/svg+xml"}
MAX_TABLE_ROWS = 200
MAX_TEXT_BYTES = 200_000
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
"""


def mark_verdicts(table_html: str) -> str:
    """Colour the verdict cells of `coopsim compare` tables (any table: it goes by the words)."""
    table_html = re.sub(r"<td>(clear gain)", r'<td class="gain">\1', table_html)
    table_html = re.sub(r"<td>(clear loss)", r'<td class="loss">\1', table_html)
    return re.sub(r"<td>(not distinguishable)", r'<td class="unclear">\1', table_html)


# --- Markdown (the subset coopsim writes: headings, lists, pipe tables, code, emphasis) ---------
def _inline(text: str) -> str:
    out = html.escape(text, quote=False)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", out)
    out = re.sub(r"(?<![\w*])\*([^*\s][^*]*)\*(?!\w)", r"<em>\1</em>", out)
    return out


def _cells(line: str) -> list[str]:
    line = line.strip()
    line = line[1:] if line.startswith("|") else line
    line = line[:-1] if line.endswith("|") and not line.endswith("\\|") else line
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)]


def markdown_to_html(text: str, shift: int = 1) -> str:
    """Render simple Markdown; headings are shifted down by `shift` levels (the report owns h1)."""
    lines = text.splitlines()
    out: list[str] = []
    para: list[str] = []
    i = 0

    def flush():
        if para:
            out.append("<p>" + _inline(" ".join(para)) + "</p>")
            para.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("```"):
            flush()
            block = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                block.append(lines[i])
                i += 1
            out.append("<pre>" + html.escape("\n".join(block)) + "</pre>")
        elif m := re.match(r"^(#{1,6})\s+(.*)$", stripped):
            flush()
            level = min(6, len(m.group(1)) + shift)
            out.append(f"<h{level}>{_inline(m.group(2))}</h{level}>")
        elif stripped.startswith("|") and i + 1 < len(lines) and re.match(r"^\s*\|?\s*:?-{2,}", lines[i + 1]):
            flush()
            header = _cells(stripped)
            i += 2
            body = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                body.append(_cells(lines[i]))
                i += 1
            i -= 1
            rows = "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in r) + "</tr>" for r in body)
            out.append('<div class="scroll"><table><thead><tr>' + "".join(f"<th>{_inline(c)}</th>" for c in header)
                       + f"</tr></thead><tbody>{mark_verdicts(rows)}</tbody></table></div>")
        elif re.match(r"^\s*([-*+]|\d+\.)\s+", line):
            flush()
            ordered = bool(re.match(r"^\s*\d+\.", line))
            items = []
            while i < len(lines) and re.match(r"^\s*([-*+]|\d+\.)\s+", lines[i]):
                item = re.sub(r"^\s*([-*+]|\d+\.)\s+", "", lines[i])
                i += 1
                while i < len(lines) and lines[i].startswith("  ") and lines[i].strip() \
                        and not re.match(r"^\s*([-*+]|\d+\.)\s+", lines[i]):
                    item += " " + lines[i].strip()
                    i += 1
                items.append(f"<li>{_inline(item)}</li>")
            i -= 1
            tag = "ol" if ordered else "ul"
            out.append(f"<{tag}>{''.join(items)}</{tag}>")
        elif not stripped:
            flush()
        else:
            para.append(stripped)
        i += 1
    flush()
    return "\n".join(out)


# --- pieces -----------------------------------------------------------------------------------
def _files(folder: Path, exclude: set[Path]) -> list[Path]:
    out = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.resolve() not in exclude \
                and not any(part in SKIP_DIRS or part.startswith(".") for part in path.relative_to(folder).parts):
            out.append(path)
    return out


def _anchor(rel: str) -> str:
    return "f-" + re.sub(r"[^A-Za-z0-9]+", "-", rel).strip("-")


def image_html(path: Path, rel: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    mime = IMAGE_TYPES[path.suffix.lower()]
    return (f'<figure id="{_anchor(rel)}"><img alt="{html.escape(rel)}" src="data:{mime};base64,{data}">'
            f"<figcaption>{html.escape(rel)}</figcaption></figure>")


def _float_format(x: float) -> str:
    if pd.isna(x):
        return ""
    if not math.isfinite(x):
        return "inf" if x > 0 else "-inf"
    if x == int(x) and abs(x) < 1e12:
        return f"{int(x)}"
    return f"{x:.4g}"


def csv_html(path: Path, rel: str) -> str:
    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        return f'<h3 id="{_anchor(rel)}">{html.escape(rel)}</h3><p class="note">not readable as CSV: {html.escape(str(exc))}</p>'
    note = (f"{len(frame):,} rows x {frame.shape[1]} columns"
            + (f"; the first {MAX_TABLE_ROWS} rows are shown, the whole table is in the folder"
               if len(frame) > MAX_TABLE_ROWS else ""))
    try:
        body = frame.head(MAX_TABLE_ROWS).to_html(index=False, border=0, na_rep="", float_format=_float_format,
                                                  escape=True)
    except Exception as exc:  # one odd table must not cost the whole report
        return (f'<h3 id="{_anchor(rel)}">{html.escape(rel)}</h3><p class="note">could not be shown '
                f"({html.escape(type(exc).__name__)}: {html.escape(str(exc))}); see the file.</p>")
    return (f'<h3 id="{_anchor(rel)}">{html.escape(rel)}</h3><p class="note">{note}</p>'
            f'<div class="scroll">{mark_verdicts(body)}</div>')


def parquet_note(path: Path) -> str:
    try:
        import pyarrow.parquet as pq

        meta = pq.read_metadata(path)
        names = pq.read_schema(path).names
        cols = ", ".join(names[:12]) + (f", ... ({len(names)} columns)" if len(names) > 12 else "")
        return f"Parquet table, {meta.num_rows:,} rows; columns: {cols}"
    except Exception as exc:  # a broken or partial file is listed, not fatal
        return f"Parquet file (unreadable: {type(exc).__name__})"


def manifest_html(manifest: dict) -> str:
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
            f"<details><summary>The whole manifest (manifest.json)</summary><pre>{full}</pre></details>")


def repeat_command(manifest: dict) -> str | None:
    for key in ("repeat", "repeat_command", "command"):
        value = manifest.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


# --- the whole page -----------------------------------------------------------------------------
def build_report(folder: str | Path, title: str | None = None, exclude: set[Path] | None = None) -> str:
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"{folder}: no such results folder. Give a folder written by 'coopsim run', "
                        f"'coopsim compare', 'coopsim validate' or 'coopsim sensitivity'.")
    files = _files(folder, {p.resolve() for p in (exclude or set())})
    if not files:
        raise UserError(f"{folder}: the folder is empty; nothing to report.")
    manifest: dict = {}
    manifest_path = folder / "manifest.json"
    if manifest_path.exists():
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            manifest = {"note": "manifest.json is not valid JSON"}
    kind = manifest.get("kind")
    if not kind and isinstance(manifest.get("command"), str):  # e.g. "coopsim sensitivity x.toml"
        words = manifest["command"].split()
        kind = words[1] if len(words) > 1 and words[0] == "coopsim" else None
    kind = kind or "results"
    title = title or f"coopsim {kind}: {folder.resolve().name}"

    def rel(p: Path) -> str:
        return p.relative_to(folder).as_posix()

    markdown = [p for p in files if p.suffix.lower() == ".md"]
    markdown.sort(key=lambda p: (p.name.lower() not in ("summary.md", "readme.md", "report.md"), rel(p)))
    images = [p for p in files if p.suffix.lower() in IMAGE_TYPES]
    csvs = [p for p in files if p.suffix.lower() == ".csv"]
    texts = [p for p in files if p.suffix.lower() in (".txt", ".log", ".toml", ".json", ".yaml", ".yml")
             and p != manifest_path]
    shown = set(markdown) | set(images) | set(csvs) | set(texts) | {manifest_path}
    others = [p for p in files if p not in shown]

    parts = [f"<h1>{html.escape(title)}</h1>"]
    meta = [f"folder <code>{html.escape(str(folder))}</code>"]
    created = manifest.get("created") or manifest.get("created_utc")
    if created:
        meta.append(f"results created {html.escape(str(created))}")
    if manifest.get("git_commit"):
        meta.append(f"code version {html.escape(str(manifest['git_commit']))}")
    meta.append(f"report made {datetime.now(timezone.utc).isoformat(timespec='seconds')}")
    parts.append(f'<p class="meta">{" · ".join(meta)}</p>')
    command = repeat_command(manifest)
    if command:
        parts.append('<div class="repeat"><strong>To repeat these results exactly</strong> (same numbers, any '
                     f"computer with the same versions):<pre>{html.escape(command)}</pre></div>")
    elif not manifest:
        parts.append('<p class="note">No manifest.json in this folder: what produced it is unknown.</p>')

    toc = []
    sections = []
    if markdown:
        body = []
        for p in markdown:
            text = p.read_text(encoding="utf-8", errors="replace")
            body.append(f'<section id="{_anchor(rel(p))}"><p class="note">{html.escape(rel(p))}</p>'
                        f"{markdown_to_html(text, shift=2)}</section>")
        sections.append(("Summary", "summary", "".join(body)))
    if images:
        sections.append(("Figures", "figures", "".join(image_html(p, rel(p)) for p in images)))
    if csvs:
        sections.append(("Tables", "tables", "".join(csv_html(p, rel(p)) for p in csvs)))
    if texts:
        body = []
        for p in texts:
            size = p.stat().st_size
            content = (html.escape(p.read_text(encoding="utf-8", errors="replace")) if size <= MAX_TEXT_BYTES
                       else f"({size:,} bytes: too long to include; see the file)")
            body.append(f'<details id="{_anchor(rel(p))}"><summary>{html.escape(rel(p))}</summary>'
                        f"<pre>{content}</pre></details>")
        sections.append(("Other texts", "texts", "".join(body)))
    if others:
        groups: dict[str, list[Path]] = {}
        for p in others:
            groups.setdefault(p.parent.relative_to(folder).as_posix(), []).append(p)
        rows = []
        for parent, group in groups.items():
            if len(group) > 20:
                total = sum(p.stat().st_size for p in group)
                rows.append(f"<tr><td>{html.escape(parent)}/ ({len(group)} files)</td><td>{total:,} bytes</td>"
                            f"<td>e.g. {html.escape(group[0].name)}</td></tr>")
                continue
            for p in group:
                note = parquet_note(p) if p.suffix.lower() == ".parquet" else ""
                rows.append(f"<tr><td>{html.escape(rel(p))}</td><td>{p.stat().st_size:,} bytes</td>"
                            f"<td>{html.escape(note)}</td></tr>")
        sections.append(("Data files (in the folder, not embedded)", "files",
                         '<div class="scroll"><table><tr><th>file</th><th>size</th><th>contents</th></tr>'
                         + "".join(rows) + "</table></div>"))
    if manifest:
        sections.append(("What ran (manifest)", "manifest", manifest_html(manifest)))
    toc = "".join(f'<li><a href="#{anchor}">{html.escape(name)}</a></li>' for name, anchor, _ in sections)
    parts.append(f"<nav><ul>{toc}</ul></nav>")
    for name, anchor, body in sections:
        parts.append(f'<section id="{anchor}"><h2>{html.escape(name)}</h2>{body}</section>')
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{CSS}</style></head>"
            f"<body><main>{''.join(parts)}</main></body></html>\n")


def write_report(folder: str | Path, out: str | Path | None = None, title: str | None = None) -> Path:
    folder = Path(folder)
    out = Path(out) if out else folder / "report.html"
    page = build_report(folder, title=title, exclude={out.resolve()} | set(folder.glob("*.html")))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out)
    return out


# --- `coopsim report` -------------------------------------------------------------------------
def add_arguments(parser) -> None:
    parser.add_argument("folder", help="a results folder (from coopsim run, compare, validate, sensitivity)")
    parser.add_argument("--out", default=None, help="HTML file to write (default FOLDER/report.html)")
    parser.add_argument("--title", default=None, help="title of the page")


def main(args) -> int:
    out = write_report(args.folder, args.out, args.title)
    size = out.stat().st_size
    print(f"{out} ({size / 1e6:.1f} MB): one self-contained file (figures embedded); open it in any browser "
          f"or e-mail it.")
    return 0
