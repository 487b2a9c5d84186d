"""Mesa agents as views on the model's arrays: the face of the model for inspection and
the class app. They hold only their row index; every trait is read from (and written to)
the arrays the mechanisms update, so there is one source of truth."""

from __future__ import annotations

import mesa
import numpy as np

__all__ = ["RegionalGovernment", "ForeignPartner"]


class RegionalGovernment(mesa.Agent):
    """A province, regency or city government (pemda)."""

    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = index

    def __getattr__(self, trait):
        # budget, hr, data, bureaucracy, alignment, infrastructure, dprd, community, potential,
        # bureau, legal, mid_term_plan, diplomat, unelected, leader_commitment, ...
        regions = self.__dict__["model"].regions if "model" in self.__dict__ else None
        if regions is not None and isinstance(getattr(regions, trait, None), np.ndarray):
            return getattr(regions, trait)[self.index]
        raise AttributeError(trait)

    @property
    def name(self) -> str:
        return str(self.model.regions.table["name"].iat[self.index])

    @property
    def level(self) -> str:
        return str(self.model.regions.table["level"].iat[self.index])

    def partnerships(self) -> np.ndarray:
        """Row indices of this government's partnerships in `model.partnerships`."""
        e = self.model.partnerships
        return np.flatnonzero(e.region[: e.n] == self.index)

    def __repr__(self) -> str:
        return f"RegionalGovernment({self.name!r})"


class ForeignPartner(mesa.Agent):
    """A foreign local government (prefecture, state, province, city)."""

    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = index

    def __getattr__(self, trait):
        partners = self.__dict__["model"].partners if "model" in self.__dict__ else None
        if partners is not None and isinstance(getattr(partners, trait, None), np.ndarray):
            return getattr(partners, trait)[self.index]
        raise AttributeError(trait)

    def partnerships(self) -> np.ndarray:
        e = self.model.partnerships
        return np.flatnonzero(e.partner[: e.n] == self.index)

    def __repr__(self) -> str:
        return f"ForeignPartner({self.model.partners.name[self.index]!r})"
