"""What a batch of runs records, step by step, and the measures derived from it.

Arrays, run axis first, step axis second (step 0 is the starting state):
  alignment [run, step, state, partner]
  terms     [run, step, state, partner, term]   weighted utility terms (optional)
  threat    [run, step, state]
  china_coercion, korea_posture, crisis [run, step]
Both engines fill a `Trajectory`; every table and plot reads one.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from sim.core import equations as eq
from sim.core.dynamics import Dynamic, china_coercion
from sim.core.inputs import Inputs

# The survey's third-party question offers neither power nor ASEAN itself.
NOT_THIRD_PARTIES = ("US", "CN", eq.AUTONOMY)


@dataclass
class Trajectory:
    states: tuple[str, ...]
    partners: tuple[str, ...]
    rationality: np.ndarray  # [run, step]: the r each step's scores were made with
    survey_scale: np.ndarray  # [run, step]: the survey layer's scale (respondents' heterogeneity)
    third_party_scale: np.ndarray  # [run, step]: the same for the third-party question
    alignment: np.ndarray
    threat: np.ndarray
    china_coercion: np.ndarray
    korea_posture: np.ndarray
    crisis: np.ndarray
    terms: np.ndarray | None = None

    @classmethod
    def allocate(cls, inputs: Inputs, steps: int, with_terms: bool = True) -> "Trajectory":
        n_runs, n_states, n_partners = inputs["ties"].shape
        shape = (n_runs, steps + 1)
        terms = np.zeros((*shape, n_states, n_partners, len(eq.TERMS))) if with_terms else None
        return cls(
            states=inputs.states,
            partners=inputs.partners,
            rationality=np.zeros(shape),
            survey_scale=np.zeros(shape),
            third_party_scale=np.zeros(shape),
            alignment=np.zeros((*shape, n_states, n_partners)),
            threat=np.zeros((*shape, n_states)),
            china_coercion=np.zeros(shape),
            korea_posture=np.zeros(shape),
            crisis=np.zeros(shape),
            terms=terms,
        )

    def record(self, step: int, inputs: Inputs, dyn: Dynamic, terms: np.ndarray | None) -> None:
        """Store the state after ``step`` and the scores made during it."""
        self.rationality[:, step] = inputs["rationality"]
        self.survey_scale[:, step] = inputs["survey_scale"]
        self.third_party_scale[:, step] = inputs["third_party_scale"]
        self.alignment[:, step] = dyn.alignment
        self.threat[:, step] = dyn.threat
        self.china_coercion[:, step] = china_coercion(inputs, dyn.coercion)
        self.korea_posture[:, step] = dyn.korea_posture
        self.crisis[:, step] = dyn.crisis
        if self.terms is not None and terms is not None:
            self.terms[:, step] = terms

    @property
    def n_steps(self) -> int:
        return self.alignment.shape[1] - 1

    def up_to(self, step: int) -> "Trajectory":
        """Steps 0..``step`` only (views, not copies): a run in progress as if it had ended there."""
        arrays = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("states", "partners")}
        return replace(self, **{name: None if a is None else a[:, :step + 1] for name, a in arrays.items()})

    # --- derived measures -------------------------------------------------

    def utility(self) -> np.ndarray:
        """U [run, step, state, partner] (noise-free)."""
        return self.terms.sum(-1)

    def hedging(self) -> np.ndarray:
        """[run, step, state]"""
        return eq.hedging_among_powers(self.alignment, self.partners)

    def cohesion(self) -> np.ndarray:
        """[run, step]"""
        return eq.cohesion(self.alignment)

    def leading(self) -> np.ndarray:
        """Index of each state's leading partner [run, step, state]."""
        return eq.leading_partner(self.alignment, self.partners)

    def forced_us(self) -> np.ndarray:
        """The survey's forced US-or-China answer per state [run, step, state] (NaN without both):
        the share of the state's respondents answering US (the survey layer, docs/model.md 7.5)."""
        if "US" not in self.partners or "CN" not in self.partners:
            return np.full(self.alignment.shape[:-1], np.nan)
        return eq.pairwise_choice(self.utility(), self.survey_scale[..., None],
                                  self.partners.index("US"), self.partners.index("CN"))

    def third_party(self) -> np.ndarray:
        """Preferred third partner among non-US/China partners [run, step, state, option]."""
        options = [i for i, p in enumerate(self.partners) if p not in NOT_THIRD_PARTIES]
        return eq.restricted_choice(self.utility(), self.third_party_scale[..., None, None], options)

    def asean_first(self) -> np.ndarray:
        """Share of respondents whose first choice among all options is the ASEAN-centred one
        [run, step, state] (NaN without it): the survey's 'enhance ASEAN resilience and unity' answer."""
        if eq.AUTONOMY not in self.partners:
            return np.full(self.alignment.shape[:-1], np.nan)
        everything = eq.restricted_choice(self.utility(), self.survey_scale[..., None, None],
                                          range(len(self.partners)))
        return everything[..., self.partners.index(eq.AUTONOMY)]

    def third_party_names(self) -> list[str]:
        return [p for p in self.partners if p not in NOT_THIRD_PARTIES]
