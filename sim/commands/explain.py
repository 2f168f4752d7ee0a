"""Why does a state lean as it does, or why did it move between two worlds?

One scenario: each partner's utility split into its terms. Terms (MODEL.md):
security (threat x partner's capacity x counterbalance + defence ties), economy
(ties + engagement), trust (reliability), risk (what the partner's rivals can do
to you, negative), history, peer (what the rest of ASEAN does, scaled by unity).
All weighted; they sum to the utility that the logit choice turns into alignment.

Two scenarios A B: per state, the change from A to B in each partner's share and
in the forced choice (% US), averaged over --replicates runs of each world on the
same random numbers, with 95% bootstrap intervals; the change attributed to the
inputs that differ (events, starting values) by exact Shapley values over every
world between A and B (they sum exactly to the change), and to the utility terms
(their change, in utility units). Writes total.csv, inputs.csv, terms.csv,
drivers.csv and manifest.json under --out.

Examples:
  run.py explain baseline_2020 --state Vietnam
  run.py explain china_assertive --state Philippines --step 20
  run.py explain baseline_2020 us_retrenchment
  run.py explain baseline_2020 baseline_2020@world.us_commitment=0.75 --state Philippines
"""

from __future__ import annotations

from pathlib import Path

from sim.base.errors import InputError
from sim.base.files import write_all, write_json
from sim.commands.common import add_scenario_options, check_out, overrides, print_json, whole_number
from sim.commands.compare import file_stem
from sim.experiments import difference as differing
from sim.reports.tables import format_table
from sim.running.explain import explain, why_sentence

HELP = "why a state leans as it does (utility terms), or why states moved between two scenarios (A B)"


def add_arguments(parser):
    add_scenario_options(parser)
    parser.add_argument("other", nargs="?", default=None, metavar="B",
                        help="a second scenario (name, path or NAME@KEY=VALUE): explain the change from the first")
    parser.add_argument("--state", default=None, metavar="NAME",
                        help="an ASEAN state, e.g. Vietnam (required for one scenario; with two, one state's detail)")
    parser.add_argument("--step", type=int, default=None, metavar="T", help="which step (default: the last)")
    parser.add_argument("--replicates", default=None, metavar="R",
                        help=f"with two scenarios: runs per world (default {differing.DEFAULT_REPLICATES})")
    parser.add_argument("--label", action="append", default=None, metavar="NAME", dest="labels",
                        help="with two scenarios: a name for A, then for B")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="where to write (default: results/SCENARIO, or results/explain_A_vs_B)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def main(args) -> int:
    check_out(args)
    if args.other is not None:
        return explain_two(args)
    for option, value in (("--replicates", args.replicates), ("--label", args.labels)):
        if value is not None:
            raise InputError("", option, value, "a second scenario B with it (it applies to explain A B)")
    if args.state is None:
        raise InputError("", "--state", None, "a state to explain, e.g. --state Vietnam (required for one scenario)")
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


def explain_two(args) -> int:
    """`explain A B`: the explained difference, printed and written."""
    if args.step is not None:
        raise InputError("", "--step", args.step, "one scenario with it (explain A B reads the last step)")
    replicates = (differing.DEFAULT_REPLICATES if args.replicates is None
                  else whole_number("--replicates", args.replicates, 1))
    result = differing.explain_difference(args.scenario, args.other, args.state, replicates, args.steps, args.seed,
                                          overrides(args), labels=args.labels)
    a, b = result.labels
    out = args.out or Path("results") / f"explain_{file_stem(a)}_vs_{file_stem(b)}"
    files = {f"{name}.csv": lambda path, frame=getattr(result, name): frame.to_csv(path, index=False)
             for name in ("changes", "total", "inputs", "terms", "drivers")}
    files["manifest.json"] = lambda path: write_json(result.manifest, path)
    write_all(out, files, "--out")
    if args.json:
        print_json({"manifest": result.manifest, **{name: getattr(result, name).to_dict(orient="records")
                                                      for name in ("changes", "total", "inputs", "terms", "drivers")}})
        return 0
    m = result.manifest
    print(f"From {a} to {b}: {m['replicates']} replicates per world, {m['steps']} quarters, seed {m['seed']}, "
          f"common random numbers; {m['worlds_run']} worlds run.\n")
    print("What differs (inputs):")
    print(result.changes.set_index("input").to_string() if len(result.changes) else "  nothing: the same world")
    if args.state is None:
        print("\nForced choice per state (% answering US; change in points):")
        print(differing.forced_table(result).to_string())
    else:
        print(f"\n{args.state}: each partner's share and the forced choice (%; change and each input's share "
              "of it in points, summing to the change):")
        print(differing.state_table(result, args.state).to_string())
        print(f"\n{args.state}: change in each utility term (utility units; opinion: what only the survey's "
              "answer adds):")
        print(differing.term_table(result, args.state).map(lambda v: differing.signed(v, 3)).to_string())
    print()
    for sentence in result.drivers["sentence"]:
        print(sentence)
    print(f"\nAttribution: {m['method']}.\n{m['legend']}\nWrote {out}/: " + ", ".join(files))
    return 0
