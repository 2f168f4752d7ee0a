"""The two error types the CLI prints as one line and exit code 2, without a traceback:
`InputError` (bad input: where, key, value and what was expected) and `OutputError`
(results that could not be written or resumed); `near_miss`, the suggestion a mistyped name gets;
and the one check of whole-number arguments (`check_whole`, with `check_count` and `check_seed`
for the usual bounds)."""

from __future__ import annotations

import difflib
import numbers

# Characters shown of a value, a key and a place (file or option) before "...".
LONGEST_VALUE, LONGEST_KEY, LONGEST_PLACE = 60, 80, 200


def _cut(text: str, longest: int) -> str:
    return text if len(text) <= longest else text[:longest - 3] + "..."


def _show(value) -> str:
    try:
        text = repr(value)
    except RecursionError:  # a list or table nested too deep for repr(): say what it is
        text = f"<a {type(value).__name__} nested too deep to show>"
    return _cut(text, LONGEST_VALUE)


def _name(text: str, longest: int) -> str:
    """A key or path as one short printable line: escaped (repr) if it holds a line break or
    another unprintable character, cut with "..." if very long."""
    text = str(text)
    return _cut(text if text.isprintable() else repr(text), longest)


def near_miss(value, known) -> str:
    """" (did you mean 'X'?)" for the closest of ``known`` to a mistyped ``value`` (difflib), or ""."""
    close = difflib.get_close_matches(str(value), [str(k) for k in known], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class InputError(ValueError):
    """Bad input from a scenario file, a command-line option or an API argument.

    The message is one line: ``WHERE: KEY = VALUE: expected WHAT``. The CLI
    prints it and exits with code 2, without a traceback.
    """

    def __init__(self, where: str, key: str, value, expected: str):
        self.where, self.key, self.value, self.expected = where, key, value, expected
        place = f"{_name(where, LONGEST_PLACE)}: " if where else ""
        shown = "" if value is None else f" = {_show(value)}"
        super().__init__(f"{place}{_name(key, LONGEST_KEY)}{shown}: expected {' '.join(str(expected).split())}")


class OutputError(RuntimeError):
    """Results could not be written or resumed: a full disk, an unwritable or locked directory,
    a directory that holds a different sweep. One line, exit code 2, like `InputError`;
    whatever was finished before is kept.
    """


# Lists and tables inside each other: a valid scenario needs 4 (states.X.weights.term); up to this many,
# the usual checks name the wrong value; beyond it, code that recurses (validation, repr, JSON) could not.
MAX_DEPTH = 100


def check_nesting(where: str, data, limit: int = MAX_DEPTH) -> None:
    """Refuse lists and tables (dicts) nested more than ``limit`` deep: an InputError naming the
    path to the deepest place (its first keys) and how deep it goes. A loop with a stack, not
    recursion, so any depth is measured; what passes is safe for the recursive code that reads it."""
    deepest, deepest_at, stack = 0, None, [(data, 0, None)]
    while stack:
        value, depth, at = stack.pop()  # at: (the parent's at, key or index), a linked path
        if depth > deepest:
            deepest, deepest_at = depth, at
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        stack.extend((inner, depth + 1, (at, name)) for name, inner in items)
    if deepest > limit:
        path = []
        while deepest_at is not None:
            deepest_at, name = deepest_at
            path.append(str(name))
        shown = ".".join(path[::-1][:6]) + ("..." if len(path) > 6 else "")
        raise InputError(where, shown or "value", None,
                         f"lists and tables nested at most {limit} deep (this is nested {deepest} deep)")


MAX_SEED = 2**63 - 1  # numpy's SeedSequence takes any non-negative int; 63 bits keep seeds portable as int64
MAX_COUNT = 10_000  # steps, replicates and the like


def check_whole(name: str, value, low: int, high: int | None = None) -> int:
    """``value`` as an int in [low, high] (no upper bound when ``high`` is None), or an InputError.

    The one check of whole-number arguments (steps, seeds, replicates, counts), for the API
    and the commands alike; bools and floats are refused even when they hold a whole number.
    """
    integer = not isinstance(value, bool) and isinstance(value, numbers.Integral)
    if integer and low <= value and (high is None or value <= high):
        return int(value)
    top = "2**63 - 1" if high == MAX_SEED else high
    raise InputError("", name, value, f"a whole number of at least {low}" if high is None
                     else f"a whole number from {low} to {top}")


def check_count(name: str, value, most: int = MAX_COUNT) -> int:
    """A count (steps, replicates, samples, workers, runs per chunk) as an int from 1 to ``most``."""
    return check_whole(name, value, 1, most)


def check_seed(value) -> int:
    """A master seed as an int from 0 to `MAX_SEED`."""
    return check_whole("seed", value, 0, MAX_SEED)


def parse_number(text: str, where: str, key: str, expected: str = "a number") -> float:
    """``text`` (a URL value, a --vary bound) as a float, or an InputError naming ``where`` and ``key``."""
    try:
        return float(text)
    except ValueError:
        raise InputError(where, key, text, expected) from None


def parse_whole(text: str, where: str, key: str, expected: str, low: int = 0, high: int | None = None) -> int:
    """``text`` as a whole number in [low, high] (digits only: no sign, no decimal point), or an InputError."""
    digits = str(text).strip().isdigit()
    if not (digits and low <= int(text) and (high is None or int(text) <= high)):
        raise InputError(where, key, text, expected)
    return int(text)
