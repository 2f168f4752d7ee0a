"""Intervals of a mean over replicates, and the one sentence that says what they mean.

`bootstrap_interval` is the 95% interval every comparison and explained difference shows (a BCa
bootstrap of the mean over paired replicates); `INTERVAL_LEGEND` is the legend the reports repeat
wherever such an interval appears, so a reader never has to guess what the brackets cover.
`reading` sorts a difference's interval into "negligible" (all of it within ±`NEGLIGIBLE`), "clear
of zero" or "not clear of zero", the three words every comparison report uses.
"""

from __future__ import annotations

import warnings

import numpy as np

RESAMPLES = 2000  # judgement: the interval ends move by well under 0.1 point beyond this many

# Judgement: a difference whose whole interval lies within half a percentage point either side of zero
# is "negligible". Half a point is about a tenth of the survey's sampling error for one country (4.4
# points at its 130 respondents, docs/validation.md) and a third of its ASEAN-wide error (1.4 points at
# 1,308), so no edition of the survey could tell such a move from none. A fraction, as the tables hold it.
NEGLIGIBLE = 0.005
NEGLIGIBLE_WORD, CLEAR, UNCLEAR = "negligible", "clear of zero", "not clear of zero"

INTERVAL_LEGEND = (
    "Brackets [lo, hi]: a 95% bootstrap interval of the mean over {runs} paired replicates (BCa, "
    f"{RESAMPLES} resamples). It covers simulation noise only: about 95 times in 100 the mean of endlessly "
    "many replicates of this model, with these parameters, lies inside. It does not cover uncertainty in the "
    "parameters or the model itself; more replicates only narrow it toward the model's own answer.")


def reading(lo, hi, threshold: float = NEGLIGIBLE) -> np.ndarray:
    """Per interval [lo, hi] (arrays of fractions): "negligible" when all of it lies within ±``threshold``
    (even if it excludes zero: a real but tiny move), else "clear of zero" when it excludes zero, else
    "not clear of zero" (the data cannot tell its sign)."""
    lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    clear = (lo > 0) | (hi < 0)
    return np.where((lo >= -threshold) & (hi <= threshold), NEGLIGIBLE_WORD,
                    np.where(clear, CLEAR, UNCLEAR)).astype(object)


def negligible_note(threshold: float = NEGLIGIBLE) -> str:
    """The sentence that defines "negligible", for the legends."""
    return (f"A difference is negligible when its whole interval lies within ±{100 * threshold:g} points of zero "
            "(a tenth of the survey's sampling error for one country: no survey could tell it from none).")


def legend(runs: int, brackets: str | None = None) -> str:
    """The interval legend for ``runs`` replicates; ``brackets`` replaces it for other intervals
    (a comparison with parameter draws states its own, `sim.experiments.comparison`)."""
    return INTERVAL_LEGEND.format(runs=runs) if brackets is None else f"Brackets [lo, hi]: {brackets}."


def bootstrap_interval(samples: np.ndarray, seed: int, resamples: int = RESAMPLES) -> tuple[np.ndarray, np.ndarray]:
    """95% BCa bootstrap interval of the mean of each column of ``samples`` [run, column].

    A column whose values are all equal (e.g. the difference of two identical
    scenarios) has the interval [value, value]: the bootstrap is degenerate there.
    """
    from scipy import stats  # scipy loads only when intervals are computed

    samples = np.asarray(samples, dtype=float)
    lo, hi = samples.mean(0), samples.mean(0)
    varies = np.ptp(samples, axis=0) > 1e-12 * np.maximum(1, np.abs(samples).max(0))
    if varies.any() and len(samples) > 1:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", stats.DegenerateDataWarning)  # near-constant columns: BCa falls back
            warnings.simplefilter("ignore", RuntimeWarning)  # BCa's jackknife on a near-constant column
            result = stats.bootstrap((samples[:, varies],), np.mean, axis=0, vectorized=True, n_resamples=resamples,
                                     batch=100, method="BCa", rng=np.random.default_rng(seed))
        lo[varies], hi[varies] = result.confidence_interval
    return lo, hi
