"""What a batch of runs records, step by step, and the measures derived from it.

Arrays, run axis first, step axis second (step 0 is the starting state):
  alignment [run, step, state, partner]          the behaviour layer
  terms     [run, step, state, partner, term]    weighted utility terms (optional)
  opinion   [run, step, state, partner]          what the opinion layer adds to U (leans, trust gaps)
  strategic [run, step, partner]                 strategic_weight * each partner's strategic value
  threat    [run, step, state]
  china_coercion, korea_posture, crisis [run, step]
Both engines fill a `Trajectory`; every table and plot reads one.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from sim.core import equations as eq
from sim.core import measures
from sim.core import opinion as op
from sim.core.dynamics import Dynamic, china_coercion
from sim.core.inputs import Inputs

TRUST = eq.TERMS.index("trust")


@dataclass
class Trajectory:
    states: tuple[str, ...]
    partners: tuple[str, ...]
    rationality: np.ndarray  # [run, step]: the r each step's scores were made with
    survey_scale: np.ndarray  # [run, step]: the survey layer's scale (respondents' heterogeneity)
    third_party_scale: np.ndarray  # [run, step]: the same for the third-party question
    nest_scale: np.ndarray  # [run, step]: the nest's scale (ASEAN-centred option against the powers)
    alignment: np.ndarray
    opinion: np.ndarray
    strategic: np.ndarray
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
            nest_scale=np.zeros(shape),
            alignment=np.zeros((*shape, n_states, n_partners)),
            opinion=np.zeros((*shape, n_states, n_partners)),
            strategic=np.zeros((*shape, n_partners)),
            threat=np.zeros((*shape, n_states)),
            china_coercion=np.zeros(shape),
            korea_posture=np.zeros(shape),
            crisis=np.zeros(shape),
            terms=terms,
        )

    def record(self, step: int, inputs: Inputs, dyn: Dynamic, terms: np.ndarray | None, partners: dict) -> None:
        """Store the state after ``step`` and the scores made during it; ``partners`` are the
        step's effective partner attributes (`sim.core.dynamics.effective_partners`), which the
        engine has already computed for its scores."""
        self.rationality[:, step] = inputs["rationality"]
        self.survey_scale[:, step] = inputs["survey_scale"]
        self.third_party_scale[:, step] = inputs["third_party_scale"]
        self.nest_scale[:, step] = inputs["nest_scale"]
        self.alignment[:, step] = dyn.alignment
        self.opinion[:, step] = op.opinion_terms(inputs["lean"], inputs["trust_gap"], inputs["weights"][..., TRUST],
                                                 inputs.partners)
        self.strategic[:, step] = inputs["strategic_weight"][:, None] * op.strategic_value(
            partners["security_capacity"], partners["counterbalance"], self._is_third_party())
        self.threat[:, step] = dyn.threat
        self.china_coercion[:, step] = china_coercion(inputs, dyn.coercion)
        self.korea_posture[:, step] = dyn.korea_posture
        self.crisis[:, step] = dyn.crisis
        if self.terms is not None and terms is not None:
            self.terms[:, step] = terms

    def _is_third_party(self) -> np.ndarray:
        """[partner] the third-party question's options, as booleans (the partners never change)."""
        is_third = np.zeros(len(self.partners), bool)
        is_third[op.third_party_options(self.partners)] = True
        return is_third

    @property
    def n_steps(self) -> int:
        return self.alignment.shape[1] - 1

    def up_to(self, step: int) -> "Trajectory":
        """Steps 0..``step`` only (views, not copies): a run in progress as if it had ended there."""
        arrays = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("states", "partners")}
        return replace(self, **{name: None if a is None else a[:, :step + 1] for name, a in arrays.items()})

    # --- derived measures -------------------------------------------------

    def utility(self) -> np.ndarray:
        """U [run, step, state, partner] (noise-free): the behaviour layer's scores."""
        return self.terms.sum(-1)

    def answer_scores(self) -> np.ndarray:
        """V = U + opinion [run, step, state, partner]: the scores the survey's respondents answer with."""
        return self.utility() + self.opinion

    def hedging(self) -> np.ndarray:
        """[run, step, state]"""
        return measures.hedging_among_powers(self.alignment, self.partners)

    def cohesion(self) -> np.ndarray:
        """[run, step]"""
        return measures.cohesion(self.alignment)

    def leading(self) -> np.ndarray:
        """Index of each state's leading outside power [run, step, state]."""
        return measures.leading_partner(self.alignment, self.partners)

    def among_powers(self) -> np.ndarray:
        """Alignment among the outside powers alone [run, step, state, partner] (ASEAN option 0)."""
        return measures.among_powers(self.alignment, self.partners)

    def forced_us(self) -> np.ndarray:
        """The survey's forced US-or-China answer per state [run, step, state] (NaN without both):
        the share of the state's respondents answering US (the opinion layer, docs/model.md 7.5)."""
        if "US" not in self.partners or "CN" not in self.partners:
            return np.full(self.alignment.shape[:-1], np.nan)
        return op.pairwise_choice(self.answer_scores(), self.survey_scale[..., None],
                                  self.partners.index("US"), self.partners.index("CN"))

    def third_party(self) -> np.ndarray:
        """Preferred third partner among non-US/China partners [run, step, state, option]."""
        scores = self.answer_scores() + self.strategic[..., None, :]
        return op.restricted_choice(scores, self.third_party_scale[..., None, None],
                                    op.third_party_options(self.partners))

    def asean_first(self) -> np.ndarray:
        """Share of respondents whose first choice is the ASEAN-centred option [run, step, state]
        (NaN without it): the survey's 'enhance ASEAN resilience and unity' answer."""
        if eq.AUTONOMY not in self.partners:
            return np.full(self.alignment.shape[:-1], np.nan)
        is_autonomy = np.array([p == eq.AUTONOMY for p in self.partners])
        return op.unity_answer(self.answer_scores(), self.survey_scale[..., None], is_autonomy,
                               self.nest_scale[..., None])

    def third_party_names(self) -> list[str]:
        return [self.partners[i] for i in op.third_party_options(self.partners)]
