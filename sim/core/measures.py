"""What the record shows of an alignment: hedging, cohesion, leading partner, shares among the powers.

Pure functions over ``[..., state, partner]`` alignments (the behaviour layer's
output); tables, plots and the app read these, the equations of a step never do.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.core.equations import AUTONOMY

def hedging(alignment: np.ndarray) -> np.ndarray:
    """Normalized entropy of alignment: 0 = all-in with one partner, 1 = even spread."""
    n_partners = alignment.shape[-1]
    if n_partners < 2:
        return np.zeros(alignment.shape[:-1])
    plogp = np.where(alignment > 0, alignment * np.log(np.where(alignment > 0, alignment, 1.0)), 0.0)
    return np.clip(-plogp.sum(-1) / np.log(n_partners), 0.0, 1.0)


def powers(partners) -> np.ndarray:
    """[partner] True for the outside powers, False for the ASEAN-centred option."""
    return np.array([p != AUTONOMY for p in partners])


def power_codes(partners) -> list[str]:
    """The outside powers among ``partners``, in order (the ASEAN-centred option left out)."""
    return [p for p in partners if p != AUTONOMY]


def leading_partner(alignment: np.ndarray, partners) -> np.ndarray:
    """Index of the outside power with the largest share of each state's alignment (the first
    on a tie): the ASEAN-centred share is shown beside the powers, but it is not a power to lean
    toward. Compiled: the ensemble records it every step of every run."""
    rows = np.ascontiguousarray(alignment, dtype=float).reshape(-1, alignment.shape[-1])
    return _leading_rows(rows, powers(partners)).reshape(alignment.shape[:-1])


@njit(cache=True)
def _leading_rows(rows, is_power):
    out = np.zeros(rows.shape[0], dtype=np.int64)
    for k in range(rows.shape[0]):
        top = -np.inf
        for q in range(rows.shape[1]):
            if is_power[q] and rows[k, q] > top:
                top, out[k] = rows[k, q], q
    return out


def hedging_among_powers(alignment: np.ndarray, partners) -> np.ndarray:
    """`hedging` of the alignment a state gives the outside powers, renormalized: how evenly it
    spreads its bets among them. The ASEAN-centred share is autonomy, reported in its own column,
    so a state moving into it while keeping its outside mix hedges as much as before."""
    outside = alignment[..., powers(partners)]
    total = outside.sum(-1, keepdims=True)
    even = np.full_like(outside, 1.0 / max(outside.shape[-1], 1))
    return hedging(np.divide(outside, total, out=even, where=total > 0))


def cohesion(alignment: np.ndarray) -> np.ndarray:
    """1 - mean pairwise total-variation distance between states' alignments."""
    n_states = alignment.shape[-2]
    if n_states < 2:
        return np.ones(alignment.shape[:-2])
    diff = np.abs(alignment[..., :, None, :] - alignment[..., None, :, :]).sum(-1) * 0.5
    mean_tv = diff.sum((-1, -2)) / (n_states * (n_states - 1))
    return np.clip(1.0 - mean_tv, 0.0, 1.0)


def among_powers(alignment: np.ndarray, partners) -> np.ndarray:
    """Alignment among the outside powers alone [..., state, partner]: each state's shares
    renormalised without the ASEAN-centred option, which reads 0 (NaN if a state gave the
    powers nothing). 'Who leads among the powers' without the autonomy share in the way."""
    is_power = powers(partners)
    outside = np.where(is_power, alignment, 0.0)
    total = outside.sum(-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, outside / total, np.nan)
