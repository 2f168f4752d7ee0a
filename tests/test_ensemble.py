"""The ensemble engine at scale: agreement with Mesa in distribution, chunking, run identity, benchmark.

Noise-off (and noise-on, same seed) equality with Mesa, bit for bit, on every
scenario is tests/test_model.py::test_mesa_and_ensemble_agree. Sizes here are
small to keep the suite fast: 12 steps, 200 runs per engine.
"""

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from benchmarks import bench
from sim.base.errors import InputError
from sim.cli import main
from sim.core.inputs import Inputs
from sim.core.outcomes import run_outcomes
from sim.engines.ensemble import simulate, simulate_chunks, simulate_outcomes, write_outcomes
from sim.engines.memory import bytes_per_run, chunk_size
from sim.schema.scenario import load


def final_asean(trajectory, partner):
    return trajectory.alignment[:, -1, :, trajectory.partners.index(partner)].mean(1)


def test_noise_on_engines_agree_in_distribution():
    """200 Mesa runs (seed 1) and 200 ensemble runs (seed 2) are samples of one distribution.

    Different seeds, so the samples are independent; 12 steps to keep it light.
    """
    mesa = sim.run("baseline_2020", replicates=200, steps=12, seed=1, engine="mesa").trajectory
    ensemble = sim.run("baseline_2020", replicates=200, steps=12, seed=2, engine="ensemble").trajectory
    for outcome in (lambda t: final_asean(t, "US"), lambda t: final_asean(t, "CN"), lambda t: t.cohesion()[:, -1]):
        a, b = outcome(mesa), outcome(ensemble)
        assert a.std() > 0 and b.std() > 0  # noise is on in both
        for sample, other in ((a, b), (b, a)):
            half_width = 2.576 * sample.std(ddof=1) / np.sqrt(len(sample))  # 99% CI of the mean
            assert abs(other.mean() - sample.mean()) < half_width + 2.576 * other.std(ddof=1) / np.sqrt(len(other))
        assert stats.ks_2samp(a, b).pvalue > 0.01


def test_engines_differ_in_distribution_when_they_should():
    """The KS test used above can fail: it rejects a real shift (US commitment halved)."""
    base = sim.run("baseline_2020", replicates=200, steps=12, seed=2).trajectory
    shifted = sim.run("baseline_2020", replicates=200, steps=12, seed=3,
                      overrides={"world.us_commitment": 0.5}).trajectory
    assert stats.ks_2samp(final_asean(base, "US"), final_asean(shifted, "US")).pvalue < 0.01


@pytest.mark.parametrize("name", ["baseline_2020", "scs_crisis", "china_assertive"])
def test_outcomes_only_recording_equals_full_trajectory_outcomes(name):
    scenario = load(name)
    inputs = Inputs.build(scenario, [{}] * 40)
    full = run_outcomes(simulate(inputs, scenario.events, 20, 5))
    light = simulate_outcomes(inputs, scenario.events, 20, 5)
    pd.testing.assert_frame_equal(light, full, check_exact=True)


def test_chunked_equals_unchunked_row_for_row():
    scenario = load("china_assertive")
    variations = [{}, {"world.rivalry": 0.9}, {"model.noise": 0.5}]
    inputs = Inputs.build(scenario, [v for v in variations for _ in range(5)])
    whole = run_outcomes(simulate(inputs, scenario.events, 10, 3))
    chunks = list(simulate_chunks(scenario, variations, replicates=5, steps=10, seed=3, chunk_runs=4))
    assert [len(c) for c in chunks] == [4, 4, 4, 3]
    joined = pd.concat(chunks)
    np.testing.assert_array_equal(joined.index, np.arange(15))
    pd.testing.assert_frame_equal(joined.reset_index(drop=True), whole, check_exact=True)


def test_memory_budget_picks_the_chunks_and_trajectory_chunks_match():
    scenario = load("baseline_2020")
    budget_mb = 3 * bytes_per_run(10, len(scenario.partners), 6, "trajectory") / 2**20  # room for three runs
    chunks = list(simulate_chunks(scenario, replicates=7, steps=6, seed=4, memory_mb=budget_mb, record="trajectory"))
    assert [len(runs) for runs, _ in chunks] == [3, 3, 1]
    whole = simulate(Inputs.build(scenario, [{}] * 7), scenario.events, 6, 4)
    for runs, trajectory in chunks:
        np.testing.assert_array_equal(trajectory.alignment, whole.alignment[runs])
        np.testing.assert_array_equal(trajectory.terms, whole.terms[runs])


def test_chunk_stays_within_its_memory_budget():
    import tracemalloc

    scenario = load("baseline_2020")
    budget_mb = 4
    runs = chunk_size(10, len(scenario.partners), 40, budget_mb)
    inputs = Inputs.build(scenario, [{}] * runs)
    tracemalloc.start()
    simulate_outcomes(inputs, scenario.events, 40, 1)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert 0.5 * budget_mb * 2**20 < peak <= budget_mb * 2**20  # within budget, and not wildly under


@pytest.mark.parametrize("name", ["scs_crisis", "peninsula_detente"])  # crises, noise and events
def test_run_k_alone_equals_run_k_in_a_batch(name):
    scenario = load(name)
    batch = simulate(Inputs.build(scenario, [{}] * 6), scenario.events, 15, 9, runs=np.arange(10, 16))
    alone = simulate(Inputs.build(scenario), scenario.events, 15, 9, runs=[13])
    np.testing.assert_array_equal(alone.alignment[0], batch.alignment[3])
    np.testing.assert_array_equal(alone.crisis[0], batch.crisis[3])
    assert not np.array_equal(batch.alignment[2], batch.alignment[3])


def test_write_outcomes_streams_every_chunk_to_one_file(tmp_path):
    path = write_outcomes(tmp_path / "out.parquet", "baseline_2020", replicates=9, steps=5, seed=2,
                          memory_mb=4 * bytes_per_run(10, 4, 5) / 2**20, metadata={"seed": 2})
    table = pd.read_parquet(path)
    expected = pd.concat(simulate_chunks("baseline_2020", replicates=9, steps=5, seed=2, chunk_runs=9))
    assert list(table["run"]) == list(range(9))
    pd.testing.assert_frame_equal(table.set_index("run"), expected, check_exact=True)
    assert not list(tmp_path.glob(".*tmp"))


@pytest.mark.parametrize("bad", [{"memory_mb": 0}, {"record": "everything"}, {"replicates": 0},
                                 {"steps": -1}, {"chunk_runs": 0}])
def test_bad_chunk_options_are_one_line_errors(bad):
    with pytest.raises(InputError):
        simulate_chunks("baseline_2020", **bad)  # checked at the call, before any chunk runs


def test_mesa_batch_run_does_exactly_the_steps_asked_on_distinct_runs():
    rows = bench.mesa_batch(3, steps=5, seed=1)
    assert (rows["Step"] + 1 == 5).all()
    assert rows["ASEAN US"].nunique() == 3
    bench.check_same_work(rows, steps=5, seed=1)  # raises if the engines' runs differ


def test_bench_json_reports_a_ratio_above_one(capsys):
    assert main(["bench", "--runs", "200", "--mesa-runs", "5", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == set(bench.JSON_KEYS)
    assert data["ratio"] == pytest.approx(data["ensemble_runs_per_s"] / data["mesa_runs_per_s"])
    assert data["gap_to_fused"] == pytest.approx(data["fused_runs_per_s"] / data["ensemble_runs_per_s"])
    assert data["ratio"] > 1 and data["peak_rss_mb"] > 0


@pytest.mark.parametrize("argv", [["bench", "--runs", "0"], ["bench", "--mesa-runs", "-3"],
                                  ["bench", "--memory-mb", "0"]])
def test_bench_bad_option_exits_2(argv, capsys):
    assert main(argv) == 2
    assert capsys.readouterr().err.count("\n") == 1
