"""The web app's charts: interactive Plotly figures drawn from plain arrays of a running model.

Each function returns a figure as a plain dict, ``{"data": [trace, ...], "layout": {...}}``, in
Plotly's JSON schema (``plotly.graph_objects.Figure(figure)`` reads it): cheap to build every
quarter, and easy to compare with the last one, so the page sends only what changed.

Plotly figures are data, not pictures: the page sends the numbers to the browser, which draws
them with hover values, legend toggling (click a partner to hide it), zoom, and a PNG download
on the chart's own toolbar. Colours are `sim.reports.colors` (Okabe-Ito), the same as every
other plot. Every trace of a partner shares a legend group, so one click hides its line and band.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.core.calendar import quarter_label, year_of
from sim.core.equations import TERMS
from sim.reports.colors import TERM_COLORS, partner_color
from sim.schema.parameters import partner_name

FONT = 12
# The chart toolbar: PNG download at twice the screen size (sharp on slides); no Plotly logo, no
# "share chart" (it would send the data to Chart Studio), no selection tools (nothing to select).
CONFIG = {"displaylogo": False, "responsive": True, "toImageButtonOptions": {"format": "png", "scale": 2},
          "modeBarButtonsToRemove": ["sendDataToCloud", "select2d", "lasso2d"]}


def _figure(data: list, title: str, height: int, name: str, width: int | None = None, **layout) -> dict:
    """A figure dict with the shared look; ``uirevision`` keeps the reader's zoom across updates.
    Without ``width`` the chart takes its card's width (autosize), from a phone to a projector."""
    base = {
        "title": {"text": title, "x": 0.01, "font": {"size": FONT + 2}}, "height": height,
        **({"width": width} if width else {"autosize": True}),
        "template": "plotly_white",
        "margin": {"l": 60, "r": 15, "t": 50, "b": 40}, "font": {"size": FONT}, "uirevision": name,
        "hovermode": "closest", "legend": {"orientation": "h", "yanchor": "top", "y": -0.18, "xanchor": "left", "x": 0},
    }
    return {"data": data, "layout": base | layout}


def _list(values) -> list:
    return np.asarray(values, dtype=float).round(6).tolist()  # JSON numbers; 6 decimals are below a pixel


def _rgba(color: str, alpha: float) -> str:
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


MARKER_COLORS = {"scenario": "#555555", "yours": "#D55E00", "both": "#D55E00"}  # grey; Okabe-Ito vermilion


def asean_timeline(asean: np.ndarray, partners, horizon: int, title: str, band=None, markers=()) -> dict:
    """ASEAN's mean alignment with each partner up to the quarter shown, inside the spread of the replicates.

    asean: [step, partner] of the run the step buttons drive, steps 0..now.
    band: optional (lo, hi), each [step, partner] over the whole horizon: the 5-95% range of
    replicate runs of the same settings. The x axis counts quarters and always spans the whole
    horizon (ticks at the years), so the line grows across a fixed frame instead of rescaling.
    markers: ``{"step", "kind"}`` of the quarters with events (`sim.app.playback.timeline_markers`),
    drawn as vertical lines: dashed grey for the scenario's own, vermilion for the reader's changes.
    """
    data = []
    now = len(asean) - 1
    quarters = list(range(len(asean)))
    labels = [quarter_label(s) for s in range(len(asean))]
    for k, code in enumerate(partners):
        color, name = partner_color(code), partner_name(code)
        if band is not None:
            lo, hi = band
            band_quarters = list(range(len(lo)))
            data.append({"type": "scatter", "x": band_quarters, "y": _list(lo[:, k]), "mode": "lines",
                         "line": {"width": 0}, "legendgroup": code, "showlegend": False, "hoverinfo": "skip"})
            data.append({"type": "scatter", "x": band_quarters, "y": _list(hi[:, k]), "mode": "lines",
                         "line": {"width": 0}, "fill": "tonexty", "fillcolor": _rgba(color, 0.18),
                         "legendgroup": code, "showlegend": False, "customdata": _list(lo[:, k]),
                         "name": f"{name} 5-95%",
                         "hovertemplate": f"{name}: 5-95% of replicates "
                                          "%{customdata:.1%} to %{y:.1%}<extra></extra>"})
        data.append({"type": "scatter", "x": quarters, "y": _list(asean[:, k]), "mode": "lines+markers", "name": name,
                     "legendgroup": code, "line": {"color": color, "width": 2.6},
                     "marker": {"size": [0] * now + [8], "color": color}, "customdata": labels,
                     "hovertemplate": f"{name}: %{{y:.1%}} (%{{customdata}})<extra></extra>"})
    years = list(range(0, horizon + 1, 4))
    shapes = [{"type": "line", "xref": "x", "yref": "paper", "x0": m["step"], "x1": m["step"], "y0": 0, "y1": 1,
               "line": {"color": MARKER_COLORS.get(m["kind"], "#555555"), "width": 1.5,
                        "dash": "dot" if m["kind"] == "scenario" else "solid"}} for m in markers]
    return _figure(data, title, 400, "timeline", hovermode="x unified", shapes=shapes,
                   xaxis={"range": [0, horizon], "tickvals": years, "ticktext": [str(int(year_of(s))) for s in years],
                          "title": {"text": "year (one step = one quarter)"},
                          "unifiedhovertitle": {"text": "Quarter %{x}"}},
                   yaxis={"range": [0, 1], "tickformat": ".0%", "title": {"text": "ASEAN mean alignment"}})


def state_bars(alignment: np.ndarray, states, partners, title: str) -> dict:
    """Each state's current alignment as a stacked bar (alignment [state, partner]); the shares
    show on hover (labels inside the bars would be measured and placed anew every quarter)."""
    data = []
    for k, code in enumerate(partners):
        share = alignment[:, k]
        data.append({"type": "bar", "y": list(states), "x": _list(share), "orientation": "h",
                     "name": partner_name(code), "legendgroup": code,
                     "marker": {"color": partner_color(code), "line": {"color": "white", "width": 0.6}},
                     "hovertemplate": f"%{{y}}: {partner_name(code)} %{{x:.1%}}<extra></extra>"})
    return _figure(data, title, 420, "bars", barmode="stack",
                   xaxis={"range": [0, 1], "tickformat": ".0%", "title": {"text": "share of the state's alignment"}},
                   yaxis={"autorange": "reversed"})


def explain_chart(table: pd.DataFrame) -> dict:
    """The explain table (`sim.running.explain.terms_table`) as bars of each partner's weighted
    utility terms, negative ones to the left of zero, with a mark at the total score."""
    names = [partner_name(p) for p in table.index]
    data = [{"type": "bar", "y": names, "x": _list(table[term]), "orientation": "h", "name": term,
             "marker": {"color": TERM_COLORS[term]}, "hovertemplate": f"%{{y}}: {term} %{{x:+.3f}}<extra></extra>"}
            for term in TERMS if term in table]
    data.append({"type": "scatter", "y": names, "x": _list(table["utility"]), "mode": "markers", "name": "total score",
                 "marker": {"symbol": "line-ns-open", "size": 22, "color": "black", "line": {"width": 3}},
                 "customdata": _list(table["alignment"]),
                 "hovertemplate": "%{y}: total %{x:+.3f}, alignment %{customdata:.0%}<extra></extra>"})
    return _figure(data, "", 190 + 34 * len(names), "explain", barmode="relative",
                   margin={"l": 90, "r": 15, "t": 20, "b": 40},
                   legend={"orientation": "h", "yanchor": "top", "y": -0.45, "xanchor": "left", "x": 0},
                   xaxis={"title": {"text": "weighted utility terms; | marks the total score"}, "zeroline": True,
                          "zerolinecolor": "black"},
                   yaxis={"autorange": "reversed"})


def _negligible_band(threshold: float | None) -> list:
    """A grey band of ±threshold points around zero: differences inside it are negligible."""
    if not threshold:
        return []
    return [{"type": "rect", "xref": "paper", "yref": "y", "x0": 0, "x1": 1, "y0": -100 * threshold,
             "y1": 100 * threshold, "fillcolor": "rgba(0,0,0,0.08)", "line": {"width": 0}, "layer": "below"}]


def difference_chart(differences: pd.DataFrame, partners, title: str, negligible: float | None = None) -> dict:
    """Paired differences per measure with their 95% intervals, in points: the rows of
    `sim.experiments.comparison.Comparison.differences` for one scenario. Partner measures
    take the partner's colour; the others (forced choice, hedging, cohesion) grey; a negligible
    difference is pale, inside the grey band of ±``negligible`` (a fraction)."""
    rows = differences.reset_index(drop=True)
    words = list(rows["reading"])
    colors = [_rgba(partner_color(m) if m in partners else "#555555", 0.3 if w == "negligible" else 1.0)
              for m, w in zip(rows["measure"], words)]
    names = [partner_name(m) if m in partners else m.replace("forced_us", "forced choice: US") for m in rows["measure"]]
    data = [{"type": "bar", "x": names, "y": _list(100 * rows["difference"]),
             "marker": {"color": colors},
             "error_y": {"type": "data", "symmetric": False, "array": _list(100 * (rows["hi"] - rows["difference"])),
                         "arrayminus": _list(100 * (rows["difference"] - rows["lo"])), "color": "#222"},
             "customdata": [[lo, hi, w] for lo, hi, w in zip(_list(100 * rows["lo"]), _list(100 * rows["hi"]), words)],
             "hovertemplate": "%{x}: %{y:+.1f} points [%{customdata[0]:.1f}, %{customdata[1]:.1f}], "
                              "%{customdata[2]}<extra></extra>"}]
    return _figure(data, title, 360, "difference", shapes=_negligible_band(negligible),
                   yaxis={"title": {"text": "difference (points)"}, "zeroline": True, "zerolinecolor": "black"})


def compare_timeline(over_time: pd.DataFrame, labels, partners, horizon: int, title: str) -> dict:
    """ASEAN's mean alignment over time in both compare columns on one chart: a partner's colour,
    column A solid and B dashed (``over_time``: scenario, step, partner, mean, as
    `sim.experiments.comparison.Comparison.over_time`)."""
    data = []
    for label, dash in zip(labels, ("solid", "dash")):
        frame = over_time[over_time["scenario"] == label]
        for code in partners:
            rows = frame[frame["partner"] == code]
            data.append({"type": "scatter", "x": _list(rows["step"]), "y": _list(rows["mean"]), "mode": "lines",
                         "name": f"{label[:1]}: {partner_name(code)}", "legendgroup": code,
                         "line": {"color": partner_color(code), "width": 2.4, "dash": dash},
                         "hovertemplate": f"{label}: {partner_name(code)} %{{y:.1%}}<extra></extra>"})
    years = list(range(0, horizon + 1, 4))
    return _figure(data, title, 480, "compare-timeline", hovermode="x unified", margin={"l": 60, "r": 15, "t": 50, "b": 130},
                   legend={"orientation": "h", "yanchor": "top", "y": -0.3, "xanchor": "left", "x": 0},
                   xaxis={"range": [0, horizon], "tickvals": years, "ticktext": [str(int(year_of(s))) for s in years],
                          "title": {"text": "year (one step = one quarter)"},
                          "unifiedhovertitle": {"text": "Quarter %{x}"}},
                   yaxis={"tickformat": ".0%", "title": {"text": "ASEAN mean alignment"}})


def state_difference_chart(states: pd.DataFrame, partners, title: str, negligible: float | None = None) -> dict:
    """B minus A per state and partner in points, with 95% intervals: one bar per partner in each
    state's row (``states``: state, partner, difference, lo, hi, reading, for one scenario); a
    negligible difference is pale."""
    data = []
    order = list(dict.fromkeys(states["state"]))
    for code in partners:
        rows = states[states["partner"] == code].set_index("state").loc[order]
        alpha = [0.3 if w == "negligible" else 1.0 for w in rows["reading"]]
        data.append({"type": "bar", "orientation": "h", "y": order, "x": _list(100 * rows["difference"]),
                     "name": partner_name(code), "legendgroup": code,
                     "marker": {"color": [_rgba(partner_color(code), a) for a in alpha]},
                     "error_x": {"type": "data", "symmetric": False,
                                 "array": _list(100 * (rows["hi"] - rows["difference"])),
                                 "arrayminus": _list(100 * (rows["difference"] - rows["lo"])), "color": "#444",
                                 "thickness": 1},
                     "customdata": [[lo, hi, w] for lo, hi, w in zip(_list(100 * rows["lo"]), _list(100 * rows["hi"]),
                                                                    rows["reading"])],
                     "hovertemplate": f"%{{y}}: {partner_name(code)} %{{x:+.1f}} points "
                                      "[%{customdata[0]:.1f}, %{customdata[1]:.1f}], %{customdata[2]}<extra></extra>"})
    band = [{**shape, "xref": "x", "yref": "paper", "x0": shape["y0"], "x1": shape["y1"], "y0": 0, "y1": 1}
            for shape in _negligible_band(negligible)]
    return _figure(data, title, 140 + 46 * len(order), "state-difference", barmode="group", shapes=band,
                   margin={"l": 90, "r": 15, "t": 50, "b": 40},
                   xaxis={"title": {"text": "difference (points)"}, "zeroline": True, "zerolinecolor": "black"},
                   yaxis={"autorange": "reversed"})
