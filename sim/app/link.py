"""The web app's address: what a link restores (`View`), written into and read from the query
string, and the model a link names (`restore`). A bad link is one `InputError` line."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from sim.app.session import (CONTROL_LABELS, DEFAULT_SCENARIO, changed_from_file, new_model, picked, scenario_names,
                             shown_step, start_overrides, starting_settings, user_events)
from sim.base.errors import InputError, parse_number, parse_whole
from sim.schema import parameters
from sim.schema.scenario import Event, load


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
    compared: bool = False  # the Compare tab showed the result of these columns: the link computes it again


COMPARE_PREFIXES = ("a", "b")  # the compare columns A and B in a link: a=NAME&a.KEY=VALUE


def view_of(model, state: str, compare_columns=None, step: int | None = None, compared: bool = False) -> View:
    """The view of a page showing ``model`` at quarter ``step`` (its own step if None) with
    ``state`` clicked, and ``compare_columns`` ([(scenario name, slider values)] x 2) when the
    Compare tab is open (``compared``: with their result on screen)."""
    compare = tuple((name, start_overrides(picked(name), values)) for name, values in compare_columns or ())
    return View(model.scenario.name, changed_from_file(model.scenario), user_events(model),
                shown_step(model, step), state, compare, bool(compare) and compared)


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
        if view.compared:
            pairs.append(("compared", "1"))
    return urlencode(pairs, safe=".,")


def _text(value) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def decode_view(query: str) -> View:
    """The view a query string names; anything unknown or out of range is an `InputError` (one line)."""
    found = {"overrides": {}, "events": [], "columns": {}, "column_changes": {p: {} for p in COMPARE_PREFIXES}}
    for name, text in parse_qsl(query or "", keep_blank_values=True):
        if name in ("scenario", "state", "tab"):
            found[name] = text
        elif name == "compared":
            if text != "1":
                raise InputError("URL", "compared", text, "1 (the Compare tab showed its result)")
            found["compared"] = True
        elif name in COMPARE_PREFIXES:
            found["columns"][name] = _scenario_name(name, text)
        elif name.split(".", 1)[0] in COMPARE_PREFIXES and "." in name:
            prefix, key = name.split(".", 1)
            found["column_changes"][prefix][key] = _value(key, text)
        elif name == "step":
            found["step"] = parse_whole(text, "URL", "step", "a whole number of quarters")
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
                found.get("step", 0), state, compare, bool(compare) and found.get("compared", False))


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


def _value(key: str, text: str):
    if key not in CONTROL_LABELS:
        raise InputError("URL", key, text, "a slider's key (" + ", ".join(CONTROL_LABELS) + ")")
    spec = parameters.spec(key)
    return parameters.check(key, text if spec.kind == "choice" else parse_number(text, "URL", key), "URL")


def restore(view: View):
    """The model a view names, stepped to its step, and the sliders' starting values (the values
    in force at a later quarter are `sim.app.playback.values_in_force`)."""
    scenario = load(view.scenario)
    settings = starting_settings(scenario) | view.overrides
    model = new_model(scenario, settings)
    model.events = tuple(model.events) + tuple(view.events)
    for _ in range(min(view.step, model.horizon)):
        model.step()
    return model, settings
