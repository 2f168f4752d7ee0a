"""The web app's Compare tab: two columns, each a scenario with its own sliders, run on common
random numbers; the paired difference B minus A as a chart and in `run.py compare`'s tables."""

from __future__ import annotations

import html

import solara

from sim.app import session
from sim.app.chart import Chart
from sim.app.controls import Sliders, scenario_picker
from sim.app.glossary import GlossaryPanel, term
from sim.app.session import CONTROL_LABELS, WEIGHT_CONTROLS, WORLD_CONTROLS
from sim.experiments import comparison as comparing
from sim.reports import app_charts
from sim.schema.scenario import load


@solara.component
def CompareColumn(state, index: int):
    """Column A (``index`` 0) or B (1): its scenario, what its sliders change, the sliders."""
    name, values = state.compare_columns.value[index]
    letter = "AB"[index]

    def on_change(key, value):
        state.set_column(index, key=key, value=value)

    with solara.Card(f"{letter}", margin=0, classes=[f"compare-column-{letter}"]):
        scenario_picker(name, lambda n: state.set_column(index, name=n), label=f"Scenario {letter}")
        changed = session.start_overrides(load(name), values)
        solara.Text("Sliders changed: " + (", ".join(f"{CONTROL_LABELS[k]} = {v}" for k, v in changed.items())
                                           or "none"), classes=["help"])
        Sliders(WORLD_CONTROLS, values, on_change, prefix=f"col{letter}-")
        with solara.Details("Preference weights"):
            Sliders(WEIGHT_CONTROLS, values, on_change, prefix=f"col{letter}-")


@solara.component
def CompareView(state):
    """The Compare tab: the two columns, the Compare button and the last result."""
    if state.compare_columns.value is None:
        state.start_compare()
        return
    solara.HTML(tag="div", classes=["help"], unsafe_innerHTML=(
        f"Two columns, each a scenario with its own sliders. Both run {session.COMPARE_REPLICATES} "
        f"{term('replicate', 'times')} on the same random numbers (as <code>run.py compare</code>), so the "
        f"difference B minus A is a {term('paired difference')}; brackets are 95% "
        f"{term('bootstrap interval', 'bootstrap intervals')}; "
        f"* marks a difference {term('clear of zero')}; differences are in {term('points')}."))
    with solara.ColumnsResponsive(12, large=6):
        CompareColumn(state, 0)
        CompareColumn(state, 1)
    solara.Button(f"Compare B with A ({session.COMPARE_REPLICATES} replicates each)", color="primary",
                  icon_name="mdi-scale-balance", on_click=state.run_comparison, classes=["compare-button"])
    if state.compare_error.value:
        solara.Text(f"error: {state.compare_error.value}", classes=["error-line"])
    if state.comparison.value is not None:
        CompareResults(*state.comparison.value)
    GlossaryPanel()


@solara.component
def CompareResults(result, seconds: float):
    """A comparison's difference chart, its tables and its one-line summaries per state."""
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
