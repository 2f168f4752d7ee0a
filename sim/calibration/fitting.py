"""`calibrate()`: fit the shared parameters to one survey year, with bootstrap intervals.

    >>> import sim
    >>> fit = sim.calibrate(year=2020)
    >>> fit.targets_table()       # each target: survey, model, error in pp
    >>> fit.parameters_table()    # fitted values, anchors, bootstrap intervals
    >>> fit.correlation()         # parameters across bootstrap fits

The loss and the optimizer are described in `sim.calibration.objective`.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from sim.base.errors import check_whole
from sim.calibration import objective, report
from sim.calibration import targets as targets_mod
from sim.calibration.questions import REPLICATES, Answers, survey_scenario
from sim.calibration.least_squares import BOOTSTRAP, MET_PP
from sim.calibration.result import FitResult

STARTS = 4
SCREEN = 48
PROFILE_FACTORS = (0.5, 2.0)


class CalibrationResult(FitResult):
    """A fit with its report's tables as methods, for notebooks (`sim.calibration.report`)."""

    def targets_table(self) -> pd.DataFrame:
        return report.targets_table(self)

    def parameters_table(self) -> pd.DataFrame:
        return report.parameters_table(self)

    def correlation(self) -> pd.DataFrame:
        return report.correlation(self)

    def to_json(self) -> dict:
        return report.to_json(self)


def calibrate(targets: str | None = None, year: int = 2020, free=None, bootstrap: int = BOOTSTRAP,
              starts: int = STARTS, replicates: int = REPLICATES, seed: int = 0, profile: bool = True,
              anchor_weight: float = 1.0, overrides: dict | None = None, progress: bool = False) -> CalibrationResult:
    """Fit ``free`` (default: the shared weights, rationality and the unsourced
    partner reliabilities, `sim.calibration.objective.DEFAULT_FREE`) to the survey
    targets of ``year`` in ``targets`` (default: sim/data/survey_targets.csv).

    ``bootstrap`` refits give the intervals (0: none); ``starts`` is the number
    of optimizer starts (the anchor plus the best screened points);
    ``replicates`` model runs per parameter set; ``seed`` seeds the screen and
    the bootstrap draws (the model's own streams come from the scenario's seed);
    ``profile`` refits with each parameter halved and doubled (`profile_fits`);
    ``anchor_weight`` scales the anchor term (0: plain least squares);
    ``overrides`` holds other parameters at given values in every run.
    """
    began = time.perf_counter()
    for name, value, low in (("bootstrap", bootstrap, 0), ("starts", starts, 1), ("replicates", replicates, 1),
                             ("year", year, 0)):
        check_whole(name, value, low)
    scenario = survey_scenario(year).with_overrides(overrides or {})
    problem = objective.Problem(scenario, targets_mod.load(targets, year), objective.free_parameters(free), replicates,
                              anchor_weight)
    survey = objective.survey_values(problem)
    best, start_table = _multistart(problem, survey, starts, seed, progress)
    boot_z = _bootstrap(problem, best.x, bootstrap, seed, progress)
    result = problem.evaluate(best.x)
    return CalibrationResult(
        problem=problem, year=year, z=best.x, residual=best.fun, answers=result, starts=start_table,
        boot_z=boot_z, sensitivity=_sensitivity(problem, best.x, result),
        profile=profile_fits(problem, best.x, progress) if profile else pd.DataFrame(),
        seconds=time.perf_counter() - began,
        command=_command(year, free, overrides),
    )


def _multistart(problem, survey, starts, seed, progress):
    """Least squares from the anchor and the best ``starts - 1`` screened points."""
    screened, _ = objective.screen(problem, SCREEN if starts > 1 else 0, survey, seed)
    points = [problem.anchor_z(), *screened[: starts - 1]]
    fits = [objective.minimise(problem, z0, survey) for z0 in tqdm(points, desc="starts", disable=not progress)]
    table = pd.DataFrame([{"start": k, "loss": float((f.fun ** 2).sum()), "evaluations": f.nfev,
                           **{p.key: float(p.value(z)) for p, z in zip(problem.free, f.x)}}
                          for k, f in enumerate(fits)])
    return min(fits, key=lambda f: (f.fun ** 2).sum()), table


def _bootstrap(problem, z_best, count, seed, progress) -> np.ndarray:
    """Refits on redrawn survey figures and new model replicates (block b + 1)."""
    fits = []
    for b in tqdm(range(count), desc="bootstrap", disable=not progress):
        rng = np.random.default_rng([seed, b])
        fits.append(objective.minimise(problem, z_best, objective.resampled_survey(problem, rng), block=b + 1).x)
    return np.array(fits).reshape(count, len(problem.free))


def profile_fits(problem: objective.Problem, z_best: np.ndarray, progress: bool = False,
                 factors=PROFILE_FACTORS) -> pd.DataFrame:
    """Identifiability: fix one parameter at ``factor`` times its fitted value, refit the others,
    and see whether every target is still met (shares within 3 pp, ranking facts held).

    A parameter whose halving and doubling both leave the targets met is not pinned
    down by the survey: the anchor, not the data, chose its value.
    """
    survey = objective.survey_values(problem)
    rows = []
    jobs = [(j, f) for j in range(len(problem.free)) for f in factors]
    for j, factor in tqdm(jobs, desc="profile", disable=not progress):
        held = problem.free[j]
        value = float(np.clip(held.value(z_best[j]) * factor, held.lo, held.hi))
        others = [p for k, p in enumerate(problem.free) if k != j]
        sub = replace(problem, free=others, fixed=problem.fixed | {held.key: value})
        fitted = objective.minimise(sub, np.delete(z_best, j), survey)
        result = sub.evaluate(fitted.x)
        errors = np.abs(objective.data_residuals(sub, result, survey)[0])
        gaps = objective.rank_gaps(sub, result)[0]
        rows.append({"parameter": held.key, "factor": factor, "value": value,
                     "worst_error_pp": float(errors.max()) if len(errors) else 0.0,
                     "smallest_rank_gap_pp": float(gaps.min()) if len(gaps) else np.nan,
                     "targets_met": bool((errors <= MET_PP).all() and (gaps > 0).all())})
    return pd.DataFrame(rows)


def _sensitivity(problem, z_best, result: Answers) -> np.ndarray:
    """[share target, parameter]: pp change of each counted share per +10% of each parameter."""
    step = np.array([np.log(1.1) if p.log else 0.1 * p.scale for p in problem.free])
    points = z_best + np.diag(step)
    shifted = problem.evaluate(points)
    base = np.array([result.share(code)[0] for code in problem.shares["code"]]) * 100
    moved = np.stack([shifted.share(code) for code in problem.shares["code"]]) * 100  # [target, parameter]
    return moved - base[:, None]


def _command(year: int, free, overrides) -> str:
    command = f"run.py calibrate --year {year}"
    if free is not None and tuple(free) != objective.DEFAULT_FREE:
        command += " --free " + ",".join(free)
    return command + "".join(f" --set {key}={value}" for key, value in (overrides or {}).items())
