"""Mesa agents as views on the model's arrays: the face of the model for inspection and
the class app. They hold only their row index; every trait is read from (and written to)
the arrays the mechanisms update, so there is one source of truth."""

from __future__ import annotations

import mesa
import numpy as np

__all__ = ["RegionalGovernment", "ForeignPartner"]


class _ArrayView(mesa.Agent):
    """An agent that reads its traits from row `index` of the model's state `_state`."""

    _state = ""            # name of the model attribute holding the arrays ("regions", "partners")
    _column = ""           # the edge table's column naming this side ("region", "partner")

    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = index

    def __getattr__(self, trait):
        # called only for names the agent itself lacks: budget, hr, data, capacity, interest, ...
        state = getattr(self.__dict__["model"], self._state, None) if "model" in self.__dict__ else None
        if state is not None and isinstance(getattr(state, trait, None), np.ndarray):
            return getattr(state, trait)[self.index]
        raise AttributeError(trait)

    def partnerships(self) -> np.ndarray:
        """Row indices of this agent's partnerships in `model.partnerships`."""
        e = self.model.partnerships
        return np.flatnonzero(getattr(e, self._column)[: e.n] == self.index)


class RegionalGovernment(_ArrayView):
    """A province, regency or city government (pemda): budget, hr, data, bureaucracy,
    alignment, infrastructure, dprd, community, potential, bureau, legal, mid_term_plan,
    diplomat, unelected, leader_commitment ... read from `model.regions`."""

    _state, _column = "regions", "region"

    @property
    def name(self) -> str:
        """The government's name (e.g. 'Kota Surabaya')."""
        return str(self.model.regions.table["name"].iat[self.index])

    @property
    def level(self) -> str:
        """'province', 'regency' or 'city'."""
        return str(self.model.regions.table["level"].iat[self.index])

    def __repr__(self) -> str:
        return f"RegionalGovernment({self.name!r})"


class ForeignPartner(_ArrayView):
    """A foreign local government (prefecture, state, province, city): name, country,
    capacity, interest, openness, potential ... read from `model.partners`."""

    _state, _column = "partners", "partner"

    def __repr__(self) -> str:
        return f"ForeignPartner({self.model.partners.name[self.index]!r})"
