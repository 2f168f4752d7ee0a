"""The web app's Compare tab: two columns, each a scenario with its own sliders, run on common
random numbers; the paired difference B minus A per measure and per state, A and B over time on
one chart, and the tables, every measure in percent as on the Run tab (`sim.app.compare_tables`)."""

from __future__ import annotations

import html
from pathlib import Path

import solara

from sim.app import compare_tables, session
from sim.app.chart import Chart
from sim.app.controls import Sliders, scenario_picker
from sim.app.glossary import GlossaryPanel, term
from sim.app.session import WEIGHT_CONTROLS, WORLD_CONTROLS
from sim.experiments import comparison as comparing
from sim.experiments.intervals import NEGLIGIBLE
from sim.reports import app_charts


@solara.component_vue(str(Path(__file__).with_name("fit_charts.vue")))
def FitCharts(token: int):
    """Makes the charts take their card's width once a new result (``token``) is drawn."""


@solara.component_vue(str(Path(__file__).with_name("compare_ready.vue")))
def CompareReady(event_ready=None):
    """Reports (``event_ready``) once the browser shows the columns: a link's comparison runs then."""


@solara.component
def CompareColumn(state, index: int):
    """Column A (``index`` 0) or B (1): its name, scenario, what its sliders change, the sliders."""
    name, values = state.compare_columns.value[index]
    letter = "AB"[index]

    def on_change(key, value):
        state.set_column(index, key=key, value=value)

    with solara.Card(compare_tables.column_label(letter, name, values), margin=0,
                     classes=[f"compare-column-{letter}"]):
        scenario_picker(name, lambda n: state.set_column(index, name=n), label=f"Scenario {letter}")
        solara.Text("Sliders changed: " + (compare_tables.changes_text(name, values) or "none"), classes=["help"])
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
        f"* marks a difference {term('clear of zero')}, {compare_tables.NEGLIGIBLE_CELL} a {term('negligible')} one; "
        f"shares, the forced choice, hedging and cohesion are in percent, differences in {term('points')}."))
    with solara.ColumnsResponsive(12, large=6):
        CompareColumn(state, 0)
        CompareColumn(state, 1)
    if state.compare_pending.value:  # a link asked for its result: computed once the browser shows the columns
        CompareReady(event_ready=lambda _=None: state.run_pending_comparison())
    solara.Button(f"Compare B with A ({session.COMPARE_REPLICATES} replicates each)", color="primary",
                  icon_name="mdi-scale-balance", on_click=state.run_comparison, classes=["compare-button"])
    # The lines above the result are always there (empty when they have nothing to say): an element
    # appearing before the charts would make new chart widgets, and each new one costs the browser
    # plotly.js again (5 MB), where an update in place sends only the numbers.
    stale = state.comparison_out_of_date()
    solara.Text(f"error: {state.compare_error.value}" if state.compare_error.value else
                "Computing the result the link names..." if state.compare_pending.value else "", classes=["error-line"])
    solara.Text("Out of date: a column has changed since this result was computed. Press Compare to update it."
                if stale else "", classes=["error-line"] + (["compare-stale"] if stale else []))
    if state.comparison.value is not None:
        result, seconds, _ = state.comparison.value
        with solara.Div(classes=["compare-result"] + (["stale"] if stale else [])):
            CompareResults(result, seconds)
    GlossaryPanel()


@solara.component
def CompareResults(result, seconds: float):
    """A comparison's charts (per measure, over time, per state), its tables and its summary lines."""
    first, second = result.labels
    m = result.manifest
    solara.Text(f"{m['replicates']} replicates per column, {m['steps']} quarters, seed {m['seed']}, common random "
                f"numbers; [95% bootstrap interval]. Computed in {seconds:.2f} s.", classes=["help", "compare-time"])
    difference = result.differences[result.differences["scenario"] == second]
    states = result.states[result.states["scenario"] == second]
    partners = list(result.over_time["partner"].unique())
    figures = solara.use_memo(lambda: (
        app_charts.difference_chart(difference, partners, f"B minus A, final quarter: {second} minus {first}",
                                    NEGLIGIBLE),
        app_charts.compare_timeline(result.over_time, result.labels, partners, m["steps"],
                                    "ASEAN alignment over time: A solid, B dashed"),
        app_charts.state_difference_chart(states, partners, "B minus A per state, final quarter", NEGLIGIBLE)),
        [id(result)])
    for figure, name in zip(figures, ("difference-chart", "compare-timeline-chart", "state-difference-chart")):
        with solara.Div(classes=["chart", name]):
            Chart(figure, key=(id(result), name))
    FitCharts(token=id(result) % 2**31)
    solara.Text("Grey band on the difference charts: negligible (within "
                f"±{100 * NEGLIGIBLE:g} points); pale bars are negligible differences.", classes=["help"])
    sections = (("Final ASEAN alignment (%):", compare_tables.alignment_table(result)),
                ("Difference B minus A (points):", compare_tables.difference_table(result)),
                ("Per state: B minus A (points):", compare_tables.state_table(result)))
    for heading, table in sections:
        solara.HTML(tag="h4", unsafe_innerHTML=html.escape(heading))
        solara.HTML(tag="div", classes=["data-table", "compare-table"], unsafe_innerHTML=table.to_html(border=0))
    solara.Text(compare_tables.legend(), classes=["help", "compare-legend"])
    solara.HTML(tag="div", classes=["compare-lines"],
                unsafe_innerHTML=html.escape("\n".join(comparing.state_summary(result, second))))
