"""Tidy pandas tables from a `Trajectory` (one row per observation, named columns)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.core import measures
from sim.core.equations import TERMS
from sim.core.trajectory import Trajectory


def _grid(traj: Trajectory, *axes: tuple[str, list]) -> dict:
    """Columns of a full grid over run, step and the given axes (row-major, like the arrays)."""
    names = [("run", range(traj.alignment.shape[0])), ("step", range(traj.alignment.shape[1])), *axes]
    mesh = np.meshgrid(*[np.asarray(list(values)) for _, values in names], indexing="ij")
    return {name: grid.ravel() for (name, _), grid in zip(names, mesh)}


def alignment_frame(traj: Trajectory) -> pd.DataFrame:
    """run, step, state, partner, alignment (+ utility when terms were recorded)."""
    frame = pd.DataFrame(_grid(traj, ("state", traj.states), ("partner", traj.partners)))
    frame["alignment"] = traj.alignment.ravel()
    if traj.terms is not None:
        frame["utility"] = traj.utility().ravel()
    return frame


def state_frame(traj: Trajectory) -> pd.DataFrame:
    """run, step, state, hedging, leading, forced_us, threat."""
    frame = pd.DataFrame(_grid(traj, ("state", traj.states)))
    frame["hedging"] = traj.hedging().ravel()
    frame["leading"] = np.asarray(traj.partners)[traj.leading()].ravel()
    if traj.terms is not None:
        frame["forced_us"] = traj.forced_us().ravel()
    frame["threat"] = traj.threat.ravel()
    return frame


def asean_frame(traj: Trajectory) -> pd.DataFrame:
    """run, step, partner, alignment (mean over states), states_led."""
    frame = pd.DataFrame(_grid(traj, ("partner", traj.partners)))
    frame["alignment"] = traj.alignment.mean(2).ravel()
    led = traj.leading()[..., None] == np.arange(len(traj.partners))
    frame["states_led"] = led.sum(2).ravel()
    return frame


def world_frame(traj: Trajectory) -> pd.DataFrame:
    """run, step, cohesion, mean hedging, ASEAN forced_us, China's coercion, Korea's posture, crisis."""
    frame = pd.DataFrame(_grid(traj))
    frame["cohesion"] = traj.cohesion().ravel()
    frame["hedging"] = traj.hedging().mean(-1).ravel()
    if traj.terms is not None:
        frame["forced_us"] = traj.forced_us().mean(-1).ravel()
    frame["china_coercion"] = traj.china_coercion.ravel()
    frame["korea_posture"] = traj.korea_posture.ravel()
    frame["crisis"] = traj.crisis.ravel()
    return frame


def terms_frame(traj: Trajectory) -> pd.DataFrame:
    """run, step, state, partner, term, value: every weighted utility term."""
    frame = pd.DataFrame(_grid(traj, ("state", traj.states), ("partner", traj.partners), ("term", TERMS)))
    frame["value"] = traj.terms.ravel()
    return frame


def final_table(traj: Trajectory) -> pd.DataFrame:
    """Final alignment per state and partner, hedging, leading partner and forced_us,
    averaged over runs, with an ASEAN row (states weighted equally)."""
    last = traj.alignment[:, -1]  # [run, state, partner]
    table = pd.DataFrame(last.mean(0), index=list(traj.states), columns=list(traj.partners))
    table["hedging"] = traj.hedging()[:, -1].mean(0)
    if traj.terms is not None:
        table["forced_us"] = traj.forced_us()[:, -1].mean(0)
    powers = measures.power_codes(traj.partners)
    table["leading"] = table[powers].idxmax(axis=1)
    asean = table[list(traj.partners)].mean()
    row = {**asean.to_dict(), "hedging": table["hedging"].mean(),
           "leading": asean[powers].idxmax()}
    if "forced_us" in table:
        row["forced_us"] = table["forced_us"].mean()
    table.loc["ASEAN"] = row
    table.index.name = "state"
    return table


def asean_summary(traj: Trajectory) -> dict:
    """Final ASEAN-wide measures (means over runs): cohesion, states led per partner."""
    led = traj.leading()[:, -1]
    return {
        "cohesion": float(traj.cohesion()[:, -1].mean()),
        "states_led": {p: float((led == traj.partners.index(p)).sum(-1).mean()) for p in measures.power_codes(traj.partners)},
    }
