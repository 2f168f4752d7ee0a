"""A sweep's varied parameters and their samples (one row per parameter set).

``--vary KEY=LO:HI[:N]`` becomes a `Vary`, checked against the parameter
schema like a scenario file (`parse_vary`); `check_sampler` and
`sim.base.errors.check_count` check the other options of a sweep; `design` turns the varied
parameters into a table ``[variation, key]`` with a sampler from scipy or
SALib (none is written here):

  grid      every combination of N evenly spaced levels per key (N from KEY=LO:HI:N, default 5)
  lhs       Latin hypercube, scipy.stats.qmc.LatinHypercube (seeded)
  sobol     scrambled Sobol' points, scipy.stats.qmc.Sobol (seeded; a power-of-two count)
  saltelli  SALib's design for Sobol' indices, N (D + 2) rows (`sim.sensitivity`)
  morris    SALib's Morris trajectories, N (D + 1) rows (`sim.sensitivity`)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.base.errors import InputError, check_count, parse_number, parse_whole
from sim.schema import parameters

SAMPLERS = ("grid", "lhs", "sobol", "saltelli", "morris")
DEFAULT_LEVELS = 5  # judgement: 5 levels show a curve's shape; 5**3 = 125 sets stays small
DEFAULT_SAMPLES = {"lhs": 64, "sobol": 64, "saltelli": 64, "morris": 20}  # judgement: quick first looks
MORRIS_LEVELS = 4  # SALib's default grid of Morris levels (Morris 1991 uses p = 4)
MAX_SETS = 1_000_000
VARY_FORM = "KEY=LO:HI[:N], for example world.rivalry=0.2:0.9:5"
GRID_LEVELS = "N, the number of grid levels, a whole number from 2 to 1000"


@dataclass(frozen=True)
class Vary:
    """One varied parameter: its range and, for the grid sampler, its number of levels."""

    key: str
    lo: float
    hi: float
    levels: int | None = None

    def to_dict(self) -> dict:
        return {"key": self.key, "lo": self.lo, "hi": self.hi, "levels": self.levels}

    def __str__(self) -> str:
        return f"{self.key}={_short(self.lo)}:{_short(self.hi)}" + ("" if self.levels is None else f":{self.levels}")


def _short(number: float) -> str:
    """The shortest text that reads back as the same float (0.5, 1, 0.123456789)."""
    text = repr(float(number))
    return text.removesuffix(".0")


def parse_vary(text: str, where: str = "--vary") -> Vary:
    """``KEY=LO:HI[:N]`` -> `Vary`; LO and HI must lie within the key's bounds, LO < HI."""
    key, sep, span = str(text).partition("=")
    key = key.strip()
    parts = span.split(":")
    if not sep or not key or len(parts) not in (2, 3):
        raise InputError(where, str(text), None, VARY_FORM)
    spec = parameters.spec(key, where)
    if spec.kind != "real":
        raise InputError(where, key, None, f"a numeric parameter ({key} is a {spec.kind}; use --set)")
    lo, hi = (spec.check(parse_number(part, where, key, f"a number ({VARY_FORM})"), where) for part in parts[:2])
    if not lo < hi:
        raise InputError(where, key, span, "LO < HI")
    levels = None
    if len(parts) == 3:
        levels = parse_whole(parts[2], where, key, GRID_LEVELS, 2, 1000)
    return Vary(key, lo, hi, levels)


def check_varies(varies) -> tuple[Vary, ...]:
    """`Vary` objects (or their ``KEY=LO:HI[:N]`` texts), at least one, no key twice."""
    varies = tuple(v if isinstance(v, Vary) else parse_vary(v) for v in varies)
    if not varies:
        raise InputError("", "--vary", None, "at least one varied parameter, " + VARY_FORM)
    keys = [v.key for v in varies]
    for key in keys:
        if keys.count(key) > 1:
            raise InputError("--vary", key, None, "each key varied once")
    return varies


def check_sampler(sampler: str, varies: tuple[Vary, ...], samples: int | None) -> int | None:
    """The sampler's sample count (its default if None), or an InputError naming the option."""
    if sampler not in SAMPLERS:
        raise InputError("", "--sampler", sampler, "one of " + ", ".join(SAMPLERS))
    with_levels = [v.key for v in varies if v.levels is not None]
    if sampler == "grid":
        if samples is not None:
            raise InputError("", "--samples", samples, "no --samples with --sampler grid (levels go in KEY=LO:HI:N)")
        return None
    if with_levels:
        raise InputError("--vary", with_levels[0], None, f"no :N (levels are for --sampler grid, not {sampler})")
    samples = check_count("--samples", DEFAULT_SAMPLES[sampler] if samples is None else samples, MAX_SETS)
    if sampler in ("sobol", "saltelli") and samples & (samples - 1):
        raise InputError("", "--samples", samples, f"a power of two for --sampler {sampler} (e.g. 64, 128, 256)")
    return samples


def design(varies, sampler: str = "lhs", samples: int | None = None, seed: int = 0) -> pd.DataFrame:
    """The parameter sets of a sweep: one row per set (index ``variation``), one column per key."""
    varies = check_varies(varies)
    samples = check_sampler(sampler, varies, samples)
    keys = [v.key for v in varies]
    if sampler == "grid":
        values = _grid(varies)
    elif sampler in ("lhs", "sobol"):
        values = _qmc(varies, sampler, samples, seed)
    else:
        values = _salib(varies, sampler, samples, seed)
    if len(values) > MAX_SETS:
        raise InputError("", "--vary", " ".join(map(str, varies)), f"at most {MAX_SETS:,} parameter sets")
    frame = pd.DataFrame(values, columns=keys)
    frame.index.name = "variation"
    return frame


def _grid(varies) -> np.ndarray:
    levels = [np.linspace(v.lo, v.hi, v.levels or DEFAULT_LEVELS) for v in varies]
    if math.prod(len(x) for x in levels) > MAX_SETS:
        raise InputError("", "--vary", " ".join(map(str, varies)), f"a grid of at most {MAX_SETS:,} points")
    return pd.MultiIndex.from_product(levels).to_frame(index=False).to_numpy()


def _qmc(varies, sampler: str, samples: int, seed: int) -> np.ndarray:
    from scipy.stats import qmc  # scipy loads only when these samplers are used

    rng = np.random.default_rng(seed)
    if sampler == "lhs":
        unit = qmc.LatinHypercube(d=len(varies), rng=rng).random(samples)
    else:
        unit = qmc.Sobol(d=len(varies), scramble=True, rng=rng).random_base2(int(math.log2(samples)))
    return qmc.scale(unit, [v.lo for v in varies], [v.hi for v in varies])


def salib_problem(varies) -> dict:
    """SALib's description of the varied parameters."""
    return {"num_vars": len(varies), "names": [v.key for v in varies], "bounds": [[v.lo, v.hi] for v in varies]}


def _salib(varies, sampler: str, samples: int, seed: int) -> np.ndarray:
    problem = salib_problem(varies)
    if sampler == "saltelli":
        from SALib.sample import sobol  # SALib loads only when its designs are used

        return sobol.sample(problem, samples, calc_second_order=False, seed=seed)
    from SALib.sample import morris  # SALib loads only when its designs are used

    return morris.sample(problem, samples, num_levels=MORRIS_LEVELS, seed=seed)
