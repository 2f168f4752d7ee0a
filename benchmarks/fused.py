"""A lower bound for the ensemble engine: a fused kernel of a *simpler* step, timed beside it.

Issue 25's yardstick. Each run: 10 states, 4 partners, 40 steps; a state's utility is
ties + engagement + peer share (the mean of the other states' alignment) plus Gumbel noise,
its target the logit of it, its alignment a partial adjustment toward it; partners move
engagement toward states below their aim. One compiled loop over runs (numba ``prange``),
no recording, no events, no China, no nest, six terms fewer than the model: what the model's
own compiled step (`sim.core.dynamics`) cannot beat, so ``ensemble / fused`` says how far the
engine is from the machine's limit. Not a model: nothing reads its numbers.
"""

from __future__ import annotations

import math
import time

import numpy as np
from numba import njit, prange

N_STATES, N_PARTNERS = 10, 4


@njit(cache=True)
def _one_run(ties, aim, gumbel, steps, out):
    n_states, n_partners = ties.shape
    alignment = np.full((n_states, n_partners), 1.0 / n_partners)
    engagement = np.zeros((n_states, n_partners))
    chosen = np.empty((n_states, n_partners))
    total = np.empty(n_partners)
    for step in range(steps):
        for q in range(n_partners):  # partners: engagement toward shortfalls
            total[q] = 0.0
            for i in range(n_states):
                total[q] += alignment[i, q]
            for i in range(n_states):
                engagement[i, q] = 0.9 * engagement[i, q] + 0.1 * max(aim[q] - alignment[i, q], 0.0)
        for i in range(n_states):  # states: logit of ties + engagement + peer + noise
            top = -np.inf
            for q in range(n_partners):
                peer = (total[q] - alignment[i, q]) / (n_states - 1)
                chosen[i, q] = 4.0 * (ties[i, q] + engagement[i, q] + peer + 0.2 * gumbel[step, i, q])
                top = max(top, chosen[i, q])
            norm = 0.0
            for q in range(n_partners):
                chosen[i, q] = math.exp(chosen[i, q] - top)
                norm += chosen[i, q]
            for q in range(n_partners):
                alignment[i, q] = 0.75 * alignment[i, q] + 0.25 * chosen[i, q] / norm
    out[:] = alignment


@njit(cache=True, parallel=True)
def _batch(ties, aim, gumbel, steps, out):
    for r in prange(out.shape[0]):
        _one_run(ties[r], aim[r], gumbel[r], steps, out[r])


def runs_per_second(runs: int = 20_000, steps: int = 40, seed: int = 0) -> float:
    """Runs per second of the fused simple kernel (random inputs and Gumbel draws made first,
    as the engine makes its draws before its loop; drawing is timed too)."""
    _batch(*_inputs(2, steps, seed), steps, np.empty((2, N_STATES, N_PARTNERS)))  # compile or load
    start = time.perf_counter()
    ties, aim, gumbel = _inputs(runs, steps, seed)
    _batch(ties, aim, gumbel, steps, np.empty((runs, N_STATES, N_PARTNERS)))
    return runs / (time.perf_counter() - start)


def _inputs(runs: int, steps: int, seed: int):
    rng = np.random.default_rng(seed)
    return (rng.random((runs, N_STATES, N_PARTNERS)), rng.random((runs, N_PARTNERS)),
            rng.gumbel(size=(runs, steps, N_STATES, N_PARTNERS)))
