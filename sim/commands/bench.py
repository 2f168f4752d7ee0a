"""Benchmark the ensemble engine against the Mesa model run through `mesa.batch_run`.

The same work in both engines, in this one process: baseline_2020, 40 steps,
noise on, each run on its own random streams (Mesa varies `run` as a batch_run
parameter; a fixed seed with iterations > 1 would repeat one run). Both engines
are checked to do exactly --steps steps and to give the same numbers for the
same run. Prints runs/s and agent-steps/s for each engine, their ratio and the
peak resident memory. See docs/performance.md.

Examples:
  run.py bench                          # 500 Mesa runs, 20,000 ensemble runs (about a minute)
  run.py bench --runs 2000 --mesa-runs 50 --json
"""

from __future__ import annotations

from sim.commands.common import print_json, whole_number
from sim.engines.memory import DEFAULT_MEMORY_MB, check_memory_mb

HELP = "time the ensemble engine against Mesa's batch_run on the same runs; print the ratio"


def add_arguments(parser):
    parser.add_argument("--runs", type=int, default=20_000, metavar="N",
                        help="ensemble runs (default 20000: enough that start-up cost does not decide the figure)")
    parser.add_argument("--mesa-runs", type=int, default=500, metavar="M",
                        help="Mesa runs through batch_run (default 500)")
    parser.add_argument("--steps", type=int, default=40, metavar="T", help="steps per run (default 40)")
    parser.add_argument("--memory-mb", type=float, default=DEFAULT_MEMORY_MB, metavar="MB",
                        help=f"ensemble chunk memory budget (default {DEFAULT_MEMORY_MB})")
    parser.add_argument("--json", action="store_true",
                        help="print {mesa_runs_per_s, ensemble_runs_per_s, ratio, fused_runs_per_s, gap_to_fused, "
                             "peak_rss_mb} as JSON")


def main(args) -> int:
    for option, value in (("--runs", args.runs), ("--mesa-runs", args.mesa_runs), ("--steps", args.steps)):
        whole_number(option, value, 1)
    check_memory_mb(args.memory_mb, "--memory-mb")  # now, not after the Mesa runs
    from benchmarks import bench  # beside run.py, outside the installed package; it loads Mesa
    result = bench.benchmark(runs=args.runs, mesa_runs=args.mesa_runs, steps=args.steps,
                             memory_mb=args.memory_mb)
    if args.json:
        print_json({key: result[key] for key in bench.JSON_KEYS})
        return 0
    print(f"{result['scenario']}, {result['steps']} steps, noise on, {result['agents']} agents, "
          f"{result['cores']} cores\n")
    print(f"{'engine':<10}{'runs':>8}{'seconds':>10}{'runs/s':>12}{'agent-steps/s':>16}")
    for engine in ("mesa", "ensemble"):
        runs = result[f"{engine}_runs"]
        print(f"{engine:<10}{runs:>8}{result[f'{engine}_seconds']:>10.2f}"
              f"{result[f'{engine}_runs_per_s']:>12,.1f}{result[f'{engine}_agent_steps_per_s']:>16,.0f}")
    print(f"{'fused':<10}{result['ensemble_runs']:>8}{'':>10}{result['fused_runs_per_s']:>12,.1f}"
          f"{'':>16}   (a simpler step, one compiled loop: the lower bound)")
    print(f"\nratio (ensemble / Mesa runs per second): {result['ratio']:,.0f}x")
    print(f"gap to the lower bound (fused / ensemble): {result['gap_to_fused']:.1f}x")
    print(f"peak resident memory: {result['peak_rss_mb']:,.0f} MiB")
    return 0
