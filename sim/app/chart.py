"""One Plotly chart of the web app: a figure dict (`sim.reports.app_charts`) shown in a widget,
updated in place, so a quarter sends the new numbers and not a new picture."""

from __future__ import annotations

import shutil
from pathlib import Path

import plotly
import plotly.graph_objects as go
import solara

from sim.reports import app_charts

# Plotly's widget sends its front end (plotly.js, 5 MB) inside every new chart widget: 15 MB for the
# Run tab's three charts, 15 MB more for the Compare tab's. Served once as a file from the app's
# public folder (Solara serves sim/public at /static/public), the browser loads it once and caches it;
# each widget then sends a two-line module that imports it.
BUNDLE = Path(plotly.__file__).parent / "package_data" / "widgetbundle.js"
PUBLIC = Path(__file__).resolve().parent.parent / "public"  # Solara: the app's directory's parent / "public"
SERVED = PUBLIC / f"plotly-widget-{plotly.__version__}.js"
IMPORT_BUNDLE = ("const root = (window.solara && window.solara.rootPath) || '';\n"
                 f"const bundle = await import(new URL(root + '/static/public/{SERVED.name}', window.location.origin).href);\n"
                 "export default bundle.default;\n")


def serve_bundle() -> bool:
    """Put plotly's widget bundle in the public folder (once per plotly version) and make the chart
    widgets import it; False if it cannot be written there (a read-only install): the widgets then
    carry the bundle themselves, as plotly's own do."""
    try:
        if not SERVED.exists():
            PUBLIC.mkdir(exist_ok=True)
            temporary = SERVED.with_suffix(".tmp")
            shutil.copyfile(BUNDLE, temporary)
            temporary.replace(SERVED)
    except OSError:
        return False
    ChartWidget._esm = IMPORT_BUNDLE  # anywidget reads the class's _esm when a widget is made
    return True


class ChartWidget(go.FigureWidget):
    """Plotly's widget with the app's toolbar (PNG download at twice the size, no logo), its front
    end imported from the served bundle once `serve_bundle` has put it there.

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
