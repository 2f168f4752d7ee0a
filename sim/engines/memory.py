"""How much memory the engines need, and the two checks on it.

`bytes_per_run` is the ensemble engine's memory model (measured with tracemalloc,
docs/performance.md); `chunk_size` turns a budget into runs per chunk;
`check_memory_mb` checks a budget argument and `check_memory` refuses, before it
starts, a run whose trajectory would not fit in the memory available now.
"""

from __future__ import annotations

import psutil

from sim.base.errors import InputError
from sim.schema.scenario import Scenario

DEFAULT_MEMORY_MB = 64  # judgement: ~2,500-run chunks of baseline_2020, the fastest size measured (docs/performance.md)
N_TERMS = 6

# Working arrays alive at once during a step, in units of one [state, partner] float64
# array per run: measured with tracemalloc on baseline_2020 (scores' six terms and their
# temporaries dominate; 19 measured with full trajectories), rounded up. See docs/performance.md.
WORKING_ARRAYS = 24


def bytes_per_run(n_states: int, n_partners: int, steps: int, record: str = "outcomes",
                  with_terms: bool = True) -> int:
    """Peak bytes one run adds to a chunk: random draws, inputs, working arrays, records."""
    cell = n_states * n_partners * 8
    draws = steps * (cell + 8)
    inputs = 6 * cell + n_states * (3 + N_TERMS) * 8 + n_partners * (8 + n_partners) * 8 + 16 * 8
    working = WORKING_ARRAYS * cell
    if record == "outcomes":
        recorded = (steps + 1) * n_states + (1 + N_TERMS) * cell + 1024  # + one row of the table
    else:
        recorded = (steps + 1) * (cell * (1 + (N_TERMS if with_terms else 0)) + n_states * 8 + 5 * 8)
    return draws + inputs + working + recorded


def chunk_size(n_states: int, n_partners: int, steps: int, memory_mb: float, record: str = "outcomes",
               with_terms: bool = True) -> int:
    """How many runs fit in ``memory_mb`` megabytes (at least one)."""
    return max(1, int(memory_mb * 2**20 // bytes_per_run(n_states, n_partners, steps, record, with_terms)))


def check_memory_mb(value, name: str = "memory_mb") -> float:
    """A memory budget: a positive, finite number of megabytes, or an `InputError` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < float("inf"):
        raise InputError("", name, value, "a positive number of megabytes")
    return value


def check_memory(scenario: Scenario, steps: int, replicates: int) -> None:
    """Refuse (rather than crash with MemoryError) a run whose trajectory alone would not fit in
    the memory available now; many runs belong in chunked sweeps, which keep only outcomes."""
    need = replicates * bytes_per_run(len(scenario.states), len(scenario.partners), steps, record="trajectory")
    available = psutil.virtual_memory().available
    if need > available:
        raise InputError("", "replicates x steps", f"{replicates} x {steps}",
                         f"a run that fits in memory ({need / 2**30:.1f} GiB needed, "
                         f"{available / 2**30:.1f} GiB available)")
