"""The teaching web app's page: pick a scenario, move sliders, watch ASEAN's alignment shift, ask
why; compare two settings side by side; share the view as a link; download the run.

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
  * at quarter 0, a change sets the starting world (the same run as
    ``run.py run SCENARIO --set KEY=VALUE``);
  * later, a change is a scenario event at the next quarter (replacing what the run had
    computed after the quarter on screen, if the reader had gone back);
  * Reset starts again from 2020 with the sliders as they are.

The page's parts: `state` (what a session holds), `controls` (the side panel and the playback
bar), `run_view` and `compare_view` (the two tabs), `chart` (a Plotly chart updated in place);
without Solara, `session` (what a page runs and shows at a quarter), `playback` (the timeline),
`link` (the address), `survey` (the survey table). This module puts them together and serves them.
"""

from __future__ import annotations

import socket
from pathlib import Path

import solara
import solara.lab

from sim.app.compare_view import CompareView
from sim.app.controls import Controls, Player, ScreenAck
from sim.app.run_view import RunView
from sim.app.state import PageState
from sim.base.errors import check_whole

DEFAULT_PORT = 8765
NARROW = 960  # pixels: below it the side panel floats over the page (Vuetify's mobile breakpoint), so it starts closed
CSS = Path(__file__).with_name("page.css").read_text(encoding="utf-8")


@solara.component_vue(str(Path(__file__).with_name("url_sync.vue")))
def UrlSync(query: str):
    """Writes the view into the address bar (replaceState: no history entry per quarter)."""


@solara.component
def Address(state):
    """The view in the address bar, after every step and slider (its own component: a quarter
    re-renders this, not the page)."""
    state.revision.value  # noqa: B018 - subscribe to changes of the run (address() reads the rest)
    UrlSync(query=state.address())


@solara.component_vue(str(Path(__file__).with_name("window_width.vue")))
def WindowWidth(event_width=None):
    """Reports the browser window's width once (``event_width(pixels)``)."""


@solara.component
def Layout(children=[]):  # noqa: B006 - Solara's layout signature
    """Solara's app layout, with the side panel closed on a narrow screen (its menu button
    reopens it; a tap beside it closes it) and open on a wide one."""
    width = solara.use_reactive(0)  # 0 until the browser has said: open, as on a wide screen
    probe = WindowWidth(event_width=width.set)
    main = solara.Div(children=[probe, *children])  # one child: the side panel comes from solara.Sidebar
    return solara.AppLayout(children=[main], sidebar_open=width.value == 0 or width.value >= NARROW)


@solara.component
def Page():
    """The whole page: side panel, Run and Compare tabs, the address bar kept in step."""
    solara.Title("ASEAN alignment simulator")
    solara.Style(CSS)
    state = solara.use_memo(PageState, [])  # this session's own state, made once
    router = solara.use_router()
    solara.use_effect(lambda: (state.open_link(router.search) if router.search else state.reset())
                      if state.model.value is None else None, [])
    Player(state)
    with solara.Sidebar():
        Controls(state)
    if state.model.value is None:
        solara.Text("Loading the model...")
        return
    Address(state)
    with solara.Column(style={"padding": "8px 16px 48px 16px"}):
        if state.link_error.value:
            solara.Text(state.link_error.value, classes=["error-line"])
        with solara.lab.Tabs(value=state.tab.value, on_value=state.tab.set):
            with solara.lab.Tab("Run", classes=["run-tab"]):
                RunView(state)
            with solara.lab.Tab("Compare", classes=["compare-tab"]):
                CompareView(state)
    ScreenAck(state)  # last: it reports a quarter drawn once the page's updates for it have arrived


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
    solara.server.settings.theme.show_banner = False  # its corner badge covered the page's bottom right
    print(f"ASEAN alignment simulator: open http://{host}:{port} in a browser (Ctrl-C stops the server)", flush=True)
    args = ["run", "sim.app", "--host", host, "--port", str(port), "--production", "--no-check-version",
            "--open" if open_browser else "--no-open"]
    solara_cli(args, standalone_mode=False)
