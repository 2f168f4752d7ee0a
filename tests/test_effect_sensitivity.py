"""The sensitivity of an effect (issue 26): sweeps against a second scenario store paired differences,
every state's forced choice is an outcome, and one sensitivity call analyses many outcomes and draws a
state x assumption heatmap. Expected values come from the model itself, never written down."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.cli import main
from sim.experiments import sensitivity_analysis as analysis

VARY = ["weights.security=0.5:1.5", "states.Vietnam.ties.EU=0:1"]  # EU is not modelled: no effect
SMALL = {"samples": 4, "replicates": 2, "steps": 6}


def test_a_sweep_against_a_scenario_stores_the_run_by_run_difference_of_the_two_sweeps():
    effect = sim.sweep("us_retrenchment", VARY, against="baseline_2020", **SMALL).runs
    level = sim.sweep("us_retrenchment", VARY, **SMALL).runs
    reference = sim.sweep("baseline_2020", VARY, **SMALL).runs
    for column in ("asean_US", "forced_us", "forced_us_Philippines", "Vietnam_CN"):
        np.testing.assert_allclose(effect[column], level[column] - reference[column], rtol=0, atol=1e-15)
    assert not any(c.startswith("leading_") for c in effect.columns)  # names do not subtract


def test_a_scenario_against_itself_has_no_effect_and_the_manifest_says_what_the_outcomes_are():
    result = sim.sweep("baseline_2020", VARY, against="baseline_2020", **SMALL)
    numeric = result.runs.drop(columns=["run", "variation", "replicate", "tipping_step", *result.plan_keys])
    assert (numeric.to_numpy() == 0).all()
    assert "paired differences" in result.manifest["outcomes"] and result.manifest["against"] == "baseline_2020"


def test_every_states_forced_choice_is_an_outcome_averaging_to_the_asean_one():
    runs = sim.sweep("baseline_2020", VARY, **SMALL).runs
    states = sim.load("baseline_2020").states
    per_state = runs[[f"forced_us_{s}" for s in states]]
    np.testing.assert_allclose(per_state.mean(axis=1), runs["forced_us"], atol=1e-12)
    assert ((per_state > 0) & (per_state < 1)).all().all()


def test_a_changed_against_is_a_different_sweep(tmp_path, capsys):
    argv = ["sweep", "us_retrenchment", "--vary", VARY[0], "--samples", "2", "--steps", "3", "--out", str(tmp_path)]
    assert main([*argv, "--against", "baseline_2020"]) == 0
    assert main(argv) == 2 and "holds a different sweep" in capsys.readouterr().err


def test_one_sensitivity_call_analyses_every_states_forced_choice_of_the_effect():
    result = sim.sensitivity("us_retrenchment", VARY, method="morris", outcome=["forced_us_*", "forced_us"],
                             samples=4, steps=6, against="baseline_2020")
    states = list(sim.load("baseline_2020").states)
    assert result.outcomes == ["forced_us", *[f"forced_us_{s}" for s in states]]
    assert result.effect == "us_retrenchment minus baseline_2020"
    grids = analysis.state_grids(result)
    grid = grids["forced choice (% US)"]
    assert list(grid.index) == [*states, "ASEAN"] and list(grid.columns) == ["weights.security",
                                                                            "states.Vietnam.ties.EU"]
    assert (grid["states.Vietnam.ties.EU"].abs() < 1e-9).all()  # an input the model does not use moves nothing
    assert (grid["weights.security"] > 0).any()
    single = sim.sensitivity("us_retrenchment", VARY, method="morris", outcome="forced_us_Vietnam", samples=4,
                             steps=6, against="baseline_2020")
    pd.testing.assert_frame_equal(single.indices, result.indices.loc["forced_us_Vietnam"])


def test_a_pattern_matching_nothing_is_refused_with_a_suggestion():
    with pytest.raises(sim.InputError, match="--outcome.*forced_us_Philippines"):
        sim.sensitivity("baseline_2020", VARY, outcome="forced_us_Phillipines", samples=4, steps=2)


def test_the_bar_chart_legend_covers_no_bar():
    result = sim.sensitivity("baseline_2020", VARY, method="morris", outcome="asean_US", samples=4, steps=4)
    fig = analysis.figure(result)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legend = fig.legends[0].get_window_extent(renderer)
    axes = fig.axes[0].get_window_extent(renderer)
    assert not legend.overlaps(axes)


def test_sensitivity_command_writes_one_table_and_one_heatmap_for_many_outcomes(tmp_path, capsys):
    out = tmp_path / "effect"
    argv = ["sensitivity", "us_retrenchment", "--against", "baseline_2020", "--vary", VARY[0], "--vary", VARY[1],
            "--method", "morris", "--outcome", "forced_us_*", "--outcome", "*_US", "--samples", "4", "--steps", "4",
            "--out", str(out)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "the effect: us_retrenchment minus baseline_2020" in printed and "forced choice (% US)" in printed
    table = pd.read_csv(out / "sensitivity_morris.csv")
    assert {"forced_us_Vietnam", "Vietnam_US", "asean_US", "led_US"} <= set(table["outcome"])
    assert (out / "sensitivity_morris_heatmap.png").stat().st_size > 10_000


def test_the_default_directory_names_the_variant_whole_and_the_scenario_it_is_against(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv = ["sensitivity", "baseline_2020@world.us_commitment=0.75", "--against", "baseline_2020", "--vary", VARY[0],
            "--vary", VARY[1], "--method", "morris", "--outcome", "forced_us", "--samples", "2", "--steps", "3"]
    assert main(argv) == 0
    made = [path.name for path in (tmp_path / "results").iterdir()]
    assert made == ["sensitivity_baseline_2020@world.us_commitment-0.75_vs_baseline_2020_morris"]
