"""Mesa agents: ASEAN states and outside partners.

Each agent is a view on its own row (a state) or column (a partner) of the
model's arrays and calls the compiled phase of `sim.core.dynamics` for that slice
(the ensemble engine's own functions), so the maths is the same machine code.
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
        """Adapt: move engagement toward states below aim; China raises or lowers its coercion and
        courts the region by its mode; Korea's posture drifts with the North Korean threat and the
        KASI security turn (`sim.core.dynamics.partner_acts`, the ensemble's own phase)."""
        dynamics.partner_acts(0, self.column, self.model.params, self.model.dyn.blocks(), self.model.leaning)


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
        self._next_alignment = np.empty(len(self.model.inputs.partners))
        dynamics.state_chooses(0, self.row, self.model.params, self.model.dyn.blocks(), self.model.partners_now,
                               self.model.gumbel[self.row], self.terms, self._next_alignment, self.model.work)

    def advance(self):
        """Commit the new alignment once every state has chosen (simultaneous update)."""
        self.model.dyn.alignment[0, self.row] = self._next_alignment
