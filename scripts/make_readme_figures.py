"""Regenerate the README's example outputs and figures by running the commands they show.

Each example in README.md sits between two markers, the command in the first:

    <!-- example: python3 run.py compare baseline_2020 us_retrenchment --replicates 500 -->
    ```text
    $ python3 run.py compare baseline_2020 us_retrenchment --replicates 500
    (what it printed)
    ```
    <!-- /example -->

Options follow the command after " ;; ": ``head=N`` keeps the first N lines of the output (then "..."),
``copy=SRC:DEST`` copies a file the command wrote (SRC, relative to the scratch directory) into the
checkout (DEST, relative to it), for a figure the README shows.

Every marked command runs in README order in one scratch directory, so its results/ land there and not
in the checkout, and a later example can read an earlier one's results (discover reads the sweep). Each
block is then rewritten with its command and what it printed. Timings (runs/s) vary from run to run;
every model figure is whatever this checkout's model says.

    python3 scripts/make_readme_figures.py            # rewrite README.md and the copied figures
    python3 scripts/make_readme_figures.py --check    # exit 1 if README.md would change (runs everything)
    python3 scripts/make_readme_figures.py --list     # the marked commands, without running them
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCK = re.compile(r"<!-- example: (?P<marker>.+?) -->\n(?P<body>.*?)<!-- /example -->", re.S)


@dataclass
class Example:
    """One marked example: its command, its options, and where it sits in the text."""

    command: str
    head: int | None = None
    copies: list[tuple[str, str]] = field(default_factory=list)
    span: tuple[int, int] = (0, 0)


def examples(text: str) -> list[Example]:
    """The marked examples of ``text``, in order."""
    found = []
    for match in BLOCK.finditer(text):
        command, *options = match["marker"].split(" ;; ")
        example = Example(command.strip(), span=match.span())
        for option in options:
            key, _, value = option.partition("=")
            if key == "head":
                example.head = int(value)
            elif key == "copy":
                source, _, target = value.partition(":")
                example.copies.append((source, target))
            else:
                raise SystemExit(f"README.md: example {command!r}: unknown option {option!r} (head=N, copy=SRC:DEST)")
        found.append(example)
    return found


def run_example(example: Example, scratch: Path) -> str:
    """Run the example's command in ``scratch`` with this checkout's run.py; what it printed (stdout)."""
    argv = shlex.split(example.command)
    if argv[:2] != ["python3", "run.py"]:
        raise SystemExit(f"README.md: example {example.command!r}: expected a `python3 run.py ...` command")
    env = os.environ | {"PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    done = subprocess.run([sys.executable, str(ROOT / "run.py"), *argv[2:]], cwd=scratch, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"README.md: example {example.command!r} failed ({done.returncode}):\n{done.stderr}")
    lines = done.stdout.rstrip("\n").splitlines()
    if example.head is not None and len(lines) > example.head:
        lines = lines[:example.head] + ["..."]
    return "\n".join(line.rstrip() for line in lines)


def block(example: Example, output: str) -> str:
    """The marked block as the README shows it."""
    marker = " ;; ".join([example.command, *([f"head={example.head}"] if example.head is not None else []),
                          *(f"copy={s}:{t}" for s, t in example.copies)])
    return f"<!-- example: {marker} -->\n```text\n$ {example.command}\n{output}\n```\n<!-- /example -->"


def regenerate(text: str, scratch: Path, copy_to: Path | None = ROOT) -> str:
    """``text`` with every marked example run again in ``scratch``; copied figures go under ``copy_to``."""
    parts, last = [], 0
    for example in examples(text):
        print(f"running: {example.command}", file=sys.stderr)
        output = run_example(example, scratch)
        for source, target in example.copies:
            if copy_to is not None:
                (copy_to / target).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(scratch / source, copy_to / target)
        parts += [text[last:example.span[0]], block(example, output)]
        last = example.span[1]
    return "".join(parts) + text[last:]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if README.md would change; write nothing")
    parser.add_argument("--list", action="store_true", help="print the marked commands and stop")
    args = parser.parse_args(argv)
    text = README.read_text(encoding="utf-8")
    if args.list:
        print("\n".join(example.command for example in examples(text)))
        return 0
    with tempfile.TemporaryDirectory(prefix="readme_examples_") as scratch:
        new = regenerate(text, Path(scratch), None if args.check else ROOT)
    if args.check:
        print("README.md is up to date" if new == text else "README.md would change", file=sys.stderr)
        return 0 if new == text else 1
    tmp = README.with_name(".README.md.tmp")
    tmp.write_text(new, encoding="utf-8")
    os.replace(tmp, README)  # never a half-written README
    print(f"rewrote {README.relative_to(ROOT)}: {len(examples(new))} examples", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
