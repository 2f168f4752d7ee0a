"""The one error type for bad input: a single line naming where, key, value and what was expected."""

from __future__ import annotations


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class InputError(ValueError):
    """Bad input from a scenario file, a command-line option or an API argument.

    The message is one line: ``WHERE: KEY = VALUE: expected WHAT``. The CLI
    prints it and exits with code 2, without a traceback.
    """

    def __init__(self, where: str, key: str, value, expected: str):
        self.where, self.key, self.value, self.expected = where, key, value, expected
        place = f"{where}: " if where else ""
        shown = "" if value is None else f" = {_show(value)}"
        super().__init__(f"{place}{key}{shown}: expected {expected}")


class OutputError(RuntimeError):
    """Results could not be written or resumed: a full disk, an unwritable or locked directory,
    a directory that holds a different sweep. One line, exit code 2, like `InputError`;
    whatever was finished before is kept.
    """
