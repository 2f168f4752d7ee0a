"""What a year fit produced (`FitResult`): the best fit, the bootstrap, the profile; below the report that reads it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.calibration import objective
from sim.calibration.questions import Answers


@dataclass
class FitResult:
    """What a fit produced: the numbers `sim.calibration.report` reads."""

    problem: objective.Problem
    year: int
    z: np.ndarray  # best fit, optimizer coordinates
    residual: np.ndarray
    answers: Answers  # at the best fit
    starts: pd.DataFrame
    boot_z: np.ndarray  # [bootstrap, parameter]
    sensitivity: np.ndarray  # [share target, parameter]: pp per +10% of the parameter
    profile: pd.DataFrame  # can the targets still be met with one parameter halved or doubled?
    seconds: float
    command: str

    @property
    def free(self) -> list[objective.FreeParameter]:
        return self.problem.free

    @property
    def values(self) -> dict[str, float]:
        return {p.key: float(p.value(z)) for p, z in zip(self.free, self.z)}

    @property
    def loss(self) -> dict[str, float]:
        return objective.loss_terms(self.problem, self.residual)

    def boot_values(self) -> np.ndarray:
        return np.stack([p.value(self.boot_z[:, j]) for j, p in enumerate(self.free)], 1)
