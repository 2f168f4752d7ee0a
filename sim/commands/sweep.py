"""Run a scenario over many parameter sets (and replicates); write a resumable Parquet dataset.

Each --vary KEY=LO:HI[:N] varies one parameter (keys: `run.py params`; LO and HI
within its range). Samplers: grid (N levels per key, default 5), lhs and sobol
(--samples parameter sets; a power of two for sobol), saltelli and morris (the
designs `run.py sensitivity` uses). Run k is replicate k % R of parameter set
k // R; replicate r of every set draws the same random numbers.

Writes under --out: runs/chunk-NNNNN.parquet (one row per run: run, variation,
replicate, the varied values, the outcomes), samples.parquet, summary.parquet
and summary.csv (mean and 95% interval per parameter set and outcome) and
manifest.json (scenario and digest, plan, seeds, version, each chunk's sha256).

The same command again resumes: finished chunks are checked against their
checksums and skipped, missing or damaged ones recomputed. A second sweep on
the same directory while one runs is refused; a different sweep on a used
directory is refused unless --force. Results do not depend on --workers or
--scheduler. See docs/experiments.md.

With --against SCENARIO every run also runs in SCENARIO, with the same parameter
set and random numbers, and the stored outcomes are the paired differences (the
swept scenario minus SCENARIO): a sweep of the effect, not of the level.

Examples:
  run.py sweep us_retrenchment --against baseline_2020 --vary weights.security=0.5:1.5 --out results/effect
  run.py sweep baseline_2020 --vary world.us_commitment=0.5:1.5 --vary weights.peer=0:3 \\
      --sampler lhs --samples 500 --replicates 4 --out results/sweep_us
  run.py sweep baseline_2020 --vary world.rivalry=0.2:0.9:8 --sampler grid --out results/grid
  run.py sweep china_assertive --vary world.china_tolerance=0:1 --samples 256 --workers 2 --out results/ca
  run.py sweep baseline_2020 --vary world.rivalry=0:1 --scheduler tcp://10.0.0.5:8786 --out results/big
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.commands.common import add_scenario_options, overrides
from sim.experiments import sweeps as sweeping
from sim.experiments.sampling import SAMPLERS

HELP = "vary parameters over many runs (grid, LHS, Sobol'); a resumable Parquet dataset, locally or on dask"
SHOWN = ("cohesion", "hedging", "forced_us", "tipping_step")


def add_arguments(parser):
    add_scenario_options(parser)
    add_vary_option(parser)
    parser.add_argument("--sampler", choices=SAMPLERS, default="lhs",
                        help="how parameter sets are drawn (default lhs)")
    parser.add_argument("--samples", type=int, default=None, metavar="N",
                        help="parameter sets for lhs/sobol (default 64); not for grid")
    add_run_options(parser, replicates=1)
    add_against_option(parser)
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="the sweep's directory")
    parser.add_argument("--force", action="store_true", help="replace a different sweep already in DIR")
    parser.add_argument("--chunk-runs", type=int, default=sweeping.CHUNK_RUNS, metavar="N",
                        help=f"runs per chunk file (default {sweeping.CHUNK_RUNS}); part of the plan")


def add_against_option(parser):
    parser.add_argument("--against", default=None, metavar="SCENARIO",
                        help="store each run's difference from the same run in SCENARIO (same parameters and "
                        "random numbers): the sensitivity of an effect")


def add_vary_option(parser):
    parser.add_argument("--vary", action="append", default=[], metavar="KEY=LO:HI[:N]", required=True,
                        help="vary a parameter between LO and HI (repeatable); N grid levels")


def add_run_options(parser, replicates: int):
    """--replicates, --workers and --scheduler, as sweep and sensitivity take them."""
    parser.add_argument("--replicates", type=int, default=replicates, metavar="R",
                        help=f"runs per parameter set (default {replicates})")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=1, metavar="N", help="local worker processes (default 1)")
    where.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="a running dask scheduler, e.g. tcp://127.0.0.1:8786 (see README)")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="progress bar: runs done, runs/s, time left (default: on a terminal only)")


def main(args) -> int:
    plan = sweeping.make_plan(args.scenario, args.vary, args.sampler, args.samples, args.replicates, args.seed,
                              args.steps, args.chunk_runs, overrides(args), args.against)
    where = f"dask scheduler {args.scheduler}" if args.scheduler else f"{args.workers} worker(s)"
    effect = "" if plan.against is None else f" minus {plan.against.name} (paired differences)"
    announce = (f"Sweep of {plan.scenario.name}{effect}: {len(plan.design)} parameter sets ({plan.sampler}) x "
                f"{plan.replicates} replicate(s) = {plan.n_runs:,} runs of {plan.steps} steps, seed {plan.seed}; "
                f"{plan.n_chunks} chunk file(s) of up to {plan.chunk_runs} runs; {where}")
    result = sweeping.run_plan(plan, args.out, args.workers, args.scheduler, args.force, progress=args.progress,
                               on_start=lambda: print(announce, flush=True))
    print_notes(result)
    print_report(result)
    return 0


def print_notes(result) -> None:
    """What a resumed sweep kept and recomputed, and varied keys that change nothing."""
    report = result.report
    for key in result.manifest.get("unused_keys", []):
        print(f"note: {key} has no effect in {result.manifest['scenario']} (its partner or state is not modelled)")
    for name, reason in report.get("recomputed", {}).items():
        print(f"recomputed {name}: {reason}")
    if report.get("chunks_kept"):
        print(f"resumed: {report['chunks_kept']} chunk file(s) already finished (checksums good), "
              f"{report['chunks_computed']} computed now")


def print_report(result) -> None:
    report = result.report
    rate = report["runs_computed"] / report["seconds"] if report["seconds"] > 0 else 0
    done = (f"{report['runs_computed']:,} runs in {report['seconds']:.1f} s ({rate:,.0f} runs/s)"
            if report["runs_computed"] else "nothing to compute")
    print(f"{done}; "
          f"wrote {result.path}/: runs/ ({result.manifest['n_chunks']} chunk files), samples.parquet, "
          "summary.parquet, summary.csv, manifest.json\n")
    against = result.manifest.get("against")
    print("Outcome means across parameter sets (min / median / max):" if against is None else
          f"Effect: {result.manifest['scenario']} minus {against}, paired run by run; its mean per parameter set "
          "across the sets (min / median / max):")
    table = result.summary.groupby("outcome", sort=False)["mean"].describe()[["min", "50%", "max"]]
    shown = [o for o in table.index if o.startswith("asean_") or o in SHOWN
             or (against is not None and o.startswith("forced_us_"))]
    print(table.loc[shown].rename(columns={"50%": "median"}).to_string(float_format=lambda v: f"{v:.3f}"))
