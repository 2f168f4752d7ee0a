"""The web app's Run tab: where ASEAN stands now, its timeline with the band of replicates, the
tile map, each state's bars, why the clicked state leans as it does, the survey beside the
model, and the downloads. Every component reads the page's `PageState`."""

from __future__ import annotations

import html
from pathlib import Path

import solara

from sim.app import playback, session, survey
from sim.app.chart import Chart
from sim.app.controls import Transport
from sim.app.glossary import GlossaryPanel, term
from sim.app.lesson_view import LessonPanel
from sim.app.session import CONTROL_LABELS
from sim.core.calendar import quarter_label
from sim.core.equations import TERMS
from sim.reports import app_charts, tilemap
from sim.reports.colors import partner_color
from sim.running.explain import why_sentence
from sim.running.run import archive
from sim.schema import parameters


@solara.component
def Summary(state):
    """'Quarter N of 40', ASEAN's share with each partner now, and its cohesion."""
    quarter = state.quarter.value
    current = state.model.value
    chips = "".join(
        f'<span class="chip" style="background:{partner_color(p)}">'
        f"{parameters.PARTNER_NAMES.get(p, p)} {share:.1%}</span>"
        for p, share in session.asean_now(current, quarter).items())
    cohesion = session.cohesion_at(current, quarter)
    solara.HTML(unsafe_innerHTML=(f"<b>Quarter {quarter} of {current.horizon}</b> "
                                  f"({quarter_label(quarter)}). ASEAN now: {chips} "
                                  f"{term('cohesion')} {cohesion:.1%}"),
                classes=["asean-now"])


def use_band(state, current):
    """The 5-95% band of replicates of the page's run (recomputed when its scenario changes)."""
    revision = state.revision.value  # subscribe to changes of the run's scenario
    return solara.use_memo(lambda: session.replicate_band(session.run_scenario(current)), [id(current), revision])


@solara.component
def Timeline(state, band):
    """ASEAN's alignment over time, the band of replicates, and the changes made during the run."""
    steps = state.quarter.value
    revision = state.revision.value
    current = state.model.value
    asean = current.trajectory.alignment[0, :steps + 1].mean(1)
    lo, hi, replicates = band
    figure = solara.use_memo(
        lambda: app_charts.asean_timeline(asean, current.inputs.partners, current.horizon,
                                          f"ASEAN alignment over time: {current.scenario.title}", band=(lo, hi),
                                          markers=playback.timeline_markers(current)),
        [id(current), steps, revision])
    with solara.Div(classes=["chart", "timeline-chart"]):
        Chart(figure, key=(id(current), steps, revision))
    solara.Text(f"Lines: this run, to {quarter_label(steps)}. Shaded: where 90% of {replicates.manifest['replicates']} "
                "runs of the same settings go (5-95%), random draws apart; the line is one of them. Vertical "
                "lines: the scenario's own events (dotted) and your changes (solid); the markers on the quarter "
                "slider name them.",
                classes=["help"])
    solara.Text("Why the lines move in 2020-21 with no event: quarter 0 is the states' choice on their starting "
                "scores alone, before they see what their neighbours do, and each partner's engagement then moves "
                "a step a quarter toward what it wants (model.adapt_rate). The first quarters are the model "
                "settling, not news: read a scenario against the baseline or the band, not against quarter 0.",
                classes=["help", "spin-up-note"])
    events = session.user_events(current)
    if events:
        shown = (f"{quarter_label(e.step)}: {CONTROL_LABELS.get(e.key, e.key)} = "
                 f"{e.value if isinstance(e.value, str) else format(e.value, 'g')}" for e in events)
        solara.Text("Your changes during the run: " + "; ".join(shown), classes=["help", "changes-line"])


@solara.component
def StateBars(state):
    """Each state's alignment now, one stacked bar per state."""
    steps = state.quarter.value
    current = state.model.value
    figure = solara.use_memo(
        lambda: app_charts.state_bars(session.alignment_at(current, steps).copy(), current.inputs.states,
                                      current.inputs.partners,
                                      f"Each state's alignment now ({quarter_label(steps)})"),
        [id(current), steps])
    with solara.Div(classes=["chart", "bars-chart"]):
        Chart(figure, key=(id(current), steps))


@solara.component_vue(str(Path(__file__).with_name("tile_map.vue")))
def TileGrid(tiles: list, selected: str, grid_style: str, event_select=None):
    """The ten tiles (`session.tiles_of`) in one widget; a click calls ``event_select(state)``."""


@solara.component
def TileMap(state):
    """The ten states as tiles coloured by their leading partner; a click selects a state."""
    quarter = state.quarter.value
    current = state.model.value
    solara.HTML(tag="div",
                unsafe_innerHTML=f"<b>Who leads each state.</b> Each tile: the "
                                 f"{term('leading partner', 'leading outside power')} and its share, then the share "
                                 f"the state keeps {term('ASEAN-centred')}, then its {term('hedging')}. Click a "
                                 "state to see why it leans as it does; hover for every share.")
    tiles = [{"state": t["tile"].state, "label": tilemap.tile_label(t["tile"].state), "lead": t["lead"],
              "share": f"{t['share']:.0%}",
              "asean": "" if t["asean"] is None else f"{t['asean']:.0%}",
              "hedging": f"{t['hedging']:.0%}", "hover": t["hover"], "style": tile_style(t)}
             for t in session.tiles_of(current, quarter)]
    TileGrid(tiles=tiles, selected=state.selected.value, event_select=state.selected.set,
             grid_style=f"grid-template-columns: repeat({tilemap.GRID_COLS}, 1fr); "
                        f"grid-template-rows: repeat({tilemap.GRID_ROWS}, 72px);")
    MapLegend(current.inputs.partners)


def tile_style(info: dict) -> str:
    """A tile's CSS: its place in the grid and its colours."""
    tile = info["tile"]
    return (f"grid-row: {tile.row + 1} / span {tile.rows}; grid-column: {tile.col + 1} / span {tile.cols}; "
            f"background-color: {info['color']}; color: {info['text']};")


@solara.component
def MapLegend(partners):
    """What the tiles' colours mean."""
    swatch = '<span class="swatch" style="background:{}"></span>'
    items = " &nbsp; ".join(swatch.format(tilemap.tile_color(p, 0)) + swatch.format(tilemap.tile_color(p, 1))
                            + f" {p} = {parameters.PARTNER_NAMES.get(p, p)}" for p in partners)
    solara.HTML(tag="div", classes=["map-legend"], unsafe_innerHTML=(
        f"{items}<br>Colour: the leading partner (Okabe-Ito colours, readable with red-green colour blindness). "
        "Strong colour: the state is all-in with it; pale: it hedges (spreads its alignment; hedging 0% = all-in, "
        "100% = even)."))


@solara.component
def ExplainPanel(state):
    """Why the clicked state leans as it does: one sentence, a chart and the table of terms."""
    steps = state.quarter.value
    current = state.model.value
    name = state.selected.value
    table = session.current_table(current, name, steps)
    with solara.Div(classes=["explain-panel"]):
        solara.HTML(tag="h3", unsafe_innerHTML=f"Why {name} leans as it does ({quarter_label(steps)})")
        solara.Text(why_sentence(table, name), classes=["explain-sentence"])
        figure = solara.use_memo(lambda: app_charts.explain_chart(table), [id(current), steps, name])
        with solara.Div(classes=["chart", "explain-chart"]):
            Chart(figure, key=(id(current), steps, name))
        solara.HTML(tag="div", classes=["terms-table"], unsafe_innerHTML=terms_html(table))
        solara.HTML(tag="div", classes=["help"], unsafe_innerHTML=(
            f"Each of the {term('utility terms')} is weighted by the preference sliders; the state leans most to the "
            "option with the highest total, but not all the way (hover a term's name for what it means)."))


def terms_html(table) -> str:
    """The explain table as HTML: shares in percent, terms and total signed (built by hand:
    pandas' formatting is the slowest part of a quarter)."""
    columns = [*TERMS, "utility"]
    head = "".join(f"<th>{'total' if c == 'utility' else term(c)}</th>" for c in columns)
    rows = "".join(
        f"<tr><th>{html.escape(str(partner))}</th>" + "".join(f"<td>{row[c]:+.2f}</td>" for c in columns)
        + f"<td>{row['alignment']:.0%}</td></tr>"
        for partner, row in zip(table.index, table.to_dict("records")))
    return f"<table><thead><tr><th></th>{head}<th>share</th></tr></thead><tbody>{rows}</tbody></table>"


@solara.component
def SurveyPanel(state, band):
    """For a survey-year scenario: each state's survey answer beside the model's (issue 14)."""
    quarter = state.quarter.value
    current = state.model.value
    year = survey.survey_year(current.scenario.name)
    if year is None:
        return
    table = survey.survey_beside_model(current.scenario.name, session.current_result(current, quarter), band[2])
    shown = table.rename(columns={"model, this run": f"model, this run ({quarter_label(quarter)})",
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
def Exports(state):
    """The downloads: the run's tables (CSV, Parquet) and the run as a scenario file."""
    current = state.model.value  # not subscribed to quarters: the downloads read the page when clicked
    name = current.scenario.name

    def shown_run():
        return session.current_result(state.model.value, state.quarter.value)

    with solara.Row(classes=["exports"]):
        solara.FileDownload(lambda: archive(shown_run(), "csv"), filename=f"{name}_run_csv.zip",
                            label="Download run (CSV)")
        solara.FileDownload(lambda: archive(shown_run(), "parquet"),
                            filename=f"{name}_run_parquet.zip", label="Download run (Parquet)")
        file_name = session.scenario_file_name(current)
        solara.FileDownload(lambda: session.scenario_file(state.model.value)[1].encode(), filename=file_name,
                            label="Save as scenario (TOML)", mime_type="application/toml")
    solara.Text("The zips hold the tables of `run.py run --out`, up to the quarter shown. The scenario "
                f"file has your starting sliders and your changes during the run: `python3 run.py run {file_name}` "
                "makes the same run. The link in the address bar reopens this view; each chart's toolbar "
                "(top right) downloads it as a PNG.", classes=["help"])


@solara.component
def RunView(state):
    """The Run tab."""
    current = state.model.value
    band = use_band(state, current)
    LessonPanel(state)
    Transport(state)
    Summary(state)
    with solara.ColumnsResponsive(12, large=6):
        with solara.Card(margin=0):
            Timeline(state, band)
        with solara.Card(margin=0):
            TileMap(state)
    with solara.ColumnsResponsive(12, large=6):
        with solara.Card(margin=0):
            StateBars(state)
        with solara.Card(margin=0):
            ExplainPanel(state)
    SurveyPanel(state, band)
    Exports(state)
    GlossaryPanel()
