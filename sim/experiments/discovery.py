"""Scenario discovery on a finished sweep: the parameter boxes where a condition holds.

    >>> import sim
    >>> d = sim.discover("results/sweep_us", "led_CN >= 6")     # China leads in a majority of states
    >>> d.boxes        # box, parameter, min, max, swept_min, swept_max, coverage, density, mass, runs
    >>> d.trajectory   # the first box's peeling trajectory: coverage, density, mass, res_dim

The condition is a pandas expression on the per-run outcomes (`sim.core.outcomes`,
e.g. ``asean_CN > asean_US``, ``led_CN >= 6 and cohesion < 0.7``, ``world.rivalry > 0.5``:
a varied key is quoted in backticks for pandas when it is not already). Boxes come from PRIM
(Friedman and Fisher 1999) as implemented in the EMA Workbench: coverage is
the share of the runs where the condition holds that fall in the box; density
the share of the box's runs where it holds.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.base.errors import InputError, check_count
from sim.base.files import write_all, write_json
from sim.experiments.sweeps import load_sweep

DEFAULT_THRESHOLD = 0.8  # judgement: EMA Workbench's examples; a box where the condition holds 4 times in 5
MAX_BOXES = 3


@dataclass
class Discovery:
    """PRIM's boxes for one condition on one sweep."""

    condition: str
    boxes: pd.DataFrame
    trajectory: pd.DataFrame
    cases: int
    runs: int
    prim_boxes: list  # ema_workbench PrimBox objects, for their own plots (show_pairs_scatter, ...)


def _prim():
    with warnings.catch_warnings():  # the Workbench warns about optional parallel back-ends it does not need here
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim  # the EMA Workbench loads only when discover runs
    return prim


def evaluate(runs: pd.DataFrame, condition: str) -> np.ndarray:
    """[run] booleans: where ``condition`` holds, or an InputError naming the expression."""
    expected = "a condition on the outcome columns, e.g. 'led_CN >= 6' or 'asean_CN > asean_US'"
    try:
        value = runs.eval(_quote_dotted(condition, runs.columns), engine="python")
    except Exception as exc:  # pandas raises many types for a bad expression; all mean the same to the user
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError("", "--outcome", condition, f"{expected} ({reason})") from None
    if not isinstance(value, pd.Series) or value.dtype != bool:
        raise InputError("", "--outcome", condition, f"{expected}: true or false for each run")
    return value.to_numpy()


def _quote_dotted(condition: str, columns) -> str:
    """``condition`` with each dotted column name (a varied key such as world.rivalry) in backticks,
    which pandas needs to read it as one name; names already quoted are left alone."""
    for name in sorted((c for c in columns if "." in str(c)), key=len, reverse=True):
        condition = re.sub(rf"(?<![`\w.]){re.escape(name)}(?![`\w])", f"`{name}`", condition)
    return condition


def discover(sweep_dir: Path | str, condition: str, threshold: float = DEFAULT_THRESHOLD, boxes: int = MAX_BOXES,
             peel_alpha: float = 0.05, mass_min: float = 0.05) -> Discovery:
    """PRIM boxes over the swept parameters where ``condition`` holds, best coverage at ``threshold`` density.

    Each box is the one on its peeling trajectory with the highest coverage
    among those at least ``threshold`` dense (the densest if none is); later
    boxes are found in the runs outside earlier ones, up to ``boxes``.
    """
    for name, value, low, high in (("threshold", threshold, 0, 1), ("peel_alpha", peel_alpha, 0, 0.5),
                                   ("mass_min", mass_min, 0, 1)):
        if not low < value <= high:
            raise InputError("", name, value, f"a number in ({low}, {high}]")
    boxes = check_count("boxes", boxes)  # 0 boxes would leave nothing to report
    sweep = load_sweep(sweep_dir)
    runs, keys = sweep.runs, sweep.plan_keys
    y = evaluate(runs, condition)
    if y.all() or not y.any():
        raise InputError("", "--outcome", condition, f"a condition true in some runs and false in others "
                         f"(true in {int(y.sum())} of {len(y)})")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module="ema_workbench")  # its pandas deprecations are not ours to fix
        return _find_boxes(runs, keys, y, condition, threshold, boxes, peel_alpha, mass_min)


def _find_boxes(runs, keys, y, condition, threshold, boxes, peel_alpha, mass_min) -> Discovery:
    finder = _prim().Prim(runs[keys], y, threshold=threshold, peel_alpha=peel_alpha, mass_min=mass_min)
    found, rows = [], []
    outside = np.ones(len(runs), bool)  # later boxes are searched among the runs outside earlier ones
    for number in range(1, boxes + 1):
        box = finder.find_box()
        if box is None:
            break
        _select_best(box, threshold)
        if found and box.density < threshold:  # the first box is always shown; later ones only if dense enough
            break
        found.append(box)
        box_rows, inside = _box_rows(number, box, keys, runs, outside)
        rows += box_rows
        outside &= ~inside
    trajectory = found[0].peeling_trajectory[["coverage", "density", "mass", "res_dim"]].copy() if found else None
    return Discovery(condition, pd.DataFrame(rows), trajectory, int(y.sum()), len(y), found)


def _select_best(box, threshold: float) -> None:
    trajectory = box.peeling_trajectory
    dense = trajectory[trajectory["density"] >= threshold]
    chosen = dense["coverage"].idxmax() if len(dense) else trajectory["density"].idxmax()
    box.select(int(chosen))


def _box_rows(number: int, box, keys: list[str], runs: pd.DataFrame, outside: np.ndarray):
    """(one row per parameter the box restricts, or all if none; [run] inside this box and no earlier one)."""
    limits, full = box.box_lim, box.box_lims[0]
    restricted = [k for k in keys if not np.allclose(limits[k].to_numpy(dtype=float), full[k].to_numpy(dtype=float))]
    inside = outside.copy()
    for key in keys:
        inside &= runs[key].between(limits[key].iloc[0], limits[key].iloc[1]).to_numpy()
    stats = {"coverage": float(box.coverage), "density": float(box.density), "mass": float(box.mass),
             "runs": int(inside.sum())}
    rows = [{"box": number, "parameter": k, "min": float(limits[k].iloc[0]), "max": float(limits[k].iloc[1]),
             "swept_min": float(full[k].iloc[0]), "swept_max": float(full[k].iloc[1]), **stats}
            for k in (restricted or keys)]
    return rows, inside


def tradeoff_figure(discovery: Discovery):
    """The first box's peeling trajectory: coverage against density, coloured by restricted dimensions."""
    if not discovery.prim_boxes:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fig = discovery.prim_boxes[0].show_tradeoff()
    ax, chosen = fig.axes[0], discovery.prim_boxes[0]
    ax.scatter([chosen.coverage], [chosen.density], s=160, facecolors="none", edgecolors="red", lw=2,
               label="box 1 (reported)")
    ax.legend(loc="lower left", frameon=False)
    ax.set_title(f"PRIM trade-off for: {discovery.condition}")
    return fig


def save(discovery: Discovery, out_dir: Path | str, where: str = "out_dir") -> dict[str, Path]:
    """boxes.csv, trajectory.csv, tradeoff.png and discover.json under ``out_dir``, all or none (`write_all`)."""
    from sim.reports.plots import save_figure  # matplotlib loads only when the figure is written

    writers = {"boxes.csv": lambda path: discovery.boxes.to_csv(path, index=False)}
    if discovery.trajectory is not None:
        writers["trajectory.csv"] = lambda path: discovery.trajectory.to_csv(path)
        writers["tradeoff.png"] = lambda path: save_figure(tradeoff_figure(discovery), path)
    summary = {"condition": discovery.condition, "cases": discovery.cases, "runs": discovery.runs,
               "method": "PRIM (ema_workbench.analysis.prim)"}
    writers["discover.json"] = lambda path: write_json(summary, path)
    return write_all(out_dir, writers, where)
