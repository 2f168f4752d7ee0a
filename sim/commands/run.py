"""Simulate a scenario: print the final alignment of each state and write tables and plots.

Writes under --out: alignment/states/asean/world tables (tidy Parquet, one row
per step), final.csv, asean_alignment.png, states_alignment.png and
manifest.json (scenario, parameters, seed, version).

Examples:
  run.py run baseline_2020
  run.py run china_assertive --replicates 50 --seed 7
  run.py run baseline_2020 --set world.us_commitment=0.5 --set weights.peer=2
  run.py run baseline_2020 --json
"""

from __future__ import annotations

from pathlib import Path

from sim.commands.common import add_scenario_options, check_out, overrides, print_json
from sim.core.outputs import asean_summary
from sim.reports.tables import format_table
from sim.running import run as running

HELP = "simulate a scenario; print the alignment table and write Parquet, PNG and a manifest"


def add_arguments(parser):
    add_scenario_options(parser)
    parser.add_argument("--replicates", type=int, default=1, metavar="R",
                        help="independent runs, averaged in the table (default 1)")
    parser.add_argument("--engine", choices=running.ENGINES, default="ensemble",
                        help="vectorized ensemble (default) or the Mesa agent model; same results")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="where to write files (default: results/SCENARIO)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--no-files", action="store_true", help="write nothing, only print")


def main(args) -> int:
    check_out(args)
    result = running.run(args.scenario, steps=args.steps, seed=args.seed, replicates=args.replicates,
                     overrides=overrides(args), engine=args.engine)
    files = {}
    if not args.no_files:
        out = args.out if args.out is not None else Path("results") / result.scenario.name
        files = running.save(result, out, where="--out")
    if args.json:
        print_json(result.to_json() | {"files": {k: str(v) for k, v in files.items()}})
        return 0
    print_summary(result)
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
    led = ", ".join(f"{p} {n:g}" for p, n in summary["states_led"].items())
    print(f"\nASEAN cohesion {summary['cohesion']:.2f}; states led by: {led}")
    print("forced_us: the model's answer to the survey question 'if forced to align with the US or China'.")
