"""Benchmark: the same runs through Mesa's own `mesa.batch_run` and through the ensemble engine.

    >>> from benchmarks import bench        # from the repository root, beside run.py
    >>> bench.benchmark(runs=20_000, mesa_runs=500)        # dict: runs/s, agent-steps/s, ratio, peak RSS
    >>> bench.scaling((100, 1_000, 10_000, 100_000))       # DataFrame: runs/s and peak RSS per size
    >>> bench.plot_scaling(table, "docs/performance.png")

The work is baseline_2020, 40 steps (quarters), noise on, each run on its own
random streams. Two pitfalls of Mesa 3.3.1's ``batch_run`` are handled here:

1. It steps a model while ``model.running and model.steps <= max_steps``, i.e.
   up to ``max_steps + 1`` times. `sim.model.AlignmentModel` stops itself
   (``running`` turns False after its horizon), and we also pass
   ``max_steps = steps``; every returned row is checked to come from a model
   that did exactly ``steps`` steps (batch_run reports ``Step = model.steps - 1``).
2. A fixed ``seed`` with ``iterations > 1`` gives identical replicates. We keep
   ``iterations = 1`` and vary ``run`` as a parameter instead: run k draws from
   streams ``(seed, k)``, exactly as the ensemble engine's run k does; the
   replicates are checked to differ.

(batch_run also reports the data collected at index ``model.steps - 1``,
i.e. after step 39 of 40, because the model collects once at step 0: its rows
are one step short of the final state. The cross-check below uses that step.)
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor

import mesa
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from benchmarks import fused
from sim.core.inputs import Inputs
from sim.engines.ensemble import simulate, simulate_chunks, write_outcomes
from sim.engines.memory import DEFAULT_MEMORY_MB
from sim.model import AlignmentModel
from sim.schema.scenario import Scenario, load, scenario_of

SCENARIO = "baseline_2020"
JSON_KEYS = ("mesa_runs_per_s", "ensemble_runs_per_s", "ratio", "fused_runs_per_s", "gap_to_fused", "peak_rss_mb")


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def mesa_batch(runs: int, steps: int = 40, seed: int | None = None,
               scenario: Scenario | str = SCENARIO) -> pd.DataFrame:
    """``runs`` runs of `sim.model.AlignmentModel` through ``mesa.batch_run``, one row per run.

    Checks the two pitfalls (module docstring): every model did exactly
    ``steps`` steps, and the runs are distinct.
    """
    scenario = scenario_of(scenario)
    seed = scenario.seed if seed is None else seed
    rows = mesa.batch_run(AlignmentModel, parameters={"scenario": scenario, "steps": steps, "seed": seed,
                                                      "run": range(runs)},
                          iterations=1, max_steps=steps, number_processes=1, display_progress=False)
    frame = pd.DataFrame(rows).drop(columns="scenario")
    done = frame["Step"] + 1
    if not (done == steps).all():
        raise RuntimeError(f"Mesa runs did {sorted(set(done))} steps, expected {steps}")
    if runs > 1 and frame["ASEAN US"].nunique() < runs:
        raise RuntimeError("Mesa replicates are not distinct: vary `run` or `seed`, not `iterations`")
    return frame


def check_same_work(mesa_rows: pd.DataFrame, steps: int, seed: int | None = None,
                    scenario: Scenario | str = SCENARIO) -> None:
    """Both engines did ``steps`` steps on the same streams: Mesa's rows equal the ensemble's runs, bit for bit."""
    scenario = scenario_of(scenario)
    seed = scenario.seed if seed is None else seed
    runs = mesa_rows["run"].to_numpy()[:3]
    traj = simulate(Inputs.build(scenario, [{}] * len(runs)), scenario.events, steps, seed, runs, with_terms=False)
    if traj.n_steps != steps:
        raise RuntimeError(f"ensemble did {traj.n_steps} steps, expected {steps}")
    reported = mesa_rows.set_index("run").loc[runs, "ASEAN US"].to_numpy()
    ensemble = traj.alignment[:, steps - 1, :, scenario.partners.index("US")].mean(1)  # batch_run's Step
    if not np.array_equal(reported, ensemble):
        raise RuntimeError("Mesa and ensemble runs differ: not the same work")


def time_mesa(runs: int, steps: int = 40, seed: int | None = None, scenario=SCENARIO):
    """(seconds, rows) for ``runs`` Mesa runs through batch_run."""
    start = time.perf_counter()
    rows = mesa_batch(runs, steps, seed, scenario)
    return time.perf_counter() - start, rows


def time_ensemble(runs: int, steps: int = 40, seed: int | None = None, scenario=SCENARIO,
                  memory_mb: float = DEFAULT_MEMORY_MB) -> float:
    """Seconds for ``runs`` ensemble runs, chunked within ``memory_mb``, producing the outcomes table."""
    start = time.perf_counter()
    n_rows = sum(len(frame) for frame in simulate_chunks(scenario, replicates=runs, steps=steps, seed=seed,
                                                         memory_mb=memory_mb))
    seconds = time.perf_counter() - start
    assert n_rows == runs
    return seconds


def benchmark(runs: int = 20_000, mesa_runs: int = 500, steps: int = 40, seed: int | None = None,
              scenario: Scenario | str = SCENARIO, memory_mb: float = DEFAULT_MEMORY_MB) -> dict:
    """Time the same work in both engines in this process; return the figures.

    Mesa: ``mesa_runs`` runs through ``mesa.batch_run`` (one process). Ensemble:
    ``runs`` runs through `sim.engines.ensemble.simulate_chunks` (outcomes recorded).
    Agent-steps count 10 state + 4 partner agents per step. ``peak_rss_mb`` is
    the whole process's peak (both engines). ``fused_runs_per_s``: the fused kernel of a simpler
    step (`benchmarks.fused`, a lower bound of the work); ``gap_to_fused`` = fused / ensemble.
    """
    scenario = scenario_of(scenario)
    agents = len(scenario.states) + len(scenario.partners)
    mesa_seconds, rows = time_mesa(mesa_runs, steps, seed, scenario)
    check_same_work(rows, steps, seed, scenario)
    time_ensemble(min(runs, 200), steps, seed, scenario, memory_mb)  # compiled code loaded before the clock starts
    ensemble_seconds = time_ensemble(runs, steps, seed, scenario, memory_mb)
    fused_rate = fused.runs_per_second(runs, steps)
    mesa_rate, ensemble_rate = mesa_runs / mesa_seconds, runs / ensemble_seconds
    return {
        "mesa_runs_per_s": mesa_rate,
        "ensemble_runs_per_s": ensemble_rate,
        "ratio": ensemble_rate / mesa_rate,
        "fused_runs_per_s": fused_rate,
        "gap_to_fused": fused_rate / ensemble_rate,
        "peak_rss_mb": peak_rss_mb(),
        "mesa_runs": mesa_runs,
        "ensemble_runs": runs,
        "mesa_seconds": mesa_seconds,
        "ensemble_seconds": ensemble_seconds,
        "mesa_agent_steps_per_s": mesa_rate * steps * agents,
        "ensemble_agent_steps_per_s": ensemble_rate * steps * agents,
        "steps": steps,
        "agents": agents,
        "scenario": scenario.name,
        "cores": os.cpu_count(),
    }


# --- scaling ---------------------------------------------------------------


def _stream_once(runs: int, steps: int, memory_mb: float, directory: str) -> dict:
    """In a fresh process: stream ``runs`` runs' outcomes to Parquet; time and peak memory.

    A 10-run warm-up first, so one-off start-up (imports, parsing the scenario)
    is not counted as throughput; peak memory includes it.
    """
    path = os.path.join(directory, f"outcomes_{runs}.parquet")
    scenario = load(SCENARIO)
    write_outcomes(os.path.join(directory, f"warm_up_{runs}.parquet"), scenario, replicates=10, steps=steps)
    start = time.perf_counter()
    write_outcomes(path, scenario, replicates=runs, steps=steps, memory_mb=memory_mb)
    seconds = time.perf_counter() - start
    return {"runs": runs, "seconds": seconds, "runs_per_s": runs / seconds, "peak_rss_mb": peak_rss_mb(),
            "file_mb": os.path.getsize(path) / 2**20}


def scaling(sizes=(100, 1_000, 10_000, 100_000), steps: int = 40,
            memory_mb: float = DEFAULT_MEMORY_MB, progress: bool = True) -> pd.DataFrame:
    """Runs/s and peak resident memory as the number of runs grows.

    Each size runs in its own fresh process (so peak memory is that size's
    alone), streaming baseline_2020's outcomes to a Parquet file in a temporary
    directory chunk by chunk (`sim.engines.ensemble.write_outcomes`).
    """
    rows = []
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as directory:
        for runs in tqdm(sizes, unit="size", disable=not progress):
            with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
                rows.append(pool.submit(_stream_once, int(runs), steps, memory_mb, directory).result())
    return pd.DataFrame(rows)


def scaling_by_shape(states=(2, 5, 10), steps=(10, 40, 160), runs: int = 5_000) -> pd.DataFrame:
    """Runs/s and agent-steps/s of ``runs`` runs of baseline_2020 with its first ``states``
    states (and all its partners), for each number of ``steps``: how the cost grows with the
    model's size. In this process, after a warm-up of each shape."""
    base = load(SCENARIO)
    rows = []
    for n_states in states:
        scenario = dataclasses.replace(base, states=base.states[:n_states])
        for n_steps in steps:
            for _ in simulate_chunks(scenario, replicates=10, steps=n_steps):  # warm-up
                pass
            start = time.perf_counter()
            for _ in simulate_chunks(scenario, replicates=runs, steps=n_steps):
                pass
            rate = runs / (time.perf_counter() - start)
            agents = n_states + len(scenario.partners)
            rows.append({"states": n_states, "steps": n_steps, "runs_per_s": rate,
                         "agent_steps_per_s": rate * n_steps * agents})
    return pd.DataFrame(rows)


def plot_scaling(table: pd.DataFrame, path):
    """Log-log plot of runs/s and peak RSS against the number of runs; written atomically."""
    from sim.reports.plots import plt, save_figure  # matplotlib loads only for the figure

    fig, (speed, memory) = plt.subplots(1, 2, figsize=(9, 3.6))
    speed.loglog(table["runs"], table["runs_per_s"], "o-", color="#1f5fa8")
    speed.set(xlabel="runs", ylabel="runs per second", title="Throughput")
    memory.loglog(table["runs"], table["peak_rss_mb"], "o-", color="#c8302c")
    memory.axhline(2048, color="grey", linestyle="--", linewidth=1)
    memory.annotate("2 GiB", (table["runs"].min(), 2048), va="bottom", color="grey")
    memory.set(xlabel="runs", ylabel="peak resident memory (MiB)", title="Memory (streaming to Parquet)")
    for ax in (speed, memory):
        ax.grid(True, which="both", alpha=0.3)
    fig.suptitle("Ensemble engine, baseline_2020, 40 steps, noise on")
    fig.tight_layout()
    return save_figure(fig, path)


def main():  # python -m sim.bench: regenerate the scaling table and plot for docs/performance.md
    table = scaling()
    print(table.to_string(index=False, float_format=lambda v: f"{v:,.1f}"))
    print(plot_scaling(table, "docs/performance.png"))
    print(scaling_by_shape().to_string(index=False, float_format=lambda v: f"{v:,.0f}"))


if __name__ == "__main__":
    main()
