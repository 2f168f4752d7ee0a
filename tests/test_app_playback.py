"""The web app's timeline (issue 27): the slider values in force at the quarter on screen, the
event markers, going back and forward through the run computed so far, a change made at an
earlier quarter, and Pause landing on the quarter the browser showed. Without a browser."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("solara")

from sim.app import playback, session  # noqa: E402 - after the skip: Solara is an optional dependency
from sim.app.state import IN_FLIGHT, PageState  # noqa: E402
from sim.schema import parameters  # noqa: E402
from sim.schema.scenario import Event, load  # noqa: E402


def page(name="baseline_2020") -> PageState:
    state = PageState()
    state.reset(name)
    return state


def first_event(name: str, key: str) -> Event:
    return next(e for e in load(name).events if e.key == key)


def test_sliders_show_the_scenarios_own_change_from_its_quarter_on():
    state = page("us_retrenchment")
    event = first_event("us_retrenchment", "world.us_commitment")
    start = state.settings.value["world.us_commitment"]
    assert start != event.value
    state.seek(event.step - 1)
    assert state.shown_values()["world.us_commitment"] == start
    state.seek(event.step)
    assert state.shown_values()["world.us_commitment"] == event.value
    state.seek(0)
    assert state.shown_values()["world.us_commitment"] == start  # going back shows the start again


def test_a_shift_event_stays_within_the_keys_bounds():
    spec = parameters.spec("world.rivalry")
    assert playback.applied("world.rivalry", spec.hi - 0.01, Event(3, "world.rivalry", "shift", 1.0)) == spec.hi
    assert playback.applied("world.rivalry", 0.5, Event(3, "world.rivalry", "set", 0.2)) == 0.2


def test_markers_name_the_scenarios_events_and_the_readers_changes():
    state = page("us_retrenchment")
    event = first_event("us_retrenchment", "world.us_commitment")
    state.seek(2)
    state.set_control("world.asean_unity", 0.7)
    markers = {m["step"]: m for m in playback.timeline_markers(state.model.value)}
    assert markers[event.step]["kind"] == "scenario" and "US commitment = 0.5" in markers[event.step]["label"]
    assert markers[3]["kind"] == "yours" and "your change: ASEAN unity = 0.7" in markers[3]["label"]
    assert list(markers) == sorted(markers)


def test_going_back_and_forward_reads_the_run_computed_so_far():
    state = page()
    state.seek(10)
    model = state.model.value
    alignment = model.trajectory.alignment.copy()
    assert (state.quarter.value, model.steps) == (10, 10)
    state.seek(3)
    state.step_back()
    assert state.quarter.value == 2 and state.model.value is model and model.steps == 10
    np.testing.assert_array_equal(session.alignment_at(model, 2), alignment[0, 2])
    assert session.asean_now(model, 2) != session.asean_now(model)
    state.step_once()
    assert state.quarter.value == 3 and model.steps == 10  # through the computed run, no new step
    state.seek(12)
    assert model.steps == 12 and state.quarter.value == 12  # past it: computed on


def test_a_change_at_an_earlier_quarter_replaces_what_came_after():
    state = page()
    state.seek(8)
    state.set_control("world.rivalry", 0.9)  # at quarter 8: an event at 9
    state.seek(20)
    state.seek(5)
    state.set_control("world.asean_unity", 0.7)
    model = state.model.value
    assert model.steps == 5 and state.quarter.value == 5
    assert [(e.step, e.key) for e in session.user_events(model)] == [(6, "world.asean_unity")]  # the one at 9 is gone
    plain = session.new_model(load("baseline_2020"), state.settings.value)
    for _ in range(5):
        plain.step()
    np.testing.assert_array_equal(model.trajectory.alignment[:, :6], plain.trajectory.alignment[:, :6])
    assert state.shown_values()["world.asean_unity"] == 0.7  # due next quarter, shown at once


def test_a_change_at_the_last_quarter_does_nothing_and_says_why():
    state = page()
    state.seek(40)
    before = state.model.value.events
    state.set_control("world.rivalry", 0.9)
    assert state.model.value.events == before and "run is over" in state.notice.value
    assert state.shown_values()["world.rivalry"] != 0.9


def test_a_change_at_quarter_0_sets_the_starting_world():
    state = page()
    state.seek(6)
    state.seek(0)
    state.set_control("world.rivalry", 0.9)
    assert state.model.value.steps == 0 and state.settings.value["world.rivalry"] == 0.9
    assert state.model.value.scenario.overrides["world.rivalry"] == 0.9


def test_pause_lands_on_the_quarter_the_browser_showed():
    state = page()
    state.playing.value = True
    for _ in range(6):
        state.advance(while_playing=True)
    state.toggle_play(on_screen=5)
    assert not state.playing.value and state.quarter.value == 5
    assert not state.advance(while_playing=True)  # Play's thread, late: it does not move on after Pause


def test_pause_never_steps_back_past_the_quarter_the_reader_saw():
    state = page()
    state.playing.value = True
    for _ in range(8):
        state.advance(while_playing=True)
    state.screen_drew(8 - IN_FLIGHT)  # the browser's last report trails the screen by a round trip
    state.toggle_play(on_screen=7)
    assert state.quarter.value == 7


def test_play_waits_for_the_screen_but_keeps_a_few_quarters_on_their_way():
    state = page()
    for _ in range(IN_FLIGHT + 1):
        state.advance()
    state.screen_drew(0)
    assert not state.screen_caught_up()  # too far ahead of the screen: wait
    state.screen_drew(1)
    assert state.screen_caught_up()


def test_the_speed_is_one_of_the_choices():
    state = page()
    state.set_speed(3.1)
    assert state.speed.value in (2.0, 4.0)
