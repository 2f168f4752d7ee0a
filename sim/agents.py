"""Mesa agents: ASEAN states and outside partners.

Each agent is a view on its own row (a state) or column (a partner) of the
model's arrays and calls the phases in `sim.core.dynamics` for that slice, so the
maths is the same as the ensemble engine's.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.core import dynamics


class PartnerAgent(mesa.Agent):
    """An outside power (US, China, Japan, South Korea, ...)."""

    def __init__(self, model, code: str, column: int):
        super().__init__(model)
        self.code = code
        self.column = column

    @property
    def engagement(self) -> np.ndarray:
        """What this partner invests in each state [state]."""
        return self.model.dyn.engagement[0, :, self.column]

    def step(self):
        """Adapt: move engagement toward states below aim; China and Korea adjust their posture."""
        self.adapt_engagement()
        if self.code == "CN":
            self.adjust_coercion()
        if self.code == "KR":
            self.adjust_posture()

    def adapt_engagement(self):
        """Spread the engagement budget toward states whose alignment is below aim."""
        cols = [self.column]
        self.model.dyn.engagement[:, :, cols] = dynamics.partner_engagement(self.model.inputs, self.model.dyn, cols)

    def adjust_coercion(self):
        """China: raise coercion if assertive and states tilt away, lower it and court them if conciliatory."""
        self.model.dyn.coercion[:, self.column] = dynamics.china_step(self.model.inputs, self.model.dyn)
        self.model.dyn.china_warmth = dynamics.charm_step(self.model.inputs, self.model.dyn)

    def adjust_posture(self):
        """Korea: posture drifts with the North Korean threat and the KASI security turn."""
        self.model.dyn.korea_posture = dynamics.korea_step(self.model.inputs, self.model.dyn)


class StateAgent(mesa.Agent):
    """An ASEAN member dividing its alignment between partners."""

    def __init__(self, model, name: str, row: int):
        super().__init__(model)
        self.name = name
        self.row = row
        self.terms = np.zeros((len(model.inputs.partners), 6))
        self._next_alignment = None

    @property
    def alignment(self) -> np.ndarray:
        """This state's alignment over partners (sums to 1)."""
        return self.model.dyn.alignment[0, self.row]

    def step(self):
        """Score every partner, then choose a new alignment (applied in `advance`)."""
        rows = [self.row]
        terms = dynamics.scores(self.model.inputs, self.model.partner_now, self.model.dyn, rows, self.model.peer)
        gumbel = self.model.gumbel[:, rows] if self.model.gumbel is not None else None
        self._next_alignment = dynamics.choose(self.model.inputs, terms, self.model.dyn.alignment[:, rows], gumbel)
        self.terms = terms[0, 0]

    def advance(self):
        """Commit the new alignment once every state has chosen (simultaneous update)."""
        self.model.dyn.alignment[:, [self.row]] = self._next_alignment
