"""A sweep's plan and the work of one chunk file.

A sweep is fixed by its PLAN: scenario, varied parameters and their samples,
replicates, seed, steps and the number of runs per chunk file. Run ``k`` is
replicate ``k % R`` of parameter set ``k // R`` and draws from random stream
``(seed, k % R)``: replicate r of every parameter set sees the same noise and
crises (common random numbers), so differences between sets are paired.
Chunk file ``i`` holds runs ``i * chunk_runs`` onwards, whatever the number of
workers, the cluster or the engine's memory budget; its bytes depend only on
the plan. `compute_chunk` is what a worker runs (`sim.experiments.workers`).

With ``against`` (a second scenario), every run is run twice, in the scenario and in ``against``, with
the same parameter set and random stream, and the chunk stores the paired difference of every
numeric outcome (scenario minus against): the sweep is then of the *effect* of the scenario.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from sim.base.errors import check_count, check_seed
from sim.core.inputs import Inputs
from sim.engines.ensemble import simulate_chunks
from sim.experiments.attribution import check_comparable
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
    against: Scenario | None = None  # with it, every outcome is the paired difference scenario - against

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
        against = {} if self.against is None else {"against": self.against.name,
                                                   "against_digest": self.against.digest()}
        return {"scenario": self.scenario.name, "scenario_digest": self.scenario.digest(), **against,
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
                         self.steps, self.seed, runs, memory_mb, self.against)


def make_plan(scenario: Scenario | str = "baseline_2020", vary=(), sampler: str = "lhs", samples: int | None = None,
              replicates: int = 1, seed: int | None = None, steps: int | None = None,
              chunk_runs: int = CHUNK_RUNS, overrides: dict | None = None, against=None) -> Plan:
    """Check every option and draw the parameter sets (an `InputError` names the bad one).

    ``against``: a second scenario (name, path, variant or object) with the same partners and states;
    each run's outcomes become the paired difference scenario minus against (module docstring)."""
    scenario = scenario_of(scenario, overrides)
    against = None if against is None else scenario_of(against, overrides)
    varies = check_varies(vary)
    seed = scenario.seed if seed is None else check_seed(seed)
    steps = scenario.steps if steps is None else check_count("steps", steps)
    replicates = check_count("replicates", replicates)
    chunk_runs = check_count("chunk_runs", chunk_runs, 10**6)
    samples = check_sampler(sampler, varies, samples)  # the count the design is drawn with (its default if None)
    if against is not None:
        check_comparable(scenario, against, steps)
    sets = design(varies, sampler, samples, seed)
    return Plan(scenario, varies, sampler, samples, replicates, seed, steps, chunk_runs, sets, against)


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
    against: Scenario | None = None


def compute_chunk(task: ChunkTask) -> tuple[int, pd.DataFrame]:
    """(index, rows) of one chunk: run, variation, replicate, the varied values, the outcomes.

    The engine sees only this chunk's parameter sets, so its runs are shifted by
    ``offset``; with common random numbers a run's stream is ``k % R``, which
    the shift (a multiple of R) leaves unchanged.
    """
    offset = int(task.sets.index[0]) * task.replicates
    local = range(task.runs.start - offset, task.runs.stop - offset)
    outcomes = _outcomes(task, task.scenario, local)
    if task.against is not None:
        outcomes = paired_difference(outcomes, _outcomes(task, task.against, local))
    run = outcomes.index.to_numpy() + offset
    head = pd.DataFrame({"run": run, "variation": run // task.replicates, "replicate": run % task.replicates})
    values = task.sets.loc[head["variation"]].reset_index(drop=True)
    return task.index, pd.concat([head, values, outcomes.reset_index(drop=True)], axis=1)


def _outcomes(task: ChunkTask, scenario: Scenario, local: range) -> pd.DataFrame:
    frames = simulate_chunks(scenario, task.sets.to_dict("records"), task.replicates, task.steps, task.seed,
                             memory_mb=task.memory_mb, runs=local, common_random_numbers=True)
    return pd.concat(list(frames))


def paired_difference(outcomes: pd.DataFrame, against: pd.DataFrame) -> pd.DataFrame:
    """Every numeric outcome of ``outcomes`` minus the same run's in ``against`` (the leading-partner
    names, which do not subtract, are left out)."""
    numeric = [c for c in outcomes.columns if pd.api.types.is_numeric_dtype(outcomes[c])]
    return outcomes[numeric].astype(float) - against[numeric].astype(float)
