"""Simulate a scenario: print the final alignment of each state and write tables and plots.

Writes under --out: alignment/states/asean/world tables (tidy Parquet, one row
per step), final.csv, asean_alignment.png, states_alignment.png and
manifest.json (scenario, parameters, seed, version).

With --parameter-uncertainty the model also runs once per bootstrap draw of the
panel fit (sim/data/panel_bootstrap.csv) and replicate, on common random
numbers, and prints each state's final alignment and forced_us as
"mean [5%, 95%]" over draws x replicates; intervals.csv holds the table
(with the 5%-95% range of each draw's mean, parameter uncertainty alone).

Examples:
  run.py run baseline_2020
  run.py run china_assertive --replicates 50 --seed 7
  run.py run baseline_2020 --set world.us_commitment=0.5 --set weights.peer=2
  run.py run baseline_2020 --json
  run.py run survey_2020 --parameter-uncertainty --replicates 8
"""

from __future__ import annotations

import sys
from pathlib import Path

from sim.base.errors import InputError
from sim.commands.common import (add_scenario_options, add_uncertainty_options, check_out, overrides, print_json,
                                 uncertainty_draws, uncertainty_workers)
from sim.core.equations import AUTONOMY
from sim.core.outputs import asean_summary
from sim.reports.tables import format_table
from sim.running import run as running
from sim.running import uncertainty

HELP = "simulate a scenario; print the alignment table and write Parquet, PNG and a manifest"


def add_arguments(parser):
    add_scenario_options(parser)
    parser.add_argument("--replicates", type=int, default=1, metavar="R",
                        help="independent runs, averaged in the table (default 1); "
                        "with --parameter-uncertainty, per draw")
    parser.add_argument("--engine", choices=running.ENGINES, default="ensemble",
                        help="vectorized ensemble (default) or the Mesa agent model; same results")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="where to write files (default: results/SCENARIO)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--no-files", action="store_true", help="write nothing, only print")
    add_uncertainty_options(parser)


def main(args) -> int:
    check_out(args)
    draws = uncertainty_draws(args)
    if draws is not None and args.engine != "ensemble":
        raise InputError("", "--engine", args.engine, "ensemble with --parameter-uncertainty (one batch of runs)")
    workers = 1 if draws is None else uncertainty_workers(args)
    result = running.run(args.scenario, steps=args.steps, seed=args.seed, replicates=args.replicates,
                         overrides=overrides(args), engine=args.engine)
    intervals = None
    if draws is not None:
        runs = uncertainty.draw_runs(result.scenario, draws, args.replicates, result.manifest["steps"],
                                     result.manifest["seed"], workers=workers,
                                     progress=sys.stderr.isatty() and not args.json)
        intervals = (uncertainty.intervals(runs), runs.manifest)
    files = {}
    if not args.no_files:
        out = args.out if args.out is not None else Path("results") / result.scenario.name
        files = running.save(result, out, where="--out", uncertainty=intervals)
    if args.json:
        extra = {} if intervals is None else {"parameter_uncertainty": intervals[1] | {
            "intervals": intervals[0].drop(columns=["draws"]).to_dict("records")}}
        print_json(result.to_json() | extra | {"files": {k: str(v) for k, v in files.items()}})
        return 0
    print_summary(result)
    if intervals is not None:
        print_intervals(*intervals)
    if files:
        print(f"\nWrote {len(files)} files to {files['manifest'].parent}/: "
              + ", ".join(p.name for p in files.values()))
    return 0


def print_summary(result) -> None:
    manifest = result.manifest
    partners = list(result.trajectory.partners)
    print(f"{result.scenario.title} ({result.scenario.name}): {manifest['steps']} quarters, "
          f"seed {manifest['seed']}, {manifest['replicates']} replicate(s), engine {manifest['engine']}\n")
    print("Final alignment (share of each state's alignment per partner):")
    print(format_table(result.final, percent_columns=[*partners, "forced_us"]))
    summary = asean_summary(result.trajectory)
    led = ", ".join(f"{p} {n:.3g}" for p, n in summary["states_led"].items())
    print(f"\nASEAN cohesion {summary['cohesion']:.2f}; states led by: {led}")
    print("forced_us: the model's answer to the survey question 'if forced to align with the US or China'.")
    pooled_us = result.forced_us_pooled()
    if pooled_us is not None:
        print(f"ASEAN-wide as the survey pools its respondents (states weighted by their share of them): "
              f"{100 * pooled_us:.1f}% US; the ASEAN row weights states equally.")
    if AUTONOMY in partners:
        print("ASEAN column: the share each state keeps ASEAN-centred (autonomy); leading: the outside power "
              "with the largest share.")


def print_intervals(frame, manifest: dict) -> None:
    """The alignment table with intervals over parameter draws x replicates."""
    print(f"\nWith parameter uncertainty (percent): mean [5%, 95%] over {manifest['draw_count']} parameter draws "
          f"({manifest['draws']}) x {manifest['replicates_per_draw']} replicate(s) = {frame['runs'].iloc[0]} runs:")
    print(uncertainty.interval_table(frame).to_string())
    if manifest["held_at_scenario_value"]:
        print("Held at the scenario's value (set by the scenario or --set): "
              + ", ".join(manifest["held_at_scenario_value"]))
