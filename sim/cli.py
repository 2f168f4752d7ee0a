"""The command line: `python run.py COMMAND ...`. Each command is a module in
`sim.commands` with ``HELP``, ``add_arguments(parser)`` and ``main(args)``;
every one is a thin layer on a documented Python function.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from sim import __version__
from sim.errors import InputError, OutputError

COMMANDS = ("list", "run", "explain", "params", "sweep", "compare", "sensitivity", "discover", "calibrate",
            "validate", "ui", "bench")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run.py",
        description="ASEAN alignment simulator: how Southeast Asian states divide their alignment "
        "between the US, China, Japan and South Korea, and how that shifts when assumptions change.",
        epilog="Run `run.py COMMAND --help` for each command's options.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        module = importlib.import_module(f"sim.commands.{name}")
        command = sub.add_parser(name, help=module.HELP, description=module.__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(command)
        command.set_defaults(handler=module.main)
    return parser



def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args) or 0
    except (InputError, OutputError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
