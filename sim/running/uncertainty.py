"""Parameter uncertainty: each state's answer with an interval over the panel fit's bootstrap draws.

    >>> from sim.running.uncertainty import parameter_intervals
    >>> parameter_intervals("survey_2020", replicates=32)   # state, measure, mean, lo, hi, mean_lo, mean_hi, ...

`run.py calibrate --panel` refits the fitted parameters on survey figures
redrawn binomially and ships the refits in ``sim/data/panel_bootstrap.csv``
(one row per draw, one column per fitted parameter key; `load_draws` reads the
keys from the file's header, whatever they are). Here the model runs once per
draw and replicate: draw d sets its parameters (`drawn_variations`), and
replicate r of every draw uses the random streams ``(seed, r)`` (common random
numbers, `sim.core.randomness`), so draws differ by their parameters only and
the result does not depend on how the runs are split into chunks or workers.

What an interval says (`intervals`):

- ``lo``, ``hi``: the 5% and 95% quantiles over all draws x replicates: where one
  run's answer falls, simulation noise (crises, choice noise) and parameter
  uncertainty together. With one draw equal to the defaults it is the run's own
  replicate spread.
- ``mean_lo``, ``mean_hi``: the 5% and 95% quantiles over draws of each draw's mean
  over its replicates: parameter uncertainty of the expected answer.

A drawn key that the scenario (or ``overrides``) sets itself keeps the
scenario's value: the scenario chose it (`DrawRuns.held` lists them). A drawn
key the scenario does not use (a partner it lacks) changes nothing.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from sim.base.errors import InputError, check_count, check_seed
from sim.base.processes import main_not_reimported
from sim.core.inputs import Inputs
from sim.engines.ensemble import simulate_final
from sim.engines.memory import DEFAULT_MEMORY_MB, chunk_size
from sim.reports.tables import interval_cell
from sim.schema import parameters
from sim.schema.scenario import EVENT_SIZE, Scenario, parameter_changes, scenario_of, sized_events

DRAWS_FILE = "panel_bootstrap.csv"  # in sim/data/, written by `run.py calibrate --panel --write-defaults`
QUANTILES = (0.05, 0.95)
DEFAULT_REPLICATES = 8  # judgement: with 30 draws, 240 runs; the 5%/95% quantiles move by about 1 pp beyond this
ASEAN = "ASEAN"  # the row of the mean over states (weighted equally, as in `sim.core.outputs.final_table`)


# --- the draws -------------------------------------------------------------------


def draws_path() -> Path:
    """The shipped bootstrap draws of the panel fit (``sim/data/panel_bootstrap.csv``)."""
    return Path(str(resources.files("sim") / "data" / DRAWS_FILE))


def load_draws(path: Path | str | None = None, count: int | None = None,
               names: tuple[str, str] = ("draws file", "draws")) -> pd.DataFrame:
    """The bootstrap draws: one row per draw (indexed by its row in the file, from 0), one column
    per parameter key, each value checked against the parameter table.

    ``count`` keeps the first ``count`` draws. The file's name is in ``attrs["source"]``;
    ``names`` name the file and the count in errors (the CLI says --draws-file, --draws).
    """
    path = draws_path() if path is None else Path(path)
    try:
        draws = pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise InputError("", names[0], str(path), f"a readable CSV of parameter draws ({exc})") from None
    if draws.empty or not len(draws.columns):
        raise InputError(str(path), "rows", len(draws), "one row per draw and one column per parameter key")
    for key in draws.columns:
        for row, value in draws[key].items():
            parameters.check(key.removeprefix(EVENT_SIZE), _plain(value), f"{path} row {row}")
    if count is not None:
        count = check_count(names[1], count)
        if count > len(draws):
            raise InputError("", names[1], count, f"at most the {len(draws)} draws in {path.name}")
        draws = draws.head(count)
    draws.attrs["source"] = path.name
    return draws


def _plain(value):
    """A CSV cell as a Python number (numpy's bools and ints are not the schema's numbers)."""
    return value.item() if isinstance(value, np.generic) else value


def describe_draws(draws: pd.DataFrame) -> str:
    """Which draws: ``panel_bootstrap.csv rows 0-29`` (the rows' indices, runs of them joined by -)."""
    rows = list(draws.index)
    spans, start = [], rows[0]
    for previous, row in zip(rows, [*rows[1:], None]):
        if row != previous + 1:
            spans.append(f"{start}" if start == previous else f"{start}-{previous}")
            start = row
    return f"{draws.attrs.get('source', 'given draws')} row{'s' if len(rows) > 1 else ''} {','.join(spans)}"


def drawn_variations(scenario: Scenario, draws: pd.DataFrame) -> tuple[list[dict], tuple[str, ...]]:
    """One variation (parameter changes) per draw, and the drawn keys the scenario holds at its own value."""
    held = tuple(key for key in draws.columns if key in scenario.overrides)
    free = [key for key in draws.columns if key not in held]
    return [{key: _plain(row[key]) for key in free} for _, row in draws.iterrows()], held


def draw_plan(n_draws: int, replicates: int) -> tuple[np.ndarray, np.ndarray]:
    """(draw, stream) of every run: run k is replicate ``k % replicates`` of draw ``k // replicates``
    and draws from stream ``k % replicates``, the same in every draw (common random numbers)."""
    runs = np.arange(n_draws * replicates)
    return runs // replicates, runs % replicates


def per_draw_means(samples: np.ndarray, n_draws: int) -> np.ndarray:
    """[draw, ...] each draw's mean over its replicates, from samples [run, ...] in `draw_plan` order."""
    samples = np.asarray(samples, dtype=float)
    return samples.reshape(n_draws, -1, *samples.shape[1:]).mean(1)


def draw_interval(samples: np.ndarray, n_draws: int) -> tuple[np.ndarray, np.ndarray]:
    """5% and 95% quantiles over draws of each draw's mean (samples [run, ...] in `draw_plan` order)."""
    lo, hi = np.quantile(per_draw_means(samples, n_draws), QUANTILES, axis=0)
    return lo, hi


# --- the runs --------------------------------------------------------------------


@dataclass
class DrawRuns:
    """The final state of every run of a scenario over parameter draws, in `draw_plan` order."""

    scenario: Scenario
    draws: pd.DataFrame
    held: tuple[str, ...]
    replicates: int
    alignment: np.ndarray   # [draw, replicate, state, partner]
    forced_us: np.ndarray   # [draw, replicate, state]
    manifest: dict

    @property
    def states(self) -> tuple[str, ...]:
        return self.scenario.states

    @property
    def partners(self) -> tuple[str, ...]:
        return self.scenario.partners


def draw_runs(scenario: Scenario | str, draws: pd.DataFrame | None = None, replicates: int = DEFAULT_REPLICATES,
              steps: int | None = None, seed: int | None = None, overrides: dict | None = None, workers: int = 1,
              progress: bool = False, memory_mb: float = DEFAULT_MEMORY_MB) -> DrawRuns:
    """Run ``scenario`` ``replicates`` times per draw (default: every shipped draw, `load_draws`).

    One batch of draws x replicates runs on the ensemble engine, chunk by chunk within
    ``memory_mb``, in ``workers`` local processes; the numbers do not depend on either.
    """
    scenario = scenario_of(scenario, overrides)
    draws = load_draws() if draws is None else draws
    if draws.empty:
        raise InputError("", "draws", 0, "at least one parameter draw")
    replicates = check_count("replicates", replicates)
    steps = scenario.steps if steps is None else check_count("steps", steps)
    seed = scenario.seed if seed is None else check_seed(seed)
    workers = check_count("workers", workers)
    variations, held = drawn_variations(scenario, draws)
    for index, variation in enumerate(parameter_changes(variations)):
        scenario.with_overrides(variation, where=f"draw {draws.index[index]}")  # each value checked
    draw_of, streams = draw_plan(len(draws), replicates)
    size = chunk_size(len(scenario.states), len(scenario.partners), steps, memory_mb)
    size = max(1, min(size, -(-len(streams) // workers)))  # every worker gets a chunk
    tasks = [(scenario, [variations[d] for d in draw_of[start:start + size]], streams[start:start + size], steps,
              seed) for start in range(0, len(streams), size)]
    alignment, forced = [], []
    with tqdm(total=len(streams), unit="run", disable=not progress) as bar:
        for chunk_alignment, chunk_forced in _computed(tasks, workers):
            alignment.append(chunk_alignment)
            forced.append(chunk_forced)
            bar.update(len(chunk_forced))
    shape = (len(draws), replicates)
    manifest = {"scenario": scenario.name, "digest": scenario.digest(), "steps": steps, "seed": seed,
                "replicates_per_draw": replicates, "draw_count": len(draws), "draws": describe_draws(draws),
                "held_at_scenario_value": held,
                "random_numbers": "common: replicate r of every draw uses stream (seed, r)"}
    return DrawRuns(scenario, draws, held, replicates,
                    np.concatenate(alignment).reshape(*shape, len(scenario.states), len(scenario.partners)),
                    np.concatenate(forced).reshape(*shape, len(scenario.states)), manifest)


def _computed(tasks: list, workers: int):
    """Each task's (final alignment, forced_us), in order: here, or in ``workers`` local processes."""
    if workers == 1 or len(tasks) == 1:
        yield from map(_final_chunk, tasks)
        return
    # spawn: workers start clean and import this checkout's sim via sys.path (as sweeps do)
    with ProcessPoolExecutor(min(workers, len(tasks)), mp_context=multiprocessing.get_context("spawn")) as pool:
        with main_not_reimported():  # the pool starts its processes at the first submit
            results = pool.map(_final_chunk, tasks)
        yield from results


def _final_chunk(task) -> tuple[np.ndarray, np.ndarray]:
    """One chunk of runs: [run, state, partner] final alignment and [run, state] forced_us."""
    scenario, variations, streams, steps, seed = task
    events, changes = sized_events(scenario.events, variations)  # drawn sizes of in-sample events
    final = simulate_final(Inputs.build(scenario, changes), events, steps, seed, streams)
    return final.alignment[:, -1], final.forced_us()[:, -1]


# --- the intervals ---------------------------------------------------------------


def measures(runs: DrawRuns) -> tuple[list[str], np.ndarray]:
    """The measures and their values [draw, replicate, row, measure]; rows: the states, then ASEAN."""
    values = np.concatenate([runs.alignment, runs.forced_us[..., None]], axis=-1)
    values = np.concatenate([values, values.mean(2, keepdims=True)], axis=2)
    return [*runs.partners, "forced_us"], values


def intervals(runs: DrawRuns) -> pd.DataFrame:
    """state, measure, mean, lo, hi, mean_lo, mean_hi, draws, runs (module docstring).

    Measures: each partner's final alignment share, and ``forced_us``; rows: each state, then ASEAN.
    """
    names, values = measures(runs)
    pooled = values.reshape(-1, *values.shape[2:])
    lo, hi = np.quantile(pooled, QUANTILES, axis=0)
    mean_lo, mean_hi = np.quantile(values.mean(1), QUANTILES, axis=0)
    rows = [*runs.states, ASEAN]
    grid = pd.MultiIndex.from_product([rows, names], names=["state", "measure"]).to_frame(index=False)
    return grid.assign(mean=pooled.mean(0).ravel(), lo=lo.ravel(), hi=hi.ravel(), mean_lo=mean_lo.ravel(),
                       mean_hi=mean_hi.ravel(), draws=describe_draws(runs.draws), runs=len(pooled))


def parameter_intervals(scenario: Scenario | str, draws: pd.DataFrame | None = None,
                        replicates: int = DEFAULT_REPLICATES, steps: int | None = None, seed: int | None = None,
                        overrides: dict | None = None, workers: int = 1, progress: bool = False) -> pd.DataFrame:
    """Each state's (and ASEAN's) final alignment per partner and forced_us, with intervals that
    include parameter uncertainty: `intervals` of `draw_runs` (arguments as there)."""
    return intervals(draw_runs(scenario, draws, replicates, steps, seed, overrides, workers, progress))


def interval_table(frame: pd.DataFrame, column_lo: str = "lo", column_hi: str = "hi") -> pd.DataFrame:
    """state x measure, each cell "mean [lo, hi]" in percent (from `intervals`)."""
    cells = [interval_cell(m, a, b, 100) for m, a, b in zip(frame["mean"], frame[column_lo], frame[column_hi])]
    table = frame.assign(cell=cells).pivot(index="state", columns="measure", values="cell")
    return table.loc[list(dict.fromkeys(frame["state"])), list(dict.fromkeys(frame["measure"]))]
