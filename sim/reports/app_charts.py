"""The web app's charts, drawn from plain arrays of a running model.

Each function returns a matplotlib `Figure` made without pyplot: the app's
server draws from several threads, and pyplot's global figure list is neither
thread-safe nor freed unless closed. Colours are `sim.reports.plots.PARTNER_COLORS`,
the same as every other plot.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from sim.core.calendar import START_YEAR, year_of
from sim.reports import plots
from sim.schema.parameters import PARTNER_NAMES

FONT = 10


def _legend_name(code: str) -> str:
    return PARTNER_NAMES.get(code, code)


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    fig.set_dpi(100)
    return fig


def asean_timeline(asean: np.ndarray, partners, horizon: int, title: str) -> Figure:
    """ASEAN's mean alignment with each partner up to now.

    asean: [step, partner] for steps 0..now; the x axis always spans the whole
    horizon, so the lines grow across a fixed frame instead of rescaling.
    """
    fig = _figure(4.9, 3.3)
    ax = fig.add_subplot()
    years = year_of(np.arange(len(asean)))
    for k, code in enumerate(partners):
        ax.plot(years, asean[:, k], color=plots.PARTNER_COLORS.get(code), lw=2.4, label=_legend_name(code))
        ax.plot(years[-1:], asean[-1:, k], "o", color=plots.PARTNER_COLORS.get(code), ms=5)
    ax.set_xlim(START_YEAR, year_of(horizon))
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("year (one step = one quarter)", fontsize=FONT)
    ax.set_ylabel("ASEAN mean alignment", fontsize=FONT)
    ax.set_title(title, fontsize=FONT + 1, loc="left")
    ax.tick_params(labelsize=FONT - 1)
    ax.grid(alpha=0.3)
    ax.legend(ncol=len(partners), loc="upper center", bbox_to_anchor=(0.5, -0.22), frameon=False, fontsize=FONT - 1)
    return fig


def state_bars(alignment: np.ndarray, states, partners, title: str) -> Figure:
    """Each state's current alignment as a stacked bar (alignment [state, partner])."""
    fig = _figure(4.9, 3.9)
    ax = fig.add_subplot()
    rows = np.arange(len(states))
    left = np.zeros(len(states))
    for k, code in enumerate(partners):
        share = alignment[:, k]
        ax.barh(rows, share, left=left, color=plots.PARTNER_COLORS.get(code), label=_legend_name(code),
                edgecolor="white", linewidth=0.6)
        for row in rows[share >= 0.12]:  # label only segments wide enough to hold the text
            ax.text(left[row] + share[row] / 2, row, f"{share[row]:.0%}", ha="center", va="center",
                    fontsize=FONT - 2, color="white")
        left += share
    ax.set_yticks(rows, states, fontsize=FONT - 1)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.tick_params(axis="x", labelsize=FONT - 1)
    ax.set_xlabel("share of the state's alignment", fontsize=FONT)
    ax.set_title(title, fontsize=FONT + 1, loc="left")
    ax.legend(ncol=len(partners), loc="upper center", bbox_to_anchor=(0.5, -0.2), frameon=False, fontsize=FONT - 1)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig


def explain_chart(table) -> Figure:
    """The explain table as bars of each partner's utility terms (`sim.reports.plots.explain_bars`)."""
    fig = _figure(4.9, 1.3 + 0.45 * len(table))
    plots.explain_bars(table, ax=fig.add_subplot())
    ax = fig.axes[0]
    ax.set_title("")
    ax.set_xlabel("weighted utility terms; | marks the total score", fontsize=FONT - 1)
    ax.tick_params(labelsize=FONT - 1)
    ax.legend(ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.32), frameon=False, fontsize=FONT - 2)
    return fig
