"""The Compare tab's words and tables, without Solara: each column's name (its scenario's title and
the sliders it changes), the tables in one unit (every measure in percent, as on the Run tab;
differences in points), negligible differences said as such, and whether a result is out of date."""

from __future__ import annotations

import pandas as pd

from sim.app.session import CONTROL_LABELS, column_scenario, picked, start_overrides
from sim.experiments import comparison as comparing
from sim.experiments.intervals import CLEAR, NEGLIGIBLE, NEGLIGIBLE_WORD, reading
from sim.reports.tables import interval_cell
from sim.schema import parameters
from sim.schema.scenario import Scenario

NEGLIGIBLE_CELL = "≈ 0"  # a difference whose whole interval lies within ±NEGLIGIBLE: shown as none
MEASURE_NAMES = {"ASEAN": "ASEAN-centred", "forced_us": "forced choice: US", "hedging": "hedging", "cohesion": "cohesion"}


def changes_text(name: str, values: dict) -> str:
    """The sliders a column changes from its scenario, as 'US commitment = 0.5, ASEAN unity = 0.9' ('' if none)."""
    changed = start_overrides(picked(name), values)
    return ", ".join(f"{CONTROL_LABELS.get(k, k)} = {v:g}" if isinstance(v, (int, float)) else
                     f"{CONTROL_LABELS.get(k, k)} = {v}" for k, v in changed.items())


def column_label(letter: str, name: str, values: dict) -> str:
    """A column's name in the tables and charts: 'B: US retrenchment, US-China rivalry = 0.9'."""
    changes = changes_text(name, values)
    return f"{letter}: {picked(name).title}" + (f", {changes}" if changes else "")


def column_scenarios(columns) -> list[Scenario]:
    """The compare columns ([(scenario name, slider values)] x 2) as scenarios named by `column_label`."""
    return [column_scenario(name, values, column_label(letter, name, values))
            for letter, (name, values) in zip("AB", columns)]


def measure_name(measure: str) -> str:
    """A measure as the tables head it: a partner's full name, else the words above; in percent."""
    return f"{MEASURE_NAMES.get(measure) or parameters.PARTNER_NAMES.get(measure, measure)} (%)"


def difference_cell(difference: float, lo: float, hi: float) -> str:
    """A difference in points with its interval and * when clear of zero; ``≈ 0`` when negligible."""
    word = reading(lo, hi).item()
    if word == NEGLIGIBLE_WORD:
        return NEGLIGIBLE_CELL
    return f"{100 * difference:+.1f} [{100 * lo:+.1f}, {100 * hi:+.1f}]" + (" *" if word == CLEAR else "")


def alignment_table(result: comparing.Comparison) -> pd.DataFrame:
    """Column x measure: each column's final mean [95% interval], every measure in percent."""
    frame = result.alignment.assign(cell=[interval_cell(r.mean, r.lo, r.hi, 100) for r in result.alignment.itertuples()])
    table = frame.pivot(index="scenario", columns="measure", values="cell")
    order = list(dict.fromkeys(frame["measure"]))
    return table.loc[list(result.labels), order].rename(columns=measure_name).rename_axis(index=None, columns=None)


def difference_table(result: comparing.Comparison) -> pd.DataFrame:
    """B minus A per measure, in points (`difference_cell`)."""
    frame = result.differences
    frame = frame.assign(cell=[difference_cell(r.difference, r.lo, r.hi) for r in frame.itertuples()])
    table = frame.pivot(index="scenario", columns="measure", values="cell")
    order = list(dict.fromkeys(frame["measure"]))
    return table[order].rename(columns=measure_name).rename_axis(index=None, columns=None)


def state_table(result: comparing.Comparison) -> pd.DataFrame:
    """State x partner: B minus A in points (`difference_cell`)."""
    frame = result.states[result.states["scenario"] == result.labels[1]]
    frame = frame.assign(cell=[difference_cell(r.difference, r.lo, r.hi) for r in frame.itertuples()])
    table = frame.pivot(index="state", columns="partner", values="cell")
    table = table.loc[list(dict.fromkeys(frame["state"])), list(dict.fromkeys(frame["partner"]))]
    return table.rename(columns=measure_name).rename_axis(index=None, columns=None)


def legend() -> str:
    """What the cells mean, in one line under the tables."""
    return (f"Differences are B minus A in points, with their 95% interval; * = clear of zero; {NEGLIGIBLE_CELL} = "
            f"negligible: the whole interval lies within ±{100 * NEGLIGIBLE:g} points of zero (a tenth of the "
            "survey's sampling error for one country), so no survey could tell it from no difference.")


def is_out_of_date(compared_columns, columns) -> bool:
    """Whether a result computed for ``compared_columns`` no longer matches the columns on screen."""
    return compared_columns is not None and [tuple(c) for c in compared_columns] != [tuple(c) for c in columns]
