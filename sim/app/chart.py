"""One Plotly chart of the web app: a figure dict (`sim.reports.app_charts`) shown in a widget,
updated in place, so a quarter sends the new numbers and not a new picture."""

from __future__ import annotations

import plotly.graph_objects as go
import solara

from sim.reports import app_charts


class ChartWidget(go.FigureWidget):
    """Plotly's widget with the app's toolbar (PNG download at twice the size, no logo).

    Each new widget carries plotly.js (5 MB) to the browser, so a chart is made once and updated
    in place (`show`). Importing plotly.js from one served file instead lost a chart's first figure:
    the update came before the module had loaded (tried for issue 27, left out).

    The widget takes plotly.js's config only as its synced ``_config`` trait (there is no
    public setter), so it is merged in here, once per chart."""

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
