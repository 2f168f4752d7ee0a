"""Scenario discovery: the ranges of the swept parameters where a condition on the outcomes holds (PRIM).

--outcome is a pandas expression on the per-run outcomes of a finished sweep,
for example "led_CN >= 6" (China leads in a majority of states) or
"asean_CN > asean_US and cohesion < 0.7"; varied keys need backticks
(`world.rivalry` > 0.5). Each box lists the parameters it restricts with its
coverage (share of the runs where the condition holds that fall inside) and
density (share of the runs inside where it holds). PRIM is the EMA Workbench's.

Writes under --out (default SWEEP_DIR/discover): boxes.csv, trajectory.csv,
tradeoff.png (coverage against density along the peeling) and discover.json.

Examples:
  run.py discover results/sweep_us --outcome "led_CN >= 6"
  run.py discover results/sweep_us --outcome "forced_us < 0.4" --threshold 0.9
"""

from __future__ import annotations

from pathlib import Path

from sim.commands.common import check_out
from sim.experiments import discovery

HELP = "PRIM boxes of swept parameters where a condition holds, with coverage and density"


def add_arguments(parser):
    parser.add_argument("sweep_dir", type=Path, metavar="SWEEP_DIR", help="a finished `run.py sweep` directory")
    parser.add_argument("--outcome", required=True, metavar="EXPR", help='a condition, e.g. "led_CN >= 6"')
    parser.add_argument("--threshold", type=float, default=discovery.DEFAULT_THRESHOLD, metavar="D",
                        help=f"least density of a box (default {discovery.DEFAULT_THRESHOLD})")
    parser.add_argument("--boxes", type=int, default=discovery.MAX_BOXES, metavar="K",
                        help=f"at most K boxes (default {discovery.MAX_BOXES})")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR", help="default SWEEP_DIR/discover")


def main(args) -> int:
    check_out(args)
    found = discovery.discover(args.sweep_dir, args.outcome, args.threshold, args.boxes)
    print(f'"{found.condition}" holds in {found.cases:,} of {found.runs:,} runs ({found.cases / found.runs:.1%}).')
    for number, box in found.boxes.groupby("box"):
        first = box.iloc[0]
        print(f"\nBox {number}: coverage {first['coverage']:.2f}, density {first['density']:.2f}, "
              f"mass {first['mass']:.2f} ({first['runs']:,} runs)")
        for row in box.itertuples():
            print(f"  {row.parameter:<32} {row.min:8.3f} .. {row.max:<8.3f} (swept {row.swept_min:.3f} .. "
                  f"{row.swept_max:.3f})")
    out = args.out or args.sweep_dir / "discover"
    files = discovery.save(found, out, "--out")
    print(f"\nWrote {out}/: " + ", ".join(files))
    return 0
