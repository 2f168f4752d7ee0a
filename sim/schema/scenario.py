"""Scenario files: TOML, validated against the parameter schema.

A scenario names its base and says only what differs from it::

    title = "Peninsula detente"
    description = "Seed 002: ..."
    base = "baseline_2020"

    [world]
    nk_threat = 0.5

    [partners.KR]
    counterbalance = 0.2

    [[events]]                 # at step 8, set (or shift) any parameter
    step = 8
    key = "world.nk_threat"
    set = 0.1

Top-level keys: title, description (required), base, steps, seed,
partner_set, state_set, and the parameter tables model, world, weights,
partners, states. Every problem is an `InputError` naming file, key, value
and what was expected.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from sim.base.errors import MAX_DEPTH, InputError, check_nesting, near_miss
from sim.base.files import path_is
from sim.schema import parameters

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"
PARAMETER_TABLES = ("model", "world", "weights", "partners", "states")
MAX_STEPS = 10_000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _EventFile(_Strict):
    step: StrictInt = Field(ge=1, le=MAX_STEPS)
    key: StrictStr
    set: Any = None  # checked against the key's own spec (`_events`), which names the key
    shift: float | None = Field(default=None, allow_inf_nan=False)


class _ScenarioFile(_Strict):
    title: StrictStr = Field(min_length=1)
    description: StrictStr = Field(min_length=1)
    base: StrictStr | None = None
    steps: StrictInt | None = Field(default=None, ge=1, le=MAX_STEPS)
    seed: StrictInt | None = Field(default=None, ge=0, lt=2**63)
    partner_set: list[StrictStr] | None = Field(default=None, min_length=2)
    state_set: list[StrictStr] | None = Field(default=None, min_length=1)
    model: dict = {}
    world: dict = {}
    weights: dict = {}
    partners: dict = {}
    states: dict = {}
    events: list[_EventFile] = []


@dataclass(frozen=True)
class Event:
    """At ``step``, set ``key`` to ``value`` or shift it by ``value``."""

    step: int
    key: str
    op: Literal["set", "shift"]
    value: object


# The partners of a scenario that names no partner_set: the four outside powers of the mission and
# the ASEAN-centred option (docs/model.md 7.2)
DEFAULT_PARTNERS = ("US", "CN", "JP", "KR", "ASEAN")

# A run's variation key "event:KEY" sizes the scenario's shift event on KEY for that run: the
# panel fit estimates the sizes of in-sample state events this way (sim.calibration.panel).
EVENT_SIZE = "event:"


def sized_events(events, variations: list[dict]) -> tuple[tuple[Event, ...], list[dict]]:
    """Split per-run ``variations`` into event sizes and parameter changes.

    Each ``event:KEY`` entry replaces, in its run, the size of every shift event on
    KEY (the event's value becomes a [run] array); events no run sizes are returned
    unchanged, and so is a size for an event the scenario does not have.
    """
    plain = parameter_changes(variations)
    sized = {key[len(EVENT_SIZE):] for v in variations for key in v if key.startswith(EVENT_SIZE)}
    if not sized:
        return tuple(events), plain
    return tuple(
        replace(e, value=np.array([float(v.get(EVENT_SIZE + e.key, e.value)) for v in variations]))
        if e.op == "shift" and e.key in sized else e
        for e in events), plain


def parameter_changes(variations: list[dict]) -> list[dict]:
    """``variations`` without their event sizes (``event:KEY``): what `Scenario.with_overrides` checks."""
    return [{key: value for key, value in v.items() if not key.startswith(EVENT_SIZE)} for v in variations]


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: what differs from the parameter table, plus its events."""

    name: str
    title: str
    description: str
    path: str
    steps: int = 40
    seed: int = 0
    partners: tuple[str, ...] = DEFAULT_PARTNERS
    states: tuple[str, ...] = ()
    overrides: dict = field(default_factory=dict)
    events: tuple[Event, ...] = ()

    def parameters(self) -> dict:
        """Every parameter's value in this scenario (table defaults, then overrides)."""
        return parameters.defaults() | self.overrides

    def with_overrides(self, values: dict, where: str = "--set") -> "Scenario":
        """A copy with more parameters changed (validated like a scenario file)."""
        checked = {key: parameters.check(key, value, where) for key, value in values.items()}
        return replace(self, overrides=self.overrides | checked)

    def digest(self) -> str:
        """A short hash of everything that decides this scenario's results."""
        content = {
            "partners": self.partners,
            "states": self.states,
            "steps": self.steps,
            "parameters": self.parameters(),
            "events": [vars(e) for e in self.events],
        }
        text = json.dumps(content, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def resolve(name_or_path: str | Path, relative_to: Path | None = None) -> Path:
    """A scenario name in scenarios/ (or next to ``relative_to``) or a path to a TOML file."""
    text = str(name_or_path)
    candidates = [Path(text)] if text else []
    if text and not text.endswith(".toml"):
        if relative_to is not None:
            candidates.append(relative_to / f"{text}.toml")
        candidates.append(SCENARIO_DIR / f"{text}.toml")
    for path in candidates:
        if path_is(path, Path.is_file):
            return path
    if text and path_is(Path(text), Path.is_dir):
        raise InputError(text, "scenario", None, "a TOML file, not a directory")
    names = sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))
    raise InputError("", "scenario", text, f"a scenario name ({', '.join(names)}) or a path to a .toml file"
                     + near_miss(text, names))


VARIANT = "@"  # scenario@key=value[@key=value...]: a scenario with parameters changed inline


def load(name_or_path: str | Path) -> Scenario:
    """Load, merge with its base chain, and validate a scenario.

    ``NAME@KEY=VALUE[@KEY=VALUE...]`` is an inline variant: scenario NAME with those
    parameters changed from the start (as ``--set`` changes them; NAME's events still
    apply), named by the whole text, so `compare` can set it beside NAME itself."""
    text = str(name_or_path)
    if VARIANT in text and not path_is(Path(text), Path.is_file):
        return _variant(text)
    path = resolve(name_or_path)
    return _validate(path, _merge_chain(path))


def _variant(text: str) -> Scenario:
    base, *changes = text.split(VARIANT)
    if not base or not all(changes):
        raise InputError("", "scenario", text, "NAME@KEY=VALUE, e.g. baseline_2020@world.us_commitment=0.75")
    pairs = dict(parse_assignment(change, where=text) for change in changes)
    scenario = load(base).with_overrides(pairs, where=text)
    shown = ", ".join(f"{key} = {value}" for key, value in pairs.items())
    return replace(scenario, name=text, title=f"{scenario.title} with {shown}")


def _read(path: Path) -> dict:
    where = str(path)
    try:
        raw = path.read_bytes().decode("utf-8-sig")  # a byte-order mark (some editors add one) is fine
    except UnicodeDecodeError as exc:
        raise InputError(where, "file", None, f"UTF-8 text (byte {exc.start} is not)") from None
    except OSError as exc:
        raise InputError(where, "file", None, f"a readable file ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw)
    except ValueError as exc:  # TOMLDecodeError, or an integer of more than 4300 digits
        raise InputError(where, "file", None, f"valid TOML ({exc})") from None
    except RecursionError:  # arrays or inline tables nested some hundreds deep: deeper than tomllib can follow
        raise InputError(where, "file", None, f"valid TOML with lists and tables nested at most {MAX_DEPTH} deep "
                         "(nested too deep to read)") from None
    check_nesting(where, data)  # before anything recursive reads it
    try:
        return _ScenarioFile.model_validate(data).model_dump(exclude_unset=True) | {"_path": where}
    except ValidationError as exc:
        raise _pydantic_error(where, exc) from None


def _pydantic_error(where: str, exc: ValidationError) -> InputError:
    first = exc.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "file"
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        allowed = ", ".join(_ScenarioFile.model_fields if "." not in key else _EventFile.model_fields)
        return InputError(where, key, None, f"a known key (one of {allowed})")
    if first["type"] == "missing":
        return InputError(where, key, None, "a value (this key is required)")
    if first["type"] == "too_short":
        return InputError(where, key, first.get("input"), f"a list of at least {first['ctx']['min_length']}")
    expected = message.removeprefix("Input should be ").removeprefix("Value error, ")
    return InputError(where, key, first.get("input"), expected)


def _base_chain(path: Path) -> list[tuple[Path, dict]]:
    """(path, content) of this file, its base, its base's base, ...; a cycle is an error.

    A loop, not recursion, so a chain of any length loads."""
    chain, seen = [], {}  # seen: resolved paths in chain order (a dict: looking one up is O(1))
    while True:
        resolved = _resolved(path)
        if resolved in seen:
            cycle = " -> ".join(p.stem for p in (*seen, resolved))
            raise InputError(str(chain[-1][0]), "base", path.stem, f"no cycle of bases ({cycle})")
        seen[resolved] = None
        data = _read(path)
        chain.append((path, data))
        if "base" not in data:
            return chain
        try:
            path = resolve(data["base"], relative_to=path.parent)
        except InputError:
            raise InputError(str(path), "base", data["base"], "the name or path of an existing scenario") from None


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a link loop: compare by the name as given
        return path.absolute()


def _merge_chain(path: Path) -> dict:
    """Each file's content on top of its base's, from the root of the chain down."""
    merged = {"_flat": {}, "_events": []}
    for source, data in reversed(_base_chain(path)):
        where = str(source)
        merged = {k: v for k, v in merged.items() if k not in ("title", "description")}
        merged.update({k: v for k, v in data.items() if k not in PARAMETER_TABLES and k != "events"})
        merged["_flat"] = merged["_flat"] | _flatten(data, where)
        merged["_events"] = merged["_events"] + _events(data, where)
    return merged


def _flatten(data: dict, where: str) -> dict:
    """Parameter tables to dotted keys, each value checked against its spec."""
    flat = {}

    def walk(prefix, value):
        if isinstance(value, dict):
            if not value:
                return
            for key, inner in value.items():
                walk(f"{prefix}.{key}", inner)
        else:
            flat[prefix] = parameters.check(prefix, value, where)

    for table in PARAMETER_TABLES:
        if table in data:
            walk(table, data[table])
    return flat


def _events(data: dict, where: str) -> list[tuple[str, Event]]:
    events = []
    for index, raw in enumerate(data.get("events", [])):
        key = f"events.{index}"
        has_set, has_shift = raw.get("set") is not None, raw.get("shift") is not None
        if has_set == has_shift:
            raise InputError(where, key, None, "exactly one of `set` or `shift`")
        spec = parameters.spec(raw["key"], f"{where}: {key}")  # errors say which event
        if has_set:
            event = Event(raw["step"], raw["key"], "set", spec.check(raw["set"], f"{where}: {key}"))
        elif spec.kind != "real":
            raise InputError(where, f"{key}.shift", raw["shift"], f"`set` ({raw['key']} is not a number)")
        else:
            event = Event(raw["step"], raw["key"], "shift", float(raw["shift"]))
        events.append((where, event))
    return events


def _validate(path: Path, merged: dict) -> Scenario:
    where = str(path)
    steps = merged.get("steps", 40)
    partner_set = tuple(merged.get("partner_set", DEFAULT_PARTNERS))
    state_set = tuple(merged.get("state_set", parameters.states()))
    _check_names(where, "partner_set", partner_set, parameters.partners())
    _check_names(where, "state_set", state_set, parameters.states())
    for origin, event in merged["_events"]:
        if event.step > steps:
            raise InputError(origin, "events.step", event.step, f"a step within the horizon (steps = {steps})")
    return Scenario(
        name=path.stem,
        title=merged["title"],
        description=" ".join(merged["description"].split()),
        path=where,
        steps=steps,
        seed=merged.get("seed", 0),
        partners=partner_set,
        states=state_set,
        overrides=merged["_flat"],
        events=tuple(sorted((e for _, e in merged["_events"]), key=lambda e: e.step)),
    )


def _check_names(where, key, names, known):
    for name in names:
        if name not in known:
            raise InputError(where, key, name, "one of " + ", ".join(known))
    if len(set(names)) != len(names):
        raise InputError(where, key, list(names), "no name listed twice")


def parse_assignment(text: str, where: str = "--set") -> tuple[str, object]:
    """``KEY=VALUE`` from the command line; VALUE is read as TOML (number, string, list)."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise InputError(where, text, None, "KEY=VALUE, for example world.rivalry=0.9")
    return key.strip(), parse_value(value.strip())


def parse_value(text: str):
    """A command-line value as TOML would read it; a bare word stays a string."""
    try:
        value = tomllib.loads(f"v = {text}")["v"]
        check_nesting("--set", value)  # an InputError is a ValueError: too deep is kept as text too
    except (ValueError, RecursionError):  # not TOML, more than 4300 digits, nested too deep: keep the text
        return text
    return value


def list_scenarios() -> pd.DataFrame:
    """Every scenario in scenarios/, with its title, base and description."""
    rows = []
    for path in sorted(SCENARIO_DIR.glob("*.toml")):
        scenario = load(path)
        rows.append({"name": path.stem, "title": scenario.title, "description": scenario.description})
    return pd.DataFrame(rows, columns=["name", "title", "description"])


def scenario_of(scenario: Scenario | str | Path, overrides: dict | None = None) -> Scenario:
    """A `Scenario` from a name, path or object, with ``overrides`` applied: how every
    function that takes a scenario reads its argument."""
    scenario = scenario if isinstance(scenario, Scenario) else load(scenario)
    return scenario.with_overrides(overrides or {}, where="overrides")


def derived_toml(base: str, title: str, description: str, overrides: dict | None = None,
                 events=()) -> str:
    """The text of a scenario file that says only what differs from scenario ``base``:
    ``overrides`` (``{dotted key: value}``) as parameter changes from the start, and
    ``events`` (`Event` objects) as timed changes. `load` reads it back to the same values
    (floats are written with Python's shortest round-trip repr), so the file reproduces a run
    number for number. The web app's 'save as scenario' writes this.
    """
    lines = [f"title = {_toml_value(title)}", f"description = {_toml_value(description)}",
             f"base = {_toml_value(base)}", ""]
    for key, value in (overrides or {}).items():
        parameters.spec(key, "overrides")  # an unknown key fails here, not when the file is read
        lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    for event in events:
        lines += ["", "[[events]]", f"step = {int(event.step)}", f"key = {_toml_value(event.key)}",
                  f"{event.op} = {_toml_value(event.value)}"]
    return "\n".join(lines) + "\n"


def _toml_key(dotted: str) -> str:
    """A dotted parameter key as a TOML dotted key, quoting any part that is not a bare key."""
    bare = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
    return ".".join(part if part and set(part) <= bare else json.dumps(part) for part in dotted.split("."))


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)  # floats: the shortest text that reads back to the same number
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value))  # a JSON string is a valid TOML basic string
