"""Explaining a difference between two worlds: which states moved, how much, and why.

    >>> import sim
    >>> d = sim.explain_difference("baseline_2020", "us_retrenchment", replicates=100)
    >>> d.total      # state, measure, a, b, difference, lo, hi, clear: each partner's share and forced_us
    >>> d.inputs     # state, measure, input, contribution, lo, hi: Shapley shares of the difference
    >>> d.terms      # state, partner, term, a, b, difference, lo, hi: the change in each utility term
    >>> d.drivers    # state: the forced choice's change, its main input and main utility term, a sentence

Both worlds, and every world between them (`sim.experiments.attribution`), run ``replicates`` times
on the same random numbers (replicate r of every world draws from stream (seed, r)), so every
difference is paired run by run. The attribution is a Shapley value per input group, computed per
replicate; the groups' contributions sum exactly to the total change, replicate by replicate, and
so do their means. Intervals are 95% BCa bootstrap intervals of the mean over replicates
(`sim.experiments.intervals`). Shares and forced_us are fractions (0.05 is 5 points); the ASEAN row
weights the states equally. Utility terms are in the model's utility units (docs/model.md).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.base.errors import InputError, check_count, check_seed, near_miss
from sim.core.equations import TERMS
from sim.core.inputs import Inputs
from sim.engines.ensemble import simulate_final
from sim.experiments import attribution as attr
from sim.experiments.intervals import bootstrap_interval, legend
from sim.running.provenance import make_manifest
from sim.running.explain import TERM_REASONS
from sim.schema.scenario import scenario_of

DEFAULT_REPLICATES = 100  # judgement: intervals about 1 point wide on a state's share at the default noise
FORCED = "forced_us"
ASEAN_ROW = "ASEAN"  # the states' equal-weighted mean, as compare's ASEAN measures
TERM_COLUMNS = (*TERMS, "utility", "opinion")  # opinion: what only the survey's answer adds (leans, trust gaps)
TERM_WORDS = TERM_REASONS | {"opinion": "national opinion (leans and trust gaps)"}


@dataclass
class Difference:
    """An explained difference between world A and world B (B minus A), with what produced it."""

    labels: tuple[str, str]
    changes: pd.DataFrame
    total: pd.DataFrame
    inputs: pd.DataFrame
    terms: pd.DataFrame
    drivers: pd.DataFrame
    manifest: dict


def explain_difference(a, b, state: str | None = None, replicates: int = DEFAULT_REPLICATES,
                       steps: int | None = None, seed: int | None = None, overrides: dict | None = None,
                       group_by: str = "auto", labels: tuple[str, str] | None = None) -> Difference:
    """Why the states differ between world ``a`` and world ``b`` (B minus A), per state.

    Args:
        a, b: scenario names, paths, inline variants (``"baseline_2020@world.us_commitment=0.75"``) or
            `Scenario` objects, with the same partners and states.
        state: one state's rows only (default: every state and the ASEAN row).
        replicates: runs per world, on common random numbers. steps, seed: default to A's, the same for all.
        overrides: parameter changes applied to both worlds.
        group_by: how the differences are grouped into inputs (`sim.experiments.attribution.input_groups`).
        labels: names of the two worlds in the tables (default: the scenario names).

    Returns:
        A `Difference` of DataFrames (see the module docstring): ``changes`` (input, kind, keys, a, b:
        what differs), ``total``, ``inputs`` (summing exactly to ``total``'s difference per state and
        measure), ``terms``, ``drivers`` and ``manifest`` (method, intervals, legend).
    """
    a, b = scenario_of(a, overrides), scenario_of(b, overrides)
    labels = _check_labels(labels, a, b)
    steps = a.steps if steps is None else check_count("steps", steps)
    attr.check_comparable(a, b, steps)
    seed = a.seed if seed is None else check_seed(seed)
    replicates = check_count("replicates", replicates)
    states = _check_state(state, a)
    for text in attr.identical_worlds([a, b], list(labels)):
        warnings.warn(text, attr.IdenticalWorldsWarning, stacklevel=2)
    groups = attr.input_groups(a, b, group_by)
    k = len(groups)
    orders = None if k <= attr.MAX_EXACT else attr.orderings(k, seed)
    masks = attr.exact_masks(k) if orders is None else attr.ordering_masks(orders)
    worlds = {mask: _outcomes(attr.mixed_world(a, b, groups, _bits(mask)), replicates, steps, seed, mask in
                              (0, 2 ** k - 1)) for mask in masks}
    end = 2 ** k - 1
    phi = _shapley_per_replicate(worlds, k, orders)
    partners = list(a.partners)
    names = list(a.states) + [ASEAN_ROW]
    total = _total_table(worlds[0]["measures"], worlds[end]["measures"], names, partners, seed)
    inputs = _inputs_table(phi, groups, names, partners, seed)
    terms = _terms_table(worlds[0], worlds[end], list(a.states), partners, seed)
    drivers = _drivers(total, inputs, terms, list(a.states), labels)
    keep = states + ([ASEAN_ROW] if state is None else [])
    manifest = make_manifest(a, steps=steps, seed=seed, replicates=replicates, engine="ensemble") | {
        "a": {"label": labels[0], "scenario": a.name, "digest": a.digest()},
        "b": {"label": labels[1], "scenario": b.name, "digest": b.digest()},
        "method": attr.method_text(k, orders), "worlds_run": len(masks), "group_by": group_by,
        "random_numbers": "common: replicate r of every world draws from stream (seed, r)",
        "legend": legend(replicates)}
    return Difference(labels, _changes_table(groups), total[total["state"].isin(keep)].reset_index(drop=True),
                      inputs[inputs["state"].isin(keep)].reset_index(drop=True),
                      terms[terms["state"].isin(states)].reset_index(drop=True),
                      drivers[drivers["state"].isin(keep)].reset_index(drop=True), manifest)


def _check_labels(labels, a, b) -> tuple[str, str]:
    if labels is None:
        return (a.name, b.name) if a.name != b.name else (a.name, f"{b.name} (2)")
    labels = tuple(str(label) for label in labels)
    if len(labels) != 2 or labels[0] == labels[1] or not all(labels):
        raise InputError("", "--label", list(labels), "two different names, for A and B in order")
    return labels


def _check_state(state, scenario) -> list[str]:
    if state is None:
        return list(scenario.states)
    if state not in scenario.states:
        raise InputError("", "--state", state,
                         "one of " + ", ".join(scenario.states) + near_miss(state, scenario.states))
    return [state]


def _bits(mask: int) -> set[int]:
    return {i for i in range(mask.bit_length()) if mask >> i & 1}


def _outcomes(world, replicates: int, steps: int, seed: int, with_terms: bool) -> dict:
    """One world's final shares and forced choice [run, state + ASEAN, partner + forced_us], and (for A and B)
    the utility terms [run, state, partner, term column]."""
    final = simulate_final(Inputs.build(world, [{}] * replicates), world.events, steps, seed, np.arange(replicates))
    shares = final.alignment[:, -1]  # [run, state, partner]
    forced = final.forced_us()[:, -1]  # [run, state]
    per_state = np.concatenate([shares, forced[..., None]], axis=-1)
    values = {"measures": np.concatenate([per_state, per_state.mean(1, keepdims=True)], axis=1)}
    if with_terms:
        terms = final.terms[:, -1]  # [run, state, partner, term]
        values["terms"] = np.concatenate([terms, terms.sum(-1, keepdims=True), final.opinion[:, -1][..., None]], -1)
    return values


def _shapley_per_replicate(worlds: dict, k: int, orders) -> np.ndarray:
    """Each input group's Shapley value per replicate [group, run, row, measure]."""
    measures = {mask: values["measures"] for mask, values in worlds.items()}
    if k == 0:
        return np.zeros((0, *measures[0].shape))
    return attr.shapley(measures, k, orders)


def _mean_interval(samples: np.ndarray, seed: int):
    """Mean and 95% interval of each cell of ``samples`` [run, ...] over runs, in the cells' shape."""
    flat = samples.reshape(len(samples), -1)
    lo, hi = bootstrap_interval(flat, seed)
    shape = samples.shape[1:]
    return flat.mean(0).reshape(shape), lo.reshape(shape), hi.reshape(shape)


def _cells(rows, columns) -> pd.DataFrame:
    return pd.MultiIndex.from_product([rows, columns], names=["state", "measure"]).to_frame(index=False)


def _total_table(a: np.ndarray, b: np.ndarray, rows, partners, seed) -> pd.DataFrame:
    mean, lo, hi = _mean_interval(b - a, seed)
    frame = _cells(rows, [*partners, FORCED]).assign(a=a.mean(0).ravel(), b=b.mean(0).ravel(), difference=mean.ravel(),
                                                     lo=lo.ravel(), hi=hi.ravel())
    frame["clear"] = (frame["lo"] > 0) | (frame["hi"] < 0)
    return frame


def _inputs_table(phi: np.ndarray, groups, rows, partners, seed) -> pd.DataFrame:
    frames = []
    for group, values in zip(groups, phi):
        mean, lo, hi = _mean_interval(values, seed)
        frames.append(_cells(rows, [*partners, FORCED]).assign(input=group.label, contribution=mean.ravel(),
                                                               lo=lo.ravel(), hi=hi.ravel()))
    columns = ["state", "measure", "input", "contribution", "lo", "hi"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)


def _terms_table(a: dict, b: dict, states, partners, seed) -> pd.DataFrame:
    mean, lo, hi = _mean_interval(b["terms"] - a["terms"], seed)
    grid = pd.MultiIndex.from_product([states, partners, TERM_COLUMNS], names=["state", "partner", "term"])
    return grid.to_frame(index=False).assign(a=a["terms"].mean(0).ravel(), b=b["terms"].mean(0).ravel(),
                                             difference=mean.ravel(), lo=lo.ravel(), hi=hi.ravel())


def _changes_table(groups) -> pd.DataFrame:
    return pd.DataFrame([{"input": g.label, "kind": g.kind, "keys": ", ".join(g.keys), "a": g.in_a, "b": g.in_b}
                         for g in groups], columns=["input", "kind", "keys", "a", "b"])


# --- the main driver of each state's forced choice ------------------------------------


def _drivers(total, inputs, terms, states, labels) -> pd.DataFrame:
    """Per state (and ASEAN): the forced choice's change, the input contributing most to it and the
    utility term whose change moves the US-over-China gap most, with a sentence."""
    rows = []
    forced = total[total["measure"] == FORCED].set_index("state")
    for state, change in forced.iterrows():
        mine = inputs[(inputs["state"] == state) & (inputs["measure"] == FORCED)]
        top = mine.loc[mine["contribution"].abs().idxmax()] if len(mine) else None
        term, gap = _main_term(terms, state) if state in states else (None, np.nan)
        rows.append({"state": state, "difference": change["difference"], "lo": change["lo"], "hi": change["hi"],
                     "clear": change["clear"], "input": None if top is None else top["input"],
                     "contribution": np.nan if top is None else top["contribution"], "term": term, "gap_change": gap})
    frame = pd.DataFrame(rows)
    frame["sentence"] = [driver_sentence(r, labels) for r in frame.itertuples()]
    return frame


def _main_term(terms, state) -> tuple[str | None, float]:
    """The term (or opinion) whose change moves U(US) - U(CN) most, and by how much (utility units)."""
    mine = terms[terms["state"] == state].set_index(["partner", "term"])["difference"]
    if "US" not in mine.index.get_level_values(0) or "CN" not in mine.index.get_level_values(0):
        return None, np.nan
    gap = (mine.loc["US"] - mine.loc["CN"]).drop("utility")
    if not len(gap) or np.allclose(gap.to_numpy(), 0):
        return None, 0.0
    term = gap.abs().idxmax()
    return term, float(gap[term])


def signed(value: float, digits: int = 1) -> str:
    """``value`` with a sign and ``digits`` decimals, zero shown unsigned (never "-0.0" or "+0.00")."""
    text = f"{value:+.{digits}f}"
    return text[1:] if float(text) == 0 else text


def points(value: float) -> str:
    """A fraction as signed points with one decimal, never "-0.0"."""
    return signed(100 * value)


def _utility(value: float) -> str:
    """A change in utility units with two decimals, never "-0.00"."""
    return signed(value, 2)


def driver_sentence(row, labels) -> str:
    """One line on a state's forced-choice change from A to B and what drove it."""
    change = (f"{row.state}: the share answering US in the forced choice moves {points(row.difference)} points "
              f"[{points(row.lo)}, {points(row.hi)}] from {labels[0]} to {labels[1]}")
    if row.input is None or not np.isfinite(row.contribution) or points(row.contribution) == "0.0":
        return change + "; no input moves it by 0.05 points or more."
    said = f"{change}; main input {row.input} ({points(row.contribution)})"
    if row.term is not None and np.isfinite(row.gap_change) and _utility(row.gap_change) != "0.00":
        side = "for" if row.gap_change > 0 else "against"
        said += (f", through {TERM_WORDS.get(row.term, row.term)} (the US-over-China utility gap "
                 f"{_utility(row.gap_change)}, {side} the US)")
    return said + "."


# --- tables as the command prints them ------------------------------------------------


def _cell(row) -> str:
    return f"{points(row.difference)} [{points(row.lo)}, {points(row.hi)}]"


def forced_table(difference: Difference) -> pd.DataFrame:
    """Per state: the forced choice (% US) in A and B, the change in points with its interval, the
    input contributing most and the utility term moving the US-over-China gap most."""
    forced = difference.total[difference.total["measure"] == FORCED].set_index("state")
    drivers = difference.drivers.set_index("state")
    a, b = difference.labels
    return pd.DataFrame({f"{a} % US": (100 * forced["a"]).round(1), f"{b} % US": (100 * forced["b"]).round(1),
                         "change (points)": [_cell(r) for r in forced.itertuples()],
                         "main input": shown_inputs(drivers), "main term": drivers["term"].fillna("")},
                        index=forced.index)


def shown_inputs(drivers: pd.DataFrame) -> pd.Series:
    """The main input of each driver row, blank where it moves the forced choice by under 0.05 points."""
    moves = drivers["contribution"].map(lambda v: np.isfinite(v) and points(v) != "0.0")
    return drivers["input"].where(moves, "").fillna("")


def state_table(difference: Difference, state: str) -> pd.DataFrame:
    """One state, a row per measure (each partner's share, forced_us): A and B in percent, the change
    in points with its interval, and each input's contribution in points (they sum to the change)."""
    total = difference.total[difference.total["state"] == state].set_index("measure")
    a, b = difference.labels
    table = pd.DataFrame({f"{a} %": (100 * total["a"]).round(1), f"{b} %": (100 * total["b"]).round(1),
                          "change (points)": [_cell(r) for r in total.itertuples()]}, index=total.index)
    inputs = difference.inputs[difference.inputs["state"] == state]
    for label, rows in inputs.groupby("input", sort=False):
        table[label] = [points(v) for v in rows.set_index("measure").loc[total.index, "contribution"]]
    return table


def term_table(difference: Difference, state: str) -> pd.DataFrame:
    """One state, partner x term: the change in each weighted utility term (utility units), their sum
    ``utility`` and the survey-only ``opinion``."""
    rows = difference.terms[difference.terms["state"] == state]
    table = rows.pivot(index="partner", columns="term", values="difference")
    return table.loc[list(dict.fromkeys(rows["partner"])), list(TERM_COLUMNS)]
