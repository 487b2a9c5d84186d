"""coopsim: an agent-based model of how regional governments build international
partnerships (sister city, sister province, sub-regional growth areas) and why most stall."""

__version__ = "0.1.0"
