"""The vectorized ensemble engine: many runs at once as whole-array numpy operations.

It calls the same compiled step (`sim.core.dynamics`, on the equations of
`sim.core.equations`) as the Mesa model, once per step for the whole batch
``[run, state, partner]`` (a compiled loop over runs) instead of once per agent. With the same seed it gives the same numbers as the
Mesa model, bit for bit (tested on every scenario and across the parameter space, noise on or off).

Three ways in, from the smallest to the largest jobs:

- `simulate(inputs, ...)`: one batch, the full `Trajectory` (every step).
- `simulate_outcomes(inputs, ...)`: one batch, only the per-run outcomes
  table (`sim.core.outcomes.run_outcomes`), recording just what it needs.
- `simulate_final(inputs, ...)`: one batch, only the last step with its
  utility terms (what the survey questions read, `sim.calibration`).
- `simulate_chunks(scenario, variations, replicates, memory_mb=...)`: any
  number of runs, chunk by chunk, the chunk size chosen from a memory budget;
  yields each chunk's outcomes (or trajectories). `write_outcomes` streams the
  chunks to one Parquet file.

Run ``k`` (its global index, passed as ``runs=``) draws from its own random
streams (`sim.core.randomness`), so it gives the same result alone, in a batch or
in any chunk.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm.auto import tqdm

from sim.base.errors import InputError, check_seed, check_whole
from sim.base.files import atomic_write
from sim.core import dynamics, randomness
from sim.core import measures
from sim.core.inputs import Inputs
from sim.core.outcomes import run_outcomes, tipping_step
from sim.core.trajectory import Trajectory
from sim.engines.memory import DEFAULT_MEMORY_MB, check_memory_mb, chunk_size
from sim.schema.scenario import Scenario, scenario_of

RECORDS = ("outcomes", "trajectory")


def simulate(inputs: Inputs, events=(), steps: int = 40, seed: int = 0, runs=None,
             with_terms: bool = True) -> Trajectory:
    """Run every run of ``inputs`` for ``steps`` steps and return their trajectory.

    ``runs`` are the runs' global indices (their random streams, see
    `sim.core.randomness`); by default 0..n-1. ``inputs`` is not modified.
    """
    trajectory = Trajectory.allocate(inputs, steps, with_terms)
    _run(inputs, events, steps, seed, runs, trajectory)
    return trajectory


def simulate_outcomes(inputs: Inputs, events=(), steps: int = 40, seed: int = 0, runs=None) -> pd.DataFrame:
    """``run_outcomes(simulate(...))``, without keeping every step of every run.

    Records each step's leading partners (for ``tipping_step``) and the final
    state with its utility terms (for everything else, ``forced_us`` included):
    about 1/50 of a full trajectory's memory and no per-step copies.
    """
    record = OutcomeRecord(inputs, steps)
    _run(inputs, events, steps, seed, runs, record)
    return record.outcomes()


def simulate_final(inputs: Inputs, events=(), steps: int = 40, seed: int = 0, runs=None) -> Trajectory:
    """The last step of every run (alignment and utility terms) as a one-step `Trajectory`.

    What `Trajectory.forced_us` and `Trajectory.third_party` read, at about
    1/40 of a full trajectory's memory: calibration evaluates thousands of runs.
    """
    record = OutcomeRecord(inputs, steps)
    _run(inputs, events, steps, seed, runs, record)
    return record.final


def _run(inputs: Inputs, events, steps: int, seed: int, runs, record) -> None:
    """The time loop; ``record.record(step, inputs, dyn, terms, partners)`` sees every step 0..steps.
    Each step is one call of the compiled step for the whole batch (`sim.core.dynamics.advance`);
    scheduled events change the parameters between steps."""
    inputs = inputs.copy()
    params = dynamics.pack(inputs)
    runs = np.arange(inputs.n_runs) if runs is None else np.asarray(runs)
    n_states, n_partners = len(inputs.states), len(inputs.partners)
    with_noise = randomness.needs_noise(inputs, events)
    gumbel, uniform = randomness.draw_batch(seed, runs, steps, n_states, n_partners, with_noise)
    dyn, terms, partners = dynamics.start(inputs, params)
    scratch = dynamics.scratch_of(terms)
    record.record(0, inputs, dyn, terms, dynamics.partner_table(partners))
    for step in range(1, steps + 1):
        dynamics.apply_events(inputs, dyn, events, step)
        dynamics.advance(params, dyn, step, uniform, gumbel, terms, partners, scratch)
        record.record(step, inputs, dyn, terms, dynamics.partner_table(partners))


class OutcomeRecord:
    """What `run_outcomes` reads, and no more: leading partners per step, the final state.

    Quacks like a `Trajectory` for `sim.core.outcomes.tipping_step` (``leading()``,
    ``states``, ``partners``); the final state is a one-step `Trajectory`, so
    every other outcome comes from `run_outcomes` itself, not from a copy.
    """

    def __init__(self, inputs: Inputs, steps: int):
        self.steps = steps
        self.states, self.partners = inputs.states, inputs.partners
        self.leading_by_step = np.empty((inputs.n_runs, steps + 1, len(inputs.states)), dtype=np.int8)
        self.final = Trajectory.allocate(inputs, 0, with_terms=True)

    def record(self, step: int, inputs: Inputs, dyn: dynamics.Dynamic, terms: np.ndarray, partners: dict) -> None:
        self.leading_by_step[:, step] = measures.leading_partner(dyn.alignment, self.partners)
        if step == self.steps:
            self.final.record(0, inputs, dyn, terms, partners)

    def leading(self) -> np.ndarray:
        return self.leading_by_step

    def outcomes(self) -> pd.DataFrame:
        frame = run_outcomes(self.final)
        frame["tipping_step"] = tipping_step(self)
        return frame


# --- many runs, chunk by chunk ------------------------------------------------

def simulate_chunks(scenario: Scenario | str = "baseline_2020", variations: list[dict] | None = None,
                    replicates: int = 1, steps: int | None = None, seed: int | None = None,
                    memory_mb: float = DEFAULT_MEMORY_MB, record: str = "outcomes", with_terms: bool = True,
                    chunk_runs: int | None = None, progress: bool = False, runs: range | None = None,
                    common_random_numbers: bool = False) -> Iterator:
    """Run ``replicates`` runs of each of the K ``variations`` of ``scenario``, chunk by chunk.

    Global run ``k`` is replicate ``k % replicates`` of variation ``k // replicates``
    and uses random streams ``(seed, k)``, so its result does not depend on the
    chunk size. The chunk size is the number of runs that fit in ``memory_mb``
    (`chunk_size`), or ``chunk_runs`` if given.

    ``runs`` restricts the job to a range of global runs (a sweep's chunk file).
    With ``common_random_numbers`` run ``k`` draws from stream ``(seed, k % replicates)``
    instead: replicate r of every variation sees the same noise and crises, so
    differences between variations are paired (less noise in sensitivity indices).

    Yields, per chunk, with ``record="outcomes"`` (default) the
    `sim.core.outcomes.run_outcomes` frame indexed by global run (so
    ``pd.concat(simulate_chunks(...))`` is the whole table); with
    ``record="trajectory"`` a pair ``(runs, Trajectory)``.
    """
    scenario = scenario_of(scenario)
    variations = list(variations) if variations else [{}]
    replicates = check_whole("replicates", replicates, 1)
    steps = scenario.steps if steps is None else check_whole("steps", steps, 0)
    seed = scenario.seed if seed is None else check_seed(seed)
    if record not in RECORDS:
        raise InputError("", "record", record, "one of " + ", ".join(RECORDS))
    check_memory_mb(memory_mb)
    size = (chunk_size(len(scenario.states), len(scenario.partners), steps, memory_mb, record, with_terms)
            if chunk_runs is None else check_whole("chunk_runs", chunk_runs, 1))
    n_runs = len(variations) * replicates
    runs = range(n_runs) if runs is None else runs
    if not (isinstance(runs, range) and runs.step == 1 and 0 <= runs.start <= runs.stop <= n_runs):
        raise InputError("", "runs", runs, f"a range of global runs within 0..{n_runs}")
    return _chunks(scenario, variations, replicates, steps, seed, size, record, with_terms, progress, runs,
                   common_random_numbers)


def _chunks(scenario, variations, replicates, steps, seed, size, record, with_terms, progress, job,
            common_random_numbers) -> Iterator:
    """The generator behind `simulate_chunks` (which checks its options before the first chunk)."""
    with tqdm(total=len(job), unit="run", disable=not progress) as bar:
        for start in range(job.start, job.stop, size):
            runs = np.arange(start, min(start + size, job.stop))
            streams = runs % replicates if common_random_numbers else runs
            inputs = Inputs.build(scenario, [variations[k // replicates] for k in runs])
            if record == "outcomes":
                frame = simulate_outcomes(inputs, scenario.events, steps, seed, streams)
                frame.index = pd.Index(runs, name="run")
                yield frame
            else:
                yield runs, simulate(inputs, scenario.events, steps, seed, streams, with_terms)
            bar.update(len(runs))


def write_outcomes(path: Path | str, scenario: Scenario | str = "baseline_2020", variations=None,
                   replicates: int = 1, steps: int | None = None, seed: int | None = None,
                   memory_mb: float = DEFAULT_MEMORY_MB, progress: bool = False, metadata: dict | None = None) -> Path:
    """Stream every chunk's outcomes into one Parquet file (column ``run`` first).

    Memory stays within about ``memory_mb`` whatever the number of runs; the
    file appears only when complete (`sim.base.files.atomic_write`).
    """
    chunks = simulate_chunks(scenario, variations, replicates, steps, seed, memory_mb, progress=progress)

    def write(tmp: Path) -> None:
        writer = None
        try:
            for frame in chunks:
                table = pa.Table.from_pandas(frame.reset_index(), preserve_index=False)
                if writer is None:
                    schema = table.schema
                    if metadata:
                        schema = schema.with_metadata({**(schema.metadata or {}),
                                                       b"sim_manifest": json.dumps(metadata, default=str).encode()})
                    writer = pq.ParquetWriter(tmp, schema)
                writer.write_table(table.cast(writer.schema))
        finally:
            if writer is not None:
                writer.close()

    return atomic_write(Path(path), write)
