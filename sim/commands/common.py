"""Options, their checks (`overrides`, `check_out`, `whole_number`, `uncertainty_draws`) and printing shared
by several commands (tables print with `sim.reports.tables.format_table`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sim.base.errors import InputError, check_whole
from sim.base.files import check_output_dir
from sim.running.uncertainty import load_draws
from sim.schema import parameters
from sim.schema.scenario import parse_assignment


def add_scenario_options(parser, steps=True, seed=True):
    """SCENARIO, --steps, --seed and --set, as every simulating command takes them."""
    parser.add_argument("scenario", metavar="SCENARIO",
                        help="a scenario name in scenarios/ (see `run.py list`) or a path to a TOML file")
    if steps:
        parser.add_argument("--steps", type=int, default=None, metavar="N",
                            help="quarters to simulate (default: the scenario's, usually 40 = 10 years)")
    if seed:
        parser.add_argument("--seed", type=int, default=None, metavar="S",
                            help="master seed (default: the scenario's); same seed, same result")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="sets",
                        help="change a parameter, e.g. --set world.rivalry=0.9 (repeatable; "
                        "keys: `run.py params`)")


def overrides(args) -> dict:
    """The --set options as {key: value}, each checked against the schema (errors name --set)."""
    pairs = [parse_assignment(text) for text in args.sets]
    return {key: parameters.check(key, value, "--set") for key, value in pairs}


def check_out(args) -> None:
    """Refuse an --out that cannot be a directory before any work is done."""
    if args.out is not None:
        check_output_dir(args.out, "--out")


def print_json(data) -> None:
    json.dump(data, sys.stdout, indent=2, default=str)
    print()


def whole_number(option: str, text, low: int) -> int:
    """An option's text as a whole number of at least ``low``: `check_whole` on the number it reads as,
    its error showing the text as given."""
    try:
        value = int(str(text).strip())
    except ValueError:
        value = text  # not a number: check_whole refuses it
    try:
        return check_whole(option, value, low)
    except InputError as exc:
        raise InputError(exc.where, exc.key, text, exc.expected) from None


def add_uncertainty_options(parser, workers: bool = True):
    """--parameter-uncertainty and the options that go with it (--draws, --draws-file, --workers)."""
    parser.add_argument("--parameter-uncertainty", action="store_true",
                        help="intervals that include parameter uncertainty: the model runs once per bootstrap "
                        "draw of the panel fit (sim/data/panel_bootstrap.csv) and replicate")
    parser.add_argument("--draws", default=None, metavar="N",
                        help="with --parameter-uncertainty: use the first N draws (default: all)")
    parser.add_argument("--draws-file", type=Path, default=None, metavar="FILE",
                        help="with --parameter-uncertainty: a CSV of draws, one column per parameter key "
                        "(default: the shipped sim/data/panel_bootstrap.csv)")
    if workers:
        parser.add_argument("--workers", default=None, metavar="W",
                            help="with --parameter-uncertainty: local processes (default 1; same numbers)")


def uncertainty_draws(args):
    """The parameter draws asked for (a DataFrame), or None without --parameter-uncertainty; an option
    of it given without it is refused (before any work)."""
    given = [option for option, value in (("--draws", args.draws), ("--draws-file", args.draws_file),
                                          ("--workers", getattr(args, "workers", None))) if value is not None]
    if not args.parameter_uncertainty:
        if given:
            raise InputError("", given[0], None, "--parameter-uncertainty with it (it only applies there)")
        return None
    count = None if args.draws is None else whole_number("--draws", args.draws, 1)
    return load_draws(args.draws_file, count, names=("--draws-file", "--draws"))


def uncertainty_workers(args) -> int:
    """--workers as a whole number (default 1)."""
    return 1 if args.workers is None else whole_number("--workers", args.workers, 1)
