"""Random numbers, one independent stream pair per run.

Run ``k`` of a job with master seed ``s`` always draws from the same
generators, built from ``SeedSequence([s, k])``: one for the Gumbel noise on
utilities, one for crises at sea. So a run gives the same result alone, in a
batch, in any chunk, on any worker, and in either engine (the Mesa model draws
step by step, the ensemble engine all steps at once; numpy's generators give
the same uniforms both ways, and both engines turn them into Gumbel noise with
the one transform below).
"""

from __future__ import annotations

import numpy as np

# Floor on -log(1 - u) so that u = 0 (probability 2**-53) gives a large finite draw, not inf.
_TINY = np.finfo(float).tiny


def needs_noise(inputs, events) -> bool:
    """Whether any run of ``inputs`` (`sim.core.inputs.Inputs`) draws Gumbel noise, now or after an event."""
    return bool((inputs["noise"] > 0).any() or any(e.key == "model.noise" for e in events))


def run_seed(master_seed: int, run: int) -> np.random.SeedSequence:
    """The seed sequence of run ``run`` of a job seeded with ``master_seed``."""
    return np.random.SeedSequence([int(master_seed), int(run)])


def run_generators(master_seed: int, run: int) -> tuple[np.random.Generator, np.random.Generator]:
    """(noise, crisis) generators of one run."""
    noise, crisis = run_seed(master_seed, run).spawn(2)
    return np.random.default_rng(noise), np.random.default_rng(crisis)


def gumbel_from_uniform(u: np.ndarray) -> np.ndarray:
    """In place: uniforms u in [0, 1) -> Gumbel(0, 1) draws -log(-log(1 - u)).

    Both engines make their noise with this transform instead of
    ``Generator.gumbel``: numpy's generator uses a scalar ``log`` that can differ
    in the last bit from the vectorized one, so drawing step by step (Mesa) and
    all at once (ensemble) would not agree exactly.
    """
    np.subtract(1.0, u, out=u)
    np.log(u, out=u)
    np.negative(u, out=u)
    np.maximum(u, _TINY, out=u)
    np.log(u, out=u)
    np.negative(u, out=u)
    return u


def gumbel(rng: np.random.Generator, shape) -> np.ndarray:
    """Gumbel(0, 1) draws of ``shape`` from ``rng`` (see `gumbel_from_uniform`)."""
    return gumbel_from_uniform(rng.random(shape))


def draw_batch(master_seed: int, runs, steps: int, n_states: int, n_partners: int, with_noise=True):
    """All draws of a batch of runs: gumbel [run, step, state, partner], uniform [run, step].

    Step ``t`` (1-based) uses index ``t - 1``. Each run's uniforms go straight
    into the batch array and the Gumbel transform runs once over the whole
    batch. With ``with_noise=False`` the Gumbel array is None (noise-free runs
    skip the cost; the crisis draws are unchanged).
    """
    runs = np.asarray(runs)
    gumbel_draws = np.empty((len(runs), steps, n_states, n_partners)) if with_noise else None
    uniform = np.empty((len(runs), steps))
    for row, run in enumerate(runs):
        noise_rng, crisis_rng = run_generators(master_seed, run)
        if with_noise:
            noise_rng.random(out=gumbel_draws[row])
        crisis_rng.random(out=uniform[row])
    if with_noise:
        gumbel_from_uniform(gumbel_draws)
    return gumbel_draws, uniform
