"""A lesson's claims as data: each claim is a few lines of a small expression language over runs,
which the tests (tests/test_lessons.py) and the web app's "Check the claims" button evaluate alike.

A line compares measures of named worlds, for example::

    mean(share(this, US)) < mean(share(baseline, US))
    term(this, JP, trust) > term(this, KR, trust)          # in every state
    top(term(this, US, security) - term(baseline, US, security)) == Philippines

``this`` is the run being checked (the lesson's scenario; on the page, the page's run); other
worlds are "SCENARIO KEY=VALUE ..." strings the lesson names (with ``+sliders``, also the slider
changes ``this`` was made with: the same settings, without the scenario's own events). Measures give one number per state:
``share(world, partners, states=all, at=end)`` in percent (partners summed: ``JP + KR``),
``term(world, partner, name, states=all, at=end)`` a weighted utility term,
``coercion(world, at=end)`` China's coercion (0-1, one number). ``mean``, ``min``, ``max``,
``abs`` and ``top`` (the state with the largest value) reduce them; a comparison of per-state
numbers holds when it holds in every state. States are named (``Philippines``), summed
(``Vietnam + Malaysia``), taken away (``all - claimants``) or grouped by the lesson. The
expression is parsed with `ast` and only these forms are evaluated: nothing else runs.
"""

from __future__ import annotations

import ast
import operator
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np
import pandas as pd

from sim.base.errors import InputError, near_miss
from sim.core.equations import TERMS
from sim.core.trajectory import Trajectory
from sim.running.run import run
from sim.schema import parameters
from sim.schema.scenario import parse_assignment

THIS = "this"
SLIDERS = "+sliders"  # in a world: with the slider changes of the run checked
STATES = tuple(parameters.states())
GROUPS = {"all": STATES, "claimants": ("Brunei", "Malaysia", "Philippines", "Vietnam"),
          "mekong": ("Cambodia", "Laos", "Myanmar", "Thailand", "Vietnam")}
COMPARISONS = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
               ast.Eq: operator.eq, ast.NotEq: operator.ne}
SYMBOLS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}


class Names(tuple):
    """Partners or states named in a line; ``+`` joins two sets, ``-`` takes one from another."""

    kind = ""

    def __add__(self, other):
        return type(self)(dict.fromkeys((*self, *other)))

    def __sub__(self, other):
        return type(self)(n for n in self if n not in other)


class Partners(Names):
    kind = "partners"


class States(Names):
    kind = "states"


@dataclass(frozen=True)
class Check:
    """One line of a claim, whether it holds on the run checked, and what was measured."""

    line: str
    holds: bool
    measured: str


@dataclass(frozen=True)
class ClaimCheck:
    """A claim (its name) and each of its lines checked."""

    name: str
    checks: tuple[Check, ...]

    @property
    def holds(self) -> bool:
        return all(c.holds for c in self.checks)


def world_of(text: str, where: str, sliders: dict | None = None) -> tuple[str, dict]:
    """(scenario, overrides) of a world named "SCENARIO [+sliders] KEY=VALUE ...": the worlds a lesson
    names; ``+sliders`` adds the slider changes of the run checked (``sliders``), so a reference
    world is read with the same settings as ``this``; the world's own KEY=VALUE win."""
    scenario, *assignments = str(text).split()
    carried = dict(sliders or {}) if SLIDERS in assignments else {}
    overrides = carried | dict(parse_assignment(a, where) for a in assignments if a != SLIDERS)
    for key, value in overrides.items():
        parameters.check(key, value, where)
    return scenario, overrides


@lru_cache(maxsize=32)
def _trajectory(scenario: str, overrides: tuple, replicates: int, seed: int) -> Trajectory:
    return run(scenario, replicates=replicates, seed=seed, overrides=dict(overrides)).trajectory


def world_runs(this: Trajectory, worlds: dict, replicates: int, seed: int, where: str = "claims",
               sliders: dict | None = None) -> Callable[[str], Trajectory]:
    """A lookup from a world's name to its trajectory: ``this`` as given, the others run on demand
    with ``replicates`` and ``seed`` (common random numbers with ``this``), cached between checks;
    ``sliders``: the slider changes of ``this``, which a world marked ``+sliders`` takes too."""
    def trajectory(name: str) -> Trajectory:
        if name == THIS:
            return this
        scenario, overrides = world_of(worlds[name], f"{where}: worlds.{name}", sliders)
        return _trajectory(scenario, tuple(sorted(overrides.items())), replicates, seed)
    return trajectory


# --- the measures and reductions a line may call --------------------------------------------


def _step(at) -> int:
    return {"start": 0, "end": -1}.get(at, at) if isinstance(at, str) else int(at)


def _share(traj: Trajectory, partners: Partners, states: States = States(STATES), at="end") -> pd.Series:
    columns = [traj.partners.index(p) for p in partners]
    rows = [traj.states.index(s) for s in states]
    values = traj.alignment[:, _step(at)][:, rows][:, :, columns].sum(-1).mean(0)
    return pd.Series(100 * values, index=list(states))


def _term(traj: Trajectory, partner: Partners, name: str, states: States = States(STATES), at="end") -> pd.Series:
    rows = [traj.states.index(s) for s in states]
    column = traj.partners.index(partner[0])
    values = traj.terms[:, _step(at)][:, rows][:, :, column, TERMS.index(name)].mean(0)
    return pd.Series(values, index=list(states))


def _coercion(traj: Trajectory, at="end") -> float:
    return float(traj.china_coercion[:, _step(at)].mean())


def _top(values: pd.Series) -> str:
    return str(values.idxmax())


MEASURES = {"share": _share, "term": _term, "coercion": _coercion}
REDUCTIONS = {"mean": lambda v: float(np.mean(v)), "min": lambda v: float(np.min(v)),
              "max": lambda v: float(np.max(v)), "abs": abs, "top": _top}


# --- evaluating a line -----------------------------------------------------------------------


class _Evaluator:
    """Evaluates one parsed line: names, numbers, + and -, the calls above, comparisons."""

    def __init__(self, trajectory: Callable[[str], Trajectory], worlds: dict, groups: dict, where: str):
        self.trajectory, self.worlds, self.where = trajectory, worlds, where
        self.groups = {**GROUPS, **groups}
        self.measured: list[str] = []

    def fail(self, node, expected: str):
        raise InputError(self.where, ast.unparse(node), None, expected)

    def value(self, node):
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return node.value
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -self.value(node.operand)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            left, right = self.value(node.left), self.value(node.right)
            return left + right if isinstance(node.op, ast.Add) else left - right
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self.call(node)
        self.fail(node, "a number, a name, + or -, or a call of " + ", ".join([*MEASURES, *REDUCTIONS]))

    def name(self, node: ast.Name):
        name = node.id
        if name == THIS or name in self.worlds:
            return self.trajectory(name)
        if name in self.groups:
            return States(self.groups[name])
        if name in STATES:
            return States((name,))
        if name in parameters.PARTNER_NAMES:
            return Partners((name,))
        if name in TERMS or name in ("start", "end"):
            return name
        known = [THIS, *self.worlds, *self.groups, *STATES, *parameters.PARTNER_NAMES, *TERMS]
        self.fail(node, "a world, a group, a state, a partner code or a utility term" + near_miss(name, known))

    def call(self, node: ast.Call):
        name = node.func.id
        args = [self.value(a) for a in node.args]
        kwargs = {k.arg: self.value(k.value) for k in node.keywords}
        if name in MEASURES:
            if not args or not isinstance(args[0], Trajectory):
                self.fail(node, f"{name}(WORLD, ...): a world first ('this' or one the lesson names)")
            return MEASURES[name](*args, **kwargs)
        if name in REDUCTIONS and len(args) == 1 and not kwargs:
            return REDUCTIONS[name](args[0])
        self.fail(node, "share, term or coercion of a world, or mean, min, max, abs or top of one measure")

    def line(self, node) -> bool:
        if not isinstance(node, ast.Compare):
            self.fail(node, "a comparison, for example mean(share(this, US)) < mean(share(baseline, US))")
        values = [self.value(node.left), *(self.value(c) for c in node.comparators)]
        values = [_single(v) for v in values]
        holds = True
        for op, left, right in zip(node.ops, values, values[1:]):
            result = COMPARISONS[type(op)](left, right)
            if isinstance(result, pd.Series):
                failing = list(result.index[~result.to_numpy(bool)])
                self.measured.append(f"{int(result.sum())} of {len(result)} states"
                                     + (f" (not {', '.join(failing)})" if failing else ""))
                result = not failing
            else:
                self.measured.append(f"{_shown(left)} {SYMBOLS[type(op)]} {_shown(right)}")
            holds = holds and bool(result)
        return holds


def _single(value):
    """A one-state measure as its number, a one-state name as the state's name: what reads best."""
    if isinstance(value, pd.Series) and len(value) == 1:
        return float(value.iloc[0])
    if isinstance(value, States) and len(value) == 1:
        return value[0]
    return value


def _shown(value) -> str:
    return value if isinstance(value, str) else f"{value:.3g}"


def check_line(line: str, trajectory: Callable[[str], Trajectory], worlds: dict, groups: dict | None = None,
               where: str = "claims") -> Check:
    """One line of a claim evaluated: whether it holds and what was measured ("35.6 < 37.1")."""
    try:
        tree = ast.parse(line, mode="eval")
    except SyntaxError:
        raise InputError(where, line, None, "a comparison in the claims' language (sim/running/lesson_claims.py)") \
            from None
    evaluator = _Evaluator(trajectory, worlds, groups or {}, where)
    holds = evaluator.line(tree.body)
    return Check(line, holds, "; ".join(evaluator.measured))


def check_claims(claims: dict, this: Trajectory, worlds: dict, groups: dict | None = None, replicates: int = 8,
                 seed: int = 7, where: str = "claims", sliders: dict | None = None) -> list[ClaimCheck]:
    """Every claim ({name: [line, ...]}) checked on ``this`` (made with the slider changes ``sliders``),
    the other worlds run with ``replicates`` and ``seed``."""
    trajectory = world_runs(this, worlds, replicates, seed, where, sliders)
    return [ClaimCheck(name, tuple(check_line(line, trajectory, worlds, groups, f"{where}: {name}")
                                   for line in lines))
            for name, lines in claims.items()]
