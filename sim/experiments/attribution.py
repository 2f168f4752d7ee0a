"""What differs between two worlds, the worlds in between, and a Shapley attribution over them.

Two scenarios A and B differ in *input groups*: a parameter's starting value (an override), or the
events on one parameter key (or, when there are many, the events at one step). Switching a set S of
groups from A's version to B's gives a mixed world; A is S = {} and B is S = every group. The Shapley
value of group i is the average, over every order of switching the groups on, of what switching i on
adds: it shares the whole change out, so the values of the groups sum exactly to B minus A.

    >>> groups = input_groups(a, b)               # InputGroup per difference, in a stable order
    >>> world = mixed_world(a, b, groups, {0})    # A with group 0 switched to B's version
    >>> shapley(values, len(groups))              # values[mask]: an outcome per world

With up to `MAX_EXACT` groups every one of the 2^k worlds runs (exact Shapley values); with more,
`ORDERINGS` random orders of the groups and their reverses run (an estimate of each value whose
sum is still exactly the total, since every order's steps add up to B minus A).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from math import factorial

import numpy as np

from sim.base.errors import InputError
from sim.core.calendar import quarter_label
from sim.schema.scenario import Scenario

MAX_EXACT = 7  # judgement: 2^7 = 128 worlds, about 13,000 runs at 100 replicates (a few seconds per core)
ORDERINGS = 8  # random orders (each with its reverse) when there are more groups than MAX_EXACT
GROUPINGS = ("auto", "input", "step")


@dataclass(frozen=True)
class InputGroup:
    """One difference between A and B: its label, what kind it is and what each world has."""

    label: str
    kind: str  # "start value" or "events"
    keys: tuple[str, ...]
    in_a: str
    in_b: str
    override_keys: tuple[str, ...] = ()
    a_events: tuple = ()  # events only A has (present while the group is off)
    b_events: tuple = ()  # events only B has (present while it is on)


def _event_id(event) -> tuple:
    return event.step, event.key, event.op, repr(event.value)


def _describe_events(events) -> str:
    if not events:
        return "none"
    return "; ".join(f"{quarter_label(e.step)} (step {e.step}): {e.op} {e.value:g}" if isinstance(e.value, float)
                     else f"{quarter_label(e.step)} (step {e.step}): {e.op} {e.value}" for e in events)


def _only(events, other) -> tuple:
    """The events of ``events`` not matched one for one in ``other`` (a multiset difference)."""
    left = Counter(_event_id(e) for e in other)
    kept = []
    for event in events:
        if left[_event_id(event)]:
            left[_event_id(event)] -= 1
        else:
            kept.append(event)
    return tuple(kept)


def check_comparable(a: Scenario, b: Scenario, steps: int | None = None) -> None:
    """Two worlds can be attributed only on the same partners, states and (unless ``steps`` is given) horizon."""
    if (a.partners, a.states) != (b.partners, b.states):
        raise InputError(b.path, "partner_set", list(b.partners),
                         f"the partners and states of {a.name} (a difference needs the same ones)")
    if steps is None and a.steps != b.steps:
        raise InputError(b.path, "steps", b.steps, f"{a.steps}, the horizon of {a.name} (or give --steps)")


class IdenticalWorldsWarning(UserWarning):
    """Two compared scenarios have the same parameters, events, steps and seed: their difference is zero."""


def identical_worlds(scenarios, labels) -> list[str]:
    """A sentence for each scenario that is the same world as an earlier one (same digest)."""
    first_of, found = {}, []
    for label, scenario in zip(labels, scenarios):
        earlier = first_of.setdefault(scenario.digest(), label)
        if earlier != label:
            found.append(f"{label} is the same world as {earlier} (same parameters and events): every difference "
                         f"between them is zero; --set changes every scenario, so change one inline, e.g. "
                         f"'{scenario.name.split('@')[0]}@world.us_commitment=0.75'")
    return found


def input_groups(a: Scenario, b: Scenario, group_by: str = "auto") -> list[InputGroup]:
    """The input groups in which B differs from A: starting values, then events.

    ``group_by``: "input" (a group per overridden key and per key with different events), "step"
    (the starting values as one group, the events of each step as one), or "auto" ("input" when
    that gives at most `MAX_EXACT` groups, else "step").
    """
    if group_by not in GROUPINGS:
        raise InputError("", "group_by", group_by, "one of " + ", ".join(GROUPINGS))
    pa, pb = a.parameters(), b.parameters()
    changed = sorted(key for key in set(pa) | set(pb) if pa.get(key) != pb.get(key))
    a_only, b_only = _only(a.events, b.events), _only(b.events, a.events)
    by_input = _by_input(changed, pa, pb, a_only, b_only)
    if group_by == "input" or (group_by == "auto" and len(by_input) <= MAX_EXACT):
        return by_input
    return _by_step(changed, pa, pb, a_only, b_only)


def _by_input(changed, pa, pb, a_only, b_only) -> list[InputGroup]:
    groups = [InputGroup(f"{key} (start)", "start value", (key,), str(pa.get(key)), str(pb.get(key)),
                         override_keys=(key,)) for key in changed]
    for key in sorted({e.key for e in a_only + b_only}):
        mine = tuple(e for e in a_only if e.key == key), tuple(e for e in b_only if e.key == key)
        groups.append(InputGroup(f"{key} (events)", "events", (key,), _describe_events(mine[0]),
                                 _describe_events(mine[1]), a_events=mine[0], b_events=mine[1]))
    return groups


def _by_step(changed, pa, pb, a_only, b_only) -> list[InputGroup]:
    groups = []
    if changed:
        groups.append(InputGroup("starting values", "start value", tuple(changed),
                                 "; ".join(f"{k} = {pa.get(k)}" for k in changed),
                                 "; ".join(f"{k} = {pb.get(k)}" for k in changed), override_keys=tuple(changed)))
    for step in sorted({e.step for e in a_only + b_only}):
        mine = tuple(e for e in a_only if e.step == step), tuple(e for e in b_only if e.step == step)
        keys = tuple(sorted({e.key for e in mine[0] + mine[1]}))
        groups.append(InputGroup(f"events of {quarter_label(step)}", "events", keys,
                                 _describe_keyed(mine[0]), _describe_keyed(mine[1]),
                                 a_events=mine[0], b_events=mine[1]))
    return groups


def _describe_keyed(events) -> str:
    return "; ".join(f"{e.key} {e.op} {e.value}" for e in events) or "none"


def mixed_world(a: Scenario, b: Scenario, groups: list[InputGroup], on) -> Scenario:
    """A with the groups numbered in ``on`` switched to B's version (A itself for none, B for all)."""
    on = set(on)
    if not on:
        return a
    if on == set(range(len(groups))):
        return b
    pb = b.parameters()
    overrides = dict(a.overrides)
    for i in on:
        overrides.update({key: pb[key] for key in groups[i].override_keys})
    dropped = Counter(_event_id(e) for i in on for e in groups[i].a_events)
    events = []
    for event in a.events:
        if dropped[_event_id(event)]:
            dropped[_event_id(event)] -= 1
        else:
            events.append(event)
    events += [e for i in sorted(on) for e in groups[i].b_events]
    return replace(a, name=f"{a.name}+{len(on)} of {b.name}", overrides=overrides,
                   events=tuple(sorted(events, key=lambda e: e.step)))


def exact_masks(k: int) -> list[int]:
    """Every subset of k groups as a bit mask."""
    return list(range(2 ** k))


def orderings(k: int, seed: int, count: int = ORDERINGS) -> list[list[int]]:
    """``count`` random orders of k groups, each followed by its reverse (antithetic: less variance)."""
    rng = np.random.default_rng(seed)
    found = []
    for _ in range(count):
        order = list(rng.permutation(k))
        found += [order, order[::-1]]
    return found


def ordering_masks(orders: list[list[int]]) -> list[int]:
    """The subsets (bit masks) the prefixes of ``orders`` pass through."""
    masks = {0}
    for order in orders:
        mask = 0
        for i in order:
            mask |= 1 << int(i)
            masks.add(mask)
    return sorted(masks)


def shapley(values: dict[int, np.ndarray], k: int, orders: list[list[int]] | None = None) -> np.ndarray:
    """Shapley values [group, ...] from ``values[mask]`` (any array shape, the same for every world).

    Without ``orders``: exact, over every subset. With them: the mean over those orders of each
    group's step. Either way the values sum over groups to ``values[all] - values[0]``.
    """
    full = 2 ** k - 1
    shape = np.shape(values[0])
    phi = np.zeros((k, *shape))
    if orders is None:
        weight = [factorial(s) * factorial(k - s - 1) / factorial(k) for s in range(k)]
        for mask in range(full + 1):
            for i in range(k):
                if not mask >> i & 1:
                    phi[i] += weight[bin(mask).count("1")] * (values[mask | 1 << i] - values[mask])
        return phi
    for order in orders:
        mask = 0
        for i in order:
            phi[i] += values[mask | 1 << int(i)] - values[mask]
            mask |= 1 << int(i)
    return phi / len(orders)


def method_text(k: int, orders) -> str:
    """The attribution's method in words, for the manifest and every report."""
    if orders is None:
        return (f"exact Shapley values over {k} input group(s): all {2 ** k} worlds between A and B, on common "
                "random numbers; they sum exactly to the total change")
    return (f"Shapley values estimated from {len(orders)} orders of the {k} input groups ({len(orders) // 2} random "
            "orders and their reverses), on common random numbers; every order's steps add up to the total, "
            "so they sum exactly to it")
