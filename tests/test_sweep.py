"""Sweeps: samplers, run identity, summary, and byte-identical files for any workers, dask or memory budget.

Sweeps here are tiny (a few steps, tens of runs) so the module stays fast;
the dask LocalCluster is started once for the module.
"""

import hashlib
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim.base.errors import InputError
from sim.cli import main
from sim.core.inputs import Inputs
from sim.engines.ensemble import simulate_outcomes
from sim.experiments.plan import make_plan
from sim.experiments.sampling import design, parse_vary
from sim.experiments.store import read_runs, write_table
from sim.experiments.summary import summarize
from sim.schema.scenario import load

ROOT = Path(__file__).resolve().parent.parent
VARY = ["world.us_commitment=0.5:1.5", "weights.peer=0:3"]
SMALL = dict(vary=VARY, sampler="lhs", samples=6, replicates=3, steps=4, seed=11, chunk_runs=5)


def digests(folder: Path) -> dict[str, str]:
    """sha256 of every chunk file and of the samples and summary tables."""
    files = sorted((folder / "runs").glob("chunk-*.parquet")) + [folder / "samples.parquet", folder / "summary.parquet"]
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


# --- samplers ------------------------------------------------------------------------


def test_grid_sweep_covers_every_combination_of_levels(tmp_path):
    result = sim.sweep("baseline_2020", vary=["world.rivalry=0.2:0.8:3", "weights.peer=0:2:2"], sampler="grid",
                       replicates=2, steps=3, out=tmp_path / "grid")
    levels = result.samples.drop_duplicates()
    assert len(levels) == 6
    assert sorted(levels["world.rivalry"].unique()) == pytest.approx([0.2, 0.5, 0.8])
    assert sorted(levels["weights.peer"].unique()) == [0.0, 2.0]
    runs = result.runs
    assert len(runs) == 12 and list(runs["run"]) == list(range(12))
    assert (runs["variation"] == runs["run"] // 2).all() and (runs["replicate"] == runs["run"] % 2).all()
    np.testing.assert_array_equal(runs[["world.rivalry", "weights.peer"]].to_numpy(),
                                  result.samples.loc[runs["variation"]].to_numpy())


def test_lhs_sweep_puts_one_sample_in_each_stratum_of_each_parameter():
    result = sim.sweep("baseline_2020", vary=VARY, sampler="lhs", samples=10, steps=3)
    for vary in map(parse_vary, VARY):
        strata = np.floor((result.samples[vary.key] - vary.lo) / (vary.hi - vary.lo) * 10)
        assert sorted(strata.astype(int)) == list(range(10))
    assert len(result.runs) == 10


def test_sobol_sweep_is_balanced_and_needs_a_power_of_two():
    result = sim.sweep("baseline_2020", vary=["world.rivalry=0:1"], sampler="sobol", samples=16, steps=3)
    assert sorted(np.floor(result.samples["world.rivalry"] * 16).astype(int)) == list(range(16))
    with pytest.raises(InputError, match="power of two"):
        sim.sweep("baseline_2020", vary=["world.rivalry=0:1"], sampler="sobol", samples=12, steps=3)


@pytest.mark.parametrize("sampler", ["lhs", "sobol", "saltelli", "morris"])
def test_samplers_are_seeded_and_stay_within_the_range(sampler):
    first = design(VARY, sampler, 8, seed=3)
    assert first.equals(design(VARY, sampler, 8, seed=3))
    assert not first.equals(design(VARY, sampler, 8, seed=4))
    for vary in map(parse_vary, VARY):
        assert first[vary.key].between(vary.lo, vary.hi).all()


@pytest.mark.parametrize("text, fragments", [
    ("world.rivalry", ["--vary", "KEY=LO:HI"]),
    ("world.rivalry=0.5", ["KEY=LO:HI"]),
    ("world.rivalyr=0:1", ["world.rivalyr", "known parameter"]),
    ("world.us_commitment=0:2", ["world.us_commitment", "2", "[0, 1.5]"]),
    ("world.rivalry=-1:0.5", ["world.rivalry", "-1", "[0, 1]"]),
    ("world.rivalry=0.9:0.1", ["world.rivalry", "LO < HI"]),
    ("world.rivalry=x:1", ["world.rivalry", "'x'", "a number"]),
    ("world.rivalry=0:1:1", ["world.rivalry", "grid levels"]),
    ("world.china_mode=0:1", ["world.china_mode", "numeric parameter"]),
    ("states.Atlantis.ties.US=0:1", ["Atlantis", "ASEAN state"]),
])
def test_bad_vary_is_a_one_line_error_naming_option_key_and_value(tmp_path, capsys, text, fragments):
    assert main(["sweep", "baseline_2020", "--vary", text, "--out", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: --vary")
    for fragment in fragments:
        assert fragment in err, (fragment, err)
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize("argv, fragment", [
    (["--vary", "world.rivalry=0:1", "--sampler", "grid", "--samples", "4"], "--samples"),
    (["--vary", "world.rivalry=0:1:3"], "levels are for --sampler grid"),
    (["--vary", "world.rivalry=0:1", "--vary", "world.rivalry=0:0.5"], "each key varied once"),
    (["--vary", "world.rivalry=0:1", "--replicates", "0"], "replicates"),
    (["--vary", "world.rivalry=0:1", "--workers", "0"], "--workers"),
])
def test_bad_sweep_options_exit_2(tmp_path, capsys, argv, fragment):
    assert main(["sweep", "baseline_2020", *argv, "--steps", "2", "--out", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and fragment in err


# --- what a run is -----------------------------------------------------------------------


def test_run_k_is_replicate_k_mod_r_of_set_k_div_r_on_stream_k_mod_r():
    """Run k's outcomes are those of its parameter set simulated alone on stream (seed, k % R)."""
    result = sim.sweep("scs_crisis", **SMALL)  # crises and noise: streams matter
    scenario = load("scs_crisis")
    for k in (0, 7, 17):
        values = result.samples.loc[k // 3].to_dict()
        alone = simulate_outcomes(Inputs.build(scenario, [values]), scenario.events, 4, 11, runs=[k % 3])
        row = result.runs.loc[result.runs["run"] == k, alone.columns].reset_index(drop=True)
        pd.testing.assert_frame_equal(row, alone, check_exact=True)
    same_replicate = result.runs[result.runs["replicate"] == 1]["asean_US"]
    assert same_replicate.nunique() > 1  # differing sets differ; replicates differ from each other too
    assert result.runs.groupby("variation")["asean_US"].nunique().gt(1).all()


def test_summary_is_the_mean_and_t_interval_over_replicates():
    result = sim.sweep("scs_crisis", **SMALL)
    runs, summary = result.runs, result.summary
    values = runs.loc[runs["variation"] == 4, "asean_CN"].to_numpy()
    row = summary[(summary["variation"] == 4) & (summary["outcome"] == "asean_CN")].iloc[0]
    half = stats.t.ppf(0.975, 2) * values.std(ddof=1) / np.sqrt(3)
    assert row["n"] == 3 and row["mean"] == pytest.approx(values.mean())
    assert (row["lo"], row["hi"]) == pytest.approx((values.mean() - half, values.mean() + half))
    assert row["world.us_commitment"] == result.samples.loc[4, "world.us_commitment"]
    assert "leading_Vietnam" not in set(summary["outcome"])  # text outcomes are not averaged


def test_sweep_summary_files_match_the_returned_tables(tmp_path):
    result = sim.sweep("baseline_2020", **SMALL, out=tmp_path / "s")
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "s" / "summary.parquet"), result.summary)
    pd.testing.assert_frame_equal(read_runs(tmp_path / "s"), result.runs)
    assert sim.load_sweep(tmp_path / "s").summary.equals(result.summary)
    assert result.manifest["complete"] and result.manifest["n_chunks"] == 4  # 18 runs in chunks of 5


def test_pyarrow_writes_the_same_bytes_for_the_same_table(tmp_path):
    frame = sim.sweep("baseline_2020", **SMALL).runs
    first = write_table(frame, tmp_path / "a.parquet")
    second = write_table(frame.copy(), tmp_path / "b.parquet")
    assert first == second == hashlib.sha256((tmp_path / "a.parquet").read_bytes()).hexdigest()
    changed = frame.copy()
    changed.loc[3, "asean_US"] += 1e-12
    assert write_table(changed, tmp_path / "c.parquet") != first


# --- determinism across workers, dask and memory budgets ------------------------------------


@pytest.fixture(scope="module")
def dask_cluster():
    from distributed import LocalCluster

    os.environ["PYTHONPATH"] = str(ROOT)  # the workers import this checkout's sim
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield cluster


@pytest.mark.slow
def test_workers_dask_and_memory_budget_give_byte_identical_files(tmp_path, dask_cluster):
    one = sim.sweep("scs_crisis", **SMALL, out=tmp_path / "one")
    two = sim.sweep("scs_crisis", **SMALL, out=tmp_path / "two", workers=2)
    dask = sim.sweep("scs_crisis", **SMALL, out=tmp_path / "dask", scheduler=dask_cluster.scheduler_address)
    tiny = sim.sweep("scs_crisis", **SMALL, out=tmp_path / "tiny", memory_mb=0.01)  # one run per engine batch
    reference = digests(tmp_path / "one")
    assert len(reference) == 6
    for name in ("two", "dask", "tiny"):
        assert digests(tmp_path / name) == reference, name
    in_memory = sim.sweep("scs_crisis", **SMALL)
    for result in (two, dask, tiny, in_memory):
        pd.testing.assert_frame_equal(result.runs, one.runs, check_exact=True)


def test_the_cli_sweep_equals_the_python_function(tmp_path, capsys):
    argv = ["sweep", "baseline_2020", "--vary", VARY[0], "--vary", VARY[1], "--samples", "6", "--replicates", "3",
            "--steps", "4", "--seed", "11", "--chunk-runs", "5", "--out", str(tmp_path / "cli")]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "18 runs" in out and "asean_US" in out
    sim.sweep("baseline_2020", **SMALL, out=tmp_path / "py")
    assert digests(tmp_path / "cli") == digests(tmp_path / "py")


def test_a_plan_needs_the_chunk_size_not_the_workers():
    plan = make_plan("baseline_2020", VARY, "lhs", 6, replicates=3, steps=4, seed=11, chunk_runs=5)
    assert [len(plan.chunk(i)) for i in range(plan.n_chunks)] == [5, 5, 5, 3]
    assert plan.task(1, 64).sets.index.tolist() == [1, 2, 3]  # runs 5-9 touch parameter sets 1 to 3
    assert "workers" not in plan.command() and "memory_mb" not in plan.command()
    assert summarize(sim.sweep("baseline_2020", **SMALL).runs, plan.keys).shape[1] == 8


def test_a_numpy_sample_count_is_recorded_as_a_number_and_resumes(tmp_path):
    """The plan keeps the count `check_sampler` settled on, so the manifest's JSON reads back equal."""
    first = sim.sweep("baseline_2020", vary=VARY, samples=np.int64(4), steps=2, out=tmp_path / "s")
    assert first.manifest["command"]["samples"] == 4 and type(first.manifest["command"]["samples"]) is int
    again = sim.sweep("baseline_2020", vary=VARY, samples=np.int64(4), steps=2, out=tmp_path / "s")
    assert again.report["chunks_kept"] == 1 and again.report["chunks_computed"] == 0


def test_progress_bar_shows_runs_done_rate_and_time_left(capsys):
    sim.sweep("baseline_2020", **SMALL, progress=True)
    err = capsys.readouterr().err
    assert "18/18" in err and "run/s" in err and "<00:00" in err
