"""List the model's parameters: key, default, range and source.

Every key here can be changed in a scenario file, with --set, or varied in a sweep.

Examples:
  run.py params
  run.py params world.
  run.py params partners.KR --long
"""

from __future__ import annotations

from sim import parameters
from sim.commands.common import print_json

HELP = "list parameters (key, default, range, source); filter by key prefix"


def add_arguments(parser):
    parser.add_argument("prefix", nargs="?", default="", help="show keys starting with this, e.g. world.")
    parser.add_argument("--long", action="store_true", help="also show source and note")
    parser.add_argument("--json", action="store_true", help="print JSON")


def main(args) -> int:
    table = parameters.table()
    table = table[table["key"].str.startswith(args.prefix)]
    if args.json:
        print_json(table.to_dict(orient="records"))
        return 0
    columns = ["key", "value", "min", "max"] + (["source", "note"] if args.long else [])
    print(table[columns].to_string(index=False, max_colwidth=None if args.long else 40))
    return 0
