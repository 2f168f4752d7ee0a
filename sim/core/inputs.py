"""Parameters as arrays with a leading run axis, ready for the equations.

`Inputs.build(scenario, variations)` turns a scenario plus K sets of
parameter changes (a sweep's samples, or nothing) into arrays shaped
``[run, ...]``: world and model scalars ``[run]``, partner attributes
``[run, partner]``, state attributes ``[run, state]`` and
``[run, state, partner]``, weights ``[run, state, term]``.

Every parameter key maps to one place in one array (`Inputs.locate`), so
scenario events and sweep samples write to the same place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.core.equations import CHINA_MODES, TERMS
from sim.schema import parameters
from sim.schema.scenario import Scenario

WORLD = (
    "rivalry", "nk_threat", "us_commitment", "asean_unity", "shock_rate", "shock_size",
    "crisis_decay", "china_mode", "coercion_rate", "china_tolerance", "korea_security_turn",
    "mekong_cooperation", "scs_presence", "coercion_backlash", "grievance_decay", "korea_caution",
    "china_charm", "unity_response",
)
MODEL = ("rationality", "speed", "noise", "adapt_rate", "survey_scale", "third_party_scale", "nest_scale",
         "strategic_weight")
PARTNER = (
    "security_capacity", "economic_capacity", "reliability", "counterbalance", "provocation",
    "coercion", "engagement_budget", "aim", "downplay",
)
STATE = ("exposure", "mekong", "sanction_exposure", "lean")
STATE_PARTNER = ("ties", "defense", "history", "engagement", "assist", "trust_gap")


@dataclass
class Inputs:
    """Parameter arrays for a batch of runs of one scenario."""

    states: tuple[str, ...]
    partners: tuple[str, ...]
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    blocks: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_runs(self) -> int:
        return self.arrays["rationality"].shape[0]

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]

    def mask(self, code: str) -> np.ndarray:
        """[partner] booleans: True where the partner is ``code``."""
        return np.array([p == code for p in self.partners])

    def index(self, code: str) -> int | None:
        return self.partners.index(code) if code in self.partners else None

    @classmethod
    def build(cls, scenario: Scenario, variations: list[dict] | None = None) -> "Inputs":
        """Arrays for one run per variation (or one run of the scenario as it is)."""
        variations = variations or [{}]
        inputs = cls(scenario.states, scenario.partners)
        inputs.blocks, inputs.arrays = _allocate(len(scenario.states), len(scenario.partners), len(variations))
        values = scenario.parameters()
        for key, value in values.items():
            inputs.assign(key, value)
        for run, changes in enumerate(variations):
            for key, value in changes.items():
                inputs.assign(key, value, runs=run)
        return inputs

    def locate(self, key: str):
        """(array name, index) of a parameter key, or None if this batch does not use it."""
        parts = key.split(".")
        head = parts[0]
        if head in ("model", "world"):
            return parts[1], ()
        if head == "weights":
            return "weights", (slice(None), TERMS.index(parts[1]))
        if head == "partners":
            if parts[1] not in self.partners:
                return None
            return parts[2], (self.partners.index(parts[1]),)
        if head == "states":
            if parts[1] not in self.states:
                return None
            s = self.states.index(parts[1])
            if len(parts) == 3:
                return parts[2], (s,)
            if parts[2] == "weights":
                return "weights", (s, TERMS.index(parts[3]))
            if parts[3] not in self.partners:
                return None
            return parts[2], (s, self.partners.index(parts[3]))
        return None

    def assign(self, key: str, value, runs=slice(None)) -> None:
        """Set parameter ``key`` for the given runs (all by default)."""
        located = self.locate(key)
        if located is None:
            return
        name, index = located
        if name == "rivals":
            row = [p in value for p in self.partners]
            self.arrays["rivals"][(runs, *index)] = row
        elif name == "china_mode":
            self.arrays["china_mode"][runs] = CHINA_MODES.index(value)
        else:
            self.arrays[name][(runs, *index)] = value

    def shift(self, key: str, amount: float) -> None:
        """Add ``amount`` to parameter ``key`` in every run, staying within its bounds."""
        located = self.locate(key)
        if located is None:
            return
        name, index = located
        spec = parameters.spec(key)
        target = self.arrays[name][(slice(None), *index)]
        self.arrays[name][(slice(None), *index)] = np.clip(target + amount, spec.lo, spec.hi)

    def value(self, key: str) -> np.ndarray:
        """Current value of ``key`` in every run: [run]."""
        name, index = self.locate(key)
        return self.arrays[name][(slice(None), *index)]

    def copy(self) -> "Inputs":
        blocks = {kind: block.copy() for kind, block in self.blocks.items()}
        return Inputs(self.states, self.partners, views(blocks), blocks)


# Each kind of parameter lives in one block (what the compiled step reads, `sim.core.dynamics`);
# `Inputs.arrays` are named views on the blocks, so an event written to one is seen by the next step.
BLOCKS = {
    "world": WORLD + MODEL,  # [run, name] (china_mode is a `CHINA_MODES` index)
    "partner": PARTNER,  # [run, name, partner]
    "state": STATE,  # [run, name, state]
    "pair": STATE_PARTNER,  # [run, name, state, partner]
}


def _allocate(n_states: int, n_partners: int, n_runs: int) -> tuple[dict, dict]:
    """(blocks, named views): every parameter zero except the state attributes (one)."""
    blocks = {
        "world": np.zeros((n_runs, len(BLOCKS["world"]))),
        "partner": np.zeros((n_runs, len(PARTNER), n_partners)),
        "state": np.ones((n_runs, len(STATE), n_states)),
        "pair": np.zeros((n_runs, len(STATE_PARTNER), n_states, n_partners)),
        "rivals": np.zeros((n_runs, n_partners, n_partners)),
        "weights": np.zeros((n_runs, n_states, len(TERMS))),
    }
    return blocks, views(blocks)


def views(blocks: dict) -> dict[str, np.ndarray]:
    """{parameter name: its view on ``blocks``}."""
    arrays = {name: blocks[kind][:, k] for kind, names in BLOCKS.items() for k, name in enumerate(names)}
    return arrays | {"rivals": blocks["rivals"], "weights": blocks["weights"]}
