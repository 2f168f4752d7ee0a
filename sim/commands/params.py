"""List the model's parameters: key, default, range and source.

Every key here can be changed in a scenario file, with --set, or varied in a sweep.

Examples:
  run.py params
  run.py params world.
  run.py params partners.KR --long
  run.py params weights. --markdown
  run.py params --fill-doc docs/model.md     # after changing sim/data/parameters.csv
"""

from __future__ import annotations

import difflib
from pathlib import Path

from sim.base.errors import InputError
from sim.base.files import atomic_write
from sim.commands.common import print_json
from sim.schema import parameters

HELP = "list parameters (key, default, range, source); filter by key prefix"


def add_arguments(parser):
    parser.add_argument("prefix", nargs="?", default="", help="show keys starting with this, e.g. world.")
    parser.add_argument("--long", action="store_true", help="also show source and note")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--markdown", action="store_true",
                        help="print a Markdown table with sources and notes (as in docs/model.md)")
    parser.add_argument("--fill-doc", type=Path, default=None, metavar="FILE",
                        help="rewrite the <!-- parameters: PREFIX --> tables in a Markdown file "
                        "(e.g. docs/model.md) from the current table")


def main(args) -> int:
    if args.fill_doc is not None:
        return fill_doc(args.fill_doc)
    table = parameters.table()
    table = table[table["key"].str.startswith(args.prefix)]
    if table.empty:
        raise InputError("", "prefix", args.prefix, f"the start of a parameter key ({closest(args.prefix)})")
    if args.markdown:
        print(parameters.markdown((args.prefix,)), end="")
        return 0
    if args.json:
        print_json(table.to_dict(orient="records"))
        return 0
    columns = ["key", "value", "min", "max"] + (["source", "note"] if args.long else [])
    print(table[columns].to_string(index=False, max_colwidth=None if args.long else 40))
    return 0


def closest(prefix: str) -> str:
    """The keys and key groups (``world.``, ``partners.KR.``) nearest to a prefix that matches nothing."""
    keys = parameters.table()["key"].tolist()
    groups = {key[:end + 1] for key in keys for end, char in enumerate(key) if char == "."}
    if prefix.startswith("states.") and ".weights" in prefix:
        return "per-state weights, states.STATE.weights.TERM, take the ranges of weights.TERM: " \
            "see `run.py params weights.`"
    near = difflib.get_close_matches(prefix, sorted(groups.union(keys)), n=4, cutoff=0.6)
    if near:
        return "closest: " + ", ".join(near)
    return "keys start with " + ", ".join(sorted({key.split(".")[0] + "." for key in keys}))


def fill_doc(path: Path) -> int:
    """Rewrite the generated parameter tables of a Markdown file (atomically)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError("--fill-doc", "file", str(path), f"a readable UTF-8 Markdown file ({exc})") from None
    atomic_write(path, lambda tmp: tmp.write_text(parameters.fill_markdown_blocks(text), encoding="utf-8"))
    print(f"updated the parameter tables in {path}")
    return 0
