"""Fitting the shared parameters to a survey year: the loss, the optimizer, the bootstrap.

The loss (a sum of squares, minimised with ``scipy.optimize.least_squares``):

    loss = sum over share targets   (model - survey)^2            [percentage points]
         + sum over ranking facts   max(0, margin - gap)^2         [pp; margin 1 pp]
         + sum over free parameters ((z - z_anchor) / ln 2)^2      [z = log of the parameter]

- A share target counts once per question: the forced choice through its US
  row (the China row is 100 - US).
- A ranking fact's gap: for "most", the option's share minus the largest
  other option's; for "least", the smallest other share minus the option's.
  The margin keeps a fact from resting on a tie.
- The anchor term pulls each free parameter toward its pre-calibration
  judgement (``sim/data/calibration_anchors.csv``; the current default for a
  parameter not listed there): moving a parameter by a factor of 2 costs as
  much as a 1 pp error. The survey's 2020 figures pin down fewer
  combinations of parameters than there are parameters; without the anchor
  the optimum would be a whole surface, and the start would pick the point.
  The fit report shows which parameters the data moved and which stayed.
  Parameters that can be negative use z = value and a scale of a quarter of
  their range.

Several starts: the anchor plus the best points of a Latin hypercube screen
(scipy.stats.qmc) within a factor of 4 of the anchor, each refined by
least_squares (bounded, trust-region) with a finite-difference Jacobian
evaluated as one batch of runs (`sim.calibration.least_squares`, the core
the panel fit shares). Bootstrap: each refit draws new survey figures
(binomial with the survey's respondents) and new model replicates (another
block of random streams), starting from the best fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from importlib import resources

import numpy as np
import pandas as pd

from sim.base.errors import InputError
from sim.calibration import least_squares
from sim.calibration import targets as targets_mod
from sim.calibration.questions import REPLICATES, Answers, answers
from sim.schema import parameters
from sim.schema.scenario import Scenario

DEFAULT_FREE = (
    "model.rationality", "weights.security", "weights.trust", "weights.risk", "weights.history",
    "weights.peer", "partners.KR.reliability", "partners.AU.reliability", "partners.IN.reliability",
)
RANK_MARGIN_PP = 1.0
ANCHOR_SCALE = math.log(2.0)
SCREEN_FACTOR = 4.0
RANGE_FLOOR = 1e-3  # a log parameter's lower bound: at least this fraction of its upper bound (the panel: 1e-3)


@dataclass(frozen=True)
class FreeParameter:
    """A parameter the fit moves, in the optimizer's coordinate z (log, or the value itself)."""

    key: str
    anchor: float
    lo: float
    hi: float
    log: bool
    anchor_source: str = ""

    @classmethod
    def of(cls, key: str, anchors: dict) -> "FreeParameter":
        spec = parameters.spec(key, "--free")
        if spec.kind != "real" or key.startswith("states."):
            raise InputError("--free", key, None, "a shared real-valued parameter (model.*, weights.*, "
                             "world.*, partners.*): the states' structural data stay as sourced")
        anchor, source = anchors.get(key, (float(spec.default), "current default (no anchor listed)"))
        log = spec.lo >= 0 and anchor > 0
        lo = max(spec.lo, spec.hi * RANGE_FLOOR) if log else spec.lo  # log is finite above 0
        return cls(key, float(anchor), lo, spec.hi, log, source)

    def z(self, value):
        return least_squares.to_z(value, self.log)

    def value(self, z):
        return least_squares.to_value(z, self.log)

    @property
    def scale(self) -> float:
        return ANCHOR_SCALE if self.log else (self.hi - self.lo) / 4

    @property
    def z_bounds(self) -> tuple[float, float]:
        return float(self.z(self.lo)), float(self.z(self.hi))

    def screen_bounds(self) -> tuple[float, float]:
        """Where the multi-start screen looks: within a factor of 4 of the anchor (or 2 scales)."""
        low, high = self.z_bounds
        width = math.log(SCREEN_FACTOR) if self.log else 2 * self.scale
        centre = float(self.z(self.anchor))
        return max(low, centre - width), min(high, centre + width)


def anchors() -> dict[str, tuple[float, str]]:
    """The pre-calibration judgements the anchor term pulls toward: {key: (value, source)}."""
    path = resources.files("sim") / "data" / "calibration_anchors.csv"
    with path.open(encoding="utf-8") as handle:
        table = pd.read_csv(handle)
    return {row.key: (float(row.value), row.source) for row in table.itertuples()}


def free_parameters(names=None) -> list[FreeParameter]:
    """The free parameters, checked: `DEFAULT_FREE` when ``names`` is None."""
    names = list(DEFAULT_FREE if names is None else names)
    if not names:
        raise InputError("--free", "free", "", "at least one parameter name")
    if len(set(names)) != len(names):
        raise InputError("--free", "free", ",".join(names), "no name listed twice")
    known = anchors()
    return [FreeParameter.of(name, known) for name in names]


@dataclass
class Problem:
    """A survey year's targets, the world they are asked of, and what the fit may move."""

    scenario: Scenario
    targets: pd.DataFrame  # the year's rows of `sim.calibration.targets.load`
    free: list[FreeParameter]
    replicates: int = REPLICATES
    anchor_weight: float = 1.0
    fixed: dict = field(default_factory=dict)  # other changes applied to every run

    @property
    def shares(self) -> pd.DataFrame:
        """Share targets that enter the loss (complements left out)."""
        rows = self.targets[self.targets["kind"] == "share"]
        complement = rows["question"].map(targets_mod.COMPLEMENT) == rows["code"]
        return rows[~complement]

    @property
    def ranks(self) -> pd.DataFrame:
        return self.targets[self.targets["kind"] == "rank"]

    def variations(self, Z: np.ndarray) -> list[dict]:
        return [self.fixed | {p.key: float(p.value(z)) for p, z in zip(self.free, row)} for row in np.atleast_2d(Z)]

    def evaluate(self, Z: np.ndarray, block: int = 0) -> Answers:
        return answers(self.scenario, self.variations(Z), self.replicates, block)

    def anchor_z(self) -> np.ndarray:
        return np.array([float(p.z(p.anchor)) for p in self.free])

    def z_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """The free parameters' bounds in optimizer coordinates: (low, high)."""
        return tuple(np.array([p.z_bounds for p in self.free]).T)


def data_residuals(problem: Problem, result: Answers, survey: np.ndarray) -> np.ndarray:
    """[K, share targets] model minus survey, in percentage points."""
    model = np.stack([result.share(code) for code in problem.shares["code"]], -1) * 100
    return model - survey


def rank_gaps(problem: Problem, result: Answers) -> np.ndarray:
    """[K, ranking facts] how far each fact holds, in pp (negative: it fails)."""
    shares = result.third_party * 100
    gaps = []
    for code, rank in zip(problem.ranks["code"], problem.ranks["rank"]):
        own = shares[:, result.options.index(code)]
        others = np.delete(shares, result.options.index(code), axis=1)
        gaps.append(own - others.max(1) if rank == "most" else others.min(1) - own)
    return np.stack(gaps, -1) if gaps else np.zeros((len(shares), 0))


def residuals(problem: Problem, Z: np.ndarray, result: Answers, survey: np.ndarray) -> np.ndarray:
    """[K, residuals]: the loss is the sum of their squares (module docstring)."""
    hinge = np.maximum(RANK_MARGIN_PP - rank_gaps(problem, result), 0.0)
    scales = np.array([p.scale for p in problem.free])
    anchor = math.sqrt(problem.anchor_weight) * (np.atleast_2d(Z) - problem.anchor_z()) / scales
    return np.concatenate([data_residuals(problem, result, survey), hinge, anchor], axis=1)


def minimise(problem: Problem, z0: np.ndarray, survey: np.ndarray, block: int = 0, max_nfev: int = 60):
    """One bounded least-squares fit from ``z0`` (`sim.calibration.least_squares.minimise`); scipy's OptimizeResult."""
    def batch(Z: np.ndarray) -> np.ndarray:
        return residuals(problem, Z, problem.evaluate(Z, block), survey)

    return least_squares.minimise(batch, z0, problem.z_bounds(), max_nfev)


def screen(problem: Problem, n_points: int, survey: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Latin hypercube points around the anchor and their losses, best first."""
    from scipy.stats import qmc  # scipy loads only when a fit runs

    bounds = np.array([p.screen_bounds() for p in problem.free])
    unit = qmc.LatinHypercube(d=len(problem.free), seed=seed).random(n_points)
    Z = qmc.scale(unit, bounds[:, 0], bounds[:, 1]) if n_points else np.zeros((0, len(problem.free)))
    if not n_points:
        return Z, np.zeros(0)
    loss = (residuals(problem, Z, problem.evaluate(Z), survey) ** 2).sum(1)
    order = np.argsort(loss)
    return Z[order], loss[order]


def survey_values(problem: Problem) -> np.ndarray:
    return problem.shares["percent"].to_numpy(float)


def resampled_survey(problem: Problem, rng: np.random.Generator) -> np.ndarray:
    """Share targets redrawn as the survey's sampling error allows: binomial(n, p) / n."""
    return targets_mod.resampled_percent(problem.shares["percent"], problem.shares["respondents"], rng)


def loss_terms(problem: Problem, residual: np.ndarray) -> dict[str, float]:
    """The loss split into its three sums (module docstring)."""
    n_data, n_rank = len(problem.shares), len(problem.ranks)
    squares = residual ** 2
    return {"data": float(squares[:n_data].sum()), "ranking": float(squares[n_data:n_data + n_rank].sum()),
            "anchor": float(squares[n_data + n_rank:].sum()), "total": float(squares.sum())}
