"""Outcomes per run: the one results table that sweeps, comparisons, sensitivity
analysis and scenario discovery all read (one row per run).

Columns:
  asean_<P>           final ASEAN mean alignment with partner P
  cohesion, hedging   final cohesion and mean hedging
  forced_us           final ASEAN answer to the forced US-or-China question
  led_<P>             number of states whose leading partner is P at the end
  tipping_step        first step at which a majority of states is led by a partner
                      other than the one that led the majority at step 0 (NaN if never)
  <State>_<P>         final alignment of each state with each partner
  forced_us_<State>   each state's final answer to the forced US-or-China question
  leading_<State>     each state's final leading partner
"""

from __future__ import annotations

import numpy as np
from numba import njit
import pandas as pd

from sim.core import measures
from sim.core.trajectory import Trajectory


def tipping_step(traj: Trajectory) -> np.ndarray:
    """[run] first step where the partner leading most states differs from step 0's (NaN if never)."""
    leading = traj.leading()  # [run, step, state]
    counts = _leader_counts(np.ascontiguousarray(leading), len(traj.partners))  # [run, step, partner]
    majority = counts > len(traj.states) / 2
    has_majority = majority.any(-1)
    top = counts.argmax(-1)  # [run, step]
    start = top[:, :1]
    tipped = has_majority & (top != start)
    tipped[:, 0] = False
    first = tipped.argmax(1).astype(float)
    first[~tipped.any(1)] = np.nan
    return first


@njit(cache=True)
def _leader_counts(leading, n_partners):
    """[run, step, partner] how many states each partner leads (``leading`` [run, step, state])."""
    counts = np.zeros((leading.shape[0], leading.shape[1], n_partners), dtype=np.int64)
    for run in range(leading.shape[0]):
        for step in range(leading.shape[1]):
            for state in range(leading.shape[2]):
                counts[run, step, leading[run, step, state]] += 1
    return counts


def run_outcomes(traj: Trajectory) -> pd.DataFrame:
    """One row per run of the final outcomes listed in the module docstring."""
    final = traj.alignment[:, -1]  # [run, state, partner]
    partners, states = list(traj.partners), list(traj.states)
    columns = {f"asean_{p}": final[:, :, j].mean(1) for j, p in enumerate(partners)}
    columns["cohesion"] = traj.cohesion()[:, -1]
    columns["hedging"] = traj.hedging()[:, -1].mean(1)
    forced = traj.forced_us()[:, -1] if traj.terms is not None else None  # [run, state]
    if forced is not None:
        columns["forced_us"] = forced.mean(1)
    leading = traj.leading()[:, -1]
    columns.update({f"led_{p}": (leading == partners.index(p)).sum(1) for p in measures.power_codes(partners)})
    columns["tipping_step"] = tipping_step(traj)
    for i, s in enumerate(states):
        for j, p in enumerate(partners):
            columns[f"{s}_{p}"] = final[:, i, j]
    if forced is not None:
        columns.update({f"forced_us_{s}": forced[:, i] for i, s in enumerate(states)})
    for i, s in enumerate(states):
        columns[f"leading_{s}"] = np.asarray(partners)[leading[:, i]]
    return pd.DataFrame(columns)


def outcome_names(traj_or_partners, states=None) -> list[str]:
    """Numeric outcome columns (for --outcome choices)."""
    if isinstance(traj_or_partners, Trajectory):
        partners, states = traj_or_partners.partners, traj_or_partners.states
    else:
        partners = traj_or_partners
    names = [f"asean_{p}" for p in partners] + ["cohesion", "hedging", "forced_us"]
    names += [f"led_{p}" for p in measures.power_codes(partners)] + ["tipping_step"]
    names += [f"{s}_{p}" for s in (states or ()) for p in partners]
    names += [f"forced_us_{s}" for s in (states or ())]
    return names
