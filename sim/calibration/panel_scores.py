"""Scores of the panel's answers: the model beside the survey and the persistence forecast, per state and year.

Persistence ("same as the last survey") answers a country's figure with its
figure in the latest earlier edition that has it (`sim.schema.survey_panel.latest_figures`).
Scores: mean absolute error, Spearman's rho over states, and how many answers
fall on the survey's side of 50%. `backtest_scores` scores a fit of the early
years (`sim.calibration.panel.fit_panel(through=YEAR)`) on the later ones.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.calibration.panel import PanelFit
from sim.schema.survey_panel import country_forced, latest_figures
from sim.schema.survey_pool import FORCED


def side_of_half(model, survey) -> int:
    """How many answers fall on the survey's side of 50%."""
    return int(((np.asarray(model) - 50) * (np.asarray(survey) - 50) > 0).sum())


def per_state_scores(model: pd.Series, survey: pd.Series) -> dict:
    """Mean absolute error (pp), Spearman's rho and side-of-50% count of per-state answers."""
    from scipy.stats import spearmanr  # scipy loads only when answers are scored

    return {"states": int(len(survey)), "mae_pp": float((model - survey).abs().mean()),
            "spearman": float(spearmanr(model, survey).statistic) if len(survey) > 2 else float("nan"),
            "side_of_50": side_of_half(model, survey)}


def year_scores(table: pd.DataFrame) -> pd.DataFrame:
    """Per year: the model's and the persistence forecast's per-state scores against the survey.

    Persistence ("same as the last survey") answers a country's figure with its
    figure in the latest earlier edition that has it; 2020 has none.
    """
    forced = country_forced(table)
    rows = []
    for year, group in forced.groupby("year"):
        last = persistence(forced, year, group["state"])
        model = per_state_scores(group["model"], group["percent"])
        row = {"year": int(year), **{f"model_{k}": v for k, v in model.items()}}
        if last.notna().any():
            known = last.notna().to_numpy()
            scores = per_state_scores(last[known], group["percent"][known])
            row |= {f"persistence_{k}": v for k, v in scores.items()}
        rows.append(row)
    return pd.DataFrame(rows)


def persistence(forced: pd.DataFrame, year: int, states: pd.Series) -> pd.Series:
    """Each state's figure in its latest survey before ``year`` (NaN if none), aligned to ``states``."""
    last = latest_figures(forced, year)["percent"]
    return pd.Series(states.map(last).to_numpy(), index=states.index)


def country_table(table: pd.DataFrame) -> pd.DataFrame:
    """Per state and year: the survey's forced choice, the model's and the persistence forecast's."""
    forced = country_forced(table)
    out = forced[["year", "state", "percent", "model"]].rename(columns={"percent": "survey"})
    out["persistence"] = pd.concat([persistence(forced, year, group["state"])
                                    for year, group in forced.groupby("year")])
    out["model_error"] = out["model"] - out["survey"]
    out["persistence_error"] = out["persistence"] - out["survey"]
    return out.round(1).reset_index(drop=True)


def backtest_scores(fit: PanelFit) -> pd.DataFrame:
    """The forced-choice figures after ``fit.through`` (not fitted): the model's answer beside the
    persistence forecast a forecaster had then (each state's, and ASEAN's, latest figure up to that
    year), with both errors."""
    forced = fit.table[fit.table["question"] == FORCED]
    known = latest_figures(forced, fit.through + 1)["percent"]
    later = forced[forced["year"] > fit.through]
    table = pd.DataFrame({"year": later["year"], "state": later["state"], "survey": later["percent"],
                          "model": later["model"], "persistence": later["state"].map(known).astype(float)})
    table["model_error"] = table["model"] - table["survey"]
    table["persistence_error"] = table["persistence"] - table["survey"]
    return table.round(1).reset_index(drop=True)
