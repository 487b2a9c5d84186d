"""Layer 6, workflows: the orchestration behind each command, and the Python API that does the
same (`Study`, `Discovery`, ...): run (layer 3), analyse (layer 4), write the results folder
(layer 5). A sibling of the app; neither imports the other."""

__all__: list[str] = []
