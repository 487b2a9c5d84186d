"""Layer 1, config: what users write and the model's words. Scenario, experiment and discovery
files (schemas, loading, clear errors), `UserError`, and the vocabulary (stages, causes,
sectors, outcomes) every other layer reads. Imports no other coopsim layer."""

__all__: list[str] = []
