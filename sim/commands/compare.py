"""Compare scenarios: final ASEAN alignment with 95% bootstrap intervals, and each one's difference from the first.

All scenarios run with the same seed, so replicate k of each draws the same
random numbers and differences are paired run by run. A difference whose
interval excludes zero is marked with * ("clear of zero"), one whose whole interval
lies within half a point of zero with ~ ("negligible"), in the report too; the
report opens with three findings in words, which the command prints first.

With --parameter-uncertainty every scenario runs R times per bootstrap draw of
the panel fit (sim/data/panel_bootstrap.csv), on the same random numbers in
every draw and scenario; differences are paired within each draw, and the
brackets are the 5%-95% range over draws of each draw's mean: parameter
uncertainty (refits on resampled survey figures), not only simulation noise.

Writes under --out: alignment.csv, differences.csv, states.csv (per-state
differences), alignment_over_time.png (bands: 95% intervals), per scenario after
the first state_differences_LABEL.png (a per-state dot plot of its differences, in
points, sized for a page), report.md (findings, tables and figures, ready to paste
into a brief), report.html (the same in one self-contained page, figures
embedded) and manifest.json.

A scenario may be an inline variant, NAME@KEY=VALUE[@KEY=VALUE...]: NAME with those
parameters changed from the start (--set changes every scenario; a variant one).
Two scenarios that are the same world get a warning.

Examples:
  run.py compare baseline_2020 us_retrenchment
  run.py compare baseline_2020 baseline_2020@world.us_commitment=0.75 --label today --label weaker_US
  run.py compare baseline_2020 china_assertive china_conciliatory --replicates 500 --out results/china
  run.py compare baseline_2020 us_retrenchment --parameter-uncertainty
"""

from __future__ import annotations

import re
from pathlib import Path

from sim.commands.common import add_uncertainty_options, check_out, overrides, uncertainty_draws, whole_number
from sim.experiments import brief
from sim.experiments import comparison as comparing
from sim.experiments.intervals import NEGLIGIBLE

HELP = "compare scenarios: alignment with bootstrap intervals, paired differences, a PNG and a Markdown report"


def add_arguments(parser):
    parser.add_argument("scenarios", nargs="+", metavar="SCENARIO",
                        help="two or more scenario names, TOML paths or variants NAME@KEY=VALUE; the first is "
                        "the reference")
    parser.add_argument("--label", action="append", default=None, metavar="NAME", dest="labels",
                        help="a name for each scenario in the tables, in order (repeat once per scenario)")
    parser.add_argument("--replicates", default=None, metavar="R",
                        help=f"runs per scenario (default {comparing.DEFAULT_REPLICATES}); with "
                        f"--parameter-uncertainty, per draw (default {comparing.DRAW_REPLICATES})")
    parser.add_argument("--steps", type=int, default=None, metavar="N", help="quarters (default: the first scenario's)")
    parser.add_argument("--seed", type=int, default=None, metavar="S", help="seed for all (default: the first's)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="sets",
                        help="change a parameter in every scenario (repeatable)")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="where to write (default: results/compare_A_vs_B...)")
    add_uncertainty_options(parser, workers=False)


def file_stem(name: str) -> str:
    """A scenario name, path or variant as part of a directory name (world.x=0.5 -> world.x-0.5)."""
    base, *changes = name.split("@")
    return "@".join([Path(base).stem, *(re.sub(r"[^\w.-]+", "-", change) for change in changes)])


def main(args) -> int:
    check_out(args)
    draws = uncertainty_draws(args)
    default = comparing.DEFAULT_REPLICATES if draws is None else comparing.DRAW_REPLICATES
    replicates = default if args.replicates is None else whole_number("--replicates", args.replicates, 1)
    result = comparing.compare(args.scenarios, replicates, args.steps, args.seed, overrides(args), draws,
                               args.labels)
    out = args.out or Path("results") / ("compare_" + "_vs_".join(map(file_stem, result.labels)))
    files = brief.save(result, out, "--out")
    m = result.manifest
    print(f"{m['runs_note']}, {m['steps']} quarters, seed {m['seed']}, common random numbers; "
          f"[{m['brackets']}]\n")
    for label in result.labels[1:]:
        print(f"Findings, {label} minus {result.labels[0]}:")
        print("\n".join(f"  {i}. {s}" for i, s in enumerate(brief.findings(result, label), 1)) + "\n")
    print("Final ASEAN alignment (%):")
    print(comparing.alignment_table(result).to_string())
    print(f"\nDifference from {result.labels[0]} (points; * clear of zero, ~ negligible: all within "
          f"±{100 * NEGLIGIBLE:g}):")
    print(comparing.plain(comparing.difference_table(result)).to_string())
    for label in result.labels[1:]:
        print("\n" + "\n".join(comparing.state_summary(result, label)))
        print(f"\nMain driver per state of the forced choice's change ({label} minus {result.labels[0]}):")
        print(comparing.driver_table(result, label).to_string())
    print(f"\nWrote {out}/: " + ", ".join(p.name for p in files.values()))
    return 0
