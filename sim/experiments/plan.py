"""A sweep's plan and the work of one chunk file.

A sweep is fixed by its PLAN: scenario, varied parameters and their samples,
replicates, seed, steps and the number of runs per chunk file. Run ``k`` is
replicate ``k % R`` of parameter set ``k // R`` and draws from random stream
``(seed, k % R)``: replicate r of every parameter set sees the same noise and
crises (common random numbers), so differences between sets are paired.
Chunk file ``i`` holds runs ``i * chunk_runs`` onwards, whatever the number of
workers, the cluster or the engine's memory budget; its bytes depend only on
the plan. `compute_chunk` is what a worker runs (`sim.experiments.workers`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from sim.base.errors import check_count, check_seed
from sim.core.inputs import Inputs
from sim.engines.ensemble import simulate_chunks
from sim.experiments.sampling import Vary, check_sampler, check_varies, design
from sim.schema.scenario import Scenario, scenario_of

# judgement: about 0.3 s of baseline_2020 at 40 steps on one core (3,000 runs/s measured),
# so a killed sweep loses little work and two workers stay busy on a few thousand runs.
CHUNK_RUNS = 1000


@dataclass(frozen=True)
class Plan:
    """Everything a sweep's results depend on; its files follow from it alone."""

    scenario: Scenario
    varies: tuple[Vary, ...]
    sampler: str
    samples: int | None
    replicates: int
    seed: int
    steps: int
    chunk_runs: int
    design: pd.DataFrame = field(compare=False, repr=False)

    @property
    def keys(self) -> list[str]:
        return [v.key for v in self.varies]

    @property
    def n_runs(self) -> int:
        return len(self.design) * self.replicates

    @property
    def n_chunks(self) -> int:
        return -(-self.n_runs // self.chunk_runs)

    def chunk(self, index: int) -> range:
        """The global runs of chunk file ``index``."""
        return range(index * self.chunk_runs, min((index + 1) * self.chunk_runs, self.n_runs))

    def command(self) -> dict:
        """What a changed command would change: compared on resume."""
        return {"scenario": self.scenario.name, "scenario_digest": self.scenario.digest(),
                "vary": [str(v) for v in self.varies], "sampler": self.sampler, "samples": self.samples,
                "replicates": self.replicates, "seed": self.seed, "steps": self.steps,
                "chunk_runs": self.chunk_runs}

    def unused_keys(self) -> list[str]:
        """Varied keys this scenario does not model (a partner or state outside its sets)."""
        batch = Inputs(self.scenario.states, self.scenario.partners)
        return [key for key in self.keys if batch.locate(key) is None]

    def task(self, index: int, memory_mb: float) -> "ChunkTask":
        """What a worker needs for chunk ``index``: only its own parameter sets."""
        runs = self.chunk(index)
        first, last = runs.start // self.replicates, (runs.stop - 1) // self.replicates
        return ChunkTask(index, self.scenario, self.design.iloc[first:last + 1], self.replicates,
                         self.steps, self.seed, runs, memory_mb)


def make_plan(scenario: Scenario | str = "baseline_2020", vary=(), sampler: str = "lhs", samples: int | None = None,
              replicates: int = 1, seed: int | None = None, steps: int | None = None,
              chunk_runs: int = CHUNK_RUNS, overrides: dict | None = None) -> Plan:
    """Check every option and draw the parameter sets (an `InputError` names the bad one)."""
    scenario = scenario_of(scenario, overrides)
    varies = check_varies(vary)
    seed = scenario.seed if seed is None else check_seed(seed)
    steps = scenario.steps if steps is None else check_count("steps", steps)
    replicates = check_count("replicates", replicates)
    chunk_runs = check_count("chunk_runs", chunk_runs, 10**6)
    samples = check_sampler(sampler, varies, samples)  # the count the design is drawn with (its default if None)
    sets = design(varies, sampler, samples, seed)
    return Plan(scenario, varies, sampler, samples, replicates, seed, steps, chunk_runs, sets)


@dataclass(frozen=True)
class ChunkTask:
    """One chunk file's work, small enough to ship to a dask worker."""

    index: int
    scenario: Scenario
    sets: pd.DataFrame  # the parameter sets this chunk touches, indexed by global variation
    replicates: int
    steps: int
    seed: int
    runs: range
    memory_mb: float


def compute_chunk(task: ChunkTask) -> tuple[int, pd.DataFrame]:
    """(index, rows) of one chunk: run, variation, replicate, the varied values, the outcomes.

    The engine sees only this chunk's parameter sets, so its runs are shifted by
    ``offset``; with common random numbers a run's stream is ``k % R``, which
    the shift (a multiple of R) leaves unchanged.
    """
    offset = int(task.sets.index[0]) * task.replicates
    local = range(task.runs.start - offset, task.runs.stop - offset)
    frames = simulate_chunks(task.scenario, task.sets.to_dict("records"), task.replicates, task.steps, task.seed,
                             memory_mb=task.memory_mb, runs=local, common_random_numbers=True)
    outcomes = pd.concat(list(frames))
    run = outcomes.index.to_numpy() + offset
    head = pd.DataFrame({"run": run, "variation": run // task.replicates, "replicate": run % task.replicates})
    values = task.sets.loc[head["variation"]].reset_index(drop=True)
    return task.index, pd.concat([head, values, outcomes.reset_index(drop=True)], axis=1)
