"""Check the calibrated model against every survey year, and put its forecasts of the held-out editions on record.

Each survey year is asked of a world built from events (outlook_2021 ...
outlook_2026: Biden's election, the EU's Indo-Pacific strategy, sharper
rivalry, North Korea's missiles, Korea's KASI, Japan's OSA, Second Thomas
Shoal, the Gaza war, ...); 2021-2024, whose ASEAN-wide figures are in-sample,
also take their own survey's region-wide trust, and 2025-2026 take none of
theirs (docs/validation.md). Prints each survey figure the
model answers next to the model's value, the direction of each change (up,
down or flat beyond the survey's sampling error) and whether the model
agrees, trust paths, two ablations of 2024, per-state answers of
baseline_2020 with the structural data behind them, and country by country
each survey figure beside the model's 90% interval over the panel fit's
bootstrap draws (parameter uncertainty) and replicates.

Writes validation.md, validation.png, countries.png and validation.json under --out
(default results/validation); --docs FILE replaces the generated block of a
Markdown file (docs/validation.md).

Examples:
  run.py validate
  run.py validate --json --no-files
  run.py validate --docs docs/validation.md --out docs/validation
"""

from __future__ import annotations

from pathlib import Path

from sim.base.files import check_output_dir, write_all, write_json
from sim.calibration import ledger, validation
from sim.calibration.questions import REPLICATES
from sim.commands.common import print_json, whole_number
from sim.reports.tables import format_table

HELP = "compare the model with every survey year, state by state, beside persistence; forecast held-out editions"


def add_arguments(parser):
    parser.add_argument("--replicates", default=str(REPLICATES), metavar="R",
                        help=f"model runs per survey world (default {REPLICATES})")
    parser.add_argument("--targets", type=Path, default=None, metavar="FILE",
                        help="survey targets CSV (default: sim/data/survey_targets.csv)")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="where to write validation.md/.png/.json (default results/validation)")
    parser.add_argument("--no-files", action="store_true", help="write nothing, only print")
    parser.add_argument("--docs", type=Path, default=None, metavar="FILE",
                        help="replace the generated block of this Markdown file (e.g. docs/validation.md)")
    parser.add_argument("--json", action="store_true", help="print every table as JSON")


def main(args) -> int:
    from sim.reports.plots import save_figure  # matplotlib loads only when a figure is written

    out = None if args.no_files else args.out or Path("results") / "validation"
    if out is not None:
        check_output_dir(out, "--out")  # before the runs, not after
    report = validation.validate(whole_number("--replicates", args.replicates, 1), args.targets)
    text = report.markdown()
    files = {}
    if args.docs is not None:
        files["docs"] = validation.update_docs(args.docs, text)
    if out is not None:
        names = {"markdown": "validation.md", "json": "validation.json", "png": "validation.png",
                 "countries_png": "countries.png"}
        written = write_all(out, {
            names["markdown"]: lambda path: path.write_text(text),
            names["json"]: lambda path: write_json(report.to_json(), path),
            names["png"]: lambda path: save_figure(report.figure(), path),
            names["countries_png"]: lambda path: save_figure(report.countries_figure(), path),
        }, "--out")
        files |= {key: written[name] for key, name in names.items()}
    if args.json:
        print_json(report.to_json() | {"files": {k: str(v) for k, v in files.items()}})
        return 0
    print("ASEAN-wide survey figures against the model (all in-sample: the panel fit's, 2020-2024):")
    print(format_table(report.levels.drop(columns=["respondents"]), digits=1))
    print("\nDirection of each change (flat: within the survey's 95% sampling error of a difference):")
    print(format_table(report.changes, digits=1))
    countries = report.countries
    print("\nCountry by country, forced choice (% US); model_5, model_95: 90% interval over the panel fit's "
          "bootstrap draws x replicates:")
    print(format_table(countries[["year", "state", "survey", "model", "model_5", "model_95", "in_interval",
                                  "persistence"]], digits=1))
    print(f"Survey figure inside the model's interval: {int(countries['in_interval'].sum())} of {len(countries)}")
    print("\nForecasts on record (the ledger, sim/data/forecast_ledger.csv): scores of those whose edition is "
          "in-sample, as first recorded (run.py forecast --ledger for every forecast on record):")
    print(format_table(ledger.score_new(), digits=1))
    print("\nThe current model's answers for the editions still held out (scored outside the project; "
          "persistence: the state's latest in-sample figure):")
    print(format_table(report.forecasts.drop(columns=["scenario", "digest"]), digits=1))
    print("\n2024 with one group of events left out:")
    print(format_table(report.ablations, digits=1))
    print("\nPer state, baseline_2020 (forced_us in percent; gap = U[US] - U[CN]):")
    columns = ["state", "forced_us_run_json", "forced_us_mean", "us_treaty_ally", "scs_claimant",
               "trade_share_CN", "trade_share_US", "gap_security", "gap_economy", "gap_history", "gap_total"]
    print(format_table(report.states[columns], digits=2))
    if files:
        print("\nWrote " + ", ".join(str(v) for v in files.values()))
    return 0
