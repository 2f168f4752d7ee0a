"""Global sensitivity of an outcome to the varied parameters: SALib's Sobol' or Morris indices.

Sobol': S1 (the share of the outcome's variance due to the parameter alone) and
ST (including its interactions), with 95% confidence intervals; Morris: mu*
(mean absolute elementary effect) and sigma (nonlinearity and interactions).
The runs are a resumable sweep written to --out (see `run.py sweep --help`);
each parameter set's outcome is its mean over --replicates.

--outcome is repeatable and takes patterns: --outcome 'forced_us_*' (every
state's forced choice) --outcome '*_US' (every state's US share) analyses them all
from one sweep, and draws one state x assumption heatmap. With --against SCENARIO
each outcome is the paired difference from the same run in SCENARIO: which
assumptions the *effect* is sensitive to.

Writes under --out: the sweep's files, and for one outcome
sensitivity_METHOD_OUTCOME.csv and .png (bars), for several sensitivity_METHOD.csv
and sensitivity_METHOD_heatmap.png.

Examples:
  run.py sensitivity baseline_2020 --vary world.us_commitment=0.5:1.5 --vary weights.peer=0:3 \\
      --vary world.rivalry=0.3:1 --outcome asean_US
  run.py sensitivity baseline_2020 --vary world.us_commitment=0.5:1.5 --vary weights.peer=0:3 \\
      --method morris --outcome led_CN --workers 2
  run.py sensitivity us_retrenchment --against baseline_2020 --vary weights.security=0.5:1.5 \\
      --vary world.rivalry=0.3:1 --method morris --outcome 'forced_us_*' --outcome forced_us
"""

from __future__ import annotations

from pathlib import Path

from sim.commands.common import add_scenario_options, overrides
from sim.commands.compare import file_stem
from sim.commands.sweep import add_against_option, add_run_options, add_vary_option, print_notes
from sim.experiments import sensitivity_analysis as analysis

HELP = "SALib Sobol' (S1, ST) or Morris (mu*, sigma) indices of an outcome; a table and a bar chart"


def add_arguments(parser):
    add_scenario_options(parser)
    add_vary_option(parser)
    parser.add_argument("--method", choices=analysis.METHODS, default="sobol", help="default sobol")
    parser.add_argument("--outcome", action="append", default=None, metavar="NAME",
                        help="a numeric per-run outcome or a pattern (repeatable): asean_US, cohesion, forced_us, "
                        "led_CN, Vietnam_US, forced_us_Vietnam, 'forced_us_*', '*_US' (default asean_US)")
    parser.add_argument("--samples", type=int, default=None, metavar="N",
                        help="SALib's N: N(D+2) sets for sobol (a power of two, default 64), N(D+1) for morris "
                        "(default 20)")
    add_run_options(parser, replicates=1)
    add_against_option(parser)
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="the sweep's directory (default results/sensitivity_SCENARIO[_vs_AGAINST]_METHOD)")
    parser.add_argument("--force", action="store_true", help="replace a different sweep already in DIR")


def main(args) -> int:
    against = f"_vs_{file_stem(args.against)}" if args.against else ""  # a variant keeps its value (.75)
    out = args.out or Path("results") / f"sensitivity_{file_stem(args.scenario)}{against}_{args.method}"
    result = analysis.sensitivity(args.scenario, args.vary, args.method, args.outcome or "asean_US", args.samples,
                                  args.replicates, args.seed, args.steps, out, args.workers, args.scheduler,
                                  args.force, overrides(args), progress=args.progress, against=args.against)
    print_notes(result.sweep)
    manifest = result.sweep.manifest
    what = ", ".join(result.outcomes) if len(result.outcomes) <= 4 else f"{len(result.outcomes)} outcomes"
    effect = "" if result.effect is None else f" (the effect: {result.effect}, paired run by run)"
    print(f"{result.method} indices of {what}{effect} in {manifest['scenario']}: {manifest['n_variations']} "
          f"parameter sets x {manifest['replicates']} replicate(s), {manifest['steps']} steps, "
          f"seed {manifest['seed']}\n")
    if len(result.outcomes) == 1:
        print(result.indices.to_string(float_format=lambda v: f"{v:.3f}"))
    else:
        column, label, scale, digits = analysis.HEAT_INDEX[result.method]
        for kind, grid in analysis.state_grids(result).items():
            print(f"{kind}: {label}")
            print(grid.to_string(float_format=lambda v: f"{v:.{digits}f}") + "\n")
        for outcome in analysis.other_outcomes(result):
            print(f"{outcome}:\n" + result.indices.loc[outcome].to_string(float_format=lambda v: f"{v:.3f}") + "\n")
    files = analysis.save(result, out, "--out")
    print(f"\nWrote {out}/: " + ", ".join(files) + " (and the sweep's files)")
    return 0
