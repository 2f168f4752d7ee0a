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

from sim.app import compare_tables, link, playback, session
from sim.base.errors import InputError
from sim.schema.scenario import load

DEFAULT_SPEED = 6.0  # quarters a second while playing, when the browser keeps up (about 5-7 it can draw)
SPEEDS = (0.5, 1.0, 2.0, 4.0, 6.0, 10.0)  # the speed control's choices, quarters a second
IN_FLIGHT = 2  # quarters Play may send ahead of the screen: keeps the pace when a round trip is slow
SCREEN_WAIT = 1.5  # seconds Play waits for the browser to draw a quarter before it moves on regardless


class PageState:
    """One page's state as Solara reactive values (a change re-renders what reads it).

    The model is the run computed so far; ``quarter`` is the quarter on screen, at most the
    model's step (going back reads the run's trajectory, it does not recompute). ``drawn`` is
    the last quarter the browser reports it has drawn: Play moves on only when the screen has
    all but caught up (`IN_FLIGHT`), so the screen never trails far, and Pause stops at the quarter on screen.
    ``revision`` is bumped when the run's scenario changes (Reset, a slider), which the band follows.
    """

    def __init__(self):
        self.scenario_name = solara.reactive(session.DEFAULT_SCENARIO)
        self.settings = solara.reactive({})  # the sliders' starting values: key -> value
        self.model = solara.reactive(None)  # the page's `AlignmentModel`: the run computed so far
        self.quarter = solara.reactive(0)  # the quarter on screen
        self.drawn = solara.reactive(-1)  # the last quarter the browser has drawn
        self.speed = solara.reactive(DEFAULT_SPEED)
        self.notice = solara.reactive("")  # why a slider did nothing: one line under the sliders
        self.playing = solara.reactive(False)
        self.selected = solara.reactive("Vietnam")  # the state clicked on the map
        self.revision = solara.reactive(0)
        self.link_error = solara.reactive("")  # a link that could not be opened: one line on the page
        self.compare_columns = solara.reactive(None)  # [(scenario name, settings)] x 2
        self.comparison = solara.reactive(None)  # (Comparison, seconds, the columns it compared) of the last compare
        self.compare_error = solara.reactive("")
        self.compare_pending = solara.reactive(False)  # a link asked for its result: computed once the columns show
        self.tab = solara.reactive(0)  # 0: Run, 1: Compare
        self.lesson = solara.reactive("")  # the lesson followed (docs/lessons file stem), "" for none
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
        self.quarter.value = 0
        self.notice.value = ""
        self.revision.value += 1

    def load_settings(self, name: str, settings: dict) -> None:
        """Start ``name`` from 2020 with its own sliders and ``settings`` on top (a lesson's try)."""
        self.reset(name)
        self.settings.value = {**self.settings.value, **settings}
        self.reset()

    def shown_values(self) -> dict:
        """The slider values in force at the quarter on screen (the scenario's own changes included)."""
        return playback.values_in_force(self.model.value, self.settings.value, self.quarter.value)

    def set_control(self, key: str, value) -> None:
        """A slider moved. At quarter 0 it sets the starting world (the run starts again); later it
        is a scenario event from the next quarter, and whatever the run had computed after the
        quarter on screen is replaced; at the last quarter there is no next one, so it does nothing."""
        current = self.model.value
        if current is None or self.quarter.value == 0:
            self.settings.value = {**self.settings.value, key: value}
            self.reset()
            return
        if self.shown_values().get(key) == value:
            return
        if self.quarter.value >= current.horizon:
            self.notice.value = ("The run is over: a change needs a quarter to act on. Go back with the quarter "
                                 "slider, or Reset.")
            self.revision.value += 1  # the slider shows the value in force again
            return
        with self._step_lock:
            current = playback.branch(self.model.value, self.quarter.value)
            session.change_during_run(current, key, value)
            self.model.value = current
        self.notice.value = ""
        self.revision.value += 1

    def at_end(self) -> bool:
        """Whether the screen shows the run's last quarter."""
        current = self.model.value
        return current is not None and self.quarter.value >= current.horizon

    def advance(self, while_playing: bool = False) -> bool:
        """One quarter further on screen: through the run computed so far, else one model step.
        False at the end of the run (or, ``while_playing``, once Pause has been pressed)."""
        with self._step_lock:
            current = self.model.value
            if current is None or self.quarter.value >= current.horizon or while_playing and not self.playing.value:
                return False
            if self.quarter.value >= current.steps:
                current.step()
            self.quarter.value += 1
        return True

    def step_once(self) -> None:
        """The Step button: one quarter further (nothing at the end of the run)."""
        self.advance()

    def step_back(self) -> None:
        """One quarter back (the run is not recomputed)."""
        self.playing.value = False
        self.quarter.value = max(0, self.quarter.value - 1)

    def seek(self, quarter: int) -> None:
        """Show ``quarter``: back through the run computed so far, or forward, computing the
        quarters not computed yet. Pauses Play."""
        self.playing.value = False
        quarter = max(0, min(int(quarter), self.model.value.horizon))
        while self.quarter.value < quarter and self.advance():
            pass
        self.quarter.value = quarter

    def set_speed(self, speed: float) -> None:
        """Play's pace in quarters a second (one of `SPEEDS`)."""
        self.speed.value = min(SPEEDS, key=lambda s: abs(s - float(speed)))

    def screen_drew(self, quarter: int) -> None:
        """The browser reports it has drawn ``quarter``."""
        self.drawn.value = int(quarter)

    def screen_caught_up(self) -> bool:
        """Whether the browser is close enough behind to send it another quarter: `IN_FLIGHT`
        quarters may be on their way to the screen (a report comes two frames after a quarter is
        drawn), no more. Pause carries the quarter on screen, so it stops there all the same."""
        return self.drawn.value >= self.quarter.value - IN_FLIGHT

    def toggle_play(self, on_screen: int | None = None) -> None:
        """Play if paused (not at the end), pause if playing: at ``on_screen``, the quarter the
        browser showed when Pause was pressed, if given."""
        if self.playing.value:
            self.pause(on_screen)
        else:
            self.playing.value = not self.at_end()

    def pause(self, on_screen: int | None = None) -> None:
        """Stop Play at the quarter on screen (``on_screen``; else where the page is, which Play
        keeps at most a quarter ahead of the screen)."""
        self.playing.value = False
        with self._step_lock:
            if on_screen is not None and 0 <= int(on_screen) <= self.model.value.steps:
                # the quarter the reader saw (the page's summary line): the drawn reports trail the
                # screen by a round trip, so stopping at them would step back past what was seen
                self.quarter.value = int(on_screen)

    def open_link(self, query: str) -> None:
        """Restore the view a link names; a bad link gets one line on the page and the default view."""
        try:
            view = link.decode_view(query)
            restored, values = link.restore(view)
        except InputError as error:
            self.link_error.value = f"This link could not be opened: {error}"
            self.reset()
            return
        self.scenario_name.value = view.scenario
        self.settings.value = values
        self.selected.value = view.state
        self.model.value = restored
        self.quarter.value = view.step
        if view.compare:
            self.compare_columns.value = link.compare_settings(view)
            self.tab.value = 1
            self.compare_pending.value = view.compared  # the link was copied with a result on screen
        self.revision.value += 1

    def address(self) -> str:
        """The query string of the view on screen (the Compare tab's columns only while it is open)."""
        columns = self.compare_columns.value if self.tab.value == 1 else None
        compared = columns is not None and self.comparison.value is not None and not self.comparison_out_of_date()
        return link.encode_view(link.view_of(self.model.value, self.selected.value, columns, self.quarter.value,
                                             compared))

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
        compared = list(self.compare_columns.value)
        started = time.perf_counter()
        try:
            result = session.compare_columns(compare_tables.column_scenarios(compared))
        except InputError as error:
            self.compare_error.value = str(error)
            self.comparison.value = None
            return
        self.compare_error.value = ""
        self.comparison.value = (result, time.perf_counter() - started, compared)

    def run_pending_comparison(self) -> None:
        """The comparison a link asked for (`open_link`), run after the page shows its columns."""
        if self.compare_pending.value:
            self.compare_pending.value = False
            self.run_comparison()

    def comparison_out_of_date(self) -> bool:
        """Whether the columns have changed since the result shown was computed."""
        shown = self.comparison.value
        return shown is not None and compare_tables.is_out_of_date(shown[2], self.compare_columns.value)
