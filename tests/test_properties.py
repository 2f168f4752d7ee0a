"""Property tests (Hypothesis): the model stays sound anywhere in its parameter space.

Scenarios are drawn from the parameter schema itself (`sim.schema.parameters.specs()`): every real
parameter within its bounds (ends included), every choice, any rivals list, any subset of
partners and states, random events. Beyond the schema, the parameter arrays are set directly
to the extremes the model must survive: rationality from 1e-6 to 1e6, weights from 0 to 1e3,
zero ties, noise on and off, all partners identical. Both engines, and the equations alone.

"Sound": alignments finite, in [0, 1], summing to 1 (to 1e-12); hedging, cohesion and
forced_us in [0, 1]; no numpy overflow, division by zero or invalid operation, and no
warning of any kind. Underflow is allowed: a share below 1e-308 rounding to zero is the
correct result, and numpy reports none by default (a run at rationality 1e6 makes many).

Each test records how many examples it ran (printed at the end of the session, conftest.py).
"""

import dataclasses
import warnings
from contextlib import contextmanager
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import sim
from sim.core import equations as eq
from sim.core import measures
from sim.core import opinion as op
from sim.core.equations import TERMS
from sim.core.inputs import Inputs
from sim.engines.ensemble import simulate
from sim.model import AlignmentModel
from sim.schema import parameters
from sim.schema.scenario import Event, load

SPECS = parameters.specs()
STATES, PARTNERS = parameters.states(), parameters.partners()
STATE_WEIGHTS = sorted(parameters.STATE_WEIGHT_KEY.format(state=s, term=t) for s in STATES for t in TERMS)
SUM_TOLERANCE = 1e-12
BASE = load("baseline_2020")


def examples(n: int) -> int:
    """``n`` examples under the ci profile, scaled up under the thorough one (conftest.py)."""
    return max(1, n * settings.default.max_examples // 100)


_examples = [0]


@contextmanager
def strict_numerics():
    """Overflow, division by zero, invalid operations (NaN) and any warning raise; underflow may happen."""
    with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"), warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.fixture(autouse=True)
def strict_and_counted(record_property):
    """Every test here runs under `strict_numerics` and records how many examples it ran
    (each example calls `ran()` when it passes)."""
    _examples[0] = 0
    with strict_numerics():
        yield
    record_property("hypothesis examples", _examples[0])


def ran() -> None:
    _examples[0] += 1


# --- strategies ---------------------------------------------------------------


def values_of(spec: parameters.Spec) -> st.SearchStrategy:
    """Any valid value of one parameter (real: its whole range, bounds and subnormals included)."""
    if spec.kind == "real":
        return st.floats(spec.lo, spec.hi, allow_nan=False)
    if spec.kind == "choice":
        return st.sampled_from(spec.choices)
    owner = spec.key.split(".")[1]
    return st.lists(st.sampled_from([p for p in PARTNERS if p != owner]), unique=True).map(tuple)


def events(steps: int) -> st.SearchStrategy:
    """A scheduled change of any parameter: set to a valid value, or shift a real one by any amount."""
    def event(key):
        spec = SPECS[key]
        sets = values_of(spec).map(lambda value: ("set", value))
        if spec.kind != "real":
            return sets
        width = 2 * (spec.hi - spec.lo)
        return sets | st.floats(-width, width).map(lambda value: ("shift", value))

    keyed = st.sampled_from(sorted(SPECS)).flatmap(lambda key: st.tuples(st.just(key), event(key)))
    return st.builds(lambda step, change: Event(step, change[0], change[1][0], change[1][1]),
                     st.integers(1, steps), keyed)


@st.composite
def scenarios(draw, max_steps: int = 8, drawn=lambda key: True):
    """A scenario anywhere in the schema: every parameter drawn (those for which ``drawn(key)``
    holds; the others keep the base scenario's value), any partners (at least two) and states
    (at least one), per-state weights, up to three events."""
    steps = draw(st.integers(1, max_steps))
    values = draw(st.fixed_dictionaries({key: values_of(spec) for key, spec in SPECS.items() if drawn(key)}))
    values |= draw(st.dictionaries(st.sampled_from(STATE_WEIGHTS), st.floats(0, 10), max_size=4))
    scenario = dataclasses.replace(
        BASE,
        partners=tuple(draw(st.lists(st.sampled_from(PARTNERS), min_size=2, unique=True))),
        states=tuple(draw(st.lists(st.sampled_from(STATES), min_size=1, unique=True))),
        steps=steps,
        events=tuple(sorted(draw(st.lists(events(steps), max_size=3)), key=lambda e: e.step)),
    )
    return scenario.with_overrides(values, where="strategy")  # validated: the strategy stays in the schema


SEEDS = st.integers(0, 2**63 - 1)
RATIONALITY = st.sampled_from([1e-6, 1e6]) | st.floats(-6, 6).map(lambda e: 10.0**e)
NOISE = st.sampled_from([0.0, 5.0]) | st.floats(0, 50)


@st.composite
def extremes(draw):
    """Parameter arrays beyond the schema's bounds: {array name: value or array}."""
    changes = {"rationality": draw(RATIONALITY), "noise": draw(NOISE)}
    weight = st.sampled_from([0.0, 1e3]) | st.floats(0, 1e3)
    changes["weights"] = draw(weight | arrays(float, (len(STATES), len(TERMS)), elements=weight))
    if draw(st.booleans()):
        changes["ties"] = 0.0
    return changes


def apply(inputs: Inputs, changes: dict) -> Inputs:
    """``inputs`` with whole arrays set (a [state, term] weights array is cut to the scenario's states)."""
    for name, value in changes.items():
        target = inputs.arrays[name]
        value = np.asarray(value)
        target[...] = value[..., :target.shape[-2], :] if value.ndim == 2 else value
    return inputs


def ensemble_run(scenario, changes: dict, seed: int, replicates: int = 1):
    inputs = apply(Inputs.build(scenario, [{}] * replicates), changes)
    return simulate(inputs, scenario.events, scenario.steps, seed)


def mesa_run(scenario, changes: dict, seed: int):
    """One Mesa run with the same changed arrays: the model is handed Inputs changed after building."""
    class Changed(Inputs):
        @classmethod
        def build(cls, scenario, variations=None):
            return apply(Inputs.build(scenario, variations), changes)

    with mock.patch("sim.model.Inputs", Changed):
        model = AlignmentModel(scenario, seed=seed)
        while model.running:
            model.step()
    return model.trajectory


# --- what "sound" means -----------------------------------------------------------


def in_unit_interval(values) -> bool:
    values = np.asarray(values)
    return bool(np.isfinite(values).all() and ((values >= 0) & (values <= 1)).all())


def assert_sound(traj) -> None:
    """Every invariant of a trajectory and of the measures read from it."""
    alignment = traj.alignment
    assert in_unit_interval(alignment)
    assert np.abs(alignment.sum(-1) - 1).max() <= SUM_TOLERANCE
    assert in_unit_interval(traj.hedging())
    assert in_unit_interval(traj.cohesion())
    forced = traj.forced_us()
    assert in_unit_interval(forced) if {"US", "CN"} <= set(traj.partners) else np.isnan(forced).all()
    assert np.isfinite(traj.terms).all()
    assert np.isfinite(traj.threat).all() and (traj.threat >= 0).all()
    assert np.isfinite(traj.crisis).all() and (traj.crisis >= 0).all()
    assert in_unit_interval(traj.china_coercion) and in_unit_interval(traj.korea_posture)


# --- both engines ----------------------------------------------------------------


@settings(max_examples=examples(300))
@given(scenarios(max_steps=40), SEEDS, st.integers(1, 3))
def test_ensemble_is_sound_anywhere_in_the_schema(scenario, seed, replicates):
    assert_sound(sim.run(scenario, seed=seed, replicates=replicates).trajectory)
    ran()


@settings(max_examples=examples(150))
@given(scenarios(max_steps=12), SEEDS)
def test_mesa_is_sound_and_equal_to_the_ensemble_anywhere_in_the_schema(scenario, seed):
    """The same run in both engines gives the same numbers, bit for bit, wherever it is in the schema."""
    mesa = sim.run(scenario, seed=seed, engine="mesa").trajectory
    assert_sound(mesa)
    ensemble = sim.run(scenario, seed=seed).trajectory
    np.testing.assert_array_equal(mesa.alignment, ensemble.alignment)
    np.testing.assert_array_equal(mesa.terms, ensemble.terms)
    ran()


@settings(max_examples=examples(250))
@given(scenarios(max_steps=12), extremes(), SEEDS)
def test_engines_are_sound_beyond_the_schema(scenario, changes, seed):
    """Rationality 1e-6..1e6, weights 0..1e3 (per state and term), zero ties, noise 0..50."""
    ensemble = ensemble_run(scenario, changes, seed, replicates=2)
    assert_sound(ensemble)
    mesa = mesa_run(scenario, changes, seed)
    assert_sound(mesa)
    np.testing.assert_array_equal(mesa.alignment[0], ensemble.alignment[0])
    ran()


EQUAL_PARTNER_ATTRIBUTES = ("security_capacity", "economic_capacity", "reliability", "counterbalance", "provocation",
                            "coercion", "engagement_budget", "aim")
EQUAL_PAIR_ATTRIBUTES = ("ties", "defense", "history", "engagement", "assist", "trust_gap")
SET_EQUAL = ({f"partners.{p}.{a}" for p in PARTNERS for a in (*EQUAL_PARTNER_ATTRIBUTES, "rivals")}
             | {f"states.{s}.{a}.{p}" for s in STATES for a in EQUAL_PAIR_ATTRIBUTES for p in PARTNERS}
             | {f"states.{s}.lean" for s in STATES})


@st.composite
def identical_partners(draw):
    """A scenario where every partner is the same: each attribute one value for all of them,
    each state's ties, defence, history, engagement, coast-guard help and trust gap equal across partners, no
    national lean, every partner the rival of all others or of none; nothing that singles one out (US
    commitment 1, Korea's posture 1 and caution 0, ASEAN unity 1, no Mekong programme, China steady, no events)."""
    scenario = draw(scenarios(max_steps=6, drawn=lambda key: key not in SET_EQUAL))  # set below: not drawn twice
    scenario = dataclasses.replace(scenario, events=())
    values = {"world.us_commitment": 1.0, "world.nk_threat": 1.0, "world.korea_security_turn": 1.0,
              "world.mekong_cooperation": 0.0, "world.china_mode": "steady", "world.asean_unity": 1.0}
    for attribute in EQUAL_PARTNER_ATTRIBUTES:
        value = draw(values_of(SPECS[f"partners.US.{attribute}"]))
        values |= {f"partners.{p}.{attribute}": value for p in PARTNERS}
    rival_of_all = draw(st.booleans())
    values |= {f"partners.{p}.rivals": tuple(q for q in PARTNERS if q != p and rival_of_all) for p in PARTNERS}
    for state in STATES:
        values[f"states.{state}.lean"] = 0.0  # a national lean singles out the US and China
        for attribute in EQUAL_PAIR_ATTRIBUTES:
            value = draw(values_of(SPECS[f"states.{state}.{attribute}.US"]))
            values |= {f"states.{state}.{attribute}.{p}": value for p in PARTNERS}
    return scenario.with_overrides(values, where="strategy")


@settings(max_examples=examples(150))
@given(identical_partners(), extremes(), SEEDS)
def test_identical_partners_get_equal_alignment(scenario, changes, seed):
    """By symmetry every state splits its alignment evenly among the powers, at any rationality and weights.
    The ASEAN-centred option is a nest of its own (docs/model.md), so its share is not one among equals."""
    changes["noise"] = 0.0  # noise would break the symmetry
    powers = [i for i, p in enumerate(scenario.partners) if p != "ASEAN"]
    for traj in (ensemble_run(scenario, changes, seed), mesa_run(scenario, changes, seed)):
        assert_sound(traj)
        shares = traj.alignment[..., powers]
        np.testing.assert_allclose(shares, shares.mean(-1, keepdims=True).repeat(len(powers), -1),
                                   rtol=0, atol=SUM_TOLERANCE)
        if "ASEAN" not in scenario.partners:
            np.testing.assert_allclose(traj.alignment, 1.0 / len(powers), rtol=0, atol=SUM_TOLERANCE)
        n_powers = sum(p != "ASEAN" for p in scenario.partners)  # hedging is the spread among the powers
        np.testing.assert_allclose(traj.hedging(), 1.0 if n_powers > 1 else 0.0, rtol=0, atol=SUM_TOLERANCE)
        if {"US", "CN"} <= set(scenario.partners):
            np.testing.assert_allclose(traj.forced_us(), 0.5, rtol=0, atol=SUM_TOLERANCE)
    ran()


# --- the equations on random arrays -----------------------------------------------


def shapes(min_states=1):
    """[batch, state, partner] with up to 3 runs, 11 states, 7 partners."""
    return st.tuples(st.integers(1, 3), st.integers(min_states, 11), st.integers(2, 7))


@st.composite
def simplices(draw, shape=None):
    """Arrays whose last axis is a probability vector (some entries exactly 0, some rows one-hot)."""
    shape = shape or draw(shapes())
    raw = draw(arrays(float, shape, elements=st.floats(0, 1, allow_subnormal=False)))
    raw[..., 0] = np.where(raw.sum(-1) > 0, raw[..., 0], 1.0)
    return raw / raw.sum(-1, keepdims=True)


LOGITS = st.floats(-1e3, 1e3)


@settings(max_examples=examples(100))
@given(shapes().flatmap(lambda s: arrays(float, s, elements=LOGITS)), LOGITS)
def test_softmax_is_a_distribution_unchanged_by_adding_a_constant(x, constant):
    p = op.softmaxes(x)
    assert in_unit_interval(p) and np.abs(p.sum(-1) - 1).max() <= SUM_TOLERANCE
    np.testing.assert_allclose(op.softmaxes(x + constant), p, rtol=0, atol=1e-9)
    ran()


@settings(max_examples=examples(100))
@given(shapes().flatmap(lambda s: arrays(float, s, elements=st.floats(-1e300, 1e300))))
def test_softmax_is_sound_for_any_scores(x):
    p = op.softmaxes(x)
    assert in_unit_interval(p) and np.abs(p.sum(-1) - 1).max() <= SUM_TOLERANCE
    top = np.take_along_axis(p, x.argmax(-1)[..., None], -1)[..., 0]
    assert (top == p.max(-1)).all()  # the best score gets the largest share
    ran()


@settings(max_examples=examples(100))
@given(shapes().flatmap(lambda s: st.tuples(simplices(s), simplices(s))), st.floats(0, 1))
def test_partial_adjustment_stays_on_the_simplex(pair, speed):
    alignment, target = pair
    moved = eq.partial_adjustment(alignment, target, speed)
    assert in_unit_interval(moved) and np.abs(moved.sum(-1) - 1).max() <= SUM_TOLERANCE
    ran()


@settings(max_examples=examples(100))
@given(simplices(), st.randoms(use_true_random=False))
def test_cohesion_is_one_for_identical_states_and_in_unit_interval(alignment, rng):
    same = np.repeat(alignment[:, :1], alignment.shape[1], axis=1)
    np.testing.assert_allclose(measures.cohesion(same), 1.0, rtol=0, atol=1e-15)
    assert in_unit_interval(measures.cohesion(alignment))
    order = list(range(alignment.shape[1]))
    rng.shuffle(order)
    np.testing.assert_allclose(measures.cohesion(alignment[:, order]), measures.cohesion(alignment), rtol=0, atol=1e-12)
    ran()


@settings(max_examples=examples(100))
@given(simplices(), st.data())
def test_hedging_is_zero_for_one_partner_one_for_an_even_split(alignment, data):
    assert in_unit_interval(measures.hedging(alignment))
    n_partners = alignment.shape[-1]
    chosen = data.draw(st.integers(0, n_partners - 1))
    np.testing.assert_array_equal(measures.hedging(np.eye(n_partners)[[chosen]]), 0.0)
    np.testing.assert_allclose(measures.hedging(np.full((1, n_partners), 1 / n_partners)), 1.0, rtol=0, atol=1e-15)
    ran()


@settings(max_examples=examples(100))
@given(shapes().flatmap(lambda s: arrays(float, s, elements=LOGITS)), RATIONALITY, st.data())
def test_pairwise_choice_is_symmetric(utility, rationality, data):
    first, second = data.draw(st.lists(st.integers(0, utility.shape[-1] - 1), min_size=2, max_size=2, unique=True))
    p = op.pairwise_choice(utility, rationality, first, second)
    q = op.pairwise_choice(utility, rationality, second, first)
    assert in_unit_interval(p)
    np.testing.assert_allclose(p + q, 1.0, rtol=0, atol=1e-15)
    tied = utility.copy()
    tied[..., second] = tied[..., first]
    np.testing.assert_array_equal(op.pairwise_choice(tied, rationality, first, second), 0.5)
    ran()


@settings(max_examples=examples(100))
@given(arrays(float, 50, elements=st.floats(0, 1, exclude_max=True)), st.floats(0, 4))
def test_poisson_counts_grow_with_the_uniform(uniform, rate):
    counts = np.array([eq.poisson_from_uniform(u, rate) for u in np.sort(uniform)])
    assert (counts >= 0).all() and (np.diff(counts) >= 0).all()
    ran()


@st.composite
def engagement_cases(draw):
    """alignment, engagement [run, state, partner]; aim, budget, capacity [run, partner]; all in [0, 1]."""
    runs, n_states, n_partners = draw(shapes())
    unit = st.floats(0, 1)
    return (draw(simplices((runs, n_states, n_partners))),
            draw(arrays(float, (runs, n_states, n_partners), elements=unit)),
            *(draw(arrays(float, (runs, n_partners), elements=unit)) for _ in range(3)))


@settings(max_examples=examples(100))
@given(engagement_cases(), st.floats(0, 1))
def test_engagement_stays_within_capacity(case, rate):
    alignment, engagement, aim, budget, capacity = case
    moved = engagement.copy()
    for run, partner in np.ndindex(aim.shape):
        eq.adapt_engagement(moved[run], alignment[run], partner, aim[run, partner], budget[run, partner],
                            capacity[run, partner], rate)
    assert np.isfinite(moved).all() and (moved >= 0).all()
    assert (moved <= np.maximum(engagement, capacity[:, None, :]) + 1e-15).all()
    ran()


@settings(max_examples=examples(100))
@given(*(st.floats(0, 1) for _ in range(4)), st.sampled_from(range(len(eq.CHINA_MODES))))
def test_china_coercion_stays_in_unit_interval(coercion, away, rate, tolerance, mode):
    assert in_unit_interval(eq.update_china_coercion(coercion, away, mode, rate, tolerance))
    ran()
