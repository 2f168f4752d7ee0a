"""Fuzzing the input paths: scenario files and command-line arguments.

Each case is built either valid (it must run: exit 0, nothing on stderr) or broken in one
known way (exit 2, exactly one line ``error: ...`` naming the file or option, the key and
what was wrong, no traceback, nothing on stdout). The expected outcome comes from how the
case was built, never from running it. Whatever the outcome, the command leaves nothing
half-written: no ``*.tmp`` file or staging directory, and an --out that failed is not created.

Cases come from a fixed seed (``random.Random``; the environment variable FUZZ_SEED picks
another), so every run tries the same ones. They run in-process through ``sim.cli.main``
(fast), and one of each family again in a real process to confirm what a user sees. How
many were tried is printed at the end of the session.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import io
import os
import random
import string
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import pytest
import tomli_w

from sim.cli import main
from sim.base.errors import MAX_DEPTH
from sim.core.equations import TERMS
from sim.schema import parameters

ROOT = Path(__file__).resolve().parent.parent
SEED = int(os.environ.get("FUZZ_SEED", 20200408))  # another seed (FUZZ_SEED=...) tries other cases
SPECS = parameters.specs()
STATES, PARTNERS = parameters.states(), parameters.partners()
KEYS = sorted(SPECS) + sorted(parameters.STATE_WEIGHT_KEY.format(state=s, term=t) for s in STATES for t in TERMS)
TOP_LEVEL = ("title", "description", "base", "steps", "seed", "partner_set", "state_set",
             "model", "world", "weights", "partners", "states", "events")
RUN = ["--steps", "2", "--no-files"]  # what every scenario case appends: fast, writes nothing
MIN_CASES = 500


@dataclass
class Case:
    """One command line and the files it reads; ``expect`` is None (must succeed) or the
    fragments its one error line must contain. ``{dir}`` in any text is the case's directory."""

    name: str
    argv: list[str]
    files: dict[str, bytes | None] = field(default_factory=dict)  # None: a directory
    expect: tuple[str, ...] | None = None
    out: str | None = None  # the --out directory, checked to be complete or absent

    def family(self) -> str:
        return self.name.split(":")[0]


def spec_of(key: str) -> parameters.Spec:
    return parameters.spec(key)


# --- scenario documents -------------------------------------------------------------


def document(**extra) -> dict:
    """A valid scenario on top of baseline_2020."""
    return {"title": "fuzz", "description": "a generated case", "base": "baseline_2020", **extra}


def nested(key: str, value) -> dict:
    """``{"a": {"b": value}}`` for key "a.b": a dotted key as TOML tables."""
    head, _, rest = key.partition(".")
    return {head: nested(rest, value) if rest else value}


def merge(doc: dict, more: dict) -> dict:
    for key, value in more.items():
        if isinstance(value, dict) and isinstance(doc.get(key), dict):
            merge(doc[key], value)
        else:
            doc[key] = value
    return doc


def toml(doc: dict) -> bytes:
    return tomli_w.dumps(doc).encode()


def valid_value(rng: random.Random, key: str):
    spec = spec_of(key)
    if spec.kind == "real":
        return rng.choice([spec.lo, spec.hi, rng.uniform(spec.lo, spec.hi), round(rng.uniform(spec.lo, spec.hi), 2)])
    if spec.kind == "choice":
        return rng.choice(spec.choices)
    others = [p for p in PARTNERS if p != key.split(".")[1]]
    return rng.sample(others, rng.randint(0, len(others)))


def wrong_value(rng: random.Random, key: str):
    """A value of the wrong type for ``key``."""
    spec = spec_of(key)
    if spec.kind == "real":
        pool = [str(rng.uniform(spec.lo, spec.hi)), "high", "", True, False, [spec.lo], datetime.date(2020, 1, 1),
                datetime.time(12, 30), "x" * rng.randint(1000, 100_000)]
    elif spec.kind == "choice":
        pool = [1, 0.5, True, [spec.choices[0]], spec.choices[0].upper(), "", "x" * 5000]
    else:
        owner = key.split(".")[1]
        pool = ["US", 1, 0.5, True, ["US", 1], [["US"]], ["XX"], [owner], ["US", "US"], [""]]
    return rng.choice(pool)


def out_of_range(rng: random.Random, key: str):
    spec = spec_of(key)
    step = rng.choice([1e-9, 0.5, 1.0, 1e3, 1e308])
    return rng.choice([spec.lo - step, spec.hi + step, 10 ** rng.choice([3, 20, 30, 400]),
                       -(10 ** rng.choice([3, 20, 400])), float("inf"), float("-inf"), float("nan")])


def random_name(rng: random.Random) -> str:
    """An identifier no schema uses: plain, with spaces or dots, unicode, a line break, or very long."""
    plain = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(1, 12))) + "_zz"
    return rng.choice([plain, plain.upper(), f"{plain} x", "rivalé_" + plain, f"{plain}\nx", f"{plain}\tx",
                       plain * rng.randint(50, 500), "Ωmega_" + plain])


def scenario_case(name: str, doc: dict | bytes, expect=None, where="{dir}/case.toml", extra_files=None) -> Case:
    """A case running one scenario file; an error must name ``where`` (the file at fault)."""
    content = doc if isinstance(doc, bytes) else toml(doc)
    files = {"case.toml": content, **(extra_files or {})}
    expect = None if expect is None else (where, *expect)
    return Case(name, ["run", "{dir}/case.toml", *RUN], files, expect)


def shown(key: str) -> str:
    """What of ``key`` an error line shows for sure (long or unprintable keys are cut or escaped)."""
    return key[:40] if key.isprintable() else ""


# --- scenario mutations: each makes one case from the random stream ---------------


def valid_scenario(rng):
    doc = document()
    for key in rng.sample(KEYS, rng.randint(0, 8)):
        merge(doc, nested(key, valid_value(rng, key)))
    if rng.random() < 0.3:
        doc["steps"] = rng.randint(2, 60)
    if rng.random() < 0.3:
        doc["seed"] = rng.randint(0, 2**63 - 1)
    if rng.random() < 0.3:
        doc["partner_set"] = rng.sample(PARTNERS, rng.randint(2, len(PARTNERS)))
    if rng.random() < 0.3:
        doc["state_set"] = rng.sample(STATES, rng.randint(1, len(STATES)))
    doc["events"] = [valid_event(rng, doc.get("steps", 40)) for _ in range(rng.randint(0, 3))]
    if rng.random() < 0.2:
        doc["title"] = "t" * rng.randint(10_000, 1_000_000)  # very long strings are fine
    return scenario_case("valid: random parameters and events", doc)


def valid_event(rng, steps):
    key = rng.choice(KEYS)
    event = {"step": rng.randint(1, steps), "key": key}
    spec = spec_of(key)
    if spec.kind == "real" and rng.random() < 0.5:
        event["shift"] = rng.choice([rng.uniform(-2, 2), 1e300, -1e300, 0.0])
    else:
        event["set"] = valid_value(rng, key)
    return event


def wrong_type(rng):
    kind = rng.choice(["real", "choice", "list"])  # each kind as often, though most keys are real
    key = rng.choice([k for k in KEYS if spec_of(k).kind == kind])
    return scenario_case(f"wrong type: {key}", merge(document(), nested(key, wrong_value(rng, key))), (shown(key),))


def outside_bounds(rng):
    key = rng.choice([k for k in KEYS if spec_of(k).kind == "real"])
    value = out_of_range(rng, key)
    return scenario_case(f"out of range, huge, NaN or inf: {key}", merge(document(), nested(key, value)),
                         (key, "expected a number in"))


def unknown_name(rng):
    name = random_name(rng)
    state, partner = rng.choice(STATES), rng.choice(PARTNERS)
    key, fragments = rng.choice([
        (name, ("known key",)),
        (f"world.{name}", ("known parameter",)),
        (f"model.{name}", ("known parameter",)),
        (f"weights.{name}", ("known parameter",)),
        (f"states.{name}.exposure", ("ASEAN state",)),
        (f"states.{state}.{name}", ("known parameter",)),
        (f"states.{state}.ties.{name}", ("a partner",)),
        (f"states.{state}.weights.{name}", ("known parameter",)),
        (f"partners.{name}.coercion", ("a partner",)),
        (f"partners.{partner}.{name}", ("known parameter",)),
    ])
    if "." not in key:  # an unknown top-level key: pydantic names it
        return scenario_case(f"unknown name: {shown(key)}", document(**{key: 1}), (shown(key), *fragments))
    return scenario_case(f"unknown name: {shown(key)}", merge(document(), nested(key, 0.5)), fragments)


def missing_or_wrong_top_level(rng):
    doc = document()
    key, value, fragments = rng.choice([
        ("title", None, ("title", "required")),
        ("description", None, ("description", "required")),
        ("title", "", ("title",)),
        ("title", 3, ("title",)),
        ("description", ["d"], ("description",)),
        ("base", 3, ("base",)),
        ("steps", rng.choice([0, -1, 10_001, 2**64, 1.5, "40", True]), ("steps",)),
        ("seed", rng.choice([-1, 2**63, 2**70, 1.0, "7", False]), ("seed",)),
        ("partner_set", rng.choice([["US"], [], ["US", "US"], ["US", "XX"], "US", [1, 2]]), ("partner_set",)),
        ("state_set", rng.choice([[], ["Atlantis"], ["Vietnam", "Vietnam"], "Vietnam", [1]]), ("state_set",)),
        (rng.choice(["model", "world", "weights", "partners", "states"]), rng.choice([3, "x", [1], True]), ()),
        ("events", rng.choice([3, "x", [1, 2], {"step": 1}]), ("events",)),
    ])
    if value is None:
        del doc[key]
    else:
        doc[key] = value
    return scenario_case(f"missing or wrong top-level key: {key}", doc, fragments or (key,))


def bad_event(rng):
    steps = rng.randint(2, 40)
    event = valid_event(rng, steps)
    key = event["key"]
    spec = spec_of(key)
    kind, change, fragments = rng.choice([
        ("step 0 or less", {"step": rng.choice([0, -1, -(2**40)])}, ("events.0.step",)),
        ("step past the horizon", {"step": steps + rng.randint(1, 10_000)}, ("events.step", "horizon")),
        ("step not an integer", {"step": rng.choice([1.5, "3", True, [1]])}, ("events.0.step",)),
        ("unknown key", {"key": f"world.{random_name(rng)}"}, ("known parameter",)),
        ("key not a string", {"key": rng.choice([3, ["world.rivalry"], True])}, ("events.0.key",)),
        ("both set and shift", {"set": valid_value(rng, key), "shift": 0.1}, ("events.0", "exactly one")),
        ("neither set nor shift", {"set": None, "shift": None}, ("events.0", "exactly one")),
        ("unknown event key", {"when": 3}, ("events.0.when", "known key")),
        ("shift not finite", {"set": None, "shift": rng.choice([float("nan"), float("inf"), -float("inf")])},
         ("events.0.shift", "finite")),
        ("shift not a number", {"set": None, "shift": rng.choice(["0.1", True, [0.1]])}, ("events.0.shift",)),
        ("set of the wrong type", {"shift": None, "set": wrong_value(rng, key)}, (shown(key),)),
    ])
    if kind == "shift not a number" and spec.kind != "real":
        change = {"set": None, "shift": "0.1"}
    event = {k: v for k, v in (event | change).items() if v is not None}
    doc = document(steps=steps, events=[event])
    return scenario_case(f"bad event: {kind}", doc, fragments)


def shift_of_a_non_number(rng):
    key = rng.choice([k for k in KEYS if spec_of(k).kind != "real"])
    doc = document(events=[{"step": 1, "key": key, "shift": 0.5}])
    return scenario_case(f"bad event: shift of {key}", doc, ("events.0.shift", "set"))


def bad_bytes(rng):
    valid = toml(document())
    at = rng.randint(0, len(valid))
    kind, content, fragments = rng.choice([
        ("non-UTF-8 bytes", valid[:at] + bytes([rng.randint(0x80, 0xFF)]) + b"\xff" + valid[at:], ("UTF-8",)),
        ("a NUL byte", valid + b'x = "\x00"\n', ("valid TOML",)),
        ("empty file", b"", ("title", "required")),
        ("whitespace only", b" \n\t\n" * rng.randint(1, 50), ("title", "required")),
        ("binary garbage", bytes([0xFE, 0xFF]) + rng.randbytes(rng.randint(1, 4000)), ("file",)),
        ("cut inside a string", b'title = "fuz', ("valid TOML",)),
        ("duplicate key", valid + b'title = "again"\n', ("valid TOML",)),
        ("an integer of 5000 digits", valid + b"[world]\nrivalry = " + b"9" * 5000 + b"\n", ("valid TOML",)),
    ])
    return scenario_case(f"bad bytes: {kind}", content, fragments)


def byte_order_mark(rng):
    return scenario_case("valid: UTF-8 with a byte-order mark", "\ufeff".encode() + toml(document()))


def base_chain(rng):
    """Deep chains load (any length); cycles, missing, broken or directory bases are named errors."""
    depth = rng.choice([2, 10, 100, rng.randint(2, 1500)])
    files = {f"c{i}.toml": toml(document(base=f"c{i - 1}" if i else "baseline_2020", title=f"c{i}"))
             for i in range(depth)}
    kind = rng.choice(["deep chain", "cycle", "missing base", "broken base", "directory base"])
    if kind == "deep chain":
        return Case(f"base chain: deep ({depth})", ["run", f"{{dir}}/c{depth - 1}.toml", *RUN], files)
    broken = rng.randrange(depth)
    if kind == "cycle":
        files[f"c{broken}.toml"] = toml(document(base=f"c{depth - 1}"))
        return Case("base chain: cycle", ["run", f"{{dir}}/c{depth - 1}.toml", *RUN], files, ("base", "cycle"))
    if kind == "missing base":
        files[f"c{broken}.toml"] = toml(document(base="no_such_scenario_zz"))
        fragments = (f"{{dir}}/c{broken}.toml", "base", "no_such_scenario_zz")
    elif kind == "directory base":
        files["adir.toml"] = None
        files[f"c{broken}.toml"] = toml(document(base="{dir}/adir.toml"))
        fragments = (f"{{dir}}/c{broken}.toml", "base")
    else:
        key = rng.choice([k for k in KEYS if spec_of(k).kind == "real"])
        files[f"c{broken}.toml"] = toml(merge(document(base=f"c{broken - 1}" if broken else "baseline_2020"),
                                              nested(key, "broken")))
        fragments = (f"{{dir}}/c{broken}.toml", key)
    return Case(f"base chain: {kind}", ["run", f"{{dir}}/c{depth - 1}.toml", *RUN], files, fragments)


def bad_path(rng):
    kind, path, files = rng.choice([
        ("a directory", "{dir}/adir", {"adir": None}),
        ("a directory named .toml", "{dir}/adir.toml", {"adir.toml": None}),
        ("does not exist", "{dir}/nothing_here.toml", {}),
        ("a name that is no scenario", random_name(rng), {}),
        ("an empty name", "", {}),
        ("a NUL byte", "{dir}/a\x00b.toml", {}),
        ("a name too long for the file system", "{dir}/" + "x" * 5000, {}),
        ("a device", "/dev/null", {}),
    ])
    return Case(f"bad scenario path: {kind}", ["run", path, *RUN], files, ("scenario",))


DEEP = f"nested at most {MAX_DEPTH} deep"  # what every too-deep error says, whoever noticed it


def arrays(depth: int) -> str:
    return "[" * depth + "]" * depth


def inline_tables(depth: int) -> str:
    return "{a = " * depth + "1" + "}" * depth


def nested_too_deep(rng):
    """Lists and tables inside each other beyond MAX_DEPTH, anywhere in a file or in a file of its base
    chain: one line naming the file (before: a RecursionError of some 3,000 lines). Up to some hundreds
    deep, tomllib reads the file and the nesting check refuses it; beyond, tomllib itself gives up."""
    limit = MAX_DEPTH
    # depths either side of where tomllib's recursion gives up (some 300-500), never near it, so the
    # same case gets the same line in any process whatever its stack depth
    readable, unreadable = rng.randint(limit + 1, 150), rng.choice([1000, 5000, rng.randint(1000, 20_000)])
    kind, text = rng.choice([
        ("arrays", f"x = {arrays(readable)}"),
        ("arrays as a parameter", f"[world]\nrivalry = {arrays(readable)}"),
        ("arrays as rivals", f"[partners.CN]\nrivals = [{arrays(readable)}]"),
        ("arrays in an event", f'[[events]]\nstep = 1\nkey = "world.rivalry"\nset = {arrays(readable)}'),
        ("inline tables", f"x = {inline_tables(readable)}"),
        ("inline tables in a table", f"[states.Vietnam]\nties = {inline_tables(readable)}"),
        ("table headers", "[world" + ".a" * rng.randint(limit, 20_000) + "]\nb = 1"),
        ("dotted keys", "states" + ".a" * rng.randint(limit, 20_000) + " = 1"),
        ("arrays too deep to read", f"x = {arrays(unreadable)}"),
        ("inline tables too deep to read", f"[world]\nrivalry = {inline_tables(unreadable)}"),
        ("a mix too deep to read", "x = " + "[{a = " * (unreadable // 2) + "1" + "}]" * (unreadable // 2)),
    ])
    content = toml(document()) + text.encode() + b"\n"
    if rng.random() < 0.25:  # in a file of the base chain: the error names that file
        top = toml(document(base="deep", title="top"))
        return scenario_case(f"nested too deep: {kind}, in a base", top, (DEEP,), where="{dir}/deep.toml",
                             extra_files={"deep.toml": content})
    return scenario_case(f"nested too deep: {kind}", content, (DEEP,))


def nested_within_the_limit(rng):
    """Up to MAX_DEPTH deep, a wrong value gets the usual error naming its key."""
    key = rng.choice([k for k in KEYS if spec_of(k).kind == "real" and k.count(".") == 1])
    table, name = key.split(".")
    depth = rng.choice([2, 10, 50, MAX_DEPTH - 1])  # the table is one level, the value's lists the rest
    content = toml(document()) + f"[{table}]\n{name} = {arrays(depth)}\n".encode()
    return scenario_case("nested within the limit: a wrong value", content, (key, "expected a number"))


def very_many_or_very_long(rng):
    """Very many events, keys, tables or list items; very long lines and keys: accepted or one line."""
    count = rng.choice([1000, 10_000, rng.randint(1000, 50_000)])
    head = toml(document())
    kind, text, fragments = rng.choice([
        ("many events", "".join(f'[[events]]\nstep = {rng.randint(1, 40)}\nkey = "world.rivalry"\nshift = 0.01\n'
                                for _ in range(count // 10)), None),
        ("many unknown keys", "[world]\n" + "".join(f"k{i} = {i}\n" for i in range(count)), ("world.k0",)),
        ("many unknown tables", "".join(f"[t{i}]\n" for i in range(count)), ("t0", "known key")),
        ("a long partner_set", "partner_set = [" + ", ".join(['"US"', '"CN"'] * count) + "]\n",
         ("partner_set", "no name listed twice")),
        ("a long rivals list", "[partners.CN]\nrivals = [" + ", ".join(['"US"'] * count) + "]\n",
         ("partners.CN.rivals",)),
        ("a 10 MB comment", "# " + "x" * 10_000_000 + "\n", None),
        ("a key of a million characters", "[world]\n" + "k" * 1_000_000 + " = 1\n", ("world.kkkk", "...")),
    ])
    return scenario_case(f"very many or very long: {kind}", head + text.encode(), fragments)


SCENARIO_MUTATIONS = [  # (make one case, how many); new families go last, so earlier cases stay the same
    (valid_scenario, 90), (byte_order_mark, 5), (wrong_type, 150), (outside_bounds, 120), (unknown_name, 110),
    (missing_or_wrong_top_level, 90), (bad_event, 140), (shift_of_a_non_number, 15), (bad_bytes, 60),
    (base_chain, 30), (bad_path, 30), (nested_too_deep, 60), (nested_within_the_limit, 10),
    (very_many_or_very_long, 14),
]


# --- command-line arguments ------------------------------------------------------


def valid_run(rng):
    argv = ["run", rng.choice(["baseline_2020", "scs_crisis", "thaad_coercion"]), "--steps", str(rng.randint(1, 6)),
            "--replicates", str(rng.randint(1, 3)), "--engine", rng.choice(["ensemble", "mesa"]), "--no-files"]
    if rng.random() < 0.5:
        argv += rng.choice([["--seed", str(rng.randint(0, 2**63 - 1))], [f"--seed={rng.randint(0, 99)}"]])
    for key in rng.sample(KEYS, rng.randint(0, 4)):
        argv += ["--set", f"{key}={set_text(valid_value(rng, key))}"]
    if rng.random() < 0.3:
        argv.append("--json")
    return Case("valid: run options", argv)


def set_text(value) -> str:
    """A value as --set reads it (TOML)."""
    return tomli_w.dumps({"v": value}).partition("=")[2].strip().replace("\n", "")


WRONG_TEXTS = ["abc", "true", "[1, 2]", "{a = 1}", '"0.5"', "1979-05-27"]


def bad_set(rng):
    key = rng.choice(KEYS)
    kind, text, fragments = rng.choice([
        ("out of range", f"{key}={set_text(out_of_range(rng, key)) if spec_of(key).kind == 'real' else 'zz'}",
         (key,)),
        ("wrong type", f"{key}={rng.choice(WRONG_TEXTS)}", (key,)),
        ("huge number", f"{key}={rng.choice(['1e400', '-1e400', '9' * 5000, 'nan', 'inf'])}", (key,)),
        ("no '='", key, ("KEY=VALUE",)),
        ("no key", f"={rng.random()}", ("KEY=VALUE",)),
        ("no value", f"{key}=", (key,)),
        ("unknown key", f"{random_name(rng)}=0.5", ("known parameter",)),
        ("two '='", f"{key}=0.5=3", (key,)),
    ])
    if spec_of(key).kind == "choice" and kind == "wrong type":
        text = f"{key}=3"
    return Case(f"bad --set: {kind}", ["run", "baseline_2020", "--set", text, *RUN], expect=("--set", *fragments))


def bad_number_option(rng):
    option, bad = rng.choice([
        ("--steps", ["abc", "1.5", "", "0", "-3", "10001", "99999999999999999999", "1e3", "NaN"]),
        ("--seed", ["-1", str(2**63), str(2**70), "1.5", "abc", "", "0x10", "--"]),
        ("--replicates", ["0", "-1", "10001", "x", "2.0", ""]),
    ])
    value = rng.choice(bad)
    argv = ["run", "baseline_2020", *rng.choice([[option, value], [f"{option}={value}"]]), "--no-files"]
    return Case(f"bad {option}: {value!r}", argv, expect=(option.lstrip("-")[:4],))


def bad_usage(rng):
    kind, argv, fragments = rng.choice([
        ("unknown option", ["run", "baseline_2020", "--stepz", "3"], ("--stepz",)),
        ("option without its value", ["run", "baseline_2020", "--no-files", "--steps"], ("--steps",)),
        ("extra argument", ["run", "baseline_2020", "extra", "--no-files"], ("extra",)),
        ("no scenario", ["run", "--no-files"], ("SCENARIO",)),
        ("no command", [], ("COMMAND",)),
        ("unknown command", [random_name(rng).split("\n")[0][:30]], ("command",)),
        ("unknown engine", ["run", "baseline_2020", "--engine", "turbo", "--no-files"], ("--engine", "turbo")),
        ("explain without --state", ["explain", "baseline_2020"], ("--state",)),
        ("bad --state", ["explain", "baseline_2020", "--state", random_name(rng), "--json"], ("state",)),
        ("bad --step", ["explain", "baseline_2020", "--state", "Vietnam", "--step",
                        rng.choice(["-1", "41", "x"]), "--json"], ("step",)),
        ("bad bench option", ["bench", rng.choice(["--runs", "--mesa-runs", "--steps"]), rng.choice(["0", "-5"])],
         ("--",)),
        ("bad bench memory", ["bench", "--memory-mb", rng.choice(["0", "-1", "nan", "inf", "x"])], ("--memory-mb",)),
        ("too big for memory", ["run", "baseline_2020", "--steps", "10000", "--replicates", "10000", "--no-files"],
         ("replicates", "memory")),
    ])
    return Case(f"bad usage: {kind}", argv, expect=fragments)


def valid_other_command(rng):
    random_name(rng)  # was a prefix that matches nothing, now an error (family `params`); drawn still, so the
    # random stream, and every later case, stays as it was
    argv = rng.choice([
        ["list"], ["list", "--long"], ["list", "--json"],
        ["params", rng.choice(["", "world.", "partners.KR", "states.Vietnam.ties."])], ["params", "--json"],
        ["explain", "baseline_2020", "--state", rng.choice(STATES), "--json", "--steps", str(rng.randint(1, 8))],
    ])
    return Case("valid: other commands", argv)


def out_option(rng):
    """--out: a file, under a file, unwritable, unnameable (errors); new or existing directories (written)."""
    kind, out, files, fragments = rng.choice([
        ("a file", "{dir}/afile", {"afile": b"keep me"}, ("is a file",)),
        ("under a file", "{dir}/afile/sub/deeper", {"afile": b"keep me"}, ("under a file",)),
        ("a NUL byte", "{dir}/a\x00b", {}, ("NUL",)),
        ("a name too long", "{dir}/" + "x" * 300, {}, ("can be written",)),
        ("a new nested directory", "{dir}/new/deep/out", {}, None),
        ("an existing directory", "{dir}/old", {"old/notes.txt": b"keep me"}, None),
    ] + ([("unwritable", "/proc/sys/sim_out", {}, ("can be written",))] if not os.access("/proc/sys", os.W_OK) else []))
    command = rng.choice([["run", "baseline_2020", "--steps", "2"],
                          ["explain", "baseline_2020", "--state", "Vietnam", "--steps", "2"]])
    return Case(f"--out: {kind}", [*command, "--out", out], files, None if fragments is None else ("--out", *fragments),
                out=out)


REAL_KEYS = [key for key in KEYS if spec_of(key).kind == "real" and spec_of(key).lo < spec_of(key).hi]
SWEEP = ["--steps", "1", "--no-progress"]  # what every sweep case appends: one quarter, no bar on stderr


def vary_text(rng, key) -> tuple[str, float, float]:
    """A valid KEY=LO:HI[:N] inside the key's bounds."""
    spec = spec_of(key)
    lo, hi = sorted(rng.uniform(spec.lo, spec.hi) for _ in range(2))
    if lo == hi:
        lo, hi = spec.lo, spec.hi
    return f"{key}={lo!r}:{hi!r}", lo, hi


def valid_sweep(rng):
    """A tiny sweep of 1-3 random real parameters with any sampler: must run and write its files."""
    keys = rng.sample(REAL_KEYS, rng.randint(1, 3))
    sampler = rng.choice(["grid", "lhs", "sobol"])
    argv = ["sweep", "baseline_2020", *SWEEP, "--out", "{dir}/sweep", "--sampler", sampler]
    for key in keys:
        text = vary_text(rng, key)[0]
        argv += ["--vary", text + (":2" if sampler == "grid" else "")]
    if sampler != "grid":
        argv += ["--samples", rng.choice(["2", "4"])]
    return Case("valid: sweep", argv, out="{dir}/sweep")


def bad_vary(rng):
    """--vary broken in one known way, or a sweep option out of range: one line, --out not created."""
    key = rng.choice(REAL_KEYS)
    spec = spec_of(key)
    good, lo, hi = vary_text(rng, key)
    span = f"{lo!r}:{hi!r}"
    kind, vary, fragments, extra = rng.choice([
        ("no '='", key, (key,), []),
        ("no range", f"{key}=", (key,), []),
        ("one bound", f"{key}={lo!r}", (key,), []),
        ("four parts", f"{key}={span}:3:4", (key,), []),
        ("LO above HI", f"{key}={hi!r}:{lo!r}", (key, "LO < HI"), []) if lo < hi else ("no key", "=0:1", ("KEY",), []),
        ("below the range", f"{key}={spec.lo - 1 - rng.random()!r}:{hi!r}", (key,), []),
        ("above the range", f"{key}={lo!r}:{spec.hi + 1 + rng.random()!r}", (key,), []),
        ("not a number", f"{key}={rng.choice(['abc', '', '1,5', '0x1'])}:{hi!r}", (key,), []),
        ("nan or inf", f"{key}={rng.choice(['nan', '-inf'])}:{rng.choice(['inf', 'nan'])}", (key,), []),
        ("bad levels", f"{key}={span}:{rng.choice(['0', '-2', '1.5', 'x', '99999999999'])}", (key,), []),
        ("unknown key", f"{random_name(rng).split(chr(10))[0]}=0:1", ("--vary",), []),
        ("a choice", "world.china_mode=0:1", ("world.china_mode", "--set"), []),
        ("a list", "partners.CN.rivals=0:1", ("partners.CN.rivals", "--set"), []),
        ("the same key twice", good, (key,), ["--vary", good]),
        ("unknown sampler", good, ("--sampler",), ["--sampler", rng.choice(["random", "LHS", ""])]),
        ("bad samples", good, ("--samples",), ["--sampler", "lhs", "--samples", rng.choice(["0", "-4", "x", "1.5"])]),
        ("sobol not a power of two", good, ("power of two",), ["--sampler", "sobol", "--samples", "6"]),
        ("bad replicates", good, ("replicates",), ["--replicates", rng.choice(["0", "-1", "y"])]),
        ("bad workers", good, ("--workers",), ["--workers", rng.choice(["0", "-2", "two"])]),
    ])
    argv = ["sweep", "baseline_2020", *SWEEP, "--out", "{dir}/sweep", "--vary", vary, *extra]
    return Case(f"bad --vary: {kind}", argv, expect=fragments, out="{dir}/sweep")


TABLE_KEYS = parameters.table()["key"].tolist()  # what `params` lists


def params_prefix(rng):
    """`params PREFIX`: a prefix no key starts with is an error naming the closest keys (was: an empty
    table, exit 0); a typo of a key is an error or, if it still starts some key, a table."""
    key = rng.choice(TABLE_KEYS)
    at = rng.randrange(len(key))
    kind, prefix = rng.choice([
        ("a name no key starts with", random_name(rng)),
        ("a character dropped", key[:at] + key[at + 1:]),
        ("a character changed", key[:at] + rng.choice("xq_.") + key[at + 1:]),
        ("a group misspelt", rng.choice(["wrld.", "modle.", "weight.", "partner.", "state.", "World."])),
        ("a per-state weight", f"states.{rng.choice(STATES)}.weights"),
        ("a leading space", " " + key),
    ])
    output = rng.choice([[], ["--json"], ["--markdown"], ["--long"]])
    if any(k.startswith(prefix) for k in TABLE_KEYS):  # a typo can still start a key: listed, exit 0
        return Case("params: a prefix of some key", ["params", prefix, *output])
    return Case(f"params: {kind}", ["params", prefix, *output], expect=("prefix", "the start of a parameter key"))


def deep_set(rng):
    """--set KEY=VALUE nested too deep: kept as text like any value TOML cannot read, then refused."""
    key = rng.choice(KEYS)
    depth = rng.choice([MAX_DEPTH + 1, 500, 5000, rng.randint(MAX_DEPTH + 1, 20_000)])
    value = rng.choice([arrays(depth), inline_tables(depth)])
    return Case("--set nested too deep", ["run", "baseline_2020", "--set", f"{key}={value}", *RUN],
                expect=("--set", key[:40]))


def many_sets(rng):
    """Very many --set options: all applied (the last of a key wins), or the one bad one named."""
    keys = [k for k in KEYS if spec_of(k).kind == "real"]
    texts = [f"{key}={set_text(valid_value(rng, key))}" for key in rng.choices(keys, k=rng.choice([100, 1000, 5000]))]
    argv = ["run", "baseline_2020", *[a for text in texts for a in ("--set", text)], *RUN]
    if rng.random() < 0.5:
        return Case("many --set options: all valid", argv)
    bad = rng.randrange(len(texts))
    key = texts[bad].partition("=")[0]
    argv[2 + 2 * bad + 1] = f"{key}=high"
    return Case("many --set options: one bad", argv, expect=("--set", key, "'high'"))


def bad_manifest(rng):
    """A sweep directory whose manifest.json is nested too deep, not JSON, not an object, or of the wrong
    shape: `discover` says so in one line (was: RecursionError, TypeError, AttributeError)."""
    depth = rng.choice([10_000, 100_000, rng.randint(5000, 200_000)])
    header = '{"format": "sim-sweep/1", "complete": true, '
    kind, content = rng.choice([
        ("nested too deep", "[" * depth + "]" * depth),
        ("objects nested too deep", '{"a": ' * depth + "1" + "}" * depth),
        ("not JSON", "{" + rng.choice(["", '"format"', "nan nan"])),
        ("not an object", rng.choice(["[1]", "3", '"sim-sweep/1"', "null"])),
        ("chunks of the wrong shape", header + rng.choice(['"chunks": 5', '"chunks": {"a": 1}', '"chunks": []',
                                                           '"chunks": {"a": {"runs": [0]}}']) + ', "varied": []}'),
        ("varied of the wrong shape", header + '"chunks": {}, "varied": ' + rng.choice(["3", "[1]", "[{}]"]) + "}"),
    ])
    return Case(f"bad sweep manifest: {kind}", ["discover", "{dir}/sw", "--outcome", "led_CN >= 6"],
                {"sw/manifest.json": content.encode()}, ("{dir}/sw", "manifest.json"))


CLI_MUTATIONS = [  # new families go last, so earlier cases stay the same
    (valid_run, 80), (bad_set, 180), (bad_number_option, 120), (bad_usage, 140), (valid_other_command, 40),
    (out_option, 24), (valid_sweep, 12), (bad_vary, 190), (params_prefix, 40), (deep_set, 20), (many_sets, 6),
    (bad_manifest, 24),
]


def generate(mutations) -> list[Case]:
    rng = random.Random(SEED)
    return [make(rng) for make, count in mutations for _ in range(count)]


SCENARIO_CASES = generate(SCENARIO_MUTATIONS)
CLI_CASES = generate(CLI_MUTATIONS)


# --- running a case -----------------------------------------------------------------


def materialize(case: Case, directory: Path) -> Case:
    """Write the case's files under ``directory`` and fill in ``{dir}``."""
    def fill(text: str) -> str:
        return text.replace("{dir}", str(directory))

    for name, content in case.files.items():
        path = directory / name
        if content is None:
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.replace(b"{dir}", str(directory).encode()))
    return Case(case.name, [fill(a) for a in case.argv], {}, case.expect and tuple(fill(f) for f in case.expect),
                case.out and fill(case.out))


def run_in_process(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse: --help, usage errors
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def snapshot(directory: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(directory)): None if p.is_dir() else p.read_bytes()
            for p in sorted(directory.rglob("*"))}


def check(case: Case, directory: Path) -> None:
    """Run one case and check its outcome; failures name the case."""
    directory.mkdir()
    case = materialize(case, directory)
    before = snapshot(directory)
    code, out, err = run_in_process(case.argv)
    label = f"{case.name}: {case.argv!r:.300}"
    if case.expect is None:
        assert (code, err) == (0, ""), label
    else:
        lines = err.splitlines()
        assert code == 2, (label, err)
        assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, (label, err)
        assert out == "", (label, out)
        for fragment in case.expect:
            assert fragment in lines[0], (label, fragment, lines[0])
    leftovers = [p for p in directory.rglob("*") if p.name.endswith(".tmp")]
    assert not leftovers, (label, leftovers)
    if case.out is not None:
        check_out(case, code, directory, before)
    elif case.expect is not None:
        assert snapshot(directory) == before, label  # an error writes nothing


EXPECTED_FILES = {"run": {"manifest.json", "alignment.parquet", "final.csv"},
                  "explain": {"explain_Vietnam_step2.png"},
                  "sweep": {"manifest.json", "runs", "samples.parquet", "summary.parquet"}}


def check_out(case: Case, code: int, directory: Path, before: dict) -> None:
    """--out after the command: complete when it succeeded, untouched when it failed."""
    out = Path(case.out)
    if code == 0:
        written = {p.name for p in out.iterdir()}
        assert written >= EXPECTED_FILES[case.argv[0]], (case.name, written)
    else:
        assert snapshot(directory) == before, case.name


def check_family(cases: list[Case], tmp_path: Path, record_property) -> None:
    for index, case in enumerate(cases):
        check(case, tmp_path / str(index))
    record_property("fuzz cases", len(cases))


def families(cases: list[Case]) -> dict[str, list[Case]]:
    grouped = {}
    for case in cases:
        grouped.setdefault(case.family(), []).append(case)
    return grouped


SCENARIO_FAMILIES, CLI_FAMILIES = families(SCENARIO_CASES), families(CLI_CASES)


# --- the tests -------------------------------------------------------------------------


def test_enough_cases_of_every_kind():
    assert len(SCENARIO_CASES) + len(CLI_CASES) >= MIN_CASES
    for cases in (SCENARIO_CASES, CLI_CASES):
        valid = sum(case.expect is None for case in cases)
        assert 0 < valid < len(cases) / 2  # both outcomes, mostly errors
    print(f"{len(SCENARIO_CASES)} scenario-file cases in {len(SCENARIO_FAMILIES)} families, "
          f"{len(CLI_CASES)} command-line cases in {len(CLI_FAMILIES)} families")


@pytest.mark.parametrize("family", sorted(SCENARIO_FAMILIES))
def test_scenario_files(family, tmp_path, record_property):
    check_family(SCENARIO_FAMILIES[family], tmp_path, record_property)


@pytest.mark.parametrize("family", sorted(CLI_FAMILIES))
def test_command_line(family, tmp_path, record_property):
    check_family(CLI_FAMILIES[family], tmp_path, record_property)


def first_error_of_each_family() -> list[Case]:
    cases = {}
    for case in SCENARIO_CASES + CLI_CASES:
        if case.expect is not None and "NUL" not in case.name and "NUL" not in str(case.expect):
            cases.setdefault(case.family(), case)
    return list(cases.values())


@pytest.mark.slow
@pytest.mark.parametrize("case", first_error_of_each_family(), ids=lambda case: case.family())
def test_a_real_process_prints_the_same_line(case, tmp_path, record_property):
    """What a user sees: the same single line from `python3 run.py`, exit 2, no traceback."""
    directory = tmp_path / "case"
    directory.mkdir()
    case = materialize(case, directory)
    _, _, in_process = run_in_process(case.argv)
    proc = subprocess.run([sys.executable, "run.py", *case.argv], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr == in_process
    record_property("fuzz cases", 1)


# --- failures while writing --out (fault injection) ----------------------------------

RUN_FILES = 8  # what `run` writes: four Parquet tables, final.csv, two plots, the manifest


def failing_at(number: int, error: BaseException):
    """A stand-in for `sim.base.files.write_all` (as `sim.running.run.save` calls it) whose ``number``-th file
    writes half its bytes, then fails."""
    from sim.base import files

    real = files.write_all

    def write_all(out_dir, writers, where="out_dir"):
        def fail(path):
            path.write_bytes(b"half a file")
            raise error

        return real(out_dir, {name: fail if i == number else write for i, (name, write) in enumerate(writers.items())},
                    where)
    return write_all


@pytest.mark.parametrize("existing", [False, True], ids=["new --out", "existing --out"])
@pytest.mark.parametrize("failing", range(RUN_FILES))
def test_a_full_disk_midway_leaves_nothing_half_written(tmp_path, failing, existing, record_property):
    """The disk fills up at any of the eight files: one error line naming --out, and --out as it was."""
    out = tmp_path / "results" / "out"
    if existing:
        out.mkdir(parents=True)
        (out / "manifest.json").write_text("an earlier run")
    before = snapshot(tmp_path)
    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    with mock.patch("sim.running.run.write_all", failing_at(failing, full)):
        code, stdout, err = run_in_process(["run", "baseline_2020", "--steps", "2", "--out", str(out)])
    assert code == 2 and stdout == "", err
    assert err.startswith("error: --out = ") and err.endswith(": expected a directory that can be written "
                                                              "(No space left on device)\n")
    assert snapshot(tmp_path) == before
    record_property("fuzz cases", 1)


@pytest.mark.parametrize("failing", [0, RUN_FILES - 1])
def test_an_interrupt_midway_leaves_nothing_half_written(tmp_path, failing, record_property):
    out = tmp_path / "out"
    with mock.patch("sim.running.run.write_all", failing_at(failing, KeyboardInterrupt())):
        code, _, err = run_in_process(["run", "baseline_2020", "--steps", "2", "--out", str(out)])
    assert (code, err) == (130, "interrupted\n")
    assert list(tmp_path.iterdir()) == []
    record_property("fuzz cases", 1)
