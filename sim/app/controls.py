"""The web app's side panel: the scenario picker, Reset / Play / Step, the sliders, and the
player that steps the model while Play is on."""

from __future__ import annotations

import html
import time

import solara
import solara.lab

from sim.app import session
from sim.app.session import WEIGHT_CONTROLS, WORLD_CONTROLS
from sim.schema import parameters

PLAY_INTERVAL = 0.08  # seconds between quarters while playing at most; drawing a quarter sets the pace (5-7 a second)


@solara.component
def Sliders(controls, values: dict, on_change, prefix: str = ""):
    """One slider (or a row of choice buttons) per control with a value in ``values``;
    ``on_change(key, value)`` is called when one moves. ``prefix`` names the sliders' CSS class."""
    for control in controls:
        value = values.get(control.key)
        if value is None:
            continue
        spec = parameters.spec(control.key)
        with solara.Tooltip(control.help):
            with solara.Div(classes=[f"{prefix}slider"]):
                if spec.kind == "choice":
                    solara.ToggleButtonsSingle(value=value, values=list(spec.choices), dense=True,
                                               on_value=lambda v, k=control.key: on_change(k, v))
                    solara.Text(control.label, classes=["help"])
                else:
                    lo, hi, step = session.slider_range(control.key)
                    solara.SliderFloat(f"{control.label}: {value:.2f}", value=float(value), min=lo, max=hi, step=step,
                                       on_value=lambda v, k=control.key: on_change(k, round(v, 4)))


def scenario_picker(name: str, on_name, label: str = "Scenario"):
    """A select of every scenario by title; ``on_name(scenario name)`` is called on a pick."""
    titles = session.scenario_titles()
    title = session.picked(name).title
    solara.Select(label, values=list(titles), value=title, on_value=lambda t: on_name(titles[t]))


@solara.component
def Controls(state):
    """The side panel of the ``state`` (`PageState`) of the page."""
    current = state.model.value
    scenario = current.scenario if current is not None else session.picked(state.scenario_name.value)
    scenario_picker(scenario.name, state.reset)
    solara.HTML(tag="p", classes=["help"], unsafe_innerHTML=html.escape(" ".join(scenario.description.split())))
    at_end = current is not None and not current.running
    playing = state.playing.value
    with solara.Row(justify="space-between"):
        solara.Button("Reset", icon_name="mdi-restore", color="primary", outlined=True, on_click=state.reset,
                      classes=["reset-button"])
        solara.Button("Pause" if playing else "Play", icon_name="mdi-pause" if playing else "mdi-play",
                      color="primary", disabled=at_end, on_click=state.toggle_play, classes=["play-button"])
        solara.Button("Step", icon_name="mdi-skip-next", color="primary", disabled=playing or at_end,
                      on_click=state.step_once, classes=["step-button"])
    solara.Text("Before the first step a slider sets the starting world; later it takes effect from the next "
                "quarter. Reset restarts 2020 with the sliders as they are.", classes=["help"])
    with solara.Card("The world", margin=0, style={"margin-top": "10px"}):
        Sliders(WORLD_CONTROLS, state.settings.value, state.set_control)
    with solara.Details("Preference weights: how much states care about each term"):
        Sliders(WEIGHT_CONTROLS, state.settings.value, state.set_control)


@solara.component
def Player(state):
    """Steps the model while Play is on (a background task, as in Mesa's ModelController).
    Quarters are due at fixed times, so drawing a quarter does not slow the pace."""

    def run():
        due = time.monotonic()
        while state.playing.value:
            current = state.model.value
            if current is None or not current.running:
                state.playing.value = False
                break
            due = max(due + PLAY_INTERVAL, time.monotonic())
            time.sleep(max(0.0, due - time.monotonic()))
            if state.playing.value:
                state.step_once()

    solara.lab.use_task(run, dependencies=[state.playing.value], prefer_threaded=True)
