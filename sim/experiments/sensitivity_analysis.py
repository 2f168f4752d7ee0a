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

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.base.errors import InputError
from sim.base.files import write_all
from sim.core.outcomes import outcome_names
from sim.experiments import sweeps as sweeping
from sim.experiments.sampling import MORRIS_LEVELS, salib_problem

METHODS = {"sobol": "saltelli", "morris": "morris"}  # method -> the sweep sampler that draws its design


@dataclass
class Sensitivity:
    """Indices per parameter for one outcome, and the sweep behind them."""

    indices: pd.DataFrame
    method: str
    outcome: str
    sweep: sweeping.SweepResult


def numeric_outcomes(scenario) -> list[str]:
    """Outcomes an analysis can use: numeric and defined in every run (tipping_step is NaN when nothing tips)."""
    return [name for name in outcome_names(scenario.partners, scenario.states) if name != "tipping_step"]


def sensitivity(scenario="baseline_2020", vary=(), method: str = "sobol", outcome: str = "asean_US",
                samples: int | None = None, replicates: int = 1, seed: int | None = None, steps: int | None = None,
                out: Path | str | None = None, workers: int = 1, scheduler=None, force: bool = False,
                overrides: dict | None = None, progress: bool = False) -> Sensitivity:
    """Sobol' (S1, ST with 95% confidence) or Morris (mu*, sigma) indices of ``outcome``.

    ``samples`` is SALib's N: N (D + 2) parameter sets for Sobol' (a power of
    two, default 64), N (D + 1) for Morris (default 20 trajectories).
    """
    if method not in METHODS:
        raise InputError("", "--method", method, "one of " + ", ".join(METHODS))
    plan = sweeping.make_plan(scenario, vary, METHODS[method], samples, replicates, seed, steps,
                              overrides=overrides)
    choices = numeric_outcomes(plan.scenario)
    if outcome not in choices:
        raise InputError("", "--outcome", outcome, "a numeric outcome: " + ", ".join(choices[:12]) + ", ... "
                         "(<State>_<partner> too)")
    result = sweeping.run_plan(plan, out, workers, scheduler, force, progress=progress)
    y = result.runs.groupby("variation", sort=True)[outcome].mean().to_numpy()
    indices = analyze(plan, y, method)
    return Sensitivity(indices, method, outcome, result)


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


def figure(result: Sensitivity):
    """Horizontal bars per parameter: S1 and ST with 95% intervals, or mu* (with interval) and sigma."""
    from sim.reports.plots import plt  # pyplot on the headless backend, loaded only when the figure is drawn

    table = result.indices.iloc[::-1]
    bars = (("S1", "S1_conf", "first order S1"), ("ST", "ST_conf", "total ST")) if result.method == "sobol" else \
        (("mu_star", "mu_star_conf", "mu* (mean |effect|)"), ("sigma", None, "sigma (interactions, nonlinearity)"))
    fig, ax = plt.subplots(figsize=(7, 1.2 + 0.55 * len(table)))
    y = np.arange(len(table))
    for offset, (column, conf, label) in zip((0.2, -0.2), bars):
        ax.barh(y + offset, table[column], height=0.38, xerr=None if conf is None else table[conf],
                label=label, capsize=3)
    ax.set_yticks(y, table.index)
    name = "Sobol' indices" if result.method == "sobol" else "Morris elementary effects"
    ax.set(xlabel="index", title=f"{name} of {result.outcome}")
    ax.axvline(0, color="black", lw=0.8)
    ax.legend(loc="lower right", frameon=False)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def save(result: Sensitivity, out_dir: Path | str, where: str = "out_dir") -> dict[str, Path]:
    """sensitivity_<method>_<outcome>.csv and .png under ``out_dir`` (next to the sweep's files), both or neither."""
    from sim.reports.plots import save_figure  # matplotlib loads only when the figure is written

    stem = f"sensitivity_{result.method}_{result.outcome}"
    return write_all(out_dir, {f"{stem}.csv": lambda path: result.indices.to_csv(path),
                               f"{stem}.png": lambda path: save_figure(figure(result), path)}, where)
