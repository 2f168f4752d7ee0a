"""The parameter schema: one description of every parameter, read from
``sim/data/parameters.csv``.

Every default number, its allowed range and its source live in that table.
The same `Spec` objects validate scenario files, ``--set`` and ``--vary``
options, bound the samplers of sweeps and size the sliders of the web app
(the EMA Workbench idea of parameters that carry their own bounds).

Keys are flat and dotted::

    model.rationality              world.rivalry
    weights.security               states.Vietnam.weights.security   (per-state override)
    partners.CN.coercion           partners.CN.rivals                (a list of partner codes)
    states.Vietnam.exposure        states.Vietnam.ties.CN

`markdown` and `fill_markdown_blocks` render the table for the docs (docs/model.md).
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import pandas as pd

from sim.base.errors import InputError, near_miss

PARTNER_NAMES = {
    "US": "United States",
    "CN": "China",
    "JP": "Japan",
    "KR": "South Korea",
    "EU": "European Union",
    "AU": "Australia",
    "IN": "India",
    "ASEAN": "ASEAN-centred (autonomy)",
}
# Added by scenario: per-state weight overrides, not listed row by row in the table.
STATE_WEIGHT_KEY = "states.{state}.weights.{term}"


def partner_name(code: str, in_sentence: bool = False) -> str:
    """A partner's name ('United States'; an unknown code as it is); ``in_sentence``: as it reads
    in a sentence ('the United States', 'Japan')."""
    name = PARTNER_NAMES.get(code, code)
    return f"the {name}" if in_sentence and name.startswith(("United", "European")) else name


@dataclass(frozen=True)
class Spec:
    """One parameter: its kind, bounds or choices, default and source."""

    key: str
    kind: str  # "real", "choice" or "list"
    default: object
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] = ()
    source: str = ""
    note: str = ""

    def expected(self) -> str:
        """What a valid value looks like, for error messages."""
        if self.kind == "real":
            return f"a number in [{self.lo:g}, {self.hi:g}]"
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        return ("a list of partner codes (" + ", ".join(PARTNER_NAMES) + "), each at most once"
                + (f", not {self._owner()} itself" if self._owner() else ""))

    def _owner(self) -> str | None:
        """The partner whose attribute this is (``partners.CN.rivals`` -> CN), if any."""
        parts = self.key.split(".")
        return parts[1] if parts[0] == "partners" and len(parts) == 3 else None

    def check(self, value, where: str):
        """Return ``value`` converted to this parameter's type, or raise InputError."""
        if self.kind == "real":
            return self._check_real(value, where)
        if self.kind == "choice":
            if isinstance(value, str) and value in self.choices:
                return value
        elif self.kind == "list":
            if self._is_partner_list(value):
                return tuple(value)
        raise InputError(where, self.key, value, self.expected())

    def _is_partner_list(self, value) -> bool:
        # A partner cannot be its own rival, and a rival named twice would count twice.
        return (isinstance(value, (list, tuple)) and all(isinstance(v, str) and v in PARTNER_NAMES for v in value)
                and len(set(value)) == len(value) and self._owner() not in value)

    def _check_real(self, value, where):
        # numbers.Real admits numpy scalars (what samplers produce); bools are not numbers here.
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise InputError(where, self.key, value, self.expected())
        try:
            number = float(value)
        except OverflowError:  # an integer beyond float range: out of bounds whatever they are
            number = math.inf
        if not math.isfinite(number) or not self.lo <= number <= self.hi:
            raise InputError(where, self.key, value, self.expected())
        return number


def _parse_row(row) -> Spec:
    kind = row["kind"]
    if kind == "real":
        return Spec(row["key"], kind, float(row["value"]), float(row["min"]), float(row["max"]),
                    source=row["source"], note=row["note"])
    if kind == "choice":
        return Spec(row["key"], kind, row["value"], choices=tuple(row["min"].split("|")),
                    source=row["source"], note=row["note"])
    return Spec(row["key"], kind, tuple(v for v in row["value"].split("|") if v),
                source=row["source"], note=row["note"])


def table_path():
    """Where the parameter table lives (inside the package)."""
    return resources.files("sim") / "data" / "parameters.csv"


@lru_cache(maxsize=1)
def table() -> pd.DataFrame:
    """The parameter table as shipped with the package."""
    with table_path().open(encoding="utf-8") as handle:
        return pd.read_csv(handle, dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def specs() -> dict[str, Spec]:
    """Every parameter listed in the table, by key."""
    return {row["key"]: _parse_row(row) for _, row in table().iterrows()}


@lru_cache(maxsize=1)
def states() -> tuple[str, ...]:
    """The ASEAN states the table describes, in table order."""
    return tuple(dict.fromkeys(k.split(".")[1] for k in specs() if k.startswith("states.")))


@lru_cache(maxsize=1)
def partners() -> tuple[str, ...]:
    """The partners the table describes, in the order of PARTNER_NAMES."""
    listed = {k.split(".")[1] for k in specs() if k.startswith("partners.")}
    return tuple(p for p in PARTNER_NAMES if p in listed)


def clear_cache() -> None:
    """Forget the table read so far (after `sim.calibration.write_defaults` rewrote it)."""
    for cached in (table, specs, states, partners):
        cached.cache_clear()


def spec(key: str, where: str = "") -> Spec:
    """The Spec of ``key``; per-state weight overrides share the regional weight's spec."""
    found = specs().get(key)
    if found is not None:
        return found
    parts = key.split(".")
    if len(parts) == 4 and parts[0] == "states" and parts[2] == "weights":
        _check_name(parts[1], states(), where, key, "an ASEAN state")
        regional = specs().get(f"weights.{parts[3]}")  # the table has a weights.TERM row per utility term
        if regional is not None:
            return Spec(key, "real", regional.default, regional.lo, regional.hi,
                        source=regional.source, note="per-state override")
    _explain_unknown(key, where)


def _check_name(name, known, where, key, what):
    if name not in known:
        raise InputError(where, key, name, f"{what}: one of " + ", ".join(known) + near_miss(name, known))


def _explain_unknown(key: str, where: str):
    """Raise the most helpful error for an unknown key."""
    parts = key.split(".")
    if parts[0] == "states" and len(parts) > 2:
        _check_name(parts[1], states(), where, key, "an ASEAN state")
    if parts[0] == "partners" and len(parts) > 2:
        _check_name(parts[1], partners(), where, key, "a partner")
    if parts[0] == "states" and len(parts) == 4 and parts[2] in ("ties", "defense", "history", "engagement"):
        _check_name(parts[3], partners(), where, key, "a partner")
    raise InputError(where, key, None, "a known parameter (see `run.py params`)" + near_miss(key, specs()))


def check(key: str, value, where: str = ""):
    """Validate one key and value; return the converted value."""
    return spec(key, where).check(value, where)


def defaults() -> dict[str, object]:
    """Every parameter's default value, by key."""
    return {key: s.default for key, s in specs().items()}


def sweepable() -> list[Spec]:
    """Real-valued parameters (the ones sweeps, sensitivity analysis and sliders can vary)."""
    return [s for s in specs().values() if s.kind == "real"]


def markdown(prefixes: tuple[str, ...] = ("",), notes: bool = True) -> str:
    """Parameters whose keys start with any of ``prefixes``, as a Markdown table
    (key, default, range, source and, with ``notes``, the judgement note).

    docs/model.md embeds this table; a test checks that it has not drifted.
    """
    every = table()
    rows = every[every["key"].str.startswith(tuple(prefixes))]
    header = ["key", "default", "range", "source"] + (["note"] if notes else [])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for _, row in rows.iterrows():
        cells = [f"`{row['key']}`", _cell(row["value"]), _range(row), _cell(row["source"])]
        if notes:
            cells.append(_cell(row["note"]))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _range(row) -> str:
    if row["kind"] == "real":
        return f"[{row['min']}, {row['max']}]"
    if row["kind"] == "choice":
        return _cell(row["min"])
    return "partner codes"


def _cell(text: str) -> str:
    """A table cell: lists separated by commas, no stray pipes or line breaks."""
    return " ".join(str(text).replace("|", ", ").split())


_BLOCK = re.compile(r"(<!-- parameters: (?P<prefix>\S+) -->\n)(?P<body>.*?)(<!-- end parameters -->)", re.S)


def fill_markdown_blocks(text: str) -> str:
    """``text`` with every ``<!-- parameters: PREFIX -->`` block replaced by `markdown` (PREFIX,)."""
    return _BLOCK.sub(lambda m: m.group(1) + markdown((m.group("prefix"),)) + m.group(4), text)

