"""Fit the shared preference weights, rationality and the unsourced partner
reliabilities to the ISEAS survey figures of one year.

The model answers the survey's questions (MODEL.md, "What the survey
measures") in that year's survey world (survey_2020: baseline_2020 with all
seven partners); the loss is the sum of squared errors in percentage points,
squared shortfalls of the ranking facts (Japan the most preferred third
partner, South Korea the least) and a pull toward the pre-calibration
judgements (docs/validation.md). Several optimizer starts; bootstrap
intervals (survey sampling error, new model replicates); correlations across
bootstrap fits; and a profile: can the targets still be met with one
parameter halved or doubled?

Writes fit_report.md, fit_report.png and fit.json under --out (default
results/calibration_YEAR). About a minute with the defaults.

Examples:
  run.py calibrate
  run.py calibrate --json --no-files
  run.py calibrate --free model.rationality,weights.security,world.rivalry --bootstrap 10
  run.py calibrate --targets my_targets.csv --year 2021
  run.py calibrate --set world.rivalry=0.8 --bootstrap 0
  run.py calibrate --write-defaults      # store the fit in sim/data/parameters.csv
  run.py calibrate --panel               # every in-sample figure: per country 2020-2023, ASEAN-wide 2020-2024
  run.py calibrate --panel --no-leans    # the same with structure alone (no per-state leans)
  run.py calibrate --panel --write-defaults
  run.py calibrate --panel --through 2021  # backtest: fit 2020-2021, answer 2022-2024, beside persistence

--panel fits the survey layer (model.survey_scale), the shared weights and
trust values it lists, each state's national lean (states.S.lean, shrunk
toward 0) and the sizes of the in-sample state events (shrunk toward their
judged sizes; --write-defaults writes them into their scenario files) to the
whole survey panel (sim/calibration/panel.py); about 30 s.
"""

from __future__ import annotations

from pathlib import Path

from sim.base.errors import InputError
from sim.base.files import check_output_dir
from sim.calibration import fitting, panel, panel_scores, report, write_back
from sim.calibration.objective import DEFAULT_FREE
from sim.calibration.questions import REPLICATES
from sim.commands.common import overrides, print_json, whole_number
from sim.reports.tables import format_table

HELP = "fit weights and rationality to the ISEAS survey; print the fit report (table, Markdown, PNG)"


def add_arguments(parser):
    parser.add_argument("--targets", type=Path, default=None, metavar="FILE",
                        help="survey targets CSV (default: sim/data/survey_targets.csv)")
    parser.add_argument("--year", default="2020", metavar="YEAR", help="survey year to fit (default 2020)")
    parser.add_argument("--free", default=None, metavar="NAME,...",
                        help="parameters to fit, comma-separated (default: " + ",".join(DEFAULT_FREE)
                        + ")")
    parser.add_argument("--bootstrap", default=str(fitting.BOOTSTRAP), metavar="B",
                        help=f"bootstrap refits for the intervals (default {fitting.BOOTSTRAP}; 0: none)")
    parser.add_argument("--starts", default=str(fitting.STARTS), metavar="S",
                        help=f"optimizer starts (default {fitting.STARTS})")
    parser.add_argument("--replicates", default=str(REPLICATES), metavar="R",
                        help=f"model runs per parameter set (default {REPLICATES})")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="sets",
                        help="hold another parameter at a value in every run (repeatable)")
    parser.add_argument("--no-profile", action="store_true", help="skip the halve/double identifiability refits")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="where to write the report (default: results/calibration_YEAR)")
    parser.add_argument("--no-files", action="store_true", help="write nothing, only print")
    parser.add_argument("--json", action="store_true",
                        help='print {"targets": [...], "parameters": {...}, "loss": l, ...} instead of the table')
    parser.add_argument("--panel", action="store_true",
                        help="fit the survey layer, national leans and in-sample event sizes to every in-sample "
                             "survey figure (per country 2020-2023, ASEAN-wide 2020-2024)")
    parser.add_argument("--no-leans", action="store_true",
                        help="with --panel: no per-state leans, state events at their judged sizes (structure alone)")
    parser.add_argument("--through", type=int, default=None, metavar="YEAR",
                        help="with --panel: fit only the figures up to YEAR and score the later ones against "
                             "persistence (a backtest)")
    parser.add_argument("--full-bootstrap", action="store_true",
                        help="with --panel: each bootstrap draw a whole refit (about 25 s a draw), not one "
                             "Gauss-Newton step from the fit")
    parser.add_argument("--write-defaults", action="store_true",
                        help="store the fitted values as the defaults in sim/data/parameters.csv")


def main(args) -> int:
    if args.panel:
        return panel_main(args)
    year = whole_number("--year", args.year, 0)
    free = None if args.free is None else [name.strip() for name in args.free.split(",")]
    out = None if args.no_files else args.out or Path("results") / f"calibration_{year}"
    if out is not None:
        check_output_dir(out, "--out")  # before a minute of fitting, not after
    result = fitting.calibrate(
        targets=args.targets, year=year, free=free, bootstrap=whole_number("--bootstrap", args.bootstrap, 0),
        starts=whole_number("--starts", args.starts, 1), replicates=whole_number("--replicates", args.replicates, 1),
        profile=not args.no_profile, overrides=overrides(args), progress=not args.json)
    files = {} if out is None else report.save(result, out, "--out")
    if args.write_defaults:
        files["parameters"] = write_back.write_defaults(result)
    if args.json:
        print_json(report.to_json(result) | {"files": {k: str(v) for k, v in files.items()}})
        return 0
    print(report.summary_text(result))
    if files:
        print("\nWrote " + ", ".join(str(v) for v in files.values()))
    return 0


def panel_main(args) -> int:
    """``calibrate --panel``: fit, print the per-state table and the scores, optionally store the fit;
    with ``--through``, a backtest of the later years."""
    through = panel.FIT_YEARS[-1] if args.through is None else args.through
    if args.write_defaults and through != panel.FIT_YEARS[-1]:
        raise InputError("--write-defaults", "--through", through, "no --through: a backtest is not shipped")
    fit = panel.fit_panel(leans=not args.no_leans, replicates=whole_number("--replicates", args.replicates, 1),
                          bootstrap=whole_number("--bootstrap", args.bootstrap, 0), through=through,
                          full_refits=args.full_bootstrap)
    files = write_back.write_panel_defaults(fit) if args.write_defaults else []
    fitted = fit.table[fit.table["year"] <= fit.through]
    scores = panel_scores.year_scores(fitted)
    backtest = panel_scores.backtest_scores(fit)
    if args.json:
        print_json({"parameters": fit.values, "loss": fit.cost, "leans": fit.leans, "through": fit.through,
                    "figures": fit.table.drop(columns="source").to_dict("records"),
                    "scores": scores.to_dict("records"), "backtest": backtest.to_dict("records"),
                    "files": [str(f) for f in files]})
        return 0
    print(f"Panel fit ({'with' if fit.leans else 'without'} national leans, figures through {fit.through}), "
          f"loss {fit.cost:.1f}:")
    print(format_table(fitted.drop(columns=["source", "respondents"]).round(1)))
    print("\nPer-state forced choice, model and persistence ('same as the last survey'):")
    print(format_table(scores.round(2)))
    if len(backtest):
        print(f"\nBacktest: the forced choice after {fit.through}, not fitted, beside persistence from {fit.through}:")
        print(format_table(backtest))
        print(f"mean abs. error: model {backtest['model_error'].abs().mean():.1f} pp, "
              f"persistence {backtest['persistence_error'].abs().mean():.1f} pp")
    print("\nFitted: " + ", ".join(f"{k} {v:.3g}" for k, v in fit.values.items()))
    if files:
        print("\nWrote " + ", ".join(map(str, files)))
    return 0
