"""What one page of the web app runs, without Solara: testable without a browser.

A page's run is a scenario, the slider values it started from (`start_overrides`) and the
slider changes made during the run (`user_events`, scenario events at the next quarter). The
same three things make the run's scenario (`run_scenario`), which the ensemble engine replays
for the band of replicates and which `run.py run` reproduces from the saved file
(`scenario_file`). The page shows one quarter of the run computed so far (``step``, at most the
model's own step): what it shows is read from the run's trajectory at that quarter, so going
back in time needs no new run. Its link is `sim.app.link`; the survey table `sim.app.survey`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import scipy.stats  # noqa: F401 - the intervals' bootstrap: loaded with the page, so the first compare takes 0.3 s

from sim.core import measures
from sim.core.trajectory import Trajectory
from sim.experiments import comparison as comparing
from sim.model import AlignmentModel
from sim.reports import tilemap
from sim.running.explain import terms_table
from sim.running.provenance import make_manifest
from sim.running.run import RunResult
from sim.running.run import run as run_scenario_engine
from sim.schema import parameters
from sim.schema.scenario import SCENARIO_DIR, Event, Scenario, derived_toml, load

DEFAULT_SCENARIO = "baseline_2020"
BAND_REPLICATES = 100  # judgement: the 5-95% band settles to about a point; 0.05 s with the ensemble
COMPARE_REPLICATES = 100  # about 0.3 s for two columns, with bootstrap intervals
BAND_QUANTILES = (0.05, 0.95)


@dataclass(frozen=True)
class Control:
    """A slider (or choice) for one parameter key, with a label and a one-line help."""

    key: str
    label: str
    help: str


WORLD_CONTROLS = (
    Control("partners.CN.coercion", "China's coercion",
            "How ready China is to punish states that lean to its rivals (THAAD-style sanctions)."),
    Control("world.china_mode", "China's mode",
            "steady: coercion stays put; assertive: it rises as states tilt away; conciliatory: it fades."),
    Control("world.us_commitment", "US commitment",
            "1 = the 2020 level; scales US reliability, capacity and aid."),
    Control("world.nk_threat", "North Korea threat",
            "High ties South Korea to the US and makes it careful with China; low lets it drift toward China "
            "(seeds 000, 002)."),
    Control("world.asean_unity", "ASEAN unity",
            "What staying ASEAN-centred (the ASEAN column) is worth: unity to fend off both powers (seed 000)."),
    Control("world.rivalry", "US-China rivalry",
            "Scales the risk of leaning toward a partner whose rivals can punish you."),
    Control("world.shock_rate", "Crises at sea (per quarter)",
            "Expected number of South China Sea crises per quarter."),
    Control("world.shock_size", "Crisis size",
            "How much one crisis raises the threat felt by exposed states."),
)
WEIGHT_CONTROLS = tuple(
    Control(f"weights.{term}", label, help)
    for term, label, help in (
        ("security", "Security", "Help against threats at sea and existing defence ties."),
        ("economy", "Economy", "Trade, investment and aid."),
        ("trust", "Trust", "Does the partner 'do the right thing' (ISEAS survey)."),
        ("risk", "Risk", "Fear of punishment by the partner's rivals."),
        ("history", "History", "Historical affinity or grievance."),
        ("peer", "Peers", "Following what the rest of ASEAN does."),
    )
)
CONTROLS = WORLD_CONTROLS + WEIGHT_CONTROLS
CONTROL_LABELS = {c.key: c.label for c in CONTROLS}


# --- scenarios and sliders ---------------------------------------------------------------


def scenario_names() -> list[str]:
    """Every scenario in scenarios/, baseline first."""
    names = sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))
    return sorted(names, key=lambda n: n != DEFAULT_SCENARIO)


@lru_cache(maxsize=1)
def scenario_titles() -> dict[str, str]:
    """{title: name} for the scenario picker (read once: the files do not change while serving)."""
    return {load(name).title: name for name in scenario_names()}


def in_quarters(text: str) -> str:
    """A scenario's description in the page's words: its "step 4" / "steps 8-9" (the files' term)
    read "quarter 4" / "quarters 8-9", as the playback bar and the charts count."""
    text = re.sub(r"\b([Ss])teps (\d+)", lambda m: ("Q" if m.group(1) == "S" else "q") + f"uarters {m.group(2)}", text)
    return re.sub(r"\b([Ss])tep (\d+)", lambda m: ("Q" if m.group(1) == "S" else "q") + f"uarter {m.group(2)}", text)


def slider_range(key: str) -> tuple[float, float, float]:
    """(min, max, step) of a slider, from the parameter schema; about 100 steps across."""
    spec = parameters.spec(key)
    span = spec.hi - spec.lo
    step = 0.01 if span <= 1.5 else 0.05
    return spec.lo, spec.hi, step


def starting_settings(scenario: Scenario) -> dict:
    """The slider values a scenario starts from (its value, else the schema default)."""
    values = scenario.parameters()
    return {c.key: values[c.key] for c in CONTROLS}


def start_overrides(scenario: Scenario, settings: dict) -> dict:
    """The sliders that differ from the scenario's own values: the run's `--set` changes."""
    start = starting_settings(scenario)
    return {k: v for k, v in settings.items() if start.get(k) != v}


def new_model(scenario: Scenario, settings: dict):
    """A fresh model of ``scenario`` with the sliders' values, as ``--set`` would give it."""
    return AlignmentModel(scenario, overrides=start_overrides(scenario, settings))


def change_during_run(model, key: str, value) -> Event:
    """Schedule ``key = value`` as a scenario event at the model's next step (replacing a
    pending change of the same key, so dragging a slider leaves one event)."""
    value = parameters.check(key, value, "slider")
    event = Event(model.steps + 1, key, "set", value)
    model.events = tuple(e for e in model.events if (e.step, e.key) != (event.step, key)) + (event,)
    return event


def user_events(model) -> tuple[Event, ...]:
    """The slider changes made during the run: the model's events that its scenario does not have."""
    return tuple(e for e in model.events if e not in model.scenario.events)


def run_scenario(model) -> Scenario:
    """The scenario this page runs: the picked one, the starting sliders, and the changes during
    the run as events (after the scenario's own at the same step, as in the model)."""
    return replace(model.scenario, events=tuple(model.events))


# --- what the page shows at quarter ``step`` (the model's own step when None) ---------------


def shown_step(model, step: int | None = None) -> int:
    """The quarter shown: ``step`` if given (at most the model's step), else the model's step."""
    return int(model.steps if step is None else min(max(int(step), 0), model.steps))


def alignment_at(model, step: int | None = None) -> np.ndarray:
    """Each state's alignment [state, partner] at quarter ``step`` of the run computed so far."""
    return model.trajectory.alignment[0, shown_step(model, step)]


def asean_now(model, step: int | None = None) -> dict[str, float]:
    """ASEAN's mean alignment with each partner at the quarter shown."""
    return dict(zip(model.inputs.partners, alignment_at(model, step).mean(0)))


def cohesion_at(model, step: int | None = None) -> float:
    """ASEAN's cohesion at the quarter shown (1 = every state aligned alike)."""
    return float(measures.cohesion(alignment_at(model, step)))


def current_table(model, state: str, step: int | None = None):
    """The explain table (`sim.running.explain.terms_table`) of ``state`` at the quarter shown."""
    step = shown_step(model, step)
    row = list(model.inputs.states).index(state)
    table = terms_table(model.trajectory.terms[0, step, row], model.trajectory.alignment[0, step, row],
                        model.inputs.partners)
    table.attrs.update(scenario=model.scenario.name, state=state, step=step)
    return table


def tiles_of(model, step: int | None = None) -> list[dict]:
    """What each map tile shows: place, colour, leading partner and its share, the ASEAN-centred
    share, hedging, every share (hover)."""
    alignment = alignment_at(model, step)
    partners = model.inputs.partners
    spread = measures.hedging_among_powers(alignment, partners)
    rows = {name: i for i, name in enumerate(model.inputs.states)}
    out = []
    for tile in tilemap.layout(model.inputs.states):
        row = rows[tile.state]
        column = int(measures.leading_partner(alignment[row], partners))
        lead = partners[column]
        color = tilemap.tile_color(lead, spread[row])
        shares = ", ".join(f"{parameters.PARTNER_NAMES.get(p, p)} {s:.1%}" for p, s in zip(partners, alignment[row]))
        autonomy = float(alignment[row, partners.index("ASEAN")]) if "ASEAN" in partners else None
        out.append({"tile": tile, "lead": lead, "share": float(alignment[row, column]), "hedging": float(spread[row]),
                    "asean": autonomy, "color": color, "text": tilemap.text_color(color),
                    "hover": f"{tile.state}: {shares}"})
    return out


def replicate_band(scenario: Scenario, replicates: int = BAND_REPLICATES):
    """The spread of ``replicates`` runs of ``scenario`` (ensemble engine, the scenario's seed):
    (lo, hi) 5-95% of ASEAN's mean alignment [step, partner] over the whole horizon, and the
    result. Run 0 is the run the page's Mesa model makes, step for step."""
    result = run_scenario_engine(scenario, replicates=replicates)
    asean = result.trajectory.alignment.mean(2)  # [run, step, partner]
    lo, hi = np.quantile(asean, BAND_QUANTILES, axis=0)
    return lo, hi, result


def current_result(model, step: int | None = None) -> RunResult:
    """The page's run up to the quarter shown as a `RunResult`: the tables `run.py run --out` writes."""
    step = shown_step(model, step)
    scenario = run_scenario(model)
    trajectory: Trajectory = model.trajectory.up_to(step)
    manifest = make_manifest(scenario, steps=step, seed=model.master_seed, replicates=1, engine="mesa")
    return RunResult(scenario, trajectory, manifest)


@lru_cache(maxsize=64)
def picked(name: str) -> Scenario:
    """Scenario ``name`` as its file says (read once: the files do not change while serving)."""
    return load(name)


def changed_from_file(scenario: Scenario) -> dict:
    """The overrides of a page's scenario that its file does not have: the starting sliders."""
    own = picked(scenario.name).overrides
    return {k: v for k, v in scenario.overrides.items() if own.get(k, object()) != v}


def scenario_file_name(model) -> str:
    """The file name 'save as scenario' offers: the scenario's name with ``_app.toml``."""
    return f"{model.scenario.name}_app.toml"


def scenario_file(model) -> tuple[str, str]:
    """(file name, TOML text) of 'save as scenario': the picked scenario as base, the starting
    sliders as parameter changes, the changes during the run as events. `run.py run FILE`
    makes the same run, number for number."""
    file = picked(model.scenario.name)
    overrides = changed_from_file(model.scenario)
    events = user_events(model)
    description = (f"Saved from the web app: {file.name} with {len(overrides)} slider change(s) from the "
                   f"start and {len(events)} during the run.")
    text = derived_toml(file.name, f"{file.title} (from the web app)", description, overrides, events)
    return scenario_file_name(model), text


# --- the compare view ------------------------------------------------------------------------


def column_scenario(name: str, settings: dict, label: str) -> Scenario:
    """One compare column: scenario ``name`` with its sliders, named ``label`` in the tables."""
    scenario = load(name)
    return replace(scenario.with_overrides(start_overrides(scenario, settings), where="slider"), name=label)


def compare_columns(columns: list[Scenario], replicates: int = COMPARE_REPLICATES):
    """`sim.experiments.comparison.compare` of the columns: common random numbers, paired
    differences with 95% bootstrap intervals, the second column minus the first."""
    return comparing.compare(columns, replicates=replicates)
