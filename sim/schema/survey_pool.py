"""How the ISEAS survey pools its respondents into one ASEAN-wide figure.

The survey's ASEAN-wide answer pools every respondent (2020: 53.6% US, where the
ten countries' figures average 50.2%), so states with more respondents count
more. `pooling_weights` gives each state's share of the pool; `pooled` applies
it, so a run's ASEAN-wide forced choice can be read beside the survey's. The
alignment tables' ASEAN row stays the equal-weight mean of states.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

FORCED = "forced_choice_us_china"  # the survey's question code for the forced US-or-China choice


def read_data(name: str) -> pd.DataFrame:
    """A CSV file of the package's data folder (sim/data/)."""
    with (resources.files("sim") / "data" / name).open(encoding="utf-8") as handle:
        return pd.read_csv(handle)


POOLING_THROUGH = 2023


def pooling_weights(states) -> np.ndarray:
    """[state] each state's share of the survey's pooled ASEAN-wide respondents.

    The per-country respondent counts are not published. The weights are the ones
    closest to equal (least squares) that reproduce the pooled forced choice of every
    year with all ten countries' figures (2020 and 2021, sim/data/survey_panel.csv),
    floored at 1% and renormalized. States the panel lacks (a scenario with other
    states) fall back to equal weights.
    """
    return _pooling(tuple(states)).copy()


def pooled(values, states) -> float:
    """The survey-pooled mean of per-state ``values`` (ordered as ``states``)."""
    return float(np.asarray(values, float) @ pooling_weights(states))


@lru_cache(maxsize=8)  # read and solved once per set of states, not at every answer
def _pooling(states: tuple[str, ...]) -> np.ndarray:
    panel = read_data("survey_panel.csv")
    forced = panel[panel["question"] == FORCED]
    table = forced[forced["country"] != "ASEAN"].pivot(index="country", columns="year", values="percent")
    # the editions the shipped panel fit saw (2020, 2021); 2024's ten figures join at its next refit
    years = [y for y in table.columns if table[y].notna().all() and y <= POOLING_THROUGH]
    if sorted(states) != sorted(table.index) or not years:
        return np.full(len(states), 1.0 / len(states))
    shares = table.loc[list(states), years].to_numpy().T / 100
    pooled_share = forced[(forced["country"] == "ASEAN")].set_index("year").loc[years, "percent"].to_numpy() / 100
    equal = np.full(len(states), 1.0 / len(states))
    A = np.vstack([np.ones(len(states)), shares])
    b = np.concatenate([[1.0], pooled_share])
    weights = np.maximum(equal + A.T @ np.linalg.solve(A @ A.T, b - A @ equal), 0.01)
    return weights / weights.sum()
