"""Figures (matplotlib, headless). Each function returns a Figure; `save_figure` writes it atomically.

The colours every figure, table and the web app share live in `sim.reports.colors`.
Importing this module loads matplotlib.pyplot (about 0.7 s), so callers import it inside the
function that draws.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.base.files import atomic_write  # noqa: E402
from sim.core.equations import TERMS  # noqa: E402
from sim.reports.colors import PARTNER_COLORS, TERM_COLORS, partner_color  # noqa: E402, F401 (PARTNER_COLORS: shared)

PAGE_SIZE = (6.5, 4.0)  # inches: the text width of a letter or A4 page with 1-inch margins
PAGE_DPI = 150  # judgement: sharp when printed at that width, under 100 kB as a PNG


def save_figure(fig, path: Path | str, dpi: int = 120, tight: bool = True) -> Path:
    """Write ``fig`` as a PNG atomically; ``tight=False`` keeps the figure's own size (a page figure)."""
    options = {"bbox_inches": "tight"} if tight else {}
    path = atomic_write(Path(path), lambda tmp: fig.savefig(tmp, dpi=dpi, format="png", **options))
    plt.close(fig)
    return path


def difference_dots(frame: pd.DataFrame, negligible: float, title: str, note: str = "", names: dict | None = None):
    """A dot plot on one axis: a row per ``frame["row"]`` (top to bottom, in order), a dot per series
    (``frame["series"]``: a partner code gets its colour, any other name an open grey diamond) at
    ``difference`` with whiskers from ``lo`` to ``hi``, all in percentage points; the band within
    ±``negligible`` points is shaded. Sized for a page (`PAGE_SIZE`); ``note`` (what the whiskers are)
    goes under the axis label, so the figure carries its legend when pasted alone; ``names`` renames
    series in the legend."""
    rows = list(dict.fromkeys(frame["row"]))
    series = list(dict.fromkeys(frame["series"]))
    fig, ax = plt.subplots(figsize=PAGE_SIZE, layout="constrained")
    ax.axvspan(-negligible, negligible, color="0.85", lw=0, label=f"negligible (±{negligible:g})")
    ax.axvline(0, color="0.4", lw=0.8)
    offsets = np.linspace(-0.3, 0.3, len(series)) if len(series) > 1 else [0.0]
    for offset, name in zip(offsets, series):
        part = frame[frame["series"] == name].set_index("row").reindex(rows)
        known = name in PARTNER_COLORS
        ax.errorbar(part["difference"], np.arange(len(rows)) + offset,
                    xerr=[part["difference"] - part["lo"], part["hi"] - part["difference"]],
                    fmt="o" if known else "D", ms=4 if known else 4.5, lw=1, capsize=0,
                    label=(names or {}).get(name, name),
                    color=partner_color(name) if known else "0.45", mfc=None if known else "white")
    for boundary in np.arange(len(rows) - 1) + 0.5:
        ax.axhline(boundary, color="0.9", lw=0.6, zorder=0)
    ax.set_yticks(range(len(rows)), rows)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlabel("difference (percentage points)" + (f"\n{note}" if note else ""), fontsize=8)
    ax.set_title(title, fontsize=10)
    ax.tick_params(labelsize=8)
    ax.grid(axis="x", alpha=0.3)
    fig.legend(loc="outside right center", frameon=False, fontsize=8)
    return fig


def asean_over_time(result):
    """ASEAN mean alignment per partner over time (band: 5-95% over replicates)."""
    frame = result.asean
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    for partner, group in frame.groupby("partner", sort=False):
        stats = group.groupby("step")["alignment"].agg(["mean", lambda s: s.quantile(0.05),
                                                        lambda s: s.quantile(0.95)])
        stats.columns = ["mean", "lo", "hi"]
        color = partner_color(partner)
        ax.plot(stats.index, stats["mean"], label=partner, color=color, lw=2)
        if frame["run"].nunique() > 1:
            ax.fill_between(stats.index, stats["lo"], stats["hi"], color=color, alpha=0.15)
    band = " (bands: 5-95% of replicates)" if frame["run"].nunique() > 1 else ""
    ax.set(xlabel="quarter (step)", ylabel="mean alignment across ASEAN", ylim=(0, None),
           title=f"ASEAN alignment: {result.scenario.title}{band}")
    ax.legend(ncol=len(frame["partner"].unique()), loc="upper center", bbox_to_anchor=(0.5, -0.15), frameon=False)
    ax.grid(alpha=0.3)
    return fig


def states_small_multiples(result):
    """One panel per state: its alignment with each partner over time (mean over replicates)."""
    frame = result.alignment.groupby(["state", "partner", "step"], sort=False)["alignment"].mean().reset_index()
    states = list(result.trajectory.states)
    cols = 5
    rows = -(-len(states) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.0 * cols, 2.4 * rows), sharex=True, sharey=True, squeeze=False)
    for ax, state in zip(axes.flat, states):
        for partner, group in frame[frame["state"] == state].groupby("partner", sort=False):
            ax.plot(group["step"], group["alignment"], color=partner_color(partner), label=partner, lw=1.8)
        ax.set_title(state, fontsize=10)
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(states):]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.suptitle(f"Alignment by state: {result.scenario.title}", y=1.07)
    fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 1.03), ncol=len(labels), frameon=False)
    fig.supxlabel("quarter (step)")
    return fig


def explain_bars(table: pd.DataFrame, ax=None):
    """Each partner's utility split into its weighted terms (the 'why' view).

    Draws on ``ax`` when given (the web app passes an Axes of a pyplot-free Figure).
    """
    terms = [t for t in TERMS if t in table]
    if ax is None:
        fig, ax = plt.subplots(figsize=(7.5, 0.8 + 0.7 * len(table)))
    fig = ax.figure
    left_pos = pd.Series(0.0, index=table.index)
    left_neg = pd.Series(0.0, index=table.index)
    for term in terms:
        values = table[term]
        left = left_pos.where(values >= 0, left_neg)
        ax.barh(table.index, values, left=left, color=TERM_COLORS[term], label=term)
        left_pos += values.clip(lower=0)
        left_neg += values.clip(upper=0)
    ax.scatter(table["utility"], table.index, color="black", zorder=3, marker="|", s=300, label="utility (sum)")
    ax.axvline(0, color="black", lw=0.8)
    ax.invert_yaxis()
    attrs = table.attrs
    ax.set(xlabel="weighted utility term",
           title=f"Why {attrs.get('state', '')} leans as it does "
                 f"(step {attrs.get('step', '')}, {attrs.get('scenario', '')})")
    ax.legend(ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.25), frameon=False)
    for y, (partner, row) in enumerate(table.iterrows()):
        ax.annotate(f"{row['alignment']:.0%}", (1.0, y), xycoords=("axes fraction", "data"),
                    xytext=(6, 0), textcoords="offset points", va="center", fontsize=9)
    return fig


def heatmaps(grids: dict, title: str, value_label: str, digits: int = 2):
    """One heatmap per entry of ``grids`` ({panel title: DataFrame rows x columns}), stacked, sharing
    the columns and one colour scale (a colour bar to the right, clear of every cell); each cell
    shows its value."""
    panels = list(grids.items())
    heights = [max(len(frame), 1) for _, frame in panels]
    columns = list(panels[0][1].columns)
    width = 2.8 + 1.25 * len(columns)
    fig, axes = plt.subplots(len(panels), 1, figsize=(width, 1.0 + 0.32 * sum(heights) + 0.5 * len(panels)),
                             squeeze=False, gridspec_kw={"height_ratios": heights})
    top = max(float(np.nanmax(np.abs(frame.to_numpy(dtype=float)))) for _, frame in panels) or 1.0
    image = None
    for ax, (name, frame) in zip(axes[:, 0], panels):
        values = frame.to_numpy(dtype=float)
        image = ax.imshow(values, cmap="viridis", vmin=0, vmax=top, aspect="auto")
        ax.set_yticks(range(len(frame)), frame.index)
        ax.set_xticks(range(len(columns)), columns if ax is axes[-1, 0] else [""] * len(columns),
                      rotation=30, ha="right")
        ax.set_title(name, fontsize=10, loc="left")
        for (i, j), value in np.ndenumerate(values):
            if np.isfinite(value):
                ax.text(j, i, f"{value:.{digits}f}", ha="center", va="center", fontsize=8,
                        color="white" if value < 0.6 * top else "black")
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    fig.colorbar(image, ax=axes[:, 0].tolist(), label=value_label, fraction=0.04, pad=0.02)
    return fig
