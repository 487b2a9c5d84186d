"""Layer 5, reporting: turning results into what people read. Colours (style.py), figures,
Markdown summaries, the self-contained HTML report, results folders (folders.py) and
manifests (manifest.py)."""

__all__: list[str] = []
