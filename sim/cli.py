"""The command line: `python run.py COMMAND ...`. Each command is a module in
`sim.commands` with ``HELP``, ``add_arguments(parser)`` and ``main(args)``;
every one is a thin layer on a documented Python function. Every error, argparse's
included (`Parser`), is one line ``error: ...`` and exit code 2.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import os
import re
import sys
import warnings

from sim.base.errors import InputError, OutputError
from sim.base.version import __version__

COMMANDS = ("list", "run", "explain", "params", "sweep", "compare", "sensitivity", "discover", "calibrate",
            "validate", "forecast", "ui", "bench")
# What argparse's type names mean, for its "invalid int value" errors.
TYPE_NAMES = {"int": "a whole number", "float": "a number"}


class Parser(argparse.ArgumentParser):
    """argparse with errors in the one-line format of `InputError` (no usage block), exit code 2.

    Subcommand parsers are made with this class too (argparse uses the parent's class)."""

    def error(self, message):
        self.exit(2, f"error: {usage_error(message, self.prog)}\n")


def usage_error(message: str, prog: str) -> str:
    """argparse's error ``message`` as ``KEY = VALUE: expected WHAT``."""
    hint = f"see `{prog} --help`"
    if found := re.fullmatch(r"argument (\S+): invalid (\w+) value: (.*)", message, re.S):
        option, kind, value = found.groups()
        return str(InputError("", option, _unquote(value), TYPE_NAMES.get(kind, f"a value of type {kind}")))
    if found := re.fullmatch(r"argument (\S+): invalid choice: (.*) \(choose from (.*)\)", message, re.S):
        option, value, choices = found.groups()
        return str(InputError("", option.replace("COMMAND", "command"), _unquote(value),
                              "one of " + choices.replace("'", "")))
    if found := re.fullmatch(r"argument (\S+): (expected .*)", message, re.S):
        return str(InputError("", found[1], None, f"{found[2].removeprefix('expected ')} after it ({hint})"))
    if found := re.fullmatch(r"the following arguments are required: (.*)", message, re.S):
        return str(InputError("", found[1], None, f"a value (required; {hint})"))
    if found := re.fullmatch(r"unrecognized arguments: (.*)", message, re.S):
        return str(InputError("", found[1], None, f"a known option or argument ({hint})"))
    return str(InputError("", prog, None, f"valid arguments ({message}; {hint})"))


def _unquote(text: str) -> str:
    """The value argparse quoted with repr()."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with ``only`` (a command), only its options are built (the
    others are names): importing every command's module costs about 2 s (SciPy, matplotlib)
    that `run.py run` does not need."""
    parser = Parser(
        prog="run.py",
        description="ASEAN alignment simulator: how Southeast Asian states divide their alignment "
        "between the US, China, Japan and South Korea, and how that shifts when assumptions change.",
        epilog="Run `run.py COMMAND --help` for each command's options.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        if only is not None and name != only:
            sub.add_parser(name)
            continue
        module = importlib.import_module(f"sim.commands.{name}")
        command = sub.add_parser(name, help=module.HELP, description=module.__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(command)
        command.set_defaults(handler=module.main)
    return parser


# Commands whose finished work survives Ctrl-C: the same command again resumes it.
RESUMABLE = ("sweep", "sensitivity")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv[0] if argv and argv[0] in COMMANDS else None)
    try:
        _check_set_options(argv)
    except InputError as exc:
        parser.exit(2, f"error: {exc}\n")
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _one_line_warning
            return args.handler(args) or 0
    except (InputError, OutputError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        resume = "; finished chunk files are kept: run the same command again to resume" \
            if args.command in RESUMABLE else ""
        print(f"interrupted{resume}", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`run.py explain --json | head`): stop quietly, as cat does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit's flush cannot fail again
        return 141


def _check_set_options(argv: list[str]) -> None:
    """``--set KEY VALUE`` (a space for the =) refused with the fix, before argparse calls VALUE unknown."""
    for option, text in zip(argv, argv[1:]):
        if option == "--set" and "=" not in text:
            raise InputError("", "--set", text, f"KEY=VALUE with '=' (for example --set {text}=VALUE)")


def _one_line_warning(message, category, filename, lineno, file=None, line=None):
    """A warning as one line ``warning: ...`` on standard error (no file name and source line)."""
    print(f"warning: {message}", file=sys.stderr)
