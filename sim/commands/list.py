"""List the scenarios in scenarios/ with their titles."""

from __future__ import annotations

from sim.commands.common import print_json
from sim.schema.scenario import list_scenarios

HELP = "list the scenarios with their titles"


def add_arguments(parser):
    parser.add_argument("--long", action="store_true", help="also print each scenario's description")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def main(args) -> int:
    table = list_scenarios()
    if args.json:
        print_json(table.to_dict(orient="records"))
        return 0
    width = table["name"].str.len().max()
    for _, row in table.iterrows():
        print(f"{row['name']:<{width}}  {row['title']}")
        if args.long:
            print(f"{'':<{width}}  {row['description']}\n")
    return 0
