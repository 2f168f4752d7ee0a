"""What one browser session of the web app holds, and the actions that change it.

`PageState` is made once per page (`Page` makes it with `solara.use_memo`) and handed to the
components; nothing here is shared between sessions. What every session may share is
read-only: the scenario files (`session.picked`, `session.scenario_titles`) and cached tables.
The components (`sim.app.run_view`, `sim.app.compare_view`, `sim.app.controls`) only read
this state and call its methods.
"""

from __future__ import annotations

import threading
import time

import solara

from sim.app import session
from sim.base.errors import InputError
from sim.schema.scenario import load


class PageState:
    """One page's state as Solara reactive values (a change re-renders what reads it).

    The model changes in place when it steps, so ``tick`` is bumped after each step; ``revision``
    is bumped when the run's scenario changes (Reset, a slider), which the band follows.
    """

    def __init__(self):
        self.scenario_name = solara.reactive(session.DEFAULT_SCENARIO)
        self.settings = solara.reactive({})  # slider values: key -> value
        self.model = solara.reactive(None)  # the page's `AlignmentModel`
        self.tick = solara.reactive(0)
        self.playing = solara.reactive(False)
        self.selected = solara.reactive("Vietnam")  # the state clicked on the map
        self.revision = solara.reactive(0)
        self.link_error = solara.reactive("")  # a link that could not be opened: one line on the page
        self.compare_columns = solara.reactive(None)  # [(scenario name, settings)] x 2
        self.comparison = solara.reactive(None)  # (Comparison, seconds) of the last compare
        self.compare_error = solara.reactive("")
        self.tab = solara.reactive(0)  # 0: Run, 1: Compare
        self._step_lock = threading.Lock()  # Play's thread and the Step button step one model

    # --- the run ---------------------------------------------------------------------------

    def reset(self, name: str | None = None) -> None:
        """Start again from 2020 (with a new scenario if ``name``), keeping the sliders unless
        the scenario changed."""
        self.playing.value = False
        scenario = load(name or self.scenario_name.value)
        if name is not None or not self.settings.value:
            self.scenario_name.value = scenario.name
            self.settings.value = session.starting_settings(scenario)
        self.model.value = session.new_model(scenario, self.settings.value)
        self.revision.value += 1
        self.tick.value += 1

    def set_control(self, key: str, value) -> None:
        """A slider moved: rebuild the model before the first step, else schedule an event."""
        if self.settings.value.get(key) == value:
            return
        self.settings.value = {**self.settings.value, key: value}
        current = self.model.value
        if current is None or current.steps == 0:
            self.reset()
            return
        session.change_during_run(current, key, value)
        self.revision.value += 1

    def step_once(self) -> None:
        """One quarter further (nothing at the end of the run)."""
        with self._step_lock:
            current = self.model.value
            if current is not None and current.running:
                current.step()
        self.tick.value += 1

    def toggle_play(self) -> None:
        """Play if paused, pause if playing."""
        self.playing.value = not self.playing.value

    def open_link(self, query: str) -> None:
        """Restore the view a link names; a bad link gets one line on the page and the default view."""
        try:
            view = session.decode_view(query)
            restored, values = session.restore(view)
        except InputError as error:
            self.link_error.value = f"This link could not be opened: {error}"
            self.reset()
            return
        self.scenario_name.value = view.scenario
        self.settings.value = values
        self.selected.value = view.state
        self.model.value = restored
        if view.compare:
            self.compare_columns.value = session.compare_settings(view)
            self.tab.value = 1
        self.revision.value += 1
        self.tick.value += 1

    def address(self) -> str:
        """The query string of the view on screen (the Compare tab's columns only while it is open)."""
        columns = self.compare_columns.value if self.tab.value == 1 else None
        return session.encode_view(session.view_of(self.model.value, self.selected.value, columns))

    # --- the compare view --------------------------------------------------------------------

    def start_compare(self) -> None:
        """First visit of the Compare tab: both columns start as the run view's settings."""
        if self.compare_columns.value is None:
            self.compare_columns.value = [(self.scenario_name.value, dict(self.settings.value))] * 2

    def set_column(self, index: int, name: str | None = None, key: str | None = None, value=None) -> None:
        """Change one compare column's scenario (its sliders restart from it) or one of its sliders."""
        columns = list(self.compare_columns.value)
        old_name, values = columns[index]
        if name is not None:
            columns[index] = (name, session.starting_settings(load(name)))
        else:
            columns[index] = (old_name, {**values, key: value})
        self.compare_columns.value = columns

    def run_comparison(self) -> None:
        """Both columns, 100 replicates each on common random numbers; a bad pair gets one line."""
        columns = [session.column_scenario(name, values, f"{letter}: {name}")
                   for letter, (name, values) in zip("AB", self.compare_columns.value)]
        started = time.perf_counter()
        try:
            result = session.compare_columns(columns)
        except InputError as error:
            self.compare_error.value = str(error)
            self.comparison.value = None
            return
        self.compare_error.value = ""
        self.comparison.value = (result, time.perf_counter() - started)
