"""Compare scenarios on common random numbers, with bootstrap intervals.

    >>> import sim
    >>> c = sim.compare(["baseline_2020", "us_retrenchment"], replicates=200)
    >>> c.alignment     # scenario, measure, mean, lo, hi: final ASEAN alignment per partner (+ forced_us...)
    >>> c.differences   # scenario, measure, difference, lo, hi, clear: each scenario minus the first
    >>> c.states        # scenario, state, partner, difference, lo, hi, clear

Every scenario runs with the same seed, so run k of each draws the same random
numbers (`sim.core.randomness`): the difference of two scenarios is taken run by
run (paired), which removes the noise both share. Intervals are 95% BCa
bootstrap intervals of the mean (scipy.stats.bootstrap) over replicates;
"clear" means the interval of a difference excludes zero, and "reading" says "negligible" (all of
the interval within half a point of zero, `sim.experiments.intervals.NEGLIGIBLE`), "clear of zero"
or "not clear of zero". The report (findings, dot plot, Markdown and HTML) is `sim.experiments.brief`.

With ``draws`` (parameter uncertainty, `sim.running.uncertainty`), every
scenario runs ``replicates`` times per bootstrap draw of the panel fit, replicate
r of every draw and scenario on stream (seed, r); a difference is taken run by
run within each draw, and intervals are the 5%-95% range over draws of each
draw's mean (`sim.running.uncertainty.draw_interval`).
"""

from __future__ import annotations

import warnings
import re
from dataclasses import dataclass

import pandas as pd

from sim.base.errors import InputError, check_count, check_seed
from sim.core.inputs import Inputs
from sim.core.outcomes import run_outcomes
from sim.engines.ensemble import simulate
from sim.engines.memory import check_memory
from sim.experiments.attribution import IdenticalWorldsWarning, identical_worlds, input_groups
from sim.experiments.difference import explain_difference, points, shown_inputs
from sim.experiments.intervals import CLEAR, NEGLIGIBLE_WORD, RESAMPLES, bootstrap_interval, legend, \
    negligible_note, reading
from sim.reports.tables import interval_cell
from sim.running.provenance import make_manifest
from sim.running.uncertainty import describe_draws, draw_interval, draw_plan, drawn_variations
from sim.schema.scenario import scenario_of

DEFAULT_REPLICATES = 200  # judgement: intervals about 1 point wide on ASEAN alignment at the default noise
DRAW_REPLICATES = 20  # per parameter draw (x 30 draws): each draw's mean within about 1 point of its own
WORLD_MEASURES = ("forced_us", "hedging", "cohesion")


@dataclass
class Comparison:
    """The tables of a comparison, their run-level data and what produced them."""

    alignment: pd.DataFrame
    differences: pd.DataFrame
    states: pd.DataFrame
    over_time: pd.DataFrame
    manifest: dict
    drivers: pd.DataFrame | None = None  # per scenario and state: the main driver of the forced choice's change

    @property
    def labels(self) -> list[str]:
        return list(dict.fromkeys(self.alignment["scenario"]))


def compare(scenarios, replicates: int = DEFAULT_REPLICATES, steps: int | None = None, seed: int | None = None,
            overrides: dict | None = None, draws: pd.DataFrame | None = None,
            labels: list[str] | None = None, drivers: bool = True) -> Comparison:
    """Run each scenario ``replicates`` times on the same random numbers; compare each with the first.

    Args:
        scenarios: two or more names, paths or `Scenario` objects (the first is the reference); a name
            may be an inline variant, ``"baseline_2020@world.us_commitment=0.75"`` (`sim.load`).
        steps, seed: default to the first scenario's, and are the same for all (common random numbers).
        overrides: parameter changes applied to every scenario (to change one, use a variant).
        draws: parameter draws (`sim.running.uncertainty.load_draws`): ``replicates`` runs per draw,
            intervals over draws (module docstring). None: the defaults, bootstrap intervals.
        labels: a name per scenario for the tables (default: the scenario names).
        drivers: also find each state's main driver (`main_drivers`): the input and utility term
            behind its forced choice's change (with ``draws``, at the default parameters).

    Returns:
        A `Comparison`, whose tables are DataFrames of fractions (0.05 is 5 points):
        ``alignment`` (scenario, measure, mean, lo, hi: final ASEAN alignment per partner, forced_us,
        hedging, cohesion), ``differences`` (scenario, measure, difference, lo, hi, clear: each scenario
        minus the first, paired run by run), ``states`` (scenario, state, partner, difference, lo, hi,
        clear), ``over_time`` (scenario, step, partner, mean, lo, hi), ``drivers`` (scenario, state,
        difference, lo, hi, input, contribution, term, sentence; `main_drivers`) and ``manifest`` (what produced
        them, what the brackets mean, and any warnings). Two scenarios that are the same world warn
        (`IdenticalWorldsWarning`): every difference between them is zero.
    """
    loaded = [scenario_of(s, overrides) for s in scenarios]
    if len(loaded) < 2:
        raise InputError("", "SCENARIO", [s.name for s in loaded], "at least two scenarios to compare")
    _check_same_axes(loaded)
    labels = _check_labels(labels, loaded)
    same = identical_worlds(loaded, labels)
    for text in same:
        warnings.warn(text, IdenticalWorldsWarning, stacklevel=2)
    replicates = check_count("replicates", replicates)
    steps = loaded[0].steps if steps is None else check_count("steps", steps)
    seed = loaded[0].seed if seed is None else check_seed(seed)
    n_draws = 1 if draws is None else len(draws)
    check_memory(loaded[0], steps, replicates * n_draws)  # one scenario's trajectories are alive at a time
    runs, held = {}, {}
    for label, scenario in zip(labels, loaded):
        variations, streams, held[label] = _plan(scenario, draws, replicates)
        trajectory = simulate(Inputs.build(scenario, variations), scenario.events, steps, seed, streams)
        runs[label] = (run_outcomes(trajectory), trajectory.alignment.mean(2))  # [run, step, partner]
    partners = list(loaded[0].partners)
    manifest = make_manifest(loaded[0], steps=steps, seed=seed, replicates=replicates, engine="ensemble") | {
        "scenarios": [{"label": label, "scenario": s.name, "digest": s.digest(), "path": s.path}
                      for label, s in zip(labels, loaded)], "warnings": same,
        "changes": scenario_changes(loaded, labels)} | _interval_notes(draws, replicates, held)
    interval = _interval(seed, None if draws is None else n_draws)
    return Comparison(_alignment(runs, partners, interval), _differences(runs, partners, interval),
                      _state_differences(runs, partners, list(loaded[0].states), interval),
                      _over_time(runs, partners, interval), manifest,
                      main_drivers(loaded, labels, replicates, steps, seed) if drivers else None)


def scenario_changes(scenarios, labels) -> dict[str, list[dict]]:
    """Per scenario after the first: what differs from the first (input, a, b), one entry per input group
    (`sim.experiments.attribution.input_groups`), for the report's "what each scenario changed"."""
    return {label: [{"input": g.label, "a": g.in_a, "b": g.in_b} for g in input_groups(scenarios[0], scenario)]
            for label, scenario in zip(labels[1:], scenarios[1:])}


def main_drivers(scenarios, labels, replicates: int, steps: int, seed: int) -> pd.DataFrame:
    """Per scenario after the first and per state: the change in its forced choice, the input that
    contributes most to it (exact Shapley values, `sim.experiments.difference`) and the utility term
    moving its US-over-China gap most, on the same replicates and random numbers as the comparison."""
    frames = []
    for label, scenario in zip(labels[1:], scenarios[1:]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", IdenticalWorldsWarning)  # compare has warned already
            found = explain_difference(scenarios[0], scenario, replicates=replicates, steps=steps, seed=seed,
                                       labels=(labels[0], label))
        frames.append(found.drivers.assign(scenario=label))
    frame = pd.concat(frames, ignore_index=True)
    return frame[["scenario", *[c for c in frame.columns if c != "scenario"]]]


def _plan(scenario, draws, replicates: int):
    """(variations, streams, held keys) of a scenario's runs: the defaults, or each draw's parameters."""
    if draws is None:
        return [{}] * replicates, None, ()
    variations, held = drawn_variations(scenario, draws)
    draw_of, streams = draw_plan(len(draws), replicates)
    return [variations[d] for d in draw_of], streams, held


def _interval(seed: int, n_draws: int | None):
    """``interval(samples [run, column], resamples)`` -> (lo, hi) of each column's mean: a BCa bootstrap
    over runs, or with ``n_draws`` the 5%-95% range over draws of each draw's mean."""
    if n_draws is None:
        return lambda samples, resamples=RESAMPLES: bootstrap_interval(samples, seed, resamples)
    return lambda samples, resamples=None: draw_interval(samples, n_draws)


def _interval_notes(draws, replicates: int, held: dict) -> dict:
    """What the runs and the brackets are, for the manifest, the report and the command's header."""
    if draws is None:
        return {"random_numbers": "common: run k of every scenario draws from stream (seed, k)",
                "intervals": f"95% BCa bootstrap of the mean, {RESAMPLES} resamples (scipy.stats.bootstrap)",
                "runs_note": f"{replicates} replicates per scenario",
                "brackets": f"95% BCa bootstrap interval of the mean ({RESAMPLES} resamples)",
                "band": "95% bootstrap interval of the mean"}
    return {"random_numbers": "common: replicate r of every draw and scenario draws from stream (seed, r)",
            "intervals": f"5%-95% range over {len(draws)} parameter draws of each draw's mean over its "
                         f"{replicates} replicates",
            "parameter_uncertainty": {"draws": describe_draws(draws), "draw_count": len(draws),
                                      "replicates_per_draw": replicates,
                                      "held_at_scenario_value": {k: list(v) for k, v in held.items() if v}},
            "runs_note": f"{replicates} replicates per parameter draw x {len(draws)} draws "
                         f"({describe_draws(draws)}) per scenario",
            "brackets": f"5%-95% range over the {len(draws)} parameter draws of each draw's mean (parameter "
                        "uncertainty: refits of the panel fit on resampled survey figures)",
            "band": f"5%-95% range over {len(draws)} parameter draws"}


def _check_labels(labels, scenarios) -> list[str]:
    """The labels given (one per scenario, all different) or the scenario names, made unique."""
    if labels is None:
        return _labels([s.name for s in scenarios])
    labels = [str(label) for label in labels]
    if len(labels) != len(scenarios) or len(set(labels)) != len(labels) or not all(labels):
        raise InputError("", "--label", labels, f"{len(scenarios)} different names, one per scenario in order")
    return labels


def _labels(names: list[str]) -> list[str]:
    """Scenario names, made unique where one is compared with itself."""
    return [name if names[:i].count(name) == 0 else f"{name} ({names[:i].count(name) + 1})"
            for i, name in enumerate(names)]


def _check_same_axes(scenarios) -> None:
    first = scenarios[0]
    for other in scenarios[1:]:
        if other.partners != first.partners or other.states != first.states:
            raise InputError(other.path, "partner_set", list(other.partners),
                             f"the partners and states of {first.name} (differences need the same ones)")


def _measures(partners) -> list[tuple[str, str]]:
    """(measure shown, outcome column)."""
    return [(p, f"asean_{p}") for p in partners] + [(m, m) for m in WORLD_MEASURES]


def _alignment(runs: dict, partners, interval) -> pd.DataFrame:
    rows = []
    for label, (outcomes, _) in runs.items():
        columns = [column for _, column in _measures(partners)]
        values = outcomes[columns].to_numpy()
        lo, hi = interval(values)
        rows += [{"scenario": label, "measure": m, "mean": v, "lo": a, "hi": b}
                 for (m, _), v, a, b in zip(_measures(partners), values.mean(0), lo, hi)]
    return pd.DataFrame(rows)


def _paired(runs: dict, columns: list[str], interval):
    """Per scenario after the first: (label, mean difference, lo, hi) over runs paired by index."""
    labels = list(runs)
    reference = runs[labels[0]][0][columns].to_numpy()
    for label in labels[1:]:
        difference = runs[label][0][columns].to_numpy() - reference
        yield label, difference.mean(0), *interval(difference)


def _differences(runs: dict, partners, interval) -> pd.DataFrame:
    measures = _measures(partners)
    rows = [{"scenario": label, "measure": m, "difference": d, "lo": a, "hi": b}
            for label, diff, lo, hi in _paired(runs, [c for _, c in measures], interval)
            for (m, _), d, a, b in zip(measures, diff, lo, hi)]
    return _flag_clear(pd.DataFrame(rows))


def _state_differences(runs: dict, partners, states, interval) -> pd.DataFrame:
    cells = [(s, p) for s in states for p in partners]
    rows = [{"scenario": label, "state": s, "partner": p, "difference": d, "lo": a, "hi": b}
            for label, diff, lo, hi in _paired(runs, [f"{s}_{p}" for s, p in cells], interval)
            for (s, p), d, a, b in zip(cells, diff, lo, hi)]
    return _flag_clear(pd.DataFrame(rows))


def _flag_clear(frame: pd.DataFrame) -> pd.DataFrame:
    frame["clear"] = (frame["lo"] > 0) | (frame["hi"] < 0)
    frame["reading"] = reading(frame["lo"], frame["hi"])
    return frame


def _over_time(runs: dict, partners, interval) -> pd.DataFrame:
    """scenario, step, partner, mean, lo, hi: ASEAN mean alignment over time (for the figure)."""
    frames = []
    for label, (_, asean) in runs.items():
        n_runs, n_steps, n_partners = asean.shape
        lo, hi = interval(asean.reshape(n_runs, -1), resamples=500)  # bands only: fewer resamples
        grid = pd.MultiIndex.from_product([range(n_steps), partners], names=["step", "partner"]).to_frame(index=False)
        frames.append(grid.assign(scenario=label, mean=asean.mean(0).ravel(), lo=lo, hi=hi))
    return pd.concat(frames, ignore_index=True)[["scenario", "step", "partner", "mean", "lo", "hi"]]


# --- tables as the command, the web app and the report show them ---------------------------


MARKS = {CLEAR: " *", NEGLIGIBLE_WORD: " ~"}  # after a difference's cell; not clear of zero: none


def marked_cell(difference: float, lo: float, hi: float) -> str:
    """``difference [lo, hi]`` in points, then " *" when clear of zero, " ~" when negligible (never "-0.0")."""
    return unsigned_zero(interval_cell(difference, lo, hi, 100)) + MARKS.get(reading(lo, hi).item(), "")


def unsigned_zero(text: str) -> str:
    """``text`` with every "-0.0" (a tiny negative rounded) shown as "0.0"."""
    return re.sub(r"-0\.0(?![0-9])", "0.0", text)


def alignment_table(comparison: Comparison) -> pd.DataFrame:
    """scenario x measure: "mean [lo, hi]" in percent."""
    cells = [interval_cell(r.mean, r.lo, r.hi, 100) for r in comparison.alignment.itertuples()]
    frame = comparison.alignment.assign(cell=cells)
    return frame.pivot(index="scenario", columns="measure", values="cell").loc[comparison.labels,
                                                                                 list(dict.fromkeys(frame["measure"]))]


def difference_table(comparison: Comparison) -> pd.DataFrame:
    """scenario x measure: "difference [lo, hi]" in points, marked (`marked_cell`)."""
    frame = comparison.differences
    frame = frame.assign(cell=[marked_cell(r.difference, r.lo, r.hi) for r in frame.itertuples()])
    return frame.pivot(index="scenario", columns="measure", values="cell").loc[comparison.labels[1:],
                                                                                 list(dict.fromkeys(frame["measure"]))]


def state_table(comparison: Comparison, label: str) -> pd.DataFrame:
    """state x partner for one scenario: its difference from the first, in points, marked (`marked_cell`)."""
    frame = comparison.states[comparison.states["scenario"] == label]
    frame = frame.assign(cell=[marked_cell(r.difference, r.lo, r.hi) for r in frame.itertuples()])
    table = frame.pivot(index="state", columns="partner", values="cell")
    return table.loc[list(dict.fromkeys(frame["state"])), list(dict.fromkeys(frame["partner"]))]


def driver_table(comparison: Comparison, label: str) -> pd.DataFrame:
    """Per state: ``label``'s change in the forced choice (points, with its interval), the main input
    behind it and the utility term moving the US-over-China gap most (`main_drivers`)."""
    rows = comparison.drivers[comparison.drivers["scenario"] == label].set_index("state")
    return pd.DataFrame({"forced_us change": [marked_cell(r.difference, r.lo, r.hi) for r in rows.itertuples()],
                         "main input": shown_inputs(rows), "contribution": rows["contribution"].map(points),
                         "main term": rows["term"].fillna("")}, index=rows.index)


def plain(table: pd.DataFrame) -> pd.DataFrame:
    """A table of `difference_table` or `state_table` as plain text (they have no bold any more; a table
    bolded elsewhere gets a trailing * instead)."""
    return table.replace(r"\*\*(.*)\*\*", r"\1 *", regex=True)


def state_summary(comparison: Comparison, label: str, top: int = 5) -> list[str]:
    """How many of ``label``'s state-partner differences are clear of zero (and not negligible) and how
    many negligible, and the ``top`` largest clear ones, one line each: the words `run.py compare` prints
    and the web app shows."""
    rows = comparison.states.query("scenario == @label")
    clear = rows[rows["reading"] == CLEAR]
    largest = clear.reindex(clear["difference"].abs().sort_values(ascending=False).index).head(top)
    negligible = int((rows["reading"] == NEGLIGIBLE_WORD).sum())
    lines = [f"{label}: {len(clear)} of {len(rows)} state-partner differences clear of zero, {negligible} negligible"
             + ("; largest:" if len(largest) else "")]
    lines += [f"  {r.state:<12}{r.partner:<4}{100 * r.difference:+6.1f} [{100 * r.lo:+.1f}, {100 * r.hi:+.1f}]"
              for r in largest.itertuples()]
    return lines


def interval_legend(comparison: Comparison) -> str:
    """What the brackets of this comparison mean and cover, in one paragraph (repeated under every table)."""
    m = comparison.manifest
    marks = (" A star (*) marks a difference clear of zero (its interval excludes zero), a tilde (~) a negligible "
             "one, no mark one not clear of zero. " + negligible_note())
    if "parameter_uncertainty" not in m:
        return legend(m["replicates"]) + marks
    return legend(m["replicates"], m["brackets"] + "; it covers the fitted parameters' uncertainty as well as "
                  "simulation noise, not the model's structure") + marks
