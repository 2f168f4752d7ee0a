"""The teaching web app: pick a scenario, move sliders, watch ASEAN's alignment shift, ask why.

Start it with ``python3 run.py ui`` (or ``sim.app.serve()``). The page drives the
Mesa model (`sim.model.AlignmentModel`), whose agents call the same equations as
every other part of the project.

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
"""

from __future__ import annotations

import html
import socket
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

import solara
import solara.lab

from sim.base.errors import check_whole
from sim.core import equations
from sim.core.calendar import quarter_label
from sim.core.equations import TERMS
from sim.model import AlignmentModel
from sim.reports import app_charts, tilemap
from sim.reports.plots import PARTNER_COLORS
from sim.running.explain import terms_table, why_sentence
from sim.schema import parameters
from sim.schema.scenario import SCENARIO_DIR, Event, Scenario, load

DEFAULT_SCENARIO = "baseline_2020"
PLAY_INTERVAL = 0.35  # seconds between quarters while playing: slow enough to watch
DEFAULT_PORT = 8765


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
            "High keeps South Korea focused on security; low lets it drift toward China (seed 002)."),
    Control("world.asean_unity", "ASEAN unity",
            "How much each state weighs what the rest of ASEAN does."),
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


# --- pure helpers (tested without a browser) --------------------------------


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


def new_model(scenario: Scenario, settings: dict):
    """A fresh model of ``scenario`` with the sliders' values, as ``--set`` would give it."""
    start = starting_settings(scenario)
    changed = {k: v for k, v in settings.items() if start.get(k) != v}
    return AlignmentModel(scenario, overrides=changed)


def change_during_run(model, key: str, value) -> Event:
    """Schedule ``key = value`` as a scenario event at the model's next step (replacing a
    pending change of the same key, so dragging a slider leaves one event)."""
    value = parameters.check(key, value, "slider")
    event = Event(model.steps + 1, key, "set", value)
    model.events = tuple(e for e in model.events if (e.step, e.key) != (event.step, key)) + (event,)
    return event


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
    """What each map tile shows: place, colour, leading partner, share and hedging."""
    alignment = model.dyn.alignment[0]
    spread = equations.hedging(alignment)
    rows = {name: i for i, name in enumerate(model.inputs.states)}
    out = []
    for tile in tilemap.layout(model.inputs.states):
        row = rows[tile.state]
        lead = model.inputs.partners[int(alignment[row].argmax())]
        color = tilemap.tile_color(lead, spread[row])
        out.append({"tile": tile, "lead": lead, "share": float(alignment[row].max()), "hedging": float(spread[row]),
                    "color": color, "text": tilemap.text_color(color)})
    return out


# --- per-session state --------------------------------------------------------
# Module-level reactives are per browser session in Solara.

scenario_name = solara.reactive(DEFAULT_SCENARIO)
settings = solara.reactive({})
model = solara.reactive(None)
tick = solara.reactive(0)  # bumped after every step: the model changes in place
playing = solara.reactive(False)
selected = solara.reactive("Vietnam")
changes = solara.reactive({})  # mid-run slider changes {(step, label): value}, shown under the chart
_step_lock = threading.Lock()  # one for all sessions: a step takes about a millisecond


def reset(name: str | None = None):
    """Start again from 2020 (with a new scenario if ``name``), keeping the sliders unless the scenario changed."""
    playing.value = False
    scenario = load(name or scenario_name.value)
    if name is not None or not settings.value:
        scenario_name.value = scenario.name
        settings.value = starting_settings(scenario)
    model.value = new_model(scenario, settings.value)
    changes.value = {}
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
    event = change_during_run(current, key, value)
    label = next(c.label for c in CONTROLS if c.key == key)
    changes.value = {**changes.value, (event.step, label): value if isinstance(value, str) else f"{value:g}"}


def step_once():
    with _step_lock:
        current = model.value
        if current is not None and current.running:
            current.step()
    tick.value += 1


# --- components -------------------------------------------------------------

CSS = """
.tile-grid { display: grid; gap: 6px; margin-top: 6px; }
.tile-grid .v-btn.tile { height: 100% !important; min-height: 0; min-width: 0 !important; width: 100%;
  text-transform: none; letter-spacing: 0; padding: 2px 4px !important; border-radius: 8px;
  border: 2px solid rgba(0,0,0,0.15); }
.tile-grid .v-btn.tile .v-btn__content { white-space: normal; flex-direction: column; line-height: 1.15; }
.tile-grid .v-btn.tile.selected { border: 3px solid #111; }
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
.explain-sentence { font-size: 15px; font-weight: 500; margin: 4px 0 8px 0; }
.terms-table table { font-size: 12px; border-collapse: collapse; margin-top: 6px; }
.terms-table th, .terms-table td { padding: 2px 5px; text-align: right; border-bottom: 1px solid #e3e3e3; }
.v-slider + .v-messages, .slider-row .v-input__slot { margin-bottom: 0; }
"""


@solara.component
def Sliders(controls):
    for control in controls:
        value = settings.value.get(control.key)
        if value is None:
            continue
        spec = parameters.spec(control.key)
        with solara.Tooltip(control.help):
            with solara.Div():
                if spec.kind == "choice":
                    solara.ToggleButtonsSingle(value=value, values=list(spec.choices), dense=True,
                                               on_value=lambda v, k=control.key: set_control(k, v))
                    solara.Text(control.label, classes=["help"])
                else:
                    lo, hi, step = slider_range(control.key)
                    solara.SliderFloat(f"{control.label}: {value:.2f}", value=float(value), min=lo, max=hi, step=step,
                                       on_value=lambda v, k=control.key: set_control(k, round(v, 4)))


@solara.component
def Controls():
    current = model.value
    titles = scenario_titles()
    scenario = current.scenario if current is not None else load(scenario_name.value)
    solara.Select("Scenario", values=list(titles), value=scenario.title,
                  on_value=lambda title: reset(titles[title]))
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
        Sliders(WORLD_CONTROLS)
    with solara.Details("Preference weights: how much states care about each term"):
        Sliders(WEIGHT_CONTROLS)


@solara.component
def Player():
    """Steps the model while Play is on (a background task, as in Mesa's ModelController)."""

    def run():
        while playing.value:
            current = model.value
            if current is None or not current.running:
                playing.value = False
                break
            time.sleep(PLAY_INTERVAL)
            if playing.value:
                step_once()

    solara.lab.use_task(run, dependencies=[playing.value], prefer_threaded=True)


@solara.component
def Summary():
    tick.value  # noqa: B018 - subscribe to steps
    current = model.value
    chips = "".join(
        f'<span class="chip" style="background:{PARTNER_COLORS.get(p, "#777")}">'
        f"{parameters.PARTNER_NAMES.get(p, p)} {share:.1%}</span>"
        for p, share in asean_now(current).items())
    cohesion = float(equations.cohesion(current.dyn.alignment[0]))
    solara.HTML(unsafe_innerHTML=(f"<b>Quarter {current.steps} of {current.horizon}</b> "
                                  f"({quarter_label(current.steps)}). ASEAN now: {chips} "
                                  f'<span title="1 = every state aligned alike; 0 = no two alike">'
                                  f"cohesion {cohesion:.2f}</span>"),
                classes=["asean-now"])


@solara.component
def Timeline():
    tick.value  # noqa: B018
    current = model.value
    steps = current.steps
    asean = current.trajectory.alignment[0, :steps + 1].mean(1)
    figure = solara.use_memo(
        lambda: app_charts.asean_timeline(asean, current.inputs.partners, current.horizon,
                                          f"ASEAN alignment over time: {current.scenario.title}"),
        [id(current), steps])
    solara.FigureMatplotlib(figure, dependencies=[id(current), steps], format="svg")
    if changes.value:
        shown = (f"{quarter_label(step)}: {label} = {value}"
                 for (step, label), value in changes.value.items())
        solara.Text("Your changes during the run: " + "; ".join(shown), classes=["help"])


@solara.component
def StateBars():
    tick.value  # noqa: B018
    current = model.value
    steps = current.steps
    figure = solara.use_memo(
        lambda: app_charts.state_bars(current.dyn.alignment[0].copy(), current.inputs.states, current.inputs.partners,
                                      f"Each state's alignment now ({quarter_label(steps)})"),
        [id(current), steps])
    solara.FigureMatplotlib(figure, dependencies=[id(current), steps], format="svg")


@solara.component
def TileMap():
    tick.value  # noqa: B018
    current = model.value
    solara.HTML(tag="div",
                unsafe_innerHTML="<b>Who leads each state.</b> Click a state to see why it leans as it does.")
    style = (f"grid-template-columns: repeat({tilemap.GRID_COLS}, 1fr); "
             f"grid-template-rows: repeat({tilemap.GRID_ROWS}, 66px);")
    with solara.Div(classes=["tile-grid"], style=style):
        solara.Div(children=["South China Sea"], classes=["sea-label"],
                   style="grid-row: 1 / span 2; grid-column: 4;")
        for info in tiles_of(current):
            TileButton(info)
    MapLegend(current.inputs.partners)


@solara.component
def TileButton(info):
    tile = info["tile"]
    place = (f"grid-row: {tile.row + 1} / span {tile.rows}; grid-column: {tile.col + 1} / span {tile.cols}; "
             f"background-color: {info['color']} !important; color: {info['text']} !important;")
    classes = ["tile", f"tile-{tile.state}"] + (["selected"] if selected.value == tile.state else [])
    with solara.Button(on_click=lambda: selected.set(tile.state), classes=classes, style=place, elevation=0):
        solara.HTML(tag="span", classes=["tile-name"], unsafe_innerHTML=tile.state)
        solara.HTML(tag="span", classes=["tile-detail"], unsafe_innerHTML=f"{info['lead']} {info['share']:.0%}")
        solara.HTML(tag="span", classes=["tile-detail"], unsafe_innerHTML=f"hedging {info['hedging']:.2f}")


@solara.component
def MapLegend(partners):
    swatch = '<span class="swatch" style="background:{}"></span>'
    items = " &nbsp; ".join(swatch.format(tilemap.tile_color(p, 0)) + swatch.format(tilemap.tile_color(p, 1))
                            + f" {p} = {parameters.PARTNER_NAMES.get(p, p)}" for p in partners)
    solara.HTML(tag="div", classes=["map-legend"], unsafe_innerHTML=(
        f"{items}<br>Colour: the leading partner. Strong colour: the state is all-in with it; "
        "pale: it hedges (spreads its alignment; hedging 0 = all-in, 1 = even)."))


@solara.component
def ExplainPanel():
    tick.value  # noqa: B018
    current = model.value
    state = selected.value
    steps = current.steps
    table = current_table(current, state)
    with solara.Div(classes=["explain-panel"]):
        solara.HTML(tag="h3", unsafe_innerHTML=f"Why {state} leans as it does ({quarter_label(steps)})")
        solara.Text(why_sentence(table, state), classes=["explain-sentence"])
        figure = solara.use_memo(lambda: app_charts.explain_chart(table), [id(current), steps, state])
        solara.FigureMatplotlib(figure, dependencies=[id(current), steps, state], format="svg")
        shown = table.copy()
        shown["alignment"] = shown["alignment"].map("{:.0%}".format)
        for column in (*TERMS, "utility"):
            shown[column] = shown[column].map("{:+.2f}".format)
        shown = shown.rename(columns={"utility": "total", "alignment": "share"}).rename_axis(None)
        solara.HTML(tag="div", classes=["terms-table"], unsafe_innerHTML=shown.to_html(border=0))
        solara.Text("Each term is weighted by the preference sliders; the total score decides alignment "
                    "through the logit rule (MODEL.md).", classes=["help"])


@solara.component
def Page():
    solara.Title("ASEAN alignment simulator")
    solara.Style(CSS)
    solara.use_effect(lambda: reset() if model.value is None else None, [])
    Player()
    with solara.Sidebar():
        Controls()
    if model.value is None:
        solara.Text("Loading the model...")
        return
    with solara.Column(style={"padding": "8px 16px 48px 16px"}):
        Summary()
        with solara.Columns([6, 6]):
            with solara.Card(margin=0):
                Timeline()
            with solara.Card(margin=0):
                TileMap()
        with solara.Columns([6, 6]):
            with solara.Card(margin=0):
                StateBars()
            with solara.Card(margin=0):
                ExplainPanel()


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
