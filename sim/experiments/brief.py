"""The comparison as a reader of a brief gets it: three findings in words, the Markdown report, the files.

    >>> import sim
    >>> from sim.experiments import brief
    >>> c = sim.compare(["baseline_2020", "us_retrenchment"], replicates=200)
    >>> brief.findings(c, "us_retrenchment")   # three sentences, with numbers and intervals from the tables
    >>> brief.save(c, "results/cmp")          # CSV tables, figures, report.md, manifest.json

Every finding is computed from the comparison's tables (`sim.experiments.comparison`), and every number
in it is written as the tables write it (`interval_cell`: points, one decimal), so a reader can find it
there. A difference is "negligible", "clear of zero" or "not clear of zero" as
`sim.experiments.intervals.reading` says.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from sim.base.files import write_all, write_json
from sim.core.calendar import year_of
from sim.experiments.comparison import (Comparison, alignment_table, difference_table, driver_table,
                                        interval_legend, plain, state_table, unsigned_zero)
from sim.experiments.difference import ASEAN_ROW, shown_inputs
from sim.experiments.intervals import CLEAR, NEGLIGIBLE, NEGLIGIBLE_WORD, reading
from sim.reports.html import write_html
from sim.reports.tables import interval_cell, markdown_table

FIGURE_NAME = "alignment_over_time.png"
ALL_STATES = "all states"  # the dot plot's last row: the ASEAN-wide measures (states weighted equally)
FORCED_SERIES = "forced_us"


def findings(comparison: Comparison, label: str) -> list[str]:
    """Three sentences on ``label`` against the first scenario: the largest per-state move, the state whose
    forced choice moves most, and the main driver (or, without drivers, the ASEAN-wide forced choice)."""
    sentences = [_largest_move(comparison, label), _forced_choice(comparison, label), _main_driver(comparison, label)]
    return [unsigned_zero(sentence) for sentence in sentences]


def _cell(row) -> str:
    """A difference as the tables show it, with its reading in words."""
    return f"{interval_cell(row.difference, row.lo, row.hi, 100)} points ({reading(row.lo, row.hi).item()})"


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _largest_move(comparison: Comparison, label: str) -> str:
    rows = comparison.states.query("scenario == @label")
    counts = rows["reading"].value_counts()
    top = rows.loc[rows["difference"].abs().idxmax()]
    return (f"Of {len(rows)} state-partner shares, {counts.get(CLEAR, 0)} move clear of zero and "
            f"{counts.get(NEGLIGIBLE_WORD, 0)} are negligible; the largest move is {_possessive(top.state)} "
            f"alignment with {top.partner}, {_cell(top)}.")


def _forced_choice(comparison: Comparison, label: str) -> str:
    asean = comparison.differences.query("scenario == @label and measure == 'forced_us'").iloc[0]
    whole = f"for ASEAN as a whole (states weighted equally) it moves {_cell(asean)}"
    if comparison.drivers is None:
        return f"In the forced choice between the US and China, {whole}."
    states = comparison.drivers.query("scenario == @label and state != @ASEAN_ROW")
    most = states.loc[states["difference"].abs().idxmax()]
    least = states.loc[states["difference"].abs().idxmin()]
    at_defaults = (" (per state at the default parameters, 95% bootstrap intervals)"
                   if "parameter_uncertainty" in comparison.manifest else "")  # the drivers' runs, not the draws
    return (f"The share answering US in the forced choice between the US and China moves most in {most.state}, "
            f"{_cell(most)}, and least in {least.state}, {interval_cell(least.difference, least.lo, least.hi, 100)}"
            f"{at_defaults}; {whole}.")


def _main_driver(comparison: Comparison, label: str) -> str:
    if comparison.drivers is None:
        rows = comparison.differences.query("scenario == @label and measure != 'forced_us'")
        top = rows.loc[rows["difference"].abs().idxmax()]
        return f"Of the ASEAN-wide measures, {top.measure} moves most: {_cell(top)}."
    rows = comparison.drivers.query("scenario == @label")
    inputs = shown_inputs(rows.set_index("state"))
    asean = rows.set_index("state").loc[ASEAN_ROW]
    main = inputs.loc[ASEAN_ROW]
    if not main:
        return "No input that differs between the two moves the forced choice by 0.05 points or more."
    states = inputs.drop(ASEAN_ROW)
    terms = rows[rows["state"] != ASEAN_ROW]["term"].dropna().value_counts()
    through = (f"; the utility term moving the US-over-China gap most is {terms.index[0]} in {terms.iloc[0]} of "
               f"{len(states)} states" if len(terms) else "")
    at_defaults = " at the default parameters" if "parameter_uncertainty" in comparison.manifest else ""
    return (f"The main driver is {main}: it contributes {100 * asean.contribution:.1f} of the ASEAN forced "
            f"choice's {100 * asean.difference:.1f} points{at_defaults} and is "
            f"the main input in {int((states == main).sum())} of {len(states)} states{through}.")


def figure(comparison: Comparison):
    """One panel per partner, all on one y-axis in percent: ASEAN mean alignment over time, a line and band
    per scenario (so a 0.1-point change looks like one); the legend in the spare panel; sized for a page."""
    from matplotlib.ticker import MaxNLocator  # matplotlib loads only when the figure is drawn

    from sim.reports.plots import PAGE_SIZE, plt  # pyplot on the headless backend, loaded only when drawn

    frame = comparison.over_time
    partners = list(dict.fromkeys(frame["partner"]))
    columns = min(3, len(partners))
    rows = -(-(len(partners) + 1) // columns)  # one spare cell for the legend
    fig, axes = plt.subplots(rows, columns, figsize=(PAGE_SIZE[0], 1.9 * rows + 0.6), sharex=True, sharey=True,
                             squeeze=False, layout="constrained")
    colors = plt.get_cmap("tab10").colors
    for ax, partner in zip(axes.flat, partners):
        for i, label in enumerate(comparison.labels):
            part = frame[(frame["scenario"] == label) & (frame["partner"] == partner)]
            years = year_of(part["step"])
            ax.plot(years, 100 * part["mean"], color=colors[i % 10], lw=1.5, label=label)
            ax.fill_between(years, 100 * part["lo"], 100 * part["hi"], color=colors[i % 10], alpha=0.2, lw=0)
        ax.set_title("ASEAN-centred" if partner == "ASEAN" else partner, fontsize=9)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
        ax.tick_params(labelsize=8, labelbottom=True)  # years under a panel above the spare cell too
        ax.grid(alpha=0.3)
    spare = list(axes.flat)[len(partners):]
    for ax in spare:
        ax.set_axis_off()
    spare[0].legend(*axes.flat[0].get_legend_handles_labels(), loc="center", frameon=False, fontsize=8,
                    title=f"bands: {comparison.manifest['band']}", title_fontsize=7)
    fig.supylabel("mean ASEAN alignment (%)", fontsize=9)
    fig.supxlabel("year", fontsize=9)
    fig.suptitle("ASEAN alignment with each partner over time", fontsize=10)
    return fig


def dot_frame(comparison: Comparison, label: str) -> pd.DataFrame:
    """row, series, difference, lo, hi (points) for ``label``'s dot plot: per state each partner's share
    and (with drivers) the forced choice, then the ASEAN-wide row."""
    columns = ["row", "series", "difference", "lo", "hi"]
    shares = comparison.states.query("scenario == @label").rename(columns={"state": "row", "partner": "series"})
    frames = [shares[columns]]
    if comparison.drivers is not None:
        forced = comparison.drivers.query("scenario == @label and state != @ASEAN_ROW")
        frames.append(forced.rename(columns={"state": "row"}).assign(series=FORCED_SERIES)[columns])
    partners = list(dict.fromkeys(shares["series"]))
    shown = [*partners, FORCED_SERIES]
    asean = comparison.differences.query("scenario == @label and measure in @shown")
    frames.append(asean.rename(columns={"measure": "series"}).assign(row=ALL_STATES)[columns])
    frame = pd.concat(frames, ignore_index=True)
    frame[["difference", "lo", "hi"]] *= 100
    order = {name: i for i, name in enumerate(shown)}
    return frame.sort_values("series", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)


def dot_plot(comparison: Comparison, label: str):
    """Per state, ``label``'s difference from the first scenario on one axis in points: each partner's
    share and the forced choice, whiskers its interval, the negligible band shaded (a page figure)."""
    from sim.reports.plots import difference_dots  # matplotlib loads only when the figure is drawn

    m = comparison.manifest
    return difference_dots(dot_frame(comparison, label), 100 * NEGLIGIBLE,
                           f"{label} minus {comparison.labels[0]}, per state",
                           f"whiskers: {m['brackets']}, {m['runs_note']}",
                           {"ASEAN": "ASEAN-centred", FORCED_SERIES: "forced: US"})


def dot_plot_name(comparison: Comparison, label: str) -> str:
    """The dot plot's file name: one per scenario after the first, named by its label."""
    return "state_differences_" + re.sub(r"[^\w.-]+", "-", label) + ".png"


def _changes_section(comparison: Comparison) -> list[str]:
    """"What each scenario changed" as Markdown lines: its starting values and events that differ from the first."""
    changes = comparison.manifest.get("changes") or {}
    lines = [f"## What each scenario changed from {comparison.labels[0]}", ""] if changes else []
    for label, found in changes.items():
        lines.append(f"- {label}: " + ("nothing (the same world)" if not found else
                                       "; ".join(f"{c['input']}: {c['a']} -> {c['b']}" for c in found)))
    return lines + [""] if lines else []


def _findings_section(comparison: Comparison, key: str) -> list[str]:
    first = comparison.labels[0]
    lines = ["## Findings", ""]
    for label in comparison.labels[1:]:
        if len(comparison.labels) > 2:
            lines += [f"{label} minus {first}:", ""]
        lines += [f"{i}. {sentence}" for i, sentence in enumerate(findings(comparison, label), 1)] + [""]
        lines += [f"![{label} minus {first}, per state]({dot_plot_name(comparison, label)})", "",
                  f"Dots: {label} minus {first} per state, in points (each partner's share of final alignment, "
                  f"and the share answering US in the forced choice); whiskers: the interval, as in the legend "
                  f"below; shaded: negligible, within ±{100 * NEGLIGIBLE:g} points.", ""]
    return lines + [key, ""]


def report(comparison: Comparison, figure_name: str = FIGURE_NAME) -> str:
    """A Markdown report (findings, tables, the main driver of each state, figure) ready to paste into a
    brief: no bold, no "-0.0", and the interval legend under every table or list with intervals."""
    m = comparison.manifest
    first = comparison.labels[0]
    key = interval_legend(comparison)
    parts = [f"# Scenario comparison: {', '.join(comparison.labels)}", "",
             f"{m['runs_note']}, {m['steps']} quarters, seed {m['seed']}, version {m['version']}. Every scenario "
             f"draws the same random numbers ({m['random_numbers'].removeprefix('common: ')}), so differences are "
             "paired run by run.", "", *_findings_section(comparison, key), *_changes_section(comparison),
             "## Final ASEAN alignment (percent; forced_us: share answering US; hedging, cohesion: index x 100)", "",
             markdown_table(alignment_table(comparison)), "", key, "",
             f"## Difference from {first} (percentage points)", "",
             markdown_table(plain(difference_table(comparison))), "", key, ""]
    for label in comparison.labels[1:]:
        counts = comparison.states.query("scenario == @label")["reading"].value_counts()
        if comparison.drivers is not None:
            parts += [f"## Forced choice per state: {label} minus {first} (points) and its main driver", "",
                      markdown_table(driver_table(comparison, label), disable_numparse=True), "", key, "",
                      *[f"- {s}" for s in comparison.drivers.query("scenario == @label")["sentence"]], ""]
        parts += [f"## Per-state alignment: {label} minus {first} (points; {counts.get(CLEAR, 0)} cells clear of "
                  f"zero, {counts.get(NEGLIGIBLE_WORD, 0)} negligible)", "",
                  markdown_table(plain(state_table(comparison, label))), "", key, ""]
    parts += [f"![ASEAN alignment over time]({figure_name})", ""]
    return unsigned_zero("\n".join(parts))


def save(comparison: Comparison, out_dir: Path | str, where: str = "out_dir") -> dict[str, Path]:
    """Write the tables (CSV), the figures (PNG: over time, and a per-state dot plot per scenario after the
    first, keyed "dots LABEL"), report.md, report.html (the same, self-contained: figures embedded) and
    manifest.json under ``out_dir``.

    All files or none (`sim.base.files.write_all`); ``where`` names ``out_dir`` in errors (the CLI says --out).
    """
    from sim.reports.plots import PAGE_DPI, save_figure  # matplotlib loads only when the figure is written

    files = {name: (f"{name}.csv", lambda path, frame=getattr(comparison, name): frame.to_csv(path, index=False))
             for name in ("alignment", "differences", "states")}
    files["figure"] = (FIGURE_NAME, lambda path: save_figure(figure(comparison), path, dpi=PAGE_DPI, tight=False))
    for label in comparison.labels[1:]:
        files[f"dots {label}"] = (dot_plot_name(comparison, label), lambda path, label=label: save_figure(
            dot_plot(comparison, label), path, dpi=PAGE_DPI, tight=False))
    files["report"] = ("report.md", lambda path: path.write_text(report(comparison, FIGURE_NAME)))
    title = f"Scenario comparison: {', '.join(comparison.labels)}"  # the HTML reads the staged PNGs beside it
    files["html"] = ("report.html", lambda path: write_html(path.parent / "report.md", path, title))
    names = {key: name for key, (name, _) in files.items()}
    files["manifest"] = ("manifest.json", lambda path: write_json(comparison.manifest | {"files": names}, path))
    written = write_all(out_dir, dict(files.values()), where)
    return {key: written[name] for key, (name, _) in files.items()}

