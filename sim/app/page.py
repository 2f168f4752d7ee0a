"""The teaching web app: pick a scenario, move sliders, watch ASEAN's alignment shift, ask why;
compare two settings side by side; share the view as a link; download the run.

Start it with ``python3 run.py ui`` (or ``sim.app.serve()``). The run view drives the Mesa
model (`sim.model.AlignmentModel`), whose agents call the same equations as every other part
of the project; the band around its timeline and the compare view use the ensemble engine,
which gives the same numbers run for run.

Built on Solara directly, following the pattern of Mesa's SolaraViz (a reactive
model, Reset / Play / Step, components that read the model), because SolaraViz
cannot do what this page needs: its sliders are keyword arguments of the model
fixed at start-up, while ours are dotted parameter keys whose starting values
change with the scenario picked, and a change mid-run must act on the running
model (as a scenario event) instead of waiting for Reset.

Slider semantics:
  * before the first step, a change sets the starting world (the same run as
    ``run.py run SCENARIO --set KEY=VALUE``);
  * after it, a change is a scenario event at the next quarter;
  * Reset starts again from 2020 with the sliders as they are.

Charts are Plotly figures (`sim.reports.app_charts`) shown in one widget each, updated in
place: a quarter sends the new numbers, not a new picture.
"""

from __future__ import annotations

import html
import socket
import threading
import time
from pathlib import Path

import plotly.graph_objects as go
from plotly.graph_objs._figurewidget import FigureWidget
import solara
import solara.lab

from sim.app import session
from sim.app.session import CONTROL_LABELS, WEIGHT_CONTROLS, WORLD_CONTROLS
from sim.base.errors import InputError, check_whole
from sim.core import equations
from sim.core.calendar import quarter_label
from sim.core.equations import TERMS
from sim.experiments import comparison as comparing
from sim.reports import app_charts, tilemap
from sim.reports.colors import partner_color
from sim.running.explain import why_sentence
from sim.running.run import archive
from sim.schema import parameters
from sim.schema.scenario import load

PLAY_INTERVAL = 0.08  # seconds between quarters while playing at most; drawing a quarter sets the pace (5-7 a second)
DEFAULT_PORT = 8765


# --- per-session state --------------------------------------------------------
# Module-level reactives are per browser session in Solara.

scenario_name = solara.reactive(session.DEFAULT_SCENARIO)
settings = solara.reactive({})
model = solara.reactive(None)
tick = solara.reactive(0)  # bumped after every step: the model changes in place
playing = solara.reactive(False)
selected = solara.reactive("Vietnam")
revision = solara.reactive(0)  # bumped when the run's scenario changes (reset, a slider): the band follows
link_error = solara.reactive("")  # a link that could not be opened: one line, shown on the page
compare_columns = solara.reactive(None)  # [(scenario name, settings), (scenario name, settings)]
comparison = solara.reactive(None)  # (Comparison, seconds) of the last compare
compare_error = solara.reactive("")
tab = solara.reactive(0)  # 0: Run, 1: Compare
_step_lock = threading.Lock()  # one for all sessions: a step takes about a millisecond


def reset(name: str | None = None):
    """Start again from 2020 (with a new scenario if ``name``), keeping the sliders unless the scenario changed."""
    playing.value = False
    scenario = load(name or scenario_name.value)
    if name is not None or not settings.value:
        scenario_name.value = scenario.name
        settings.value = session.starting_settings(scenario)
    model.value = session.new_model(scenario, settings.value)
    revision.value += 1
    tick.value += 1


def set_control(key: str, value):
    """A slider moved: rebuild the model before the first step, else schedule an event."""
    if settings.value.get(key) == value:
        return
    settings.value = {**settings.value, key: value}
    current = model.value
    if current is None or current.steps == 0:
        reset()
        return
    session.change_during_run(current, key, value)
    revision.value += 1


def step_once():
    with _step_lock:
        current = model.value
        if current is not None and current.running:
            current.step()
    tick.value += 1


def open_link(query: str):
    """Restore the view a link names; a bad link gets one line on the page and the default view."""
    try:
        view = session.decode_view(query)
        restored, values = session.restore(view)
    except InputError as error:
        link_error.value = f"This link could not be opened: {error}"
        reset()
        return
    scenario_name.value = view.scenario
    settings.value = values
    selected.value = view.state
    model.value = restored
    if view.compare:
        compare_columns.value = session.compare_settings(view)
        tab.value = 1
    revision.value += 1
    tick.value += 1


# --- components -------------------------------------------------------------

CSS = """
.tile-grid { display: grid; gap: 6px; margin-top: 6px; }
.tile-grid .tile { height: 100%; min-width: 0; width: 100%; display: flex; flex-direction: column;
  align-items: center; justify-content: center; line-height: 1.15; padding: 2px 4px; border-radius: 8px;
  border: 2px solid rgba(0,0,0,0.15); cursor: pointer; font-family: inherit; }
.tile-grid .tile.selected { border: 3px solid #111; }
.tile-name { font-size: 14px; font-weight: 700; }
.tile-detail { font-size: 12px; }
.sea-label { display: flex; align-items: center; justify-content: center; color: #6b8fb3; font-style: italic;
  font-size: 12px; text-align: center; }
.map-legend { font-size: 12px; color: #444; margin-top: 8px; }
.map-legend .swatch { display: inline-block; width: 16px; height: 12px; border-radius: 2px; vertical-align: middle; }
.asean-now { font-size: 15px; }
.asean-now .chip { display: inline-block; padding: 2px 10px; margin: 2px 6px 2px 0; border-radius: 12px;
  color: white; font-weight: 600; }
.help { color: #555; font-size: 13px; line-height: 1.35; }
.error-line { color: #b00020; font-size: 14px; }
.explain-sentence { font-size: 15px; font-weight: 500; margin: 4px 0 8px 0; }
.terms-table table, .data-table table { font-size: 12px; border-collapse: collapse; margin-top: 6px; }
.terms-table th, .terms-table td, .data-table th, .data-table td { padding: 2px 6px; text-align: right;
  border-bottom: 1px solid #e3e3e3; }
.compare-lines { font-family: monospace; font-size: 12px; white-space: pre; }
.v-slider + .v-messages, .slider-row .v-input__slot { margin-bottom: 0; }
"""


@solara.component_vue(str(Path(__file__).with_name("url_sync.vue")))
def UrlSync(query: str):
    """Writes the view into the address bar (replaceState: no history entry per quarter)."""


class ChartWidget(FigureWidget):
    """Plotly's widget with the app's toolbar (PNG download at twice the size, no logo)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._config = {**self._config, **app_charts.CONFIG}


@solara.component
def Chart(figure: dict, key):
    """A Plotly figure (a dict, `sim.reports.app_charts`) in one widget, updated in place when
    ``key`` changes: hover, legend toggling, zoom and the toolbar's PNG download come with it."""
    element = ChartWidget.element()
    sent = solara.use_ref(None)

    def update():
        show(solara.get_widget(element), figure, sent)

    solara.use_effect(update, [key])
    return element


def show(widget, figure: dict, sent) -> None:
    """Put ``figure`` into ``widget``. With traces of the same kinds as the last figure sent,
    only the properties that changed go to the browser (a quarter's new numbers, not the
    template), and partners the reader hid stay hidden; else everything is sent anew."""
    last = sent.current
    if last is not None and [t["type"] for t in last["data"]] == [t["type"] for t in figure["data"]]:
        with widget.batch_update():
            for trace, old, new in zip(widget.data, last["data"], figure["data"]):
                for name, value in new.items():
                    if old.get(name) != value:
                        trace[name] = value
            for name, value in figure["layout"].items():
                if last["layout"].get(name) != value:
                    widget.layout[name] = value
    else:
        drawn = go.Figure(figure)
        widget.layout = drawn.layout
        count = len(widget.data)
        widget.add_traces(drawn.data)
        widget.data = widget.data[count:]
    sent.current = figure


@solara.component
def Sliders(controls, values: dict, on_change, prefix: str = ""):
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
    titles = session.scenario_titles()
    title = session.picked(name).title
    solara.Select(label, values=list(titles), value=title, on_value=lambda t: on_name(titles[t]))


@solara.component
def Controls():
    current = model.value
    scenario = current.scenario if current is not None else session.picked(scenario_name.value)
    scenario_picker(scenario.name, reset)
    solara.HTML(tag="p", classes=["help"], unsafe_innerHTML=html.escape(" ".join(scenario.description.split())))
    at_end = current is not None and not current.running
    with solara.Row(justify="space-between"):
        solara.Button("Reset", icon_name="mdi-restore", color="primary", outlined=True, on_click=reset,
                      classes=["reset-button"])
        solara.Button("Pause" if playing.value else "Play", icon_name="mdi-pause" if playing.value else "mdi-play",
                      color="primary", disabled=at_end, on_click=lambda: playing.set(not playing.value),
                      classes=["play-button"])
        solara.Button("Step", icon_name="mdi-skip-next", color="primary", disabled=playing.value or at_end,
                      on_click=step_once, classes=["step-button"])
    solara.Text("Before the first step a slider sets the starting world; later it takes effect from the next "
                "quarter. Reset restarts 2020 with the sliders as they are.", classes=["help"])
    with solara.Card("The world", margin=0, style={"margin-top": "10px"}):
        Sliders(WORLD_CONTROLS, settings.value, set_control)
    with solara.Details("Preference weights: how much states care about each term"):
        Sliders(WEIGHT_CONTROLS, settings.value, set_control)


@solara.component
def Player():
    """Steps the model while Play is on (a background task, as in Mesa's ModelController).
    Quarters are due at fixed times, so drawing a quarter does not slow the pace."""

    def run():
        due = time.monotonic()
        while playing.value:
            current = model.value
            if current is None or not current.running:
                playing.value = False
                break
            due = max(due + PLAY_INTERVAL, time.monotonic())
            time.sleep(max(0.0, due - time.monotonic()))
            if playing.value:
                step_once()

    solara.lab.use_task(run, dependencies=[playing.value], prefer_threaded=True)


@solara.component
def Summary():
    tick.value  # noqa: B018 - subscribe to steps
    current = model.value
    chips = "".join(
        f'<span class="chip" style="background:{partner_color(p)}">'
        f"{parameters.PARTNER_NAMES.get(p, p)} {share:.1%}</span>"
        for p, share in session.asean_now(current).items())
    cohesion = float(equations.cohesion(current.dyn.alignment[0]))
    solara.HTML(unsafe_innerHTML=(f"<b>Quarter {current.steps} of {current.horizon}</b> "
                                  f"({quarter_label(current.steps)}). ASEAN now: {chips} "
                                  f'<span title="1 = every state aligned alike; 0 = no two alike">'
                                  f"cohesion {cohesion:.2f}</span>"),
                classes=["asean-now"])


def use_band(current):
    """The 5-95% band of replicates of the page's run (recomputed when its scenario changes)."""
    revision.value  # noqa: B018 - subscribe to changes of the run's scenario
    return solara.use_memo(lambda: session.replicate_band(session.run_scenario(current)),
                           [id(current), revision.value])


@solara.component
def Timeline(band):
    tick.value  # noqa: B018
    current = model.value
    steps = current.steps
    asean = current.trajectory.alignment[0, :steps + 1].mean(1)
    lo, hi, replicates = band
    figure = solara.use_memo(
        lambda: app_charts.asean_timeline(asean, current.inputs.partners, current.horizon,
                                          f"ASEAN alignment over time: {current.scenario.title}", band=(lo, hi)),
        [id(current), steps, revision.value])
    with solara.Div(classes=["chart", "timeline-chart"]):
        Chart(figure, key=(id(current), steps, revision.value))
    solara.Text(f"Lines: this run, to {quarter_label(steps)}. Shaded: where 90% of {replicates.manifest['replicates']} "
                "runs of the same settings go (5-95%), random draws apart; the line is one of them.",
                classes=["help"])
    events = session.user_events(current)
    if events:
        shown = (f"{quarter_label(e.step)}: {CONTROL_LABELS.get(e.key, e.key)} = "
                 f"{e.value if isinstance(e.value, str) else format(e.value, 'g')}" for e in events)
        solara.Text("Your changes during the run: " + "; ".join(shown), classes=["help", "changes-line"])


@solara.component
def StateBars():
    tick.value  # noqa: B018
    current = model.value
    steps = current.steps
    figure = solara.use_memo(
        lambda: app_charts.state_bars(current.dyn.alignment[0].copy(), current.inputs.states, current.inputs.partners,
                                      f"Each state's alignment now ({quarter_label(steps)})"),
        [id(current), steps])
    with solara.Div(classes=["chart", "bars-chart"]):
        Chart(figure, key=(id(current), steps))


@solara.component_vue(str(Path(__file__).with_name("tile_map.vue")))
def TileGrid(tiles: list, selected: str, grid_style: str, event_select=None):
    """The ten tiles (`session.tiles_of`) in one widget; a click calls ``event_select(state)``."""


@solara.component
def TileMap():
    tick.value  # noqa: B018
    current = model.value
    solara.HTML(tag="div",
                unsafe_innerHTML="<b>Who leads each state.</b> Click a state to see why it leans as it does; "
                                 "hover for every share.")
    tiles = [{"state": t["tile"].state, "lead": t["lead"], "share": f"{t['share']:.0%}",
              "hedging": f"{t['hedging']:.2f}", "hover": t["hover"], "style": tile_style(t)}
             for t in session.tiles_of(current)]
    TileGrid(tiles=tiles, selected=selected.value, event_select=selected.set,
             grid_style=f"grid-template-columns: repeat({tilemap.GRID_COLS}, 1fr); "
                        f"grid-template-rows: repeat({tilemap.GRID_ROWS}, 66px);")
    MapLegend(current.inputs.partners)


def tile_style(info: dict) -> str:
    tile = info["tile"]
    return (f"grid-row: {tile.row + 1} / span {tile.rows}; grid-column: {tile.col + 1} / span {tile.cols}; "
            f"background-color: {info['color']}; color: {info['text']};")


@solara.component
def MapLegend(partners):
    swatch = '<span class="swatch" style="background:{}"></span>'
    items = " &nbsp; ".join(swatch.format(tilemap.tile_color(p, 0)) + swatch.format(tilemap.tile_color(p, 1))
                            + f" {p} = {parameters.PARTNER_NAMES.get(p, p)}" for p in partners)
    solara.HTML(tag="div", classes=["map-legend"], unsafe_innerHTML=(
        f"{items}<br>Colour: the leading partner (Okabe-Ito colours, readable with red-green colour blindness). "
        "Strong colour: the state is all-in with it; pale: it hedges (spreads its alignment; hedging 0 = all-in, "
        "1 = even)."))


@solara.component
def ExplainPanel():
    tick.value  # noqa: B018
    current = model.value
    state = selected.value
    steps = current.steps
    table = session.current_table(current, state)
    with solara.Div(classes=["explain-panel"]):
        solara.HTML(tag="h3", unsafe_innerHTML=f"Why {state} leans as it does ({quarter_label(steps)})")
        solara.Text(why_sentence(table, state), classes=["explain-sentence"])
        figure = solara.use_memo(lambda: app_charts.explain_chart(table), [id(current), steps, state])
        with solara.Div(classes=["chart", "explain-chart"]):
            Chart(figure, key=(id(current), steps, state))
        solara.HTML(tag="div", classes=["terms-table"], unsafe_innerHTML=terms_html(table))
        solara.Text("Each term is weighted by the preference sliders; the total score decides alignment "
                    "through the logit rule (MODEL.md).", classes=["help"])


def terms_html(table) -> str:
    """The explain table as HTML: shares in percent, terms and total signed (built by hand:
    pandas' formatting is the slowest part of a quarter)."""
    columns = [*TERMS, "utility"]
    head = "".join(f"<th>{'total' if c == 'utility' else c}</th>" for c in columns)
    rows = "".join(
        f"<tr><th>{html.escape(str(partner))}</th>" + "".join(f"<td>{row[c]:+.2f}</td>" for c in columns)
        + f"<td>{row['alignment']:.0%}</td></tr>"
        for partner, row in zip(table.index, table.to_dict("records")))
    return f"<table><thead><tr><th></th>{head}<th>share</th></tr></thead><tbody>{rows}</tbody></table>"


@solara.component
def SurveyPanel(band):
    """For a survey-year scenario: each state's survey answer beside the model's (issue 14)."""
    tick.value  # noqa: B018
    current = model.value
    year = session.survey_year(current.scenario.name)
    if year is None:
        return
    table = session.survey_beside_model(current.scenario.name, session.current_result(current), band[2])
    shown = table.rename(columns={"model, this run": f"model, this run ({quarter_label(current.steps)})",
                                  table.columns[1]: f"{table.columns[1]} (end)"})
    shown = shown.map(lambda v: "" if v != v else v if isinstance(v, str) else f"{v:.1f}")  # NaN shows blank
    with solara.Card(margin=0, classes=["survey-panel"]):
        solara.HTML(tag="h3", unsafe_innerHTML=f"The ISEAS {year} survey beside the model")
        solara.HTML(tag="div", classes=["data-table"], unsafe_innerHTML=shown.to_html(border=0))
        solara.Text("Percent of each state's respondents who would pick the US if forced to choose between the US "
                    "and China. The last row pools the states as the survey pools its respondents (its ASEAN-wide "
                    "figure). The interval is the scenario as shipped, over the calibration's 30 refits on resampled "
                    "survey figures and their replicates. Blank: the survey published no figure for that state "
                    "that year (from 2024 on the per-country figures, and from 2025 on the ASEAN-wide ones, are "
                    "held out to test the model). Last earlier survey: "
                    "the 'same as last time' forecast the model has to beat. The calibration "
                    "compares at the scenario's last quarter; play to the end to compare like for like "
                    "(docs/validation.md).", classes=["help"])


@solara.component
def Exports():
    current = model.value  # not subscribed to steps: the downloads read the model when clicked
    name = current.scenario.name
    with solara.Row(classes=["exports"]):
        solara.FileDownload(lambda: archive(session.current_result(current), "csv"), filename=f"{name}_run_csv.zip",
                            label="Download run (CSV)")
        solara.FileDownload(lambda: archive(session.current_result(current), "parquet"),
                            filename=f"{name}_run_parquet.zip", label="Download run (Parquet)")
        file_name = session.scenario_file_name(current)
        solara.FileDownload(lambda: session.scenario_file(current)[1].encode(), filename=file_name,
                            label="Save as scenario (TOML)", mime_type="application/toml")
    solara.Text("The zips hold the tables of `run.py run --out`, up to the quarter shown. The scenario "
                f"file has your starting sliders and your changes during the run: `python3 run.py run {file_name}` "
                "makes the same run. The link in the address bar reopens this view; each chart's toolbar "
                "(top right) downloads it as a PNG.", classes=["help"])


@solara.component
def RunView():
    current = model.value
    band = use_band(current)
    Summary()
    with solara.Columns([6, 6]):
        with solara.Card(margin=0):
            Timeline(band)
        with solara.Card(margin=0):
            TileMap()
    with solara.Columns([6, 6]):
        with solara.Card(margin=0):
            StateBars()
        with solara.Card(margin=0):
            ExplainPanel()
    SurveyPanel(band)
    Exports()


# --- the compare view --------------------------------------------------------------


def set_column(index: int, name: str | None = None, key: str | None = None, value=None):
    """Change one compare column's scenario (its sliders restart from it) or one of its sliders."""
    columns = list(compare_columns.value)
    old_name, values = columns[index]
    if name is not None:
        columns[index] = (name, session.starting_settings(load(name)))
    else:
        columns[index] = (old_name, {**values, key: value})
    compare_columns.value = columns


@solara.component
def CompareColumn(index: int):
    name, values = compare_columns.value[index]
    letter = "AB"[index]
    with solara.Card(f"{letter}", margin=0, classes=[f"compare-column-{letter}"]):
        scenario_picker(name, lambda n: set_column(index, name=n), label=f"Scenario {letter}")
        changed = session.start_overrides(load(name), values)
        solara.Text("Sliders changed: " + (", ".join(f"{CONTROL_LABELS[k]} = {v}" for k, v in changed.items())
                                           or "none"), classes=["help"])
        Sliders(WORLD_CONTROLS, values, lambda k, v: set_column(index, key=k, value=v), prefix=f"col{letter}-")
        with solara.Details("Preference weights"):
            Sliders(WEIGHT_CONTROLS, values, lambda k, v: set_column(index, key=k, value=v), prefix=f"col{letter}-")


def run_comparison():
    """Both columns, 100 replicates each on common random numbers; a bad pair gets one line."""
    columns = [session.column_scenario(name, values, f"{letter}: {name}")
               for letter, (name, values) in zip("AB", compare_columns.value)]
    started = time.perf_counter()
    try:
        result = session.compare_columns(columns)
    except InputError as error:
        compare_error.value = str(error)
        comparison.value = None
        return
    compare_error.value = ""
    comparison.value = (result, time.perf_counter() - started)


@solara.component
def CompareView():
    if compare_columns.value is None:  # first visit: both columns start as the run view's settings
        compare_columns.value = [(scenario_name.value, dict(settings.value))] * 2
        return
    solara.Text("Two columns, each a scenario with its own sliders. Both run "
                f"{session.COMPARE_REPLICATES} times on the same random numbers (as `run.py compare`), so the "
                "difference B minus A is paired run by run; brackets are 95% bootstrap intervals.",
                classes=["help"])
    with solara.Columns([6, 6]):
        CompareColumn(0)
        CompareColumn(1)
    solara.Button(f"Compare B with A ({session.COMPARE_REPLICATES} replicates each)", color="primary",
                  icon_name="mdi-scale-balance", on_click=run_comparison, classes=["compare-button"])
    if compare_error.value:
        solara.Text(f"error: {compare_error.value}", classes=["error-line"])
    if comparison.value is not None:
        CompareResults(*comparison.value)


@solara.component
def CompareResults(result, seconds: float):
    first, second = result.labels
    m = result.manifest
    solara.Text(f"{m['replicates']} replicates per column, {m['steps']} quarters, seed {m['seed']}, common random "
                f"numbers; [95% bootstrap interval]. Computed in {seconds:.2f} s.", classes=["help", "compare-time"])
    difference = result.differences[result.differences["scenario"] == second]
    partners = list(result.over_time["partner"].unique())
    figure = solara.use_memo(lambda: app_charts.difference_chart(difference, partners, f"{second} minus {first}"),
                             [id(result)])
    with solara.Div(classes=["chart", "difference-chart"]):
        Chart(figure, key=id(result))
    sections = (("Final ASEAN alignment (%):", comparing.alignment_table(result)),
                (f"Difference from {first} (points; * = clear of zero):",
                 comparing.plain(comparing.difference_table(result))),
                (f"Per-state alignment: {second} minus {first} (points; * = clear of zero):",
                 comparing.plain(comparing.state_table(result, second))))
    for heading, table in sections:
        solara.HTML(tag="h4", unsafe_innerHTML=html.escape(heading))
        solara.HTML(tag="div", classes=["data-table", "compare-table"], unsafe_innerHTML=table.to_html(border=0))
    solara.HTML(tag="div", classes=["compare-lines"],
                unsafe_innerHTML=html.escape("\n".join(comparing.state_summary(result, second))))


@solara.component
def Address():
    """The view in the address bar, after every step and slider (its own component: a quarter
    re-renders this, not the page)."""
    tick.value  # noqa: B018
    revision.value  # noqa: B018
    columns = compare_columns.value if tab.value == 1 else None
    UrlSync(query=session.encode_view(session.view_of(model.value, selected.value, columns)))


# --- the page --------------------------------------------------------------------


@solara.component
def Page():
    solara.Title("ASEAN alignment simulator")
    solara.Style(CSS)
    router = solara.use_router()
    solara.use_effect(lambda: (open_link(router.search) if router.search else reset())
                      if model.value is None else None, [])
    Player()
    with solara.Sidebar():
        Controls()
    if model.value is None:
        solara.Text("Loading the model...")
        return
    Address()
    with solara.Column(style={"padding": "8px 16px 48px 16px"}):
        if link_error.value:
            solara.Text(link_error.value, classes=["error-line"])
        with solara.lab.Tabs(value=tab.value, on_value=tab.set):
            with solara.lab.Tab("Run", classes=["run-tab"]):
                RunView()
            with solara.lab.Tab("Compare", classes=["compare-tab"]):
                CompareView()


# --- serving ----------------------------------------------------------------


def serve(port: int = DEFAULT_PORT, host: str = "localhost", open_browser: bool = False) -> None:
    """Serve the app at http://HOST:PORT until interrupted (Ctrl-C). Port 0 picks a free port."""
    port = check_whole("port", port, 0, 65535)
    import solara.server.settings  # the server's parts load only when the app is served
    from solara.__main__ import cli as solara_cli  # likewise

    if port == 0:
        with socket.socket() as sock:
            sock.bind((host, 0))
            port = sock.getsockname()[1]
    solara.server.settings.telemetry.mixpanel_enable = False  # no calls home from a classroom
    print(f"ASEAN alignment simulator: open http://{host}:{port} in a browser (Ctrl-C stops the server)", flush=True)
    args = ["run", "sim.app", "--host", host, "--port", str(port), "--production", "--no-check-version",
            "--open" if open_browser else "--no-open"]
    solara_cli(args, standalone_mode=False)
