"""One module per mechanism of the paper. Each is a function of the model's state and
parameters and draws only from its own named random stream. `CoopModel.step` calls them in
the order of `STEP_ORDER`."""

from coopsim.model.mechanisms import (approval, elections, evaluation, implementation, matching,
                                      partner_side, shocks, stagnation)

__all__ = ["STEP_ORDER"]

# (name of the random stream, function); the order is the model's schedule (docs/ODD.md 3).
STEP_ORDER = (
    ("shocks", shocks.apply_shocks),
    ("elections", elections.hold_elections),
    ("partner_side", partner_side.partners_decide),
    ("matching", matching.explore),
    ("follow_up", matching.follow_up),
    ("approval", approval.approve),
    ("implementation", implementation.implement),
    ("evaluation", evaluation.evaluate_yearly),
    ("stagnation", stagnation.stagnate_and_revive),
)
