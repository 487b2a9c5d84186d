"""Layer 2, model: the agent-based model itself, with no file I/O. `CoopModel` (model.py), the
populations (population.py), the partnership edge table (partnerships.py), one module per
mechanism (mechanisms/), the per-step results (results.py), the initial network (seeding.py),
the run's tables (tables.py) and its scalar outcomes (outcomes.py)."""

__all__: list[str] = []
