"""The one error type for bad input: a single line naming where, key, value and what was expected."""

from __future__ import annotations

LONGEST = 60  # characters of a value (or 80 of a key) shown before "..."


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= LONGEST else text[:LONGEST - 3] + "..."


def _name(text: str, longest: int = 80) -> str:
    """A key or path as one short printable line: escaped (repr) if it holds a line break or
    another unprintable character, cut with "..." if very long."""
    text = str(text)
    if not text.isprintable():
        text = repr(text)
    return text if len(text) <= longest else text[:longest - 3] + "..."


class InputError(ValueError):
    """Bad input from a scenario file, a command-line option or an API argument.

    The message is one line: ``WHERE: KEY = VALUE: expected WHAT``. The CLI
    prints it and exits with code 2, without a traceback.
    """

    def __init__(self, where: str, key: str, value, expected: str):
        self.where, self.key, self.value, self.expected = where, key, value, expected
        place = f"{_name(where, 200)}: " if where else ""
        shown = "" if value is None else f" = {_show(value)}"
        super().__init__(f"{place}{_name(key)}{shown}: expected {' '.join(str(expected).split())}")


class OutputError(RuntimeError):
    """Results could not be written or resumed: a full disk, an unwritable or locked directory,
    a directory that holds a different sweep. One line, exit code 2, like `InputError`;
    whatever was finished before is kept.
    """
