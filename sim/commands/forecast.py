"""Rolling-origin forecasts of each state's forced choice, their backtests and the forecast ledger.

The model's world of each edition (`SURVEY_SCENARIOS`) gives the structure; a statistical layer
fitted to every in-sample edition up to the origin carries what the structure leaves: leans shrunk
toward zero, shocks that fade at an estimated rate, each state's own share of a shared shock
(`sim.calibration.forecast`). Prints the forecasts beside persistence, the mean of past editions
and a statistical baseline; --backtest scores every origin 2020-2023 on the later in-sample
editions; the ledger (`sim/data/forecast_ledger.csv`) keeps every forecast on record with its
digest, and its scores once an edition is in-sample. --record puts this forecast on record
(refused if one of that name with other figures is already there: a record is never rewritten).

Examples:
  run.py forecast                         # 2025 and 2026 from data through 2024
  run.py forecast --backtest              # every origin 2020-2023, scored beside the naive forecasts
  run.py forecast --ledger                # the forecasts on record and their scores
"""

from __future__ import annotations

import pandas as pd

from sim.calibration import forecast, ledger
from sim.calibration.questions import REPLICATES
from sim.commands.common import print_json, whole_number
from sim.reports.tables import format_table
from sim.schema.scenario import load

HELP = "forecast held-out editions per state, backtest every origin, keep the forecast ledger"
TARGETS = (2025, 2026)


def add_arguments(parser):
    parser.add_argument("--replicates", default=str(REPLICATES), metavar="R",
                        help=f"model runs per survey world (default {REPLICATES})")
    parser.add_argument("--backtest", action="store_true", help="score every origin 2020-2023 on later editions")
    parser.add_argument("--ledger", action="store_true", help="print the forecasts on record and their scores")
    parser.add_argument("--record", metavar="DATE", default=None,
                        help="put the 2025 and 2026 forecasts on record in sim/data/forecast_ledger.csv, dated DATE")
    parser.add_argument("--json", action="store_true", help="print every table as JSON")


def main(args) -> int:
    replicates = whole_number("--replicates", args.replicates, 1)
    if args.ledger:
        still_open = ledger.open_forecasts(ledger.read())
        if not args.json:  # the inputs of each forecast are long: in --json and the CSV
            still_open = still_open.drop(columns=["recorded"])
        return _show({"scores": ledger.score_new(), "open": still_open}, args.json)
    if args.backtest:
        return _show({"backtests": forecast.backtests(replicates=replicates)}, args.json)
    origin = forecast.EDITIONS[-1]
    table, layers = forecast.forecast(origin, TARGETS, replicates)
    pooled = forecast.asean_wide(table, origin)
    if args.record:
        for edition in TARGETS:
            inputs = f"{args.record}; scenario outlook_{edition} digest {load(f'outlook_{edition}').digest()}; " + \
                ", ".join(f"{k} {v:.3g}" for k, v in layers["model"].items())
            ledger.record(f"outlook_{edition}_from_{origin}", table[table["edition"] == edition], inputs)
            ledger.record(f"outlook_{edition}_asean_from_{origin}", pooled[pooled["edition"] == edition],
                          inputs + "; ASEAN-wide: the states pooled, interval from the states' bounds")
    table = pd.concat([table, pooled], ignore_index=True)
    shown = table[["edition", "state", *forecast.METHODS, "low", "high", "structure"]]
    layer = pd.DataFrame(layers).T.rename_axis("layer").reset_index()
    return _show({"forecasts": shown, "layer": layer}, args.json)


def _show(tables: dict, as_json: bool) -> int:
    if as_json:
        print_json({name: table.to_dict(orient="records") for name, table in tables.items()})
        return 0
    for name, table in tables.items():
        print(f"\n{name}")
        print(format_table(table.round(2)))
    return 0
