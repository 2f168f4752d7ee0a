"""Parameter uncertainty (issue 14, item 6): intervals over the panel fit's bootstrap draws in run,
compare and validate. Parameter keys come from the draws file, never from here."""

import json

import numpy as np
import pandas as pd
import pytest

import sim
from sim.calibration.validation import with_intervals
from sim.cli import main
from sim.running.uncertainty import (draw_runs, draws_path, interval_table, intervals, load_draws,
                                     parameter_intervals)
from sim.calibration.panel import shipped_values
from sim.schema import parameters
from sim.schema.scenario import EVENT_SIZE

STEPS = 12  # short runs: the properties below hold at any length


def default_draw() -> pd.DataFrame:
    """One draw: every drawn key at its shipped default (an event size at the shipped event's)."""
    defaults = parameters.defaults() | shipped_values()
    return pd.DataFrame([{key: defaults[key] for key in load_draws().columns}])


def width(frame: pd.DataFrame, measure: str) -> pd.Series:
    rows = frame[frame["measure"] == measure].set_index("state")
    return rows["hi"] - rows["lo"]


def test_the_draws_file_is_read_as_it_is_whatever_its_keys():
    draws = load_draws()
    assert len(draws) >= 2 and list(draws.columns) == list(pd.read_csv(draws_path()).columns)
    assert all(parameters.spec(key.removeprefix(EVENT_SIZE)) for key in draws.columns)
    assert list(load_draws(count=3).index) == [0, 1, 2]
    with pytest.raises(sim.InputError, match="at most the"):
        load_draws(count=len(draws) + 1)


def test_one_draw_at_the_defaults_collapses_to_the_runs_own_replicate_spread():
    replicates = 9
    frame = parameter_intervals("baseline_2020", default_draw(), replicates=replicates, steps=STEPS)
    result = sim.run("baseline_2020", steps=STEPS, replicates=replicates)
    final = result.trajectory.alignment[:, -1]  # [run, state, partner]
    forced = result.trajectory.forced_us()[:, -1]
    for i, state in enumerate(result.scenario.states):
        rows = frame[frame["state"] == state].set_index("measure")
        for j, partner in enumerate(result.scenario.partners):
            lo, hi = np.quantile(final[:, i, j], [0.05, 0.95])
            assert rows.loc[partner, ["lo", "hi"]].tolist() == pytest.approx([lo, hi], abs=1e-12)
            assert rows.loc[partner, "mean"] == pytest.approx(result.final.loc[state, partner], abs=1e-12)
        lo, hi = np.quantile(forced[:, i], [0.05, 0.95])
        assert rows.loc["forced_us", ["lo", "hi"]].tolist() == pytest.approx([lo, hi], abs=1e-12)
    assert (frame["mean_lo"] == frame["mean_hi"]).all()  # one draw: no parameter spread
    assert (frame["runs"] == replicates).all() and frame["draws"].str.contains("row 0").all()


def test_intervals_contain_the_point_answer():
    replicates = 6
    frame = parameter_intervals("survey_2020", replicates=replicates, steps=STEPS)
    point = sim.run("survey_2020", steps=STEPS, replicates=replicates).final
    for row in frame.itertuples():
        assert row.lo <= row.mean <= row.hi and row.mean_lo <= row.mean <= row.mean_hi
        assert row.lo - 1e-9 <= point.loc[row.state, row.measure] <= row.hi + 1e-9, (row.state, row.measure)
    assert list(frame["state"].unique())[-1] == "ASEAN"
    assert set(frame["measure"]) == {*point.columns.drop(["hedging", "leading"])}


def test_parameter_uncertainty_widens_the_intervals_where_the_fitted_parameters_matter():
    replicates = 8
    with_draws = parameter_intervals("survey_2020", replicates=replicates, steps=STEPS)
    without = parameter_intervals("survey_2020", default_draw(), replicates=replicates, steps=STEPS)
    forced = with_draws[with_draws["measure"] == "forced_us"].set_index("state")
    assert (forced["mean_hi"] > forced["mean_lo"]).all()  # every state's expected answer moves with the draws
    most_moved = (forced["mean_hi"] - forced["mean_lo"]).drop("ASEAN").idxmax()
    wider = width(with_draws, "forced_us") > width(without, "forced_us")
    assert wider[most_moved] and wider.drop("ASEAN").mean() > 0.5, wider


def test_same_numbers_from_one_or_two_workers_and_from_the_seed():
    draws = load_draws(count=4)
    one = draw_runs("baseline_2020", draws, replicates=3, steps=STEPS, workers=1)
    two = draw_runs("baseline_2020", draws, replicates=3, steps=STEPS, workers=2)
    assert np.array_equal(one.alignment, two.alignment) and np.array_equal(one.forced_us, two.forced_us)
    small_chunks = draw_runs("baseline_2020", draws, replicates=3, steps=STEPS, memory_mb=0.05)
    assert np.array_equal(one.alignment, small_chunks.alignment)
    other_seed = draw_runs("baseline_2020", draws, replicates=3, steps=STEPS, seed=7)
    assert not np.array_equal(one.alignment, other_seed.alignment)
    # common random numbers: replicate r of each draw sees the same noise, so draws differ by parameters only
    same = draw_runs("baseline_2020", pd.concat([draws.head(1)] * 2), replicates=3, steps=STEPS)
    assert np.array_equal(same.alignment[0], same.alignment[1])


def test_a_drawn_key_the_scenario_sets_keeps_the_scenarios_value():
    draws = load_draws(count=3)
    key = draws.columns[0]
    value = parameters.defaults()[key]
    runs = draw_runs("baseline_2020", draws, replicates=2, steps=STEPS, overrides={key: value})
    assert runs.held == (key,) and key in runs.manifest["held_at_scenario_value"]


def test_the_interval_table_shows_mean_and_range_in_percent():
    frame = pd.DataFrame({"state": ["A", "A", "ASEAN", "ASEAN"], "measure": ["US", "forced_us"] * 2,
                          "mean": [0.5, 0.25, 0.5, 0.25], "lo": [0.4, 0.2, 0.4, 0.2], "hi": [0.6, 0.3, 0.6, 0.3]})
    table = interval_table(frame)
    assert list(table.index) == ["A", "ASEAN"] and table.loc["A", "forced_us"] == "25.0 [20.0, 30.0]"


def test_compare_with_one_default_draw_gives_the_plain_means_and_collapsed_intervals():
    names = ["baseline_2020", "us_retrenchment"]
    plain = sim.compare(names, replicates=10, steps=STEPS)
    drawn = sim.compare(names, replicates=10, steps=STEPS, draws=default_draw())
    pd.testing.assert_series_equal(plain.differences["difference"], drawn.differences["difference"])
    assert (drawn.differences["lo"] == drawn.differences["difference"]).all()
    assert (drawn.differences["hi"] == drawn.differences["difference"]).all()


def test_compare_with_parameter_uncertainty_has_wider_difference_intervals():
    names = ["baseline_2020", "us_retrenchment"]
    draws = load_draws()
    plain = sim.compare(names, replicates=4 * len(draws), steps=STEPS)
    drawn = sim.compare(names, replicates=4, steps=STEPS, draws=draws)
    us = [c.differences.set_index("measure").loc["US"] for c in (plain, drawn)]
    assert us[1]["hi"] - us[1]["lo"] > us[0]["hi"] - us[0]["lo"]
    row = us[1]
    assert row["lo"] <= row["difference"] <= row["hi"]
    assert drawn.manifest["parameter_uncertainty"]["draw_count"] == len(draws)


def test_run_command_prints_and_writes_the_intervals(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "baseline_2020", "--steps", "8", "--replicates", "2", "--parameter-uncertainty",
                 "--draws", "3", "--workers", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "With parameter uncertainty" in printed and "3 parameter draws" in printed and "intervals.csv" in printed
    table = pd.read_csv(out / "intervals.csv")
    assert set(table.columns) >= {"state", "measure", "mean", "lo", "hi", "draws"} and (table["runs"] == 6).all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameter_uncertainty"]["draw_count"] == 3 and manifest["files"]["intervals"] == "intervals.csv"


def test_run_command_json_carries_the_intervals(capsys):
    assert main(["run", "baseline_2020", "--steps", "4", "--no-files", "--json", "--parameter-uncertainty",
                 "--draws", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["parameter_uncertainty"]["draw_count"] == 2 and data["parameter_uncertainty"]["intervals"]


def test_compare_command_reports_intervals_over_draws(tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["compare", "baseline_2020", "us_retrenchment", "--steps", "8", "--replicates", "3",
                 "--parameter-uncertainty", "--draws", "5", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "5 parameter draws" in printed and "Difference from baseline_2020" in printed
    assert "range over the 5 parameter draws" in (out / "report.md").read_text()


@pytest.mark.parametrize("argv, fragment", [
    (["run", "baseline_2020", "--draws", "3"], "--parameter-uncertainty"),
    (["run", "baseline_2020", "--workers", "2"], "--parameter-uncertainty"),
    (["run", "baseline_2020", "--parameter-uncertainty", "--engine", "mesa"], "--engine"),
    (["run", "baseline_2020", "--parameter-uncertainty", "--draws", "0"], "--draws"),
    (["run", "baseline_2020", "--parameter-uncertainty", "--draws", "100000"], "--draws"),
    (["run", "baseline_2020", "--parameter-uncertainty", "--workers", "two"], "--workers"),
    (["run", "baseline_2020", "--parameter-uncertainty", "--draws-file", "/nowhere/draws.csv"], "--draws-file"),
    (["compare", "baseline_2020", "us_retrenchment", "--draws-file", "x.csv"], "--parameter-uncertainty"),
    (["compare", "baseline_2020", "us_retrenchment", "--parameter-uncertainty", "--workers", "2"], "--workers"),
])
def test_bad_uncertainty_options_are_one_line_errors(run_cli, argv, fragment):
    code, err = run_cli(*argv, "--no-files" if argv[0] == "run" else "--steps=2")
    assert code == 2 and len(err.strip().splitlines()) == 1 and fragment in err, err


def test_a_draws_file_with_an_unknown_key_or_a_bad_value_is_refused(tmp_path, run_cli):
    key = load_draws().columns[0]
    for text, fragment in ((f"{key},not.a.key\n1,2\n", "not.a.key"), (f"{key}\nmuch\n", key)):
        path = tmp_path / "draws.csv"
        path.write_text(text)
        code, err = run_cli("run", "baseline_2020", "--no-files", "--parameter-uncertainty", "--draws-file", str(path))
        assert code == 2 and len(err.strip().splitlines()) == 1 and fragment in err, err


def test_validate_puts_each_country_figure_beside_the_models_interval():
    countries = pd.DataFrame({"year": [2020, 2020], "state": ["Brunei", "Vietnam"], "survey": [30.0, 99.9],
                              "model": [26.0, 82.0], "persistence": [np.nan, np.nan]})
    table = with_intervals(countries, replicates=2)
    assert (table["model_5"] <= table["model_95"]).all() and table["in_interval"].dtype == bool
    assert not table.set_index("state").loc["Vietnam", "in_interval"]


def test_intervals_of_given_runs_are_one_row_per_state_and_measure():
    runs = draw_runs("baseline_2020", load_draws(count=2), replicates=2, steps=4)
    frame = intervals(runs)
    assert len(frame) == (len(runs.states) + 1) * (len(runs.partners) + 1)
