"""The web app's controls: the side panel (scenario picker, sliders), the transport above the
charts (Reset, Back, Play / Pause, Step, the quarter scrubber with its event markers, the speed),
and the player that moves the quarter on while Play is on."""

from __future__ import annotations

import html
import time
from pathlib import Path

import solara
import solara.lab

from sim.app import playback, session
from sim.app.session import WEIGHT_CONTROLS, WORLD_CONTROLS
from sim.app.state import SCREEN_WAIT, SPEEDS
from sim.schema import parameters

SCREEN_POLL = 0.01  # seconds between looks at whether the browser has caught up


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
    """The side panel of the ``state`` (`PageState`) of the page: scenario and sliders, the
    sliders showing the values in force at the quarter on screen."""
    state.revision.value  # noqa: B018 - subscribe to changes of the run
    state.quarter.value  # noqa: B018 - the values in force follow the quarter on screen
    if state.tab.value == 1:  # the Run tab's sliders do nothing to the comparison: not shown beside it
        solara.Text("On the Compare tab each column has its own scenario and sliders (on the page). The Run "
                    "tab's scenario and sliders come back on the Run tab.", classes=["help", "compare-sidebar-note"])
        return
    current = state.model.value
    scenario = current.scenario if current is not None else session.picked(state.scenario_name.value)
    scenario_picker(scenario.name, state.reset)
    solara.HTML(tag="p", classes=["help"], unsafe_innerHTML=html.escape(session.in_quarters(" ".join(scenario.description.split()))))
    solara.Text("At quarter 0 a slider sets the starting world; later it takes effect from the next quarter "
                "(and replaces what the run had computed after the quarter on screen). The sliders show the "
                "values in force at the quarter on screen, the scenario's own changes included.", classes=["help"])
    if current is None:
        return
    values = state.shown_values()
    if state.notice.value:
        solara.Text(state.notice.value, classes=["error-line", "slider-notice"])
    with solara.Card("The world", margin=0, style={"margin-top": "10px"}):
        Sliders(WORLD_CONTROLS, values, state.set_control)
    with solara.Details("Preference weights: how much states care about each term"):
        Sliders(WEIGHT_CONTROLS, values, state.set_control)


@solara.component_vue(str(Path(__file__).with_name("playback_bar.vue")))
def PlaybackBar(quarter: int, computed: int, horizon: int, playing: bool, markers: list, speed: float, speeds: list,
                event_reset=None, event_back=None, event_toggle=None, event_step=None, event_seek=None,
                event_set_speed=None):
    """Reset, Back, Play / Pause (``event_toggle(quarter on screen)``), Step, the quarter scrubber
    (accessible name "Quarter shown", ``event_seek(quarter)``) with the event markers, and the
    speed control ("Playback speed", ``event_set_speed(speed)``)."""


@solara.component
def Transport(state):
    """The playback bar above the charts, for the page's ``state``."""
    quarter = state.quarter.value
    state.revision.value  # noqa: B018 - the markers follow the changes made during the run
    current = state.model.value
    with solara.Div(classes=["transport"]):
        PlaybackBar(quarter=quarter, computed=int(current.steps), horizon=int(current.horizon),
                    playing=state.playing.value, markers=playback.timeline_markers(current), speed=state.speed.value,
                    speeds=list(SPEEDS), event_reset=lambda _=None: state.reset(),
                    event_back=lambda _=None: state.step_back(), event_toggle=state.toggle_play,
                    event_step=lambda _=None: state.step_once(), event_seek=state.seek,
                    event_set_speed=state.set_speed)


@solara.component_vue(str(Path(__file__).with_name("screen_ack.vue")))
def ScreenAckWidget(quarter: int, event_drew=None):
    """Reports to the server (``event_drew(quarter)``) the quarter the browser has drawn."""


@solara.component
def ScreenAck(state):
    """The page's last widget: the browser's report of the quarter it has drawn."""
    ScreenAckWidget(quarter=state.quarter.value, event_drew=state.screen_drew)


@solara.component
def Player(state):
    """Moves the quarter on while Play is on (a background task, as in Mesa's ModelController),
    at the chosen speed, but never more than one quarter ahead of the screen: the next quarter
    waits until the browser has drawn the one before (or `SCREEN_WAIT` has passed), so Pause
    stops within a quarter of the screen."""

    def run():
        due = time.monotonic()
        while state.playing.value:
            if state.at_end():
                state.playing.value = False
                break
            due = max(due + 1.0 / state.speed.value, time.monotonic())
            time.sleep(max(0.0, due - time.monotonic()))
            asked = time.monotonic()
            while state.playing.value and not state.screen_caught_up() and time.monotonic() - asked < SCREEN_WAIT:
                time.sleep(SCREEN_POLL)
            state.advance(while_playing=True)

    solara.lab.use_task(run, dependencies=[state.playing.value], prefer_threaded=True)
