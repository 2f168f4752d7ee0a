"""Options, their checks (`overrides`, `check_out`, `whole_number`) and printing shared by several commands
(tables print with `sim.reports.tables.format_table`)."""

from __future__ import annotations

import json
import sys

from sim.base.errors import InputError, check_whole
from sim.base.files import check_output_dir
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
