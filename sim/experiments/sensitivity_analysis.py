"""Global sensitivity analysis with SALib: which varied parameters drive an outcome.

    >>> import sim
    >>> s = sim.sensitivity("baseline_2020", vary=["world.us_commitment=0.5:1.5", "weights.peer=0:3"],
    ...                     method="sobol", outcome="asean_US")
    >>> s.indices       # parameter, S1, S1_conf, ST, ST_conf   (method="morris": mu, mu_star, mu_star_conf, sigma)

The runs are a sweep (`sim.sweep`) over SALib's design for the method
(Saltelli's for Sobol' indices, Morris trajectories), so with ``out`` they are
written, resumable and can run on several workers or a dask cluster. The
outcome of a parameter set is its mean over ``replicates``; replicate r of
every set draws the same random numbers, so noise does not masquerade as an
effect: a parameter the outcome does not use gets indices of zero.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.base.errors import InputError, near_miss
from sim.base.files import write_all
from sim.core.outcomes import outcome_names
from sim.experiments import sweeps as sweeping
from sim.experiments.sampling import MORRIS_LEVELS, salib_problem

METHODS = {"sobol": "saltelli", "morris": "morris"}  # method -> the sweep sampler that draws its design


@dataclass
class Sensitivity:
    """Indices per parameter for one or many outcomes, and the sweep behind them.

    ``indices``: for one outcome, a row per parameter; for several, a row per (outcome, parameter).
    ``outcome`` is the first outcome, ``outcomes`` all of them in order."""

    indices: pd.DataFrame
    method: str
    outcome: str
    sweep: sweeping.SweepResult
    outcomes: list[str] = field(default_factory=list)

    @property
    def effect(self) -> str | None:
        """With ``against``: the effect the outcomes are differences of ("A minus B"), else None."""
        against = self.sweep.manifest.get("against")
        return None if against is None else f"{self.sweep.manifest['scenario']} minus {against}"


def numeric_outcomes(scenario) -> list[str]:
    """Outcomes an analysis can use: numeric and defined in every run (tipping_step is NaN when nothing tips)."""
    return [name for name in outcome_names(scenario.partners, scenario.states) if name != "tipping_step"]


def chosen_outcomes(patterns, choices: list[str]) -> list[str]:
    """The outcomes named by ``patterns`` (names or shell patterns such as ``forced_us_*`` or ``*_US``),
    in ``choices``' order, each once; a pattern that matches nothing is an `InputError`."""
    patterns = [patterns] if isinstance(patterns, str) else list(patterns)
    found = []
    for pattern in patterns:
        matched = fnmatch.filter(choices, str(pattern))
        if not matched:
            raise InputError("", "--outcome", pattern, "a numeric outcome or pattern: " + ", ".join(choices[:12])
                             + ", ... (<State>_<partner>, forced_us_<State>; patterns like forced_us_*)"
                             + near_miss(pattern, choices))
        found += [name for name in matched if name not in found]
    return [name for name in choices if name in found]


def sensitivity(scenario="baseline_2020", vary=(), method: str = "sobol", outcome="asean_US",
                samples: int | None = None, replicates: int = 1, seed: int | None = None, steps: int | None = None,
                out: Path | str | None = None, workers: int = 1, scheduler=None, force: bool = False,
                overrides: dict | None = None, progress: bool = False, against=None) -> Sensitivity:
    """Sobol' (S1, ST with 95% confidence) or Morris (mu*, sigma) indices of one or many outcomes.

    ``outcome``: a name, a shell pattern (``"forced_us_*"``: every state's forced choice; ``"*_US"``:
    every state's US share) or a list of them; the runs are swept once for all.
    ``against``: a second scenario; each run's outcome is then its paired difference from the same
    run there (same parameter set and random numbers): the sensitivity of the *effect*.
    ``samples`` is SALib's N: N (D + 2) parameter sets for Sobol' (a power of
    two, default 64), N (D + 1) for Morris (default 20 trajectories).
    """
    if method not in METHODS:
        raise InputError("", "--method", method, "one of " + ", ".join(METHODS))
    plan = sweeping.make_plan(scenario, vary, METHODS[method], samples, replicates, seed, steps,
                              overrides=overrides, against=against)
    outcomes = chosen_outcomes(outcome, numeric_outcomes(plan.scenario))
    result = sweeping.run_plan(plan, out, workers, scheduler, force, progress=progress)
    means = result.runs.groupby("variation", sort=True)[outcomes].mean()
    tables = {name: analyze(plan, means[name].to_numpy(), method) for name in outcomes}
    indices = tables[outcomes[0]] if len(outcomes) == 1 else pd.concat(tables, names=["outcome", "parameter"])
    return Sensitivity(indices, method, outcomes[0], result, outcomes)


def analyze(plan: sweeping.Plan, y: np.ndarray, method: str) -> pd.DataFrame:
    """SALib's indices from the outcome of each parameter set (in design order)."""
    problem = salib_problem(plan.varies)
    columns = ["S1", "S1_conf", "ST", "ST_conf"] if method == "sobol" else ["mu", "mu_star", "mu_star_conf", "sigma"]
    if np.ptp(y) == 0:  # SALib divides by the variance: a constant outcome has no effect to share out
        return _table({c: np.zeros(len(plan.keys)) for c in columns}, plan.keys)
    if method == "sobol":
        from SALib.analyze import sobol  # SALib loads only when indices are computed

        found = sobol.analyze(problem, y, calc_second_order=False, seed=plan.seed)
    else:
        from SALib.analyze import morris  # SALib loads only when indices are computed

        found = morris.analyze(problem, plan.design.to_numpy(), y, num_levels=MORRIS_LEVELS, seed=plan.seed)
    return _table({c: np.asarray(found[c], dtype=float) for c in columns}, plan.keys)


def _table(columns: dict, keys: list[str]) -> pd.DataFrame:
    table = pd.DataFrame(columns, index=pd.Index(keys, name="parameter"))
    return table


def _indices_of(result: Sensitivity, outcome: str) -> pd.DataFrame:
    return result.indices if len(result.outcomes) <= 1 else result.indices.loc[outcome]


def _about(result: Sensitivity, outcome: str) -> str:
    return outcome if result.effect is None else f"the effect on {outcome} ({result.effect})"


def figure(result: Sensitivity, outcome: str | None = None):
    """Horizontal bars per parameter: S1 and ST with 95% intervals, or mu* (with interval) and sigma;
    the legend below the axes, so it covers no bar."""
    from sim.reports.plots import plt  # pyplot on the headless backend, loaded only when the figure is drawn

    outcome = outcome or result.outcome
    table = _indices_of(result, outcome).iloc[::-1]
    bars = (("S1", "S1_conf", "first order S1"), ("ST", "ST_conf", "total ST")) if result.method == "sobol" else \
        (("mu_star", "mu_star_conf", "mu* (mean |effect|)"), ("sigma", None, "sigma (interactions, nonlinearity)"))
    height = 1.6 + 0.55 * len(table)
    fig, ax = plt.subplots(figsize=(7, height))
    y = np.arange(len(table))
    for offset, (column, conf, label) in zip((0.2, -0.2), bars):
        ax.barh(y + offset, table[column], height=0.38, xerr=None if conf is None else table[conf],
                label=label, capsize=3)
    ax.set_yticks(y, table.index)
    name = "Sobol' indices" if result.method == "sobol" else "Morris elementary effects"
    ax.set(xlabel="index", title=f"{name} of {_about(result, outcome)}")
    ax.axvline(0, color="black", lw=0.8)
    ax.grid(axis="x", alpha=0.3)
    fig.legend(*ax.get_legend_handles_labels(), loc="lower center", ncol=2, frameon=False)
    fig.tight_layout(rect=(0, 0.3 / height, 1, 1))  # room for the legend's line below the axis label
    return fig


HEAT_INDEX = {"sobol": ("ST", "total Sobol' index ST (share of the variance)", 1.0, 2),
              "morris": ("mu_star", "mu* (mean |elementary effect|), points", 100.0, 1)}


def state_grids(result: Sensitivity) -> dict[str, pd.DataFrame]:
    """The indices of every per-state outcome as state x parameter tables, one per kind of outcome
    (each state's forced choice, each state's share of a partner); ASEAN-wide outcomes are the
    ASEAN row. The values: ST for Sobol', mu* in points for Morris (`HEAT_INDEX`)."""
    column, _, scale, _ = HEAT_INDEX[result.method]
    states = list(result.sweep.manifest.get("states") or [])
    rows: dict[str, dict[str, pd.Series]] = {}
    for outcome in result.outcomes:
        kind, row = _kind_and_row(outcome, states)
        if kind is not None:
            rows.setdefault(kind, {})[row] = scale * _indices_of(result, outcome)[column]
    order = [*states, "ASEAN"]
    return {kind: pd.DataFrame(found).T.loc[[row for row in order if row in found]] for kind, found in rows.items()}


def other_outcomes(result: Sensitivity) -> list[str]:
    """The outcomes that are neither a state's nor ASEAN's share or forced choice (cohesion, led_US, ...)."""
    states = list(result.sweep.manifest.get("states") or [])
    return [outcome for outcome in result.outcomes if _kind_and_row(outcome, states)[0] is None]


def _kind_and_row(outcome: str, states: list[str]) -> tuple[str | None, str]:
    """(kind, row) of an outcome: forced_us_Vietnam -> ("forced choice (% US)", "Vietnam"); kind None
    for an outcome that is not per state (cohesion, led_US)."""
    if outcome == "forced_us" or outcome.startswith("forced_us_"):
        return "forced choice (% US)", outcome.removeprefix("forced_us").removeprefix("_") or "ASEAN"
    if outcome.startswith("asean_"):
        return f"share of {outcome.removeprefix('asean_')}", "ASEAN"
    for state in states:
        if outcome.startswith(f"{state}_"):
            return f"share of {outcome.removeprefix(state + '_')}", state
    return None, outcome


def heatmap(result: Sensitivity):
    """One state x assumption heatmap (a panel per kind of outcome) of `state_grids`."""
    from sim.reports.plots import heatmaps  # matplotlib loads only when the figure is drawn

    _, label, _, digits = HEAT_INDEX[result.method]
    what = (f"each state's outcomes in {result.sweep.manifest['scenario']}" if result.effect is None
            else f"the effect of {result.effect}")
    title = f"Which assumptions drive {what} ({result.method} indices)"
    return heatmaps(state_grids(result), title, label, digits)


def tidy_indices(result: Sensitivity) -> pd.DataFrame:
    """outcome, parameter and the indices: one row per outcome and parameter."""
    if len(result.outcomes) <= 1:
        return result.indices.reset_index().assign(outcome=result.outcome)[["outcome", "parameter",
                                                                            *result.indices.columns]]
    return result.indices.reset_index()


def save(result: Sensitivity, out_dir: Path | str, where: str = "out_dir") -> dict[str, Path]:
    """Under ``out_dir`` (next to the sweep's files), all or none: for one outcome
    sensitivity_<method>_<outcome>.csv and its bar chart (.png); for several, sensitivity_<method>.csv
    (a row per outcome and parameter) and the heatmap sensitivity_<method>_heatmap.png."""
    from sim.reports.plots import save_figure  # matplotlib loads only when the figure is written

    if len(result.outcomes) <= 1:
        stem = f"sensitivity_{result.method}_{result.outcome}"
        return write_all(out_dir, {f"{stem}.csv": lambda path: result.indices.to_csv(path),
                                   f"{stem}.png": lambda path: save_figure(figure(result), path)}, where)
    stem = f"sensitivity_{result.method}"
    return write_all(out_dir, {f"{stem}.csv": lambda path: tidy_indices(result).to_csv(path, index=False),
                               f"{stem}_heatmap.png": lambda path: save_figure(heatmap(result), path)}, where)
