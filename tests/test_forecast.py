"""The rolling forecasts (sim.calibration.forecast) and the forecast ledger (sim.calibration.ledger)."""

import shutil

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit, logit

from sim.base.errors import InputError
from sim.calibration import forecast, ledger


def test_scores_on_record_follow_from_the_ledger_rows():
    """The scores kept in forecast_scores.csv are what the ledger's own rows give: a record edited
    after it was scored (or a score typed by hand) fails here."""
    kept = pd.read_csv(ledger.SCORES)
    fresh = ledger.score(ledger.read()).set_index(["forecast", "method"])
    for row in kept.itertuples():
        assert fresh.loc[(row.forecast, row.method), "mae"] == pytest.approx(row.mae, abs=0.05)
        assert fresh.loc[(row.forecast, row.method), "side"] == row.side


def test_a_forecast_on_record_is_never_rewritten(tmp_path):
    path = tmp_path / "ledger.csv"
    shutil.copy(ledger.LEDGER, path)
    name = ledger.read(path)["forecast"].iloc[-1]
    rows = ledger.read(path)
    rows = rows[rows["forecast"] == name].copy()
    assert len(ledger.record(name, rows, "again", path)) == len(ledger.read(path))  # the same figures: no change
    rows["model"] += 1.0
    with pytest.raises(InputError, match="never rewritten"):
        ledger.record(name, rows, "changed", path)
    assert ledger.read(path).equals(ledger.read(ledger.LEDGER))


def test_held_out_editions_stay_out_of_the_data():
    figures = forecast.survey_figures()
    assert set(figures["year"]) <= set(forecast.EDITIONS)
    assert not {2025, 2026} & set(figures["year"])
    assert set(ledger.open_forecasts(ledger.read())["edition"]) >= {2025, 2026}


def test_a_shock_fades_per_year_unless_renewed():
    assert forecast.fade(2022, 2021, 0.5) == 0.0  # not yet declared
    assert forecast.fade(2022, 2022, 0.5) == 1.0
    assert forecast.fade(2022, 2024, 0.5) == pytest.approx(0.25)
    assert forecast.fade(2024, 2025, 0.5) == 1.0  # renewed in 2025 (RENEWED)
    assert forecast.fade(2024, 2026, 0.5) == pytest.approx(0.5)


def _one_state(percent_by_year, shocks=None):
    years = sorted(percent_by_year) + [2030]
    base = pd.DataFrame({y: [50.0] for y in years}, index=["X"])
    figures = pd.DataFrame({"state": "X", "year": list(percent_by_year), "percent": list(percent_by_year.values()),
                            "respondents": 130})
    return forecast.Structure(base, shocks or {}), figures


def test_the_forecast_is_the_gaussian_conditional_mean_worked_by_hand():
    model, figures = _one_state({2020: 60.0})
    layer = {"tau": 0.3, "sigma": 0.4, "rho": 0.5, "omega": 0.0}
    r = logit(0.6)
    v = 1 / (130 * 0.6 * 0.4)
    got = forecast.predict(figures, layer, model, 2030)
    # cov(r_2030, r_2020) / var(r_2020) * r: the lean in full, the shock faded over ten years
    expected = (0.3 ** 2 + 0.4 ** 2 * 0.5 ** 10) / (0.3 ** 2 + 0.4 ** 2 + v) * r
    assert got.loc["X", "model"] == pytest.approx(100 * expit(expected))
    assert got.loc["X", "low"] < got.loc["X", "model"] < got.loc["X", "high"]


def test_a_state_that_overshot_a_shared_shock_keeps_its_own_share_of_it():
    """Brunei's case: the shared size predicts a fall the state did not show; its own deviation
    (sd omega) carries to the next edition while the shock is renewed."""
    shock = pd.Series({"X": -1.0})
    model, figures = _one_state({2020: 50.0, 2024: 50.0}, {2024: shock})
    model = forecast.Structure(model.base.assign(**{"2025": 50.0}).rename(columns={"2025": 2025}), {2024: shock})
    layer = {"tau": 0.0, "sigma": 0.05, "rho": 0.5, "omega": 1.0}
    made = forecast.predict(figures, layer, model, 2025)
    structure_only = 100 * expit(-1.0)
    assert made.loc["X", "structure"] == pytest.approx(structure_only)
    assert made.loc["X", "model"] > structure_only + 15  # most of the deviation kept


def test_the_layer_recovers_a_fast_fade_from_swings_that_came_back():
    """Swings that are gone two editions later (Cambodia and Myanmar 2022 -> 2024) mean a small rho."""
    rng = np.random.default_rng(0)
    rows = []
    for s in range(30):
        level = 50 + rng.normal(0, 3)
        rows += [(f"S{s}", 2020, level), (f"S{s}", 2021, level + rng.choice([-25, 25])), (f"S{s}", 2022, level)]
    figures = pd.DataFrame(rows, columns=["state", "year", "percent"]).assign(respondents=10_000)
    base = pd.DataFrame({y: 50.0 for y in (2020, 2021, 2022)}, index=[f"S{s}" for s in range(30)])
    layer = forecast.fit_layer(figures, forecast.Structure(base, {}))
    assert layer["rho"] < 0.3


def test_forecast_command_prints_the_ledger_and_refuses_a_bad_replicate_count(capsys):
    from sim.cli import main

    assert main(["forecast", "--ledger"]) == 0
    out = capsys.readouterr().out
    assert "outlook_2024" in out and "persistence" in out
    assert main(["forecast", "--replicates", "many"]) == 2
    assert "--replicates" in capsys.readouterr().err
