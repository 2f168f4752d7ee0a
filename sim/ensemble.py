"""The vectorized ensemble engine: many runs at once as whole-array numpy operations.

It calls the same phases (`sim.dynamics`) and equations (`sim.equations`) as
the Mesa model, once per step for the whole batch ``[run, state, partner]``
instead of once per agent. With the same seed it gives the same numbers as the
Mesa model (tested to 1e-12, noise on or off).
"""

from __future__ import annotations

import numpy as np

from sim import dynamics
from sim.inputs import Inputs
from sim.randomness import draw_batch
from sim.trajectory import Trajectory


def needs_noise(inputs: Inputs, events) -> bool:
    """Whether any run draws Gumbel noise (now or after an event)."""
    return bool((inputs["noise"] > 0).any() or any(e.key == "model.noise" for e in events))


def simulate(inputs: Inputs, events=(), steps: int = 40, seed: int = 0, runs=None,
             with_terms: bool = True) -> Trajectory:
    """Run every run of ``inputs`` for ``steps`` steps and return their trajectory.

    ``runs`` are the runs' global indices (their random streams, see
    `sim.randomness`); by default 0..n-1. ``inputs`` is not modified.
    """
    inputs = inputs.copy()
    runs = np.arange(inputs.n_runs) if runs is None else np.asarray(runs)
    n_states, n_partners = len(inputs.states), len(inputs.partners)
    gumbel, uniform = draw_batch(seed, runs, steps, n_states, n_partners, needs_noise(inputs, events))
    dyn = dynamics.start(inputs)
    trajectory = Trajectory.allocate(inputs, steps, with_terms)
    trajectory.record(0, inputs, dyn, dynamics.scores(inputs, dynamics.effective_partners(inputs, dyn), dyn))
    for step in range(1, steps + 1):
        terms = advance(inputs, dyn, events, step, uniform[:, step - 1],
                        None if gumbel is None else gumbel[:, step - 1])
        trajectory.record(step, inputs, dyn, terms)
    return trajectory


def advance(inputs: Inputs, dyn: dynamics.Dynamic, events, step: int, uniform, gumbel) -> np.ndarray:
    """One step for the whole batch; updates ``dyn`` and returns the scores used."""
    dynamics.apply_events(inputs, dyn, events, step)
    dynamics.world(inputs, dyn, uniform)
    dyn.engagement = dynamics.partner_engagement(inputs, dyn)
    china = inputs.index("CN")
    if china is not None:
        dyn.coercion[:, china] = dynamics.china_step(inputs, dyn)
    dyn.korea_posture = dynamics.korea_step(inputs, dyn)
    terms = dynamics.scores(inputs, dynamics.effective_partners(inputs, dyn), dyn)
    dyn.alignment = dynamics.choose(inputs, terms, dyn.alignment, gumbel)
    return terms
