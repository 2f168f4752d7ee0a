"""Why does a state lean as it does? Each partner's utility split into its terms.

Terms (MODEL.md): security (threat x partner's capacity x counterbalance +
defence ties), economy (ties + engagement), trust (reliability), risk (what
the partner's rivals can do to you, negative), history, peer (what the rest
of ASEAN does, scaled by unity). All weighted; they sum to the utility that
the logit choice turns into alignment.

Examples:
  run.py explain baseline_2020 --state Vietnam
  run.py explain china_assertive --state Philippines --step 20
"""

from __future__ import annotations

from pathlib import Path

from sim.base.files import write_all
from sim.commands.common import add_scenario_options, check_out, overrides, print_json
from sim.reports.tables import format_table
from sim.running.explain import explain, why_sentence

HELP = "break a state's utility for each partner into its terms (table and bar chart)"


def add_arguments(parser):
    add_scenario_options(parser)
    parser.add_argument("--state", required=True, metavar="NAME", help="an ASEAN state, e.g. Vietnam")
    parser.add_argument("--step", type=int, default=None, metavar="T", help="which step (default: the last)")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="where to write the chart (default: results/SCENARIO)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def main(args) -> int:
    check_out(args)
    table = explain(args.scenario, state=args.state, step=args.step, steps=args.steps, seed=args.seed,
                        overrides=overrides(args))
    if args.json:
        print_json({"scenario": table.attrs["scenario"], "state": args.state, "step": table.attrs["step"],
                    "partners": table.to_dict(orient="index")})
        return 0
    from sim.reports import plots  # matplotlib loads only when the figure is written

    out = args.out if args.out is not None else Path("results") / table.attrs["scenario"]
    name = f"explain_{args.state}_step{table.attrs['step']}.png"
    path = write_all(out, {name: lambda tmp: plots.save_figure(plots.explain_bars(table), tmp)}, "--out")[name]
    print(f"Why {args.state} leans as it does ({table.attrs['scenario']}, step {table.attrs['step']}):\n")
    print(format_table(table, percent_columns=["alignment"], digits=3))
    print("\n" + why_sentence(table, args.state))
    print(f"Chart: {path}")
    return 0
