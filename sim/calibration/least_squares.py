"""The least-squares core both fits share: optimizer coordinates, bounds, and one bounded fit.

- Coordinates: a parameter that is positive is moved as z = log(value), so a
  step is a factor; one that can be negative (a lean, an event size) as
  z = value. A log parameter's lower bound is floored above 0, where log is
  finite: the year fit (`sim.calibration.objective`) floors at a thousandth
  of its range, the panel fit (`sim.calibration.panel`) at `LOG_FLOOR`; each
  fit keeps its own floor so that its fitted values do not move.
- `minimise`: ``scipy.optimize.least_squares`` (trust-region reflective,
  bounded) on a function that maps a batch of points [K, d] to their
  residuals [K, n]. The forward-difference Jacobian's d + 1 points run as
  one batch, and every row of a batch is cached so that least_squares asking
  for one of them again costs nothing.
- `linearised_refits`: refits on changed data, one Gauss-Newton step each
  from a fit with its Jacobian (the panel fit's bootstrap).
- `MET_PP`: how close to the survey a share target counts as met.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

FD_STEP = 1e-4  # in z (log units): a 0.01% change, far above round-off, far below any curvature
LOG_FLOOR = 1e-3  # the panel fit's lower bound of a log parameter whose schema range starts at 0
TINY = 1e-9  # log of a non-positive start value: at the floor's far side, clipped into the bounds
BOOTSTRAP = 30  # refits of each fit's bootstrap (the panel's are one Gauss-Newton step each)
MET_PP = 3.0  # a share target within this many pp of the survey is met (the report, the profile)

Residuals = Callable[[np.ndarray], np.ndarray]  # [K, d] points -> [K, n] residuals


def to_z(value, log):
    """Optimizer coordinates of ``value``: its log where ``log`` holds, else the value itself."""
    value = np.asarray(value, float)
    return np.where(log, np.log(np.maximum(value, TINY)), value)


def to_value(z, log):
    """The parameter value at optimizer coordinate ``z`` (the inverse of `to_z`)."""
    z = np.asarray(z, float)
    return np.where(log, np.exp(z), z)


def z_bounds(lo, hi, log, floor) -> tuple[np.ndarray, np.ndarray]:
    """The schema range [lo, hi] in optimizer coordinates; a log parameter's ``lo`` raised to ``floor``."""
    lo, hi, log = np.asarray(lo, float), np.asarray(hi, float), np.asarray(log, bool)
    low = np.where(log, np.maximum(lo, floor), lo)
    return to_z(low, log), to_z(hi, log)


def difference_points(z: np.ndarray, upper: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The d+1 points of a forward-difference Jacobian at ``z`` and their steps (inward at an upper bound)."""
    steps = np.where(z + FD_STEP <= upper, FD_STEP, -FD_STEP)
    return np.vstack([z, z + np.diag(steps)]), steps


class BatchedResiduals:
    """``fun`` and ``jac`` for least_squares from a function of a batch of points."""

    def __init__(self, residuals: Residuals, upper: np.ndarray):
        self.residuals, self.upper = residuals, upper
        self.cache: dict[bytes, np.ndarray] = {}

    def batch(self, Z: np.ndarray) -> np.ndarray:
        out = self.residuals(np.atleast_2d(Z))
        self.cache = {z.tobytes(): r for z, r in zip(np.atleast_2d(Z), out)}
        return out

    def fun(self, z: np.ndarray) -> np.ndarray:
        hit = self.cache.get(np.asarray(z, float).tobytes())
        return hit if hit is not None else self.batch(np.asarray(z, float))[0]

    def jac(self, z: np.ndarray) -> np.ndarray:
        points, steps = difference_points(np.asarray(z, float), self.upper)
        values = self.batch(points)
        return ((values[1:] - values[0]) / steps[:, None]).T


def minimise(residuals: Residuals, z0: np.ndarray, bounds: tuple[np.ndarray, np.ndarray], max_nfev: int):
    """One bounded least-squares fit of ``residuals`` from ``z0`` (clipped into ``bounds``); scipy's OptimizeResult."""
    from scipy.optimize import least_squares  # scipy loads only when a fit runs

    low, high = bounds
    objective = BatchedResiduals(residuals, high)
    return least_squares(objective.fun, np.clip(z0, low, high), jac=objective.jac, bounds=(low, high),
                         method="trf", x_scale=1.0, max_nfev=max_nfev)


def linearised_refits(fit, shifts: np.ndarray, bounds: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """[draw, d]: for each row of ``shifts`` (how the residuals move with the changed data), one
    Gauss-Newton step from the fit ``fit.x`` with its Jacobian ``fit.jac``, clipped into ``bounds``."""
    J = fit.jac
    step = np.linalg.pinv(J.T @ J) @ J.T
    return np.array([np.clip(fit.x - step @ shift, *bounds) for shift in shifts]).reshape(len(shifts), len(fit.x))
