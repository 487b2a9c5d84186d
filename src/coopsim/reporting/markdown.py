"""Markdown to HTML: the one renderer coopsim has (the HTML report and the class app use it).

It knows the subset coopsim writes: headings, paragraphs, bullet and numbered lists, pipe
tables, fenced code and inline `code`, **bold** and *italic*. Everything is HTML-escaped
first, so text from a file can never inject markup. No dependency, no script, no CDN (the
class app must not load KaTeX the way solara.Markdown does).
"""

from __future__ import annotations

import html
import re

__all__ = ["markdown_to_html", "inline_html"]

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_LIST_ITEM = re.compile(r"^\s*([-*+]|\d+\.)\s+")
_ORDERED = re.compile(r"^\s*\d+\.")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def inline_html(text: str) -> str:
    """One line of Markdown as escaped HTML with `code`, **bold** and *italic*.

    Args:
        text: the line (any characters; `<`, `>` and `&` are escaped).

    Returns:
        The HTML fragment.
    """
    out = html.escape(text, quote=False)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", out)
    return re.sub(r"(?<![\w*])\*([^*\s][^*]*)\*(?!\w)", r"<em>\1</em>", out)


def markdown_to_html(text: str, shift: int = 1) -> str:
    """Render coopsim's Markdown subset as HTML, one block per line of output.

    Args:
        text: the Markdown.
        shift: how many levels headings move down (a report that owns h1 and h2 passes 2).

    Returns:
        The HTML fragment (no page around it).
    """
    lines = text.splitlines()
    out: list[str] = []
    paragraph: list[str] = []
    i = 0
    while i < len(lines):
        block = _block(lines, i, shift)
        if block is not None:
            _end_paragraph(paragraph, out)
            rendered, i = block
            out.append(rendered)
            continue
        stripped = lines[i].strip()
        if stripped:
            paragraph.append(stripped)
        else:
            _end_paragraph(paragraph, out)
        i += 1
    _end_paragraph(paragraph, out)
    return "\n".join(out)


def _end_paragraph(paragraph: list[str], out: list[str]) -> None:
    if paragraph:
        out.append("<p>" + inline_html(" ".join(paragraph)) + "</p>")
        paragraph.clear()


def _block(lines: list[str], i: int, shift: int) -> tuple[str, int] | None:
    """The block that starts at line i, rendered, and the line after it; None for paragraph
    text or a blank line."""
    stripped = lines[i].strip()
    if stripped.startswith("```"):
        return _code_block(lines, i)
    if heading := _HEADING.match(stripped):
        level = min(6, len(heading.group(1)) + shift)
        return f"<h{level}>{inline_html(heading.group(2))}</h{level}>", i + 1
    if stripped.startswith("|") and i + 1 < len(lines) and _TABLE_RULE.match(lines[i + 1]):
        return _table(lines, i)
    if _LIST_ITEM.match(lines[i]):
        return _list(lines, i)
    return None


def _code_block(lines: list[str], i: int) -> tuple[str, int]:
    """A fenced block from its opening fence at line i; an unclosed fence runs to the end."""
    end = i + 1
    while end < len(lines) and not lines[end].strip().startswith("```"):
        end += 1
    return "<pre>" + html.escape("\n".join(lines[i + 1:end])) + "</pre>", end + 1


def _cells(line: str) -> list[str]:
    line = line.strip()
    line = line[1:] if line.startswith("|") else line
    line = line[:-1] if line.endswith("|") and not line.endswith("\\|") else line
    return [c.strip().replace("\\|", "|") for c in _CELL_SPLIT.split(line)]


def _table(lines: list[str], i: int) -> tuple[str, int]:
    """A pipe table: header at line i, the rule below it, then rows while lines start with '|'."""
    header = _cells(lines[i])
    end = i + 2
    body = []
    while end < len(lines) and lines[end].strip().startswith("|"):
        body.append(_cells(lines[end]))
        end += 1
    rows = "".join("<tr>" + "".join(f"<td>{inline_html(c)}</td>" for c in row) + "</tr>" for row in body)
    head = "".join(f"<th>{inline_html(c)}</th>" for c in header)
    return (f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>',
            end)


def _list(lines: list[str], i: int) -> tuple[str, int]:
    """Consecutive list items from line i; an indented line continues the item above it."""
    tag = "ol" if _ORDERED.match(lines[i]) else "ul"
    items = []
    end = i
    while end < len(lines) and _LIST_ITEM.match(lines[end]):
        item = _LIST_ITEM.sub("", lines[end], count=1)
        end += 1
        while end < len(lines) and lines[end].startswith("  ") and lines[end].strip() \
                and not _LIST_ITEM.match(lines[end]):
            item += " " + lines[end].strip()
            end += 1
        items.append(f"<li>{inline_html(item)}</li>")
    return f"<{tag}>{''.join(items)}</{tag}>", end
