"""Random numbers, one independent stream pair per run.

Run ``k`` of a job with master seed ``s`` always draws from the same
generators, built from ``SeedSequence([s, k])``: one for the Gumbel noise on
utilities, one for crises at sea. So a run gives the same result alone, in a
batch, in any chunk, on any worker, and in either engine (the Mesa model draws
step by step, the ensemble engine all steps at once; numpy's generators give
the same numbers both ways).
"""

from __future__ import annotations

import numpy as np


def run_seed(master_seed: int, run: int) -> np.random.SeedSequence:
    """The seed sequence of run ``run`` of a job seeded with ``master_seed``."""
    return np.random.SeedSequence([int(master_seed), int(run)])


def run_generators(master_seed: int, run: int) -> tuple[np.random.Generator, np.random.Generator]:
    """(noise, crisis) generators of one run."""
    noise, crisis = run_seed(master_seed, run).spawn(2)
    return np.random.default_rng(noise), np.random.default_rng(crisis)


def draw_batch(master_seed: int, runs, steps: int, n_states: int, n_partners: int, with_noise=True):
    """All draws of a batch of runs: gumbel [run, step, state, partner], uniform [run, step].

    Step ``t`` (1-based) uses index ``t - 1``. With ``with_noise=False`` the
    Gumbel array is None (noise-free runs skip the cost, other draws unchanged).
    """
    runs = np.asarray(runs)
    gumbel = np.empty((len(runs), steps, n_states, n_partners)) if with_noise else None
    uniform = np.empty((len(runs), steps))
    for row, run in enumerate(runs):
        noise_rng, crisis_rng = run_generators(master_seed, run)
        if with_noise:
            gumbel[row] = noise_rng.gumbel(size=(steps, n_states, n_partners))
        uniform[row] = crisis_rng.random(steps)
    return gumbel, uniform
