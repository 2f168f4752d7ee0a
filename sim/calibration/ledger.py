"""The forecast ledger: every forecast of a held-out edition on record, never rewritten, and its score
once that edition is in-sample (issue 24, docs/validation.md "Forecasts on record").

`sim/data/forecast_ledger.csv` holds one row per (forecast, state): the model's figure and interval,
and the naive forecasts a forecaster had at the same origin (persistence, the mean of past
editions, the statistical baseline of `sim.calibration.forecast`). `record` appends a new forecast
and refuses to change one already there; `score` scores every forecast whose edition the
project's data now hold. `sim/data/forecast_scores.csv` keeps each score as first recorded:
`score_new` only adds rows for forecasts not yet scored.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from sim.base.errors import InputError
from sim.base.files import atomic_write
from sim.calibration.forecast import METHODS, scores, survey_figures

DATA = Path(__file__).resolve().parents[1] / "data"
LEDGER = DATA / "forecast_ledger.csv"
SCORES = DATA / "forecast_scores.csv"
COLUMNS = ["forecast", "digest", "origin", "edition", "state", *METHODS, "low", "high", "recorded"]
NAIVE_ONLY = ("persistence", "past_mean", "baseline")


def read(path: Path = LEDGER) -> pd.DataFrame:
    return pd.read_csv(path)


def digest(table: pd.DataFrame) -> str:
    """A short hash of a forecast's figures (state, edition, model, low, high to 0.1 pp)."""
    rows = table.sort_values(["edition", "state"])[["edition", "state", "model", "low", "high"]]
    text = rows.round(1).to_csv(index=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def record(name: str, table: pd.DataFrame, recorded: str, path: Path = LEDGER) -> pd.DataFrame:
    """Append forecast ``name`` (rows of `sim.calibration.forecast.forecast`) to the ledger; a forecast
    already on record under that name must be identical, or this refuses (the record is not rewritten)."""
    ledger = read(path)
    figures = {column: table[column].round(1) for column in (*METHODS, "low", "high")}
    new = pd.DataFrame({"forecast": name, "digest": digest(table), "origin": table["origin"],
                        "edition": table["edition"], "state": table["state"], **figures,
                        "recorded": recorded})[COLUMNS]
    old = ledger[ledger["forecast"] == name]
    if len(old):
        if old["digest"].iloc[0] != new["digest"].iloc[0]:
            raise InputError(str(path), "forecast", name, f"the forecast on record (digest {old['digest'].iloc[0]}); "
                             "a forecast on record is never rewritten: record it under a new name")
        return ledger
    ledger = pd.concat([ledger, new], ignore_index=True)
    atomic_write(path, lambda tmp: ledger.to_csv(tmp, index=False))
    return ledger


def score(ledger: pd.DataFrame, truth: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per forecast and method: figures scored, mean absolute error (pp), Spearman rank correlation
    and states on the survey's side of 50%, for every ledger row whose edition is in-sample."""
    truth = survey_figures() if truth is None else truth
    return scores(ledger, truth, by=("forecast", "edition")).round({"mae": 1, "spearman": 2})


def score_new(path: Path = SCORES, ledger_path: Path = LEDGER) -> pd.DataFrame:
    """The scores on record, plus (written) those of forecasts scored for the first time."""
    kept = pd.read_csv(path)
    fresh = score(read(ledger_path))
    new = fresh[~fresh["forecast"].isin(kept["forecast"])]
    if len(new):
        kept = pd.concat([kept, new], ignore_index=True)
        atomic_write(path, lambda tmp: kept.to_csv(tmp, index=False))
    return kept


def open_forecasts(ledger: pd.DataFrame, truth: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ledger's rows whose edition is still held out (not in the project's data)."""
    truth = survey_figures() if truth is None else truth
    return ledger[~ledger["edition"].isin(set(truth["year"]))]

