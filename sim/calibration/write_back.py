"""Writing a fit back as the shipped defaults: parameters.csv rows, the bootstrap draws, event sizes in scenario files.

- `write_defaults`: a year fit (`sim.calibrate`) into sim/data/parameters.csv,
  with the command as source and the fit report's note.
- `write_panel_defaults`: the panel fit into parameters.csv, its bootstrap
  draws into sim/data/panel_bootstrap.csv, and each fitted event size into
  the scenario file that declares the event (`store_event_size`).

Every file is written to a temporary file and renamed (`sim.base.files.atomic_write`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from sim.base.errors import InputError
from sim.base.files import atomic_write
from sim.calibration import report
from sim.calibration.panel import FIT_YEARS, FITTED_EVENTS, FittedEvent, PanelFit
from sim.calibration.result import FitResult
from sim.running.uncertainty import draws_path
from sim.schema import parameters
from sim.schema.scenario import EVENT_SIZE, resolve
from sim.schema.survey_panel import SURVEY_SCENARIOS

PANEL_NOTE_PREFIX = "fit to the ISEAS survey panel"  # how every panel fit's note begins, whatever its years
PANEL_NOTE = f"{PANEL_NOTE_PREFIX} 2020-2023 (ASEAN-wide to 2024)"


def write_defaults(result: FitResult, path=None, digits: int = 3):
    """Store the fitted values as the defaults in the parameter table (rounded to
    ``digits`` significant figures), with the command as source and the fit as note.

    Returns the table's path; the file is replaced atomically.
    """
    return store_defaults(result.values, f"calibrated: {result.command}",
                          lambda key, _old: report.default_note(result, key), path, digits)


def store_defaults(values: dict, source: str, note, path=None, digits: int = 3) -> Path:
    """Write ``values`` into the parameter table (``digits`` significant figures) with
    ``source`` and ``note(key, old_note)``; the file is replaced atomically. Returns its path."""
    path = Path(path) if path is not None else Path(str(parameters.table_path()))
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    for key, value in values.items():
        rows = table["key"] == key
        table.loc[rows, "value"] = f"{value:.{digits}g}"
        table.loc[rows, "source"] = source
        table.loc[rows, "note"] = [note(key, old) for old in table.loc[rows, "note"]]
    atomic_write(path, lambda tmp: table.to_csv(tmp, index=False, lineterminator="\n"))
    parameters.clear_cache()
    return path


def write_panel_defaults(fit: PanelFit, digits: int = 3) -> list:
    """Store the fit as the defaults (sim/data/parameters.csv) and its bootstrap draws
    (sim/data/panel_bootstrap.csv); each file replaced atomically. Returns their paths."""
    if fit.through != FIT_YEARS[-1]:
        raise InputError("--write-defaults", "--through", fit.through,
                         f"a fit of every in-sample year (through {FIT_YEARS[-1]}); a backtest is not shipped")
    command = "run.py calibrate --panel" + ("" if fit.leans else " --no-leans")
    source = (f"calibrated: {command} (ISEAS 2020-2023 per country, 2020-2024 ASEAN-wide, and the 2020 "
              "third-party shares; docs/validation.md)")
    path = store_defaults(fit.values, source, lambda key, old: panel_note(old, fit.draws.get(key)), digits=digits)
    draws = draws_path()
    atomic_write(draws, lambda tmp: fit.draws.round(4).to_csv(tmp, index=False, lineterminator="\n"))
    events = [store_event_size(shared, fit.values[EVENT_SIZE + key], fit.draws.get(EVENT_SIZE + key), digits,
                               prior) for key, prior in FITTED_EVENTS.items() if EVENT_SIZE + key in fit.values
              for shared in (key, *prior.also)]
    return [path, draws, *dict.fromkeys(events)]


def event_file(key: str, year: int) -> Path:
    """The file of ``year``'s survey scenario, which declares the shift event on ``key`` (later years inherit it)."""
    path = resolve(SURVEY_SCENARIOS[year])
    if len(event_pattern(key).findall(path.read_text())) != 1:
        raise InputError(str(path), "events", key, "one shift event on this key")
    return path


def event_pattern(key: str) -> re.Pattern:
    return re.compile(r'(key = "' + re.escape(key) + r'"\nshift = )(\S+)( *#[^\n]*)?')


def store_event_size(key: str, size: float, draws: pd.Series | None, digits: int = 3,
                     prior: FittedEvent | None = None) -> Path:
    """Write a fitted event size into its scenario file (replaced atomically), with its prior and interval."""
    prior = prior or FITTED_EVENTS[key]
    path = event_file(key, prior.year)
    interval = "" if draws is None else f", 90% interval {draws.quantile(0.05):.2g} to {draws.quantile(0.95):.2g}"
    comment = (f"  # {PANEL_NOTE}{interval}; prior N({prior.judged:g}, {prior.sd:g}) "
               f"from the judged size: {prior.reason}")
    text = event_pattern(key).sub(lambda m: f"{m.group(1)}{size:.{digits}g}{comment}", path.read_text())
    atomic_write(path, lambda tmp: Path(tmp).write_text(text))
    return path


def panel_note(old: str, draws: pd.Series | None) -> str:
    """The note of a panel-fitted default: what the parameter means (kept from ``old`` unless it
    described an earlier fit), then the fit and its 90% bootstrap interval."""
    meaning = "" if old.startswith(("fit to ISEAS", PANEL_NOTE_PREFIX)) else old.split(f" ({PANEL_NOTE_PREFIX}")[0]
    fit = PANEL_NOTE if draws is None else (
        f"{PANEL_NOTE}; 90% bootstrap interval {draws.quantile(0.05):.3g} to {draws.quantile(0.95):.3g} "
        f"over {len(draws)} refits")
    return f"{meaning} ({fit})" if meaning else fit
