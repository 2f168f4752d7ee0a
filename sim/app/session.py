"""What one page of the web app holds and runs, without Solara: testable without a browser.

A page's run is a scenario, the slider values it started from (`start_overrides`) and the
slider changes made during the run (`user_events`, scenario events at the next quarter). The
same three things make
  * the run's scenario (`run_scenario`), which the ensemble engine replays for the band of
    replicates and which `run.py run` reproduces from the saved file (`scenario_file`);
  * the page's address (`encode_view` / `decode_view`), so a copied link reopens the view.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode

import numpy as np
import pandas as pd
import scipy.stats  # noqa: F401 - the intervals' bootstrap: loaded with the page, so the first compare takes 0.3 s


from sim.base.errors import InputError
from sim.core import equations
from sim.core.trajectory import Trajectory
from sim.experiments import comparison as comparing
from sim.model import AlignmentModel
from sim.reports import tilemap
from sim.running.explain import terms_table
from sim.running.provenance import make_manifest
from sim.running.run import RunResult
from sim.running.run import run as run_scenario_engine
from sim.running.uncertainty import parameter_intervals
from sim.schema import parameters
from sim.schema.scenario import SCENARIO_DIR, Event, Scenario, derived_toml, load
from sim.schema.survey_panel import SURVEY_SCENARIOS, latest_figures, load_panel
from sim.schema.survey_pool import FORCED

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


# --- what the page shows -----------------------------------------------------------------


def asean_now(model) -> dict[str, float]:
    """ASEAN's mean alignment with each partner right now."""
    return dict(zip(model.inputs.partners, model.dyn.alignment[0].mean(0)))


def current_table(model, state: str):
    """The explain table (`sim.running.explain.terms_table`) of ``state`` at the model's current step."""
    agent = next(a for a in model.state_agents if a.name == state)
    table = terms_table(model.trajectory.terms[0, model.steps, agent.row], agent.alignment, model.inputs.partners)
    table.attrs.update(scenario=model.scenario.name, state=state, step=int(model.steps))
    return table


def tiles_of(model) -> list[dict]:
    """What each map tile shows: place, colour, leading partner, share, hedging, every share (hover)."""
    alignment = model.dyn.alignment[0]
    spread = equations.hedging_among_powers(alignment, model.inputs.partners)
    rows = {name: i for i, name in enumerate(model.inputs.states)}
    partners = model.inputs.partners
    out = []
    for tile in tilemap.layout(model.inputs.states):
        row = rows[tile.state]
        column = int(equations.leading_partner(alignment[row], partners))
        lead = partners[column]
        color = tilemap.tile_color(lead, spread[row])
        shares = ", ".join(f"{parameters.PARTNER_NAMES.get(p, p)} {s:.1%}" for p, s in zip(partners, alignment[row]))
        out.append({"tile": tile, "lead": lead, "share": float(alignment[row, column]), "hedging": float(spread[row]),
                    "color": color, "text": tilemap.text_color(color), "hover": f"{tile.state}: {shares}"})
    return out


def replicate_band(scenario: Scenario, replicates: int = BAND_REPLICATES):
    """The spread of ``replicates`` runs of ``scenario`` (ensemble engine, the scenario's seed):
    (lo, hi) 5-95% of ASEAN's mean alignment [step, partner] over the whole horizon, and the
    result. Run 0 is the run the page's Mesa model makes, step for step."""
    result = run_scenario_engine(scenario, replicates=replicates)
    asean = result.trajectory.alignment.mean(2)  # [run, step, partner]
    lo, hi = np.quantile(asean, BAND_QUANTILES, axis=0)
    return lo, hi, result


def current_result(model) -> RunResult:
    """The page's run up to its current step as a `RunResult`: the tables `run.py run --out` writes."""
    scenario = run_scenario(model)
    trajectory: Trajectory = model.trajectory.up_to(int(model.steps))
    manifest = make_manifest(scenario, steps=int(model.steps), seed=model.master_seed, replicates=1,
                             engine="mesa")
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


# --- the page's address -------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """What a link restores: scenario, starting sliders, changes during the run, step, clicked state,
    and, when the Compare tab is open, its two columns (scenario name and the sliders changed from it)."""

    scenario: str = DEFAULT_SCENARIO
    overrides: dict = field(default_factory=dict)
    events: tuple[Event, ...] = ()
    step: int = 0
    state: str = "Vietnam"
    compare: tuple[tuple[str, dict], ...] = ()


COMPARE_PREFIXES = ("a", "b")  # the compare columns A and B in a link: a=NAME&a.KEY=VALUE


def view_of(model, state: str, compare_columns=None) -> View:
    """The view of a page showing ``model`` with ``state`` clicked, and ``compare_columns``
    ([(scenario name, slider values)] x 2) when the Compare tab is open."""
    compare = tuple((name, start_overrides(picked(name), values)) for name, values in compare_columns or ())
    return View(model.scenario.name, changed_from_file(model.scenario), user_events(model), int(model.steps), state,
                compare)


def compare_settings(view: View) -> list[tuple[str, dict]]:
    """The compare columns a view names: each scenario with its sliders (its own values, then the link's)."""
    return [(name, starting_settings(picked(name)) | changes) for name, changes in view.compare]


def encode_view(view: View) -> str:
    """The query string of a view: ``scenario=...&world.rivalry=0.9&q7.world.asean_unity=0.6&step=12``
    (``qN.KEY``: a change during the run, from quarter N)."""
    pairs = [("scenario", view.scenario)]
    pairs += [(key, _text(value)) for key, value in view.overrides.items()]
    pairs += [(f"q{e.step}.{e.key}", _text(e.value)) for e in view.events]
    pairs += [("step", str(view.step)), ("state", view.state)]
    if view.compare:
        pairs.append(("tab", "compare"))
        for prefix, (name, changes) in zip(COMPARE_PREFIXES, view.compare):
            pairs += [(prefix, name)] + [(f"{prefix}.{key}", _text(value)) for key, value in changes.items()]
    return urlencode(pairs, safe=".,")


def _text(value) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def decode_view(query: str) -> View:
    """The view a query string names; anything unknown or out of range is an `InputError` (one line)."""
    found = {"overrides": {}, "events": [], "columns": {}, "column_changes": {p: {} for p in COMPARE_PREFIXES}}
    for name, text in parse_qsl(query or "", keep_blank_values=True):
        if name in ("scenario", "state", "tab"):
            found[name] = text
        elif name in COMPARE_PREFIXES:
            found["columns"][name] = _scenario_name(name, text)
        elif name.split(".", 1)[0] in COMPARE_PREFIXES and "." in name:
            prefix, key = name.split(".", 1)
            found["column_changes"][prefix][key] = _value(key, text)
        elif name == "step":
            found["step"] = _whole(text)
        elif name.startswith("q") and "." in name and name[1:].split(".", 1)[0].isdigit():
            step, key = name[1:].split(".", 1)
            found["events"].append(Event(int(step), key, "set", _value(key, text)))
        else:
            found["overrides"][name] = _value(name, text)
    name = _scenario_name("scenario", found.get("scenario", DEFAULT_SCENARIO))
    scenario = picked(name)
    compare = _compare_columns(found, name)
    state = found.get("state", View.state)
    if state not in scenario.states:
        raise InputError("URL", "state", state, "one of " + ", ".join(scenario.states))
    if found.get("step", 0) > scenario.steps:
        raise InputError("URL", "step", found["step"], f"a step from 0 to {scenario.steps}")
    return View(scenario.name, found["overrides"], tuple(sorted(found["events"], key=lambda e: e.step)),
                found.get("step", 0), state, compare)


def _scenario_name(key: str, name: str) -> str:
    if name not in scenario_names():  # names only: a link must not open files on the server
        raise InputError("URL", key, name, "one of " + ", ".join(scenario_names()))
    return name


def _compare_columns(found: dict, run_scenario: str) -> tuple:
    """The link's compare columns (``tab=compare``; a column it does not name shows the run's scenario)."""
    tab = found.get("tab", "run")
    if tab not in ("run", "compare"):
        raise InputError("URL", "tab", tab, "run or compare")
    if tab == "run":
        return ()
    return tuple((found["columns"].get(prefix, run_scenario), found["column_changes"][prefix])
                 for prefix in COMPARE_PREFIXES)


def _whole(text: str) -> int:
    if not text.isdigit():
        raise InputError("URL", "step", text, "a whole number of quarters")
    return int(text)


def _value(key: str, text: str):
    if key not in CONTROL_LABELS:
        raise InputError("URL", key, text, "a slider's key (" + ", ".join(CONTROL_LABELS) + ")")
    spec = parameters.spec(key)
    return parameters.check(key, text if spec.kind == "choice" else _number(key, text), "URL")


def _number(key: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InputError("URL", key, text, "a number") from None


def restore(view: View):
    """The model a view names, stepped to its step, and the slider values to show with it."""
    scenario = load(view.scenario)
    settings = starting_settings(scenario) | view.overrides
    model = new_model(scenario, settings)
    model.events = tuple(model.events) + tuple(view.events)
    for _ in range(min(view.step, model.horizon)):
        model.step()
    for event in view.events:  # the sliders show the latest value of each changed key
        settings[event.key] = event.value
    return model, settings


# --- the compare view ------------------------------------------------------------------------


def column_scenario(name: str, settings: dict, label: str) -> Scenario:
    """One compare column: scenario ``name`` with its sliders, named ``label`` in the tables."""
    scenario = load(name)
    return replace(scenario.with_overrides(start_overrides(scenario, settings), where="slider"), name=label)


def compare_columns(columns: list[Scenario], replicates: int = COMPARE_REPLICATES):
    """`sim.experiments.comparison.compare` of the columns: common random numbers, paired
    differences with 95% bootstrap intervals, the second column minus the first."""
    return comparing.compare(columns, replicates=replicates)


# --- the survey beside the model ---------------------------------------------------------------


def survey_year(scenario_name: str) -> int | None:
    """The ISEAS survey year a scenario stands for (`SURVEY_SCENARIOS`), else None."""
    return next((year for year, name in SURVEY_SCENARIOS.items() if name == scenario_name), None)


def survey_beside_model(scenario_name: str, result: RunResult, replicates: RunResult | None = None):
    """Per state: the model's forced-choice answer (percent US, `forced_us` at the run's last
    step), the mean over replicates where given, and the survey's figure where there is one
    (blank otherwise). None for a scenario that stands for no survey year."""
    year = survey_year(scenario_name)
    if year is None:
        return None
    panel = load_panel(years=(year,), asean_wide_years=(year,))
    forced = panel[(panel["question"] == FORCED) & (panel["code"] == "US")]
    survey = forced.drop_duplicates("state").set_index("state")["percent"].rename({"ASEAN": ASEAN_ROW})
    states = list(result.trajectory.states)
    rows = pd.Index([*states, ASEAN_ROW], name="state")
    table = pd.DataFrame(index=rows)
    table["model, this run"] = answers_with_pool(result, states)
    if replicates is not None:
        table[f"model, mean of {replicates.manifest['replicates']} runs"] = answers_with_pool(replicates, states)
    table[INTERVAL_COLUMN] = forced_interval(scenario_name).reindex(rows)
    table["survey"] = survey.reindex(rows)
    table["model - survey"] = table["model, this run"] - table["survey"]
    table[LAST_SURVEY_COLUMN] = last_earlier_survey(year).rename({"ASEAN": ASEAN_ROW}).reindex(rows)
    table.attrs["year"] = year
    return table


# The ASEAN-wide row: states pooled as the survey pools its respondents (`sim.schema.survey_pool`)
ASEAN_ROW = "ASEAN-wide (pooled)"


def answers_with_pool(result: RunResult, states: list[str]) -> list[float]:
    """Each state's forced choice (percent US) and, last, their survey-pooled mean (`RunResult.forced_us_pooled`)."""
    per_state = 100 * result.final.loc[states, "forced_us"].astype(float)
    return [*per_state, 100 * result.forced_us_pooled()]


LAST_SURVEY_COLUMN = "last earlier survey"


def last_earlier_survey(year: int) -> pd.Series:
    """Per state (and ASEAN), "percent (year)" of its latest in-sample forced-choice figure before
    ``year``: the persistence forecast the model has to beat (the held-out editions' own figures are
    not held)."""
    forced = load_panel()
    last = latest_figures(forced[forced["question"] == FORCED], year)
    return pd.Series([f"{p:.1f} ({y})" for p, y in zip(last["percent"], last["year"])], index=last.index,
                     dtype=object)


INTERVAL_COLUMN = "model, 90% with parameter uncertainty"


@lru_cache(maxsize=16)
def forced_interval(scenario_name: str) -> pd.Series:
    """Per state, "lo-hi" (percent US) of the scenario's forced-choice answer over the panel fit's
    bootstrap draws and their replicates (`sim.running.uncertainty`): the scenario as shipped,
    not the sliders; about 0.4 s the first time a scenario is shown, cached after."""
    frame = parameter_intervals(scenario_name)
    forced = frame[frame["measure"] == "forced_us"].set_index("state")
    low, high = ((100 * forced[end]).round().astype(int).astype(str) for end in ("lo", "hi"))
    return low + "-" + high
